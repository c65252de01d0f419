"""Every statistic of one run in one call: the tables the analyse step writes as CSV."""
from .activity import isi_cv, population_isi_cv, psth, worst_case_activity
from .stats import (cell_rates, classify_cells, population_stats, population_windows,
                    response_fractions, windows_table)


def analyse_run(run, stim_times, consider_delays=True, psth_bin_ms=5.0):
    """All per-run tables of `run` for the protocol `stim_times` (ms), keyed by a file stem.

    Parameters
    ----------
    run : RunResult
    stim_times : sequence of 3 float
        Baseline, stimulus and post durations, ms.
    consider_delays : bool, optional
        Shift each population's windows by its latency from the mossy fibres
        (:func:`.stats.population_windows`). Default: True.
    psth_bin_ms : float, optional
        PSTH bin, ms. Default: 5.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``windows`` (:func:`.stats.windows_table`), ``cell_rates`` (with ``stimulus_spikes``
        and ``response`` of :func:`.stats.classify_cells`), ``stats``
        (:func:`.stats.population_stats`), ``responses`` (:func:`.stats.response_fractions`),
        ``worst_case`` (:func:`.activity.worst_case_activity`), ``isi_cells`` and ``isi``
        (:func:`.activity.isi_cv` over the whole run, :func:`.activity.population_isi_cv`),
        ``psth`` (:func:`.activity.psth`).
    """
    windows = population_windows(stim_times, run.spikes, consider_delays=consider_delays)
    rates = classify_cells(cell_rates(run, windows), windows)
    cells_cv = isi_cv(run)
    return {
        "windows": windows_table(windows),
        "cell_rates": rates,
        "stats": population_stats(rates, windows),
        "responses": response_fractions(rates),
        "worst_case": worst_case_activity(run),
        "isi_cells": cells_cv,
        "isi": population_isi_cv(cells_cv),
        "psth": psth(run, psth_bin_ms),
    }
