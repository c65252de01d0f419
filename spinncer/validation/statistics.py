r"""Per-cell (and per-pair) spike statistics of one run, per population and window.

The distributions that validation compares (Gutzen et al. 2018): for every population and
window (:func:`spinncer.analysis.stats.population_windows`) of a run,

``rate``
    spikes / window length (Hz), every cell (silent cells included).
``cv``
    ISI coefficient of variation, :func:`elephant.statistics.cv` (= ``scipy.stats.variation``,
    s.d. / mean, ddof 0) of the cell's inter-spike intervals inside the window.
``lv``
    local variation of the ISIs, :func:`elephant.statistics.lv` (Shinomoto et al. 2003).
    Both are computed for all cells of equal spike count at once (:func:`_isi_statistics`).
``corr``
    Pearson correlation of the spike counts of a pair of cells in :data:`CORR_BIN_MS` bins
    covering the window (``np.corrcoef`` of the two count vectors).

CV and LV are defined only for cells with at least :data:`MIN_SPIKES_ISI` spikes in the window
(two intervals); other cells contribute no value. Correlations are computed on a sample of
pairs drawn once per population from *all* its cells (so every run, seed and backend uses the
same pairs): at most :data:`MAX_PAIRS` distinct pairs, uniformly at random with the generator
``numpy.random.default_rng([PAIR_SEED, n_cells])``; a pair where either cell is silent in the
window (constant counts) has no correlation and contributes no value.

Sources
-------
- Gutzen R, von Papen M, Trensch G, Quaglio P, Grün S, Denker M (2018) Reproducible neural
  network simulations: statistical methods for model validation on the level of network
  activity data. Front. Neuroinform. 12:90 (rate, CV, LV, pairwise correlation in 5 ms bins).
- Shinomoto S, Shima K, Tanji J (2003) Neural Comput. 15:2823 (LV).
"""
import numpy as np
import pandas as pd

from ..analysis.stats import spike_counts, windows_for

#: Statistics computed per cell (rate, cv, lv) or per pair (corr), in this order.
STATISTICS = ("rate", "cv", "lv", "corr")
#: Unit of each statistic's values.
UNITS = {"rate": "Hz", "cv": "1", "lv": "1", "corr": "1"}
#: Bin of the spike-count correlation, ms [Gutzen2018].
CORR_BIN_MS = 5.0
#: Largest number of cell pairs per population whose correlation is computed.
MAX_PAIRS = 500
#: Seed of the pair sample (with the population size).
PAIR_SEED = 20180090
#: Spikes a cell needs in a window for an ISI statistic (two intervals).
MIN_SPIKES_ISI = 3


def sample_pairs(n_cells, max_pairs=MAX_PAIRS, seed=PAIR_SEED):
    """(i, j) int64 arrays, i < j, in row-major order: all pairs when there are at most
    `max_pairs`, else `max_pairs` distinct pairs drawn uniformly without replacement (as
    linear indices into the upper triangle) with ``default_rng([seed, n_cells])``."""
    n = int(n_cells)
    n_all = n * (n - 1) // 2
    if n_all <= max_pairs:
        i, j = np.triu_indices(n, k=1)
        return i.astype(np.int64), j.astype(np.int64)
    k = np.sort(np.random.default_rng([seed, n]).choice(n_all, max_pairs, replace=False))
    # row i of linear index k in the strict upper triangle (row-major), then its column
    i = (n - 2 - np.floor(np.sqrt(-8.0 * k + 4.0 * n * (n - 1) - 7) / 2.0 - 0.5)).astype(np.int64)
    j = k + i + 1 - n_all + (n - i) * (n - i - 1) // 2
    return i, j.astype(np.int64)


def _isi_statistics(cells, times, start, stop, min_spikes):
    """{cv: values, lv: values} of the cells with at least `min_spikes` spikes in the window.

    Cells are grouped by spike count so that each group's ISIs form one matrix (one row per
    cell): CV is s.d. / mean (ddof 0) along the rows (``scipy.stats.variation``, what
    :func:`elephant.statistics.cv` computes, per cell; tested against both) and LV Elephant's formula
    :math:`3\,\mathrm{mean}(((I_{k+1}-I_k)/(I_{k+1}+I_k))^2)` per row (equal to
    :func:`elephant.statistics.lv` per cell; tested against both), one call per distinct count
    instead of one per cell. A cell with two zero ISIs in a row (a spike source firing three
    times in one step) has no LV (0/0): it is left out of the LV sample, whose size the tables
    report, rather than entering it as NaN.
    """
    inside = (times >= start) & (times < stop)
    cells, times = cells[inside], times[inside]
    order = np.lexsort((times, cells))
    cells, times = cells[order], times[order]
    _, first, counts = np.unique(cells, return_index=True, return_counts=True)
    cv, lv = [], []
    for n in np.unique(counts[counts >= min_spikes]).tolist():  # one pass per spike count
        rows = first[counts == n][:, None] + np.arange(n)[None, :]
        isi = np.diff(times[rows], axis=1)
        with np.errstate(invalid="ignore"):
            # scipy.stats.variation(isi, axis=1) is this quotient; its per-call checks cost
            # 0.9 ms, and a full-size validation makes 7,600 calls
            cv.append(isi.std(axis=1) / isi.mean(axis=1))
            rows_lv = 3.0 * np.mean((np.diff(isi, axis=1) / (isi[:, :-1] + isi[:, 1:])) ** 2,
                                    axis=1)
        lv.append(rows_lv[np.isfinite(rows_lv)])  # 0/0: two zero ISIs in a row
    return {"cv": np.concatenate(cv) if cv else np.empty(0),
            "lv": np.concatenate(lv) if lv else np.empty(0)}


def pair_correlations(cells, times, n_cells, start, stop, bin_ms=CORR_BIN_MS, pairs=None):
    """Pearson correlation of binned spike counts for `pairs` (default :func:`sample_pairs`);
    pairs with a constant count vector (a silent cell) are dropped. Bins of `bin_ms` from
    `start`; a last partial bin is dropped."""
    i, j = sample_pairs(n_cells) if pairs is None else pairs
    n_bins = int(np.floor((stop - start) / bin_ms + 1e-9))
    if n_bins < 2 or len(i) == 0:
        return np.empty(0)
    used = np.unique(np.concatenate([i, j]))
    row = np.full(n_cells, -1, np.int64)
    row[used] = np.arange(len(used))
    inside = (times >= start) & (times < start + n_bins * bin_ms) & (row[cells] >= 0)
    k = np.floor((times[inside] - start) / bin_ms + 1e-9).astype(np.int64).clip(0, n_bins - 1)
    counts = np.bincount(row[cells[inside]] * n_bins + k,
                         minlength=len(used) * n_bins).reshape(len(used), n_bins)
    centred = counts - counts.mean(axis=1, keepdims=True)
    norm = np.sqrt((centred ** 2).sum(axis=1))
    a, b = row[i], row[j]
    ok = (norm[a] > 0) & (norm[b] > 0)
    return (centred[a[ok]] * centred[b[ok]]).sum(axis=1) / (norm[a[ok]] * norm[b[ok]])


def run_statistics(run, windows, statistics=STATISTICS):
    """Long table of one run's per-cell / per-pair values.

    Returns
    -------
    pandas.DataFrame
        population, window, statistic, value (one row per cell or pair that has a value).
    """
    frames = []
    for name, pop in run.spikes.items():
        if pop.n_cells == 0:
            continue
        cells, times = np.asarray(pop.cell, np.int64), np.asarray(pop.time, float)
        for window, (start, stop) in windows_for(windows, name).items():
            values = {}
            if "rate" in statistics:
                values["rate"] = spike_counts(cells, times, pop.n_cells, start, stop) / (
                    (stop - start) / 1000.0)
            if {"cv", "lv"} & set(statistics):
                values.update(_isi_statistics(cells, times, start, stop, MIN_SPIKES_ISI))
            if "corr" in statistics:
                values["corr"] = pair_correlations(cells, times, pop.n_cells, start, stop)
            for stat in statistics:
                frames.append(pd.DataFrame({"population": name, "window": window,
                                            "statistic": stat, "value": values[stat]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["population", "window", "statistic", "value"])
