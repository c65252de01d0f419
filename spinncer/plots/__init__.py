"""Figures (matplotlib/seaborn, PNG through atomic_path).

- :mod:`.figures`     one run: raster, mean-rate bars, PSTH, per-cell rate distributions
- :mod:`.comparison`  two runs: per-cell rate scatter with identity line, spike-shift histograms
- :mod:`.scaffold`    scaffold: cell positions and in-degree distributions
- :mod:`.sweep`       a statistic against the swept stimulus parameter, per population
"""
