"""Spike statistics over the one run format.

- :mod:`.stats`        protocol windows (delay-shifted per population), per-cell and
                       per-population rates, excited / inhibited cells
- :mod:`.activity`     worst-case spikes per timestep, PSTH, ISI CV and CV2
- :mod:`.compare`      two runs: rate differences with paired tests, lead/lag, verdicts
- :mod:`.summary`      every per-run table in one call (:func:`.summary.analyse_run`)
- :mod:`.spinncer_io`  read / write result files of the original SpiNNCer experiment script
"""
