"""Reference check: our rates against the SpiNNCer NEST gold standard of the model's author.

Both runs go through the same analysis (:func:`spinncer.analysis.stats.cell_rates`,
:func:`~spinncer.analysis.stats.population_stats`) with the same protocol windows, unshifted
(the gold file's README figures use plain windows: baseline 0-300 ms, stimulus 300-400 ms).
One row per population and window: our mean rate, the gold-standard mean rate, the difference
and whether it is within :data:`TOLERANCE` of the gold standard.
"""
import numpy as np
import pandas as pd

from ..errors import InputError
from ..params import in_pathway_order
from .spinncer_io import read_spinncer
from .stats import cell_rates, population_stats, protocol_windows

#: Goal: every population's baseline and stimulus rate within 15 % of the gold standard.
TOLERANCE = 0.15
CHECKED_WINDOWS = ("baseline", "stimulus")


def read_gold_standard(path, allow_pickle=False):
    """The gold-standard run (SpiNNCer result layout; pickled, so only with `allow_pickle`)."""
    return read_spinncer(path, allow_pickle=allow_pickle, widen_to_ids=True)


def _stats(run, windows):
    stats = population_stats(cell_rates(run, windows), windows)
    return stats.set_index(["population", "window"])


def reference_table(ours, gold, stim_times):
    """Rows population, window, ours_hz, gold_hz, difference_hz, relative_difference, within
    (|relative difference| <= TOLERANCE), ours_cells, gold_cells."""
    missing = sorted(set(gold.spikes) - set(ours.spikes))
    if missing:
        raise InputError("reference check", f"our run to have the gold standard's populations",
                         f"none of {missing}")
    windows = protocol_windows(stim_times)
    a, b = _stats(ours, windows), _stats(gold, windows)
    rows = []
    for pop in in_pathway_order(dict.fromkeys(gold.spikes)):
        for window in windows:
            mine, ref = a.loc[(pop, window)], b.loc[(pop, window)]
            diff = mine.mean_rate_hz - ref.mean_rate_hz
            rel = diff / ref.mean_rate_hz if ref.mean_rate_hz > 0 else np.nan
            rows.append(dict(population=pop, window=window, start_ms=mine.start_ms,
                             stop_ms=mine.stop_ms, ours_hz=mine.mean_rate_hz,
                             gold_hz=ref.mean_rate_hz, difference_hz=diff,
                             relative_difference=rel,
                             within=bool(abs(rel) <= TOLERANCE) if np.isfinite(rel) else False,
                             ours_cells=int(mine.n_cells), gold_cells=int(ref.n_cells)))
    return pd.DataFrame(rows)
