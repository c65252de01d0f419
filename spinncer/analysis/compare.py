r"""Compare two runs of the same network: rates, spike counts, spike timing, verdicts.

Provides
--------
:func:`compare_runs`           everything below in one :class:`Comparison`
:func:`provenance_differences` what differs in the runs' metadata (versions, input sha256)
:func:`compare_rates`          per population and window: rate differences and paired tests
:func:`population_lag`         lead/lag from the cross-correlation of population spike counts
:func:`matched_spike_shifts`   per cell with equal spike counts: shift of matched spikes
:func:`compare_timing`         per population: spike-count differences and lead/lag
:func:`verdicts`               one line per population, with the thresholds stated

Conventions: run A is the reference, differences are B - A, relative differences are
(B - A) / A, and a positive lag or shift means B fires later than A. Times in ms, rates in Hz.
Both runs must have the same cells (same scaffold); cells are paired by population-local index.

Sources
-------
- [SpiNNCer] ``compare_results`` in ``spinncer/cerebellum_analysis.py`` reports, per population
  and window, a two-sample t-test of per-cell rates of the excited cells, per-cell spike-count
  differences, and the difference of the 10th (or last) spike of cells with equal spike
  counts. Here the cells of the two runs are paired, so the primary test is paired
  (``scipy.stats.ttest_rel`` and ``scipy.stats.wilcoxon``) over all cells; the unpaired
  ``ttest_ind`` p-value is kept for comparison with SpiNNCer's numbers.
- Cohen J (1988) Statistical Power Analysis for the Behavioral Sciences, 2nd ed. (:math:`d_z`).
"""
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import signal, stats

from ..errors import InputError
from .activity import step_index
from .stats import excited_cells, window_counts, windows_for

# Verdict thresholds (defaults of verdicts() and compare_runs()).
ALPHA = 0.01  # family-wise significance level of the paired t-tests (Bonferroni-adjusted)
MIN_REL_DIFF = 0.05  # |B - A| / A below this is "same" whatever the p-value
MIN_ABS_DIFF_HZ = 0.1  # |B - A| below this (Hz) is "same" whatever the p-value
MAX_LAG_MS = 1.0  # |cross-correlation lag| above this (ms) is a timing difference ...
MIN_XCORR = 0.2  # ... when the peak correlation reaches this; below it the lag is noise
NTH_SPIKE = 10  # SpiNNCer compares the 10th spike (or the last, for shorter trains)
# A population with fewer cells is not tested (no p-value, no d_z): "too few cells (n=...)".
# With n = 4 a paired t-test has 3 degrees of freedom and d_z is dominated by the s.d. of
# four differences (inf when they are equal); with one cell neither exists.
MIN_CELLS = 10


def too_few_cells(n_cells, min_cells=MIN_CELLS):
    """The reason a population is not tested, or "" when it is."""
    return f"too few cells (n={n_cells} < {min_cells})" if n_cells < min_cells else ""


class ProvenanceWarning(UserWarning):
    """The two compared runs were made from different inputs or software versions."""


@dataclass
class Comparison:
    """Result of :func:`compare_runs`; every attribute is a DataFrame ready for CSV."""

    rates: pd.DataFrame
    timing: pd.DataFrame
    cells: pd.DataFrame
    verdicts: pd.DataFrame
    provenance: pd.DataFrame


def _flatten(prefix, value, out):
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    else:
        out[prefix] = value
    return out


def provenance_differences(a, b, warn=True):
    """Metadata items that differ between runs `a` and `b`.

    Compared: every entry of ``metadata['versions']``, the ``sha256`` of every entry of
    ``metadata['inputs']``, and the timestep and simulated time. A non-empty result is also
    issued as one :class:`ProvenanceWarning` when `warn` is set.

    Returns
    -------
    pandas.DataFrame
        Columns item, a, b (values as strings; "<missing>" where one run lacks the item).
    """
    rows = []
    for section in ("versions", "inputs"):
        fa = _flatten("", a.metadata.get(section, {}) or {}, {})
        fb = _flatten("", b.metadata.get(section, {}) or {}, {})
        for key in sorted(set(fa) | set(fb)):
            if section == "inputs" and not key.endswith(".sha256"):
                continue
            va, vb = fa.get(key, "<missing>"), fb.get(key, "<missing>")
            if str(va) != str(vb):
                rows.append({"item": f"{section}.{key}", "a": str(va), "b": str(vb)})
    for attr in ("timestep", "simtime"):
        if getattr(a, attr) != getattr(b, attr):
            rows.append({"item": attr, "a": str(getattr(a, attr)), "b": str(getattr(b, attr))})
    table = pd.DataFrame(rows, columns=["item", "a", "b"])
    if warn and len(table):
        warnings.warn("compared runs differ in " + ", ".join(
            f"{r.item} ({r.a} vs {r.b})" for r in table.itertuples()), ProvenanceWarning,
            stacklevel=2)
    return table


def _common_populations(a, b):
    common = [name for name in a.spikes if name in b.spikes]
    only = sorted(set(a.spikes) ^ set(b.spikes))
    if only:
        warnings.warn(f"populations present in only one run are not compared: {only}",
                      ProvenanceWarning, stacklevel=3)
    for name in common:
        if a.spikes[name].n_cells != b.spikes[name].n_cells:
            raise InputError(f"population '{name}'", "the same number of cells in both runs",
                             f"{a.spikes[name].n_cells} vs {b.spikes[name].n_cells}")
    return common


def _paired_tests(ra, rb, min_cells=MIN_CELLS):
    d = rb - ra
    n = len(d)
    out = {"paired_t": np.nan, "paired_t_pvalue": np.nan, "wilcoxon_pvalue": np.nan,
           "cohen_dz": np.nan, "test_note": too_few_cells(n, min_cells)}
    if n < max(2, min_cells):
        return out
    if not d.any():  # identical rates: no difference to test
        out.update(paired_t=0.0, paired_t_pvalue=1.0, wilcoxon_pvalue=1.0, cohen_dz=0.0)
        return out
    sd = d.std(ddof=1)
    if sd == 0:
        out["test_note"] = "every cell differs by the same amount (s_d = 0): d_z infinite"
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        t = stats.ttest_rel(rb, ra)
        out.update(paired_t=float(t.statistic), paired_t_pvalue=float(t.pvalue),
                   wilcoxon_pvalue=float(stats.wilcoxon(d).pvalue),
                   cohen_dz=float(d.mean() / sd) if sd > 0 else np.sign(d.mean()) * np.inf)
    return out


def _excited(counts, windows, name):
    """Excited cells of one run's population `name` (classify_cells' rule on its own windows)
    from its `counts` ({window: spikes per cell}, :func:`window_counts`)."""
    w = windows_for(windows, name)
    rate = {k: counts[k] / ((w[k][1] - w[k][0]) / 1000.0) for k in ("baseline", "stimulus")}
    fired = sum(counts.values()) > 0
    return excited_cells(rate["baseline"], rate["stimulus"], fired, name == "granule",
                         counts["stimulus"])


def _excited_ttest(ra, rb, ex_a, ex_b, min_cells=MIN_CELLS):
    """SpiNNCer's unpaired test: Student's t over each run's own excited cells."""
    xa, xb = ra[ex_a], rb[ex_b]
    if min(len(xa), len(xb)) < max(2, min_cells):
        return np.nan
    if np.ptp(np.concatenate([xa, xb])) == 0:
        return 1.0
    return float(stats.ttest_ind(xb, xa, equal_var=True).pvalue)


def compare_rates(a, b, windows, min_cells=MIN_CELLS):
    r"""Per population and window: rate difference between runs and a paired test over cells.

    With :math:`r^A_i, r^B_i` the rates (Hz) of cell :math:`i` in a window and
    :math:`d_i = r^B_i - r^A_i` over the :math:`N` cells:

    .. math::

        \Delta = \bar r^B - \bar r^A, \qquad \delta = \Delta / \bar r^A, \qquad
        t = \frac{\bar d}{s_d / \sqrt N}, \qquad d_z = \bar d / s_d

    (:math:`s_d` the sample s.d., ddof 1). :math:`t` is the paired t statistic
    (``scipy.stats.ttest_rel``, two-sided), :math:`d_z` Cohen's effect size of paired data; the
    Wilcoxon signed-rank test (``scipy.stats.wilcoxon``, zero differences dropped) is the
    distribution-free check. Populations of fewer than `min_cells` cells
    (:data:`MIN_CELLS`) are not tested: their test columns are empty and ``test_note`` says
    "too few cells (n=...)"; a difference that is the same in every cell (:math:`s_d = 0`) has
    p = 0 and an infinite :math:`d_z`, and the note says so. Identical rates give p = 1 and
    :math:`d_z = 0`.

    Returns
    -------
    pandas.DataFrame
        population, window, start_ms, stop_ms, n_cells, mean_a_hz, mean_b_hz, diff_hz
        (:math:`\Delta`), rel_diff (:math:`\delta`; inf if only A is silent, NaN if both are),
        spikes_a, spikes_b, spike_diff, std_cell_diff_hz (:math:`s_d`), paired_t,
        paired_t_pvalue, paired_t_pvalue_adj (Bonferroni: :math:`\min(1, m p)` over the
        :math:`m` tests of the table, i.e. every population and window), wilcoxon_pvalue,
        cohen_dz, n_excited_a, n_excited_b (cells each run classifies as excited,
        :func:`spinncer.analysis.stats.classify_cells`), ttest_ind_pvalue: SpiNNCer's
        two-run test (``cerebellum_analysis.py`` ``compare_results``): Student's unpaired t-test
        (``scipy.stats.ttest_ind``, equal variances) between the rates of the cells *excited in
        run A* and of those *excited in run B*, each set chosen in its own run; NaN with fewer
        than max(2, `min_cells`) excited cells in either run.
        test_note (why a test is missing; empty when it was made).
    """
    rows = []
    for name in _common_populations(a, b):
        pa = a.spikes[name]
        counts_a = window_counts(pa, windows, name)
        counts_b = window_counts(b.spikes[name], windows, name)
        ex_a, ex_b = _excited(counts_a, windows, name), _excited(counts_b, windows, name)
        for window, (start, stop) in windows_for(windows, name).items():
            ca, cb = counts_a[window], counts_b[window]
            seconds = (stop - start) / 1000.0
            ra, rb = ca / seconds, cb / seconds
            n = pa.n_cells
            mean_a = ra.mean() if n else np.nan
            mean_b = rb.mean() if n else np.nan
            diff = mean_b - mean_a
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.float64(diff) / np.float64(mean_a)
            rows.append({
                "population": name, "window": window, "start_ms": start, "stop_ms": stop,
                "n_cells": n, "mean_a_hz": mean_a, "mean_b_hz": mean_b, "diff_hz": diff,
                "rel_diff": rel, "spikes_a": int(ca.sum()), "spikes_b": int(cb.sum()),
                "spike_diff": int(cb.sum() - ca.sum()),
                "std_cell_diff_hz": (rb - ra).std(ddof=1) if n > 1 else np.nan,
                **_paired_tests(ra, rb, min_cells), "n_excited_a": int(ex_a.sum()),
                "n_excited_b": int(ex_b.sum()),
                "ttest_ind_pvalue": _excited_ttest(ra, rb, ex_a, ex_b, min_cells)})
    table = pd.DataFrame(rows)
    if len(table):
        tested = table["paired_t_pvalue"].notna().sum()
        adjusted = (table["paired_t_pvalue"] * tested).clip(upper=1.0)
        table.insert(table.columns.get_loc("paired_t_pvalue") + 1, "paired_t_pvalue_adj",
                     adjusted)
    return table


def _binned_counts(times, bin_ms, t_start, n_bins):
    idx = step_index(np.asarray(times, float) - t_start, bin_ms)
    idx = idx[(idx >= 0) & (idx < n_bins)]
    return np.bincount(idx, minlength=n_bins).astype(float)


def population_lag(times_a, times_b, bin_ms, max_lag_ms, t_start=0.0, t_stop=None):
    r"""Lead/lag of population B against A from the cross-correlation of their spike counts.

    Spike counts :math:`a_n, b_n` in bins of `bin_ms` over [t_start, t_stop), minus their
    means (:math:`\tilde a, \tilde b`), are cross-correlated and the peak is taken within
    :math:`\pm` `max_lag_ms`:

    .. math::

        C(k) = \frac{\sum_n \tilde a_n \tilde b_{n+k}}
                    {\sqrt{\sum_n \tilde a_n^2 \sum_n \tilde b_n^2}}, \qquad
        \mathrm{lag} = w \cdot \arg\max_{|k| w \le L} C(k)

    A positive lag means B fires later than A; the resolution is one bin (ties go to the
    smallest |k|).

    Returns
    -------
    (float, float)
        Lag in ms and the peak correlation coefficient :math:`C`; (NaN, NaN) when either run
        has no spikes or constant counts in the span.
    """
    if t_stop is None:
        t_stop = max(np.max(times_a, initial=0.0), np.max(times_b, initial=0.0)) + bin_ms
    n_bins = int(np.ceil((t_stop - t_start) / bin_ms - 1e-9))
    ca = _binned_counts(times_a, bin_ms, t_start, n_bins)
    cb = _binned_counts(times_b, bin_ms, t_start, n_bins)
    ca -= ca.mean()
    cb -= cb.mean()
    norm = np.sqrt((ca ** 2).sum() * (cb ** 2).sum())
    if n_bins < 2 or norm == 0:
        return np.nan, np.nan
    corr = signal.correlate(cb, ca, mode="full") / norm
    lags = signal.correlation_lags(len(cb), len(ca), mode="full")
    keep = np.abs(lags) * bin_ms <= max_lag_ms + 1e-9
    corr, lags = corr[keep], lags[keep]
    order = np.argsort(np.abs(lags), kind="stable")
    best = order[np.argmax(corr[order])]
    return round(float(lags[best] * bin_ms), 9), float(corr[best])


def _sorted(pop):
    order = np.lexsort((pop.time, pop.cell))
    return np.asarray(pop.cell, np.int64)[order], np.asarray(pop.time, float)[order]


def matched_spike_shifts(pop_a, pop_b, nth=NTH_SPIKE):
    r"""Per cell: spike counts in A and B and, where equal, the shift of matched spikes.

    For a cell with the same number :math:`n > 0` of spikes in both runs, its :math:`k`-th
    spikes are matched (both trains sorted in time) and

    .. math::

        \overline{\Delta t} = \frac{1}{n} \sum_{k=1}^{n} (t^B_k - t^A_k), \qquad
        \Delta t_{(m)} = t^B_m - t^A_m,\; m = \min(\mathrm{nth}, n)

    :math:`\Delta t_{(m)}` is SpiNNCer's "lead lag of nth spike" (with B - A signs).

    Returns
    -------
    pandas.DataFrame
        One row per cell: cell, spikes_a, spikes_b, count_diff (B - A), matched (bool),
        mean_shift_ms (:math:`\overline{\Delta t}`, NaN unless matched), nth_shift_ms.
    """
    n = pop_a.n_cells
    cell_a, time_a = _sorted(pop_a)
    cell_b, time_b = _sorted(pop_b)
    count_a = np.bincount(cell_a, minlength=n)
    count_b = np.bincount(cell_b, minlength=n)
    matched = (count_a == count_b) & (count_a > 0)
    keep_a, keep_b = matched[cell_a], matched[cell_b]
    cells, shift = cell_a[keep_a], time_b[keep_b] - time_a[keep_a]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_shift = np.bincount(cells, weights=shift, minlength=n) / np.where(matched, count_a, 0)
    first = np.concatenate([[0], np.cumsum(count_a)[:-1]])  # index of each cell's first spike
    rank = np.arange(len(cell_a)) - first[cell_a]
    target = np.minimum(nth, count_a) - 1
    pick = keep_a & (rank == target[cell_a])
    nth_shift = np.full(n, np.nan)
    nth_shift[cell_a[pick]] = shift[(rank == target[cell_a])[keep_a]]
    return pd.DataFrame({"cell": np.arange(n), "spikes_a": count_a, "spikes_b": count_b,
                         "count_diff": count_b - count_a, "matched": matched,
                         "mean_shift_ms": np.where(matched, mean_shift, np.nan),
                         "nth_shift_ms": nth_shift})


def compare_timing(a, b, bin_ms=None, max_lag_ms=20.0, span=None):
    r"""Per population: spike-count differences and lead/lag of B against A.

    Parameters
    ----------
    a, b : RunResult
    bin_ms : float, optional
        Bin of the population cross-correlation, ms. Default: the timestep of `a`.
    max_lag_ms : float, optional
        Largest lag searched, ms. Default: 20.
    span : (float, float), optional
        Time span (ms) of the cross-correlation. Default: the whole run, 0 to ``a.simtime``.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Per population: population, n_cells, spikes_a, spikes_b, spike_diff, rel_spike_diff,
        fraction_cells_equal_count, mean_abs_count_diff, xcorr_lag_ms, xcorr_peak (see
        :func:`population_lag`), n_cells_matched, mean_shift_ms, median_shift_ms, std_shift_ms
        (over matched cells' :math:`\overline{\Delta t}`), nth_shift_mean_ms. And the per-cell
        table of :func:`matched_spike_shifts` with a population column.
    """
    bin_ms = a.timestep if bin_ms is None else float(bin_ms)
    t0, t1 = (0.0, a.simtime) if span is None else span
    rows, cells = [], []
    for name in _common_populations(a, b):
        pa, pb = a.spikes[name], b.spikes[name]
        per_cell = matched_spike_shifts(pa, pb)
        lag, peak = population_lag(pa.time, pb.time, bin_ms, max_lag_ms, t0, t1)
        shifts = per_cell.loc[per_cell["matched"], "mean_shift_ms"]
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.float64(len(pb) - len(pa)) / np.float64(len(pa))
        rows.append({
            "population": name, "n_cells": pa.n_cells, "spikes_a": len(pa), "spikes_b": len(pb),
            "spike_diff": len(pb) - len(pa), "rel_spike_diff": rel,
            "fraction_cells_equal_count": float((per_cell["count_diff"] == 0).mean())
            if pa.n_cells else np.nan,
            "mean_abs_count_diff": float(per_cell["count_diff"].abs().mean())
            if pa.n_cells else np.nan,
            "xcorr_lag_ms": lag, "xcorr_peak": peak, "n_cells_matched": int(len(shifts)),
            "mean_shift_ms": shifts.mean() if len(shifts) else np.nan,
            "median_shift_ms": shifts.median() if len(shifts) else np.nan,
            "std_shift_ms": shifts.std(ddof=0) if len(shifts) else np.nan,
            "nth_shift_mean_ms": per_cell["nth_shift_ms"].mean() if len(shifts) else np.nan})
        cells.append(per_cell.assign(population=name))
    cell_table = pd.concat(cells, ignore_index=True) if cells else pd.DataFrame()
    if len(cell_table):
        cell_table = cell_table[["population"] + [c for c in cell_table if c != "population"]]
    return pd.DataFrame(rows), cell_table


def _rate_differs(row, alpha, min_rel_diff, min_abs_diff_hz):
    big = abs(row.diff_hz) >= min_abs_diff_hz and not abs(row.rel_diff) < min_rel_diff
    return big and not str(row.test_note).startswith("too few") and \
        row.paired_t_pvalue_adj < alpha


def verdicts(rates, timing, alpha=ALPHA, min_rel_diff=MIN_REL_DIFF,
             min_abs_diff_hz=MIN_ABS_DIFF_HZ, max_lag_ms=MAX_LAG_MS, min_xcorr=MIN_XCORR):
    r"""One line per population: "same" or "differs: ..." with the thresholds stated.

    A window's rate differs when all of: Bonferroni-adjusted paired t-test p < `alpha`,
    :math:`|\delta| \ge` `min_rel_diff` and :math:`|\Delta| \ge` `min_abs_diff_hz`. A
    population too small to test (``test_note`` of :func:`compare_rates`, e.g. "too few cells
    (n=4 < 10)") is not judged on rates: its line says so, with the rates, and
    ``rate_differs`` is empty (use the seed envelope of :mod:`spinncer.validation` for
    such populations). The magnitude conditions keep large populations, where any difference is
    significant, from differing by a negligible amount. Timing differs when the
    cross-correlation lag exceeds `max_lag_ms` in magnitude and its peak coefficient reaches
    `min_xcorr`; below that the two population rates share too little time structure (e.g.
    a few cells firing irregularly) for the lag to mean anything, and the line says so.
    The population differs when any window's rate or its timing differs.

    Returns
    -------
    pandas.DataFrame
        population, rate_differs (True / False, empty when untested), timing_differs,
        verdict, rule (the thresholds and the small-population rule).
    """
    rule = (f"rate: Bonferroni p<{alpha:g} and |rel|>={min_rel_diff:.0%} and "
            f"|diff|>={min_abs_diff_hz:g} Hz, tested only with >= {MIN_CELLS} cells; "
            f"timing: |lag|>{max_lag_ms:g} ms with C>={min_xcorr:g}")
    indexed = timing.set_index("population") if len(timing) else pd.DataFrame(
        columns=["xcorr_lag_ms", "xcorr_peak"])
    rows = []
    for name, frame in rates.groupby("population", sort=False):
        reasons = [f"{r.window} {r.rel_diff:+.1%} ({r.mean_a_hz:.3g}->{r.mean_b_hz:.3g} Hz, "
                   f"p_adj={r.paired_t_pvalue_adj:.2g}, d_z={r.cohen_dz:+.2f})"
                   for r in frame.itertuples()
                   if _rate_differs(r, alpha, min_rel_diff, min_abs_diff_hz)]
        untested = frame["test_note"].fillna("").astype(str).str.startswith("too few")
        rate_differs = bool(reasons) if not untested.all() else None
        if untested.all():
            rates_text = ", ".join(f"{r.window} {r.mean_a_hz:.3g}->{r.mean_b_hz:.3g} Hz"
                                   for r in frame.itertuples())
            reasons = [f"rates not tested, {frame['test_note'].iloc[0]} ({rates_text})"]
        lag = indexed["xcorr_lag_ms"].get(name, np.nan)
        peak = indexed["xcorr_peak"].get(name, np.nan)
        trusted = bool(np.isfinite(lag) and peak >= min_xcorr)
        timing_differs = trusted and abs(lag) > max_lag_ms
        if timing_differs:
            reasons.append(f"lag {lag:+g} ms (C={peak:.2f})")
        lag_text = (f"lag {lag:+g} ms, C={peak:.2f}" if trusted else
                    "no lag estimate" if not np.isfinite(lag) else
                    f"lag undefined, C={peak:.2f}")
        if rate_differs is None:
            text = (f"{reasons[0]}; timing "
                    + (f"differs: {reasons[1]}" if timing_differs else f"same ({lag_text})"))
        elif reasons:
            text = f"differs: {'; '.join(reasons)}"
        else:
            text = f"same ({lag_text})"
        rows.append({"population": name, "rate_differs": rate_differs,
                     "timing_differs": timing_differs, "verdict": f"{text} [{rule}]",
                     "rule": rule})
    return pd.DataFrame(rows, columns=["population", "rate_differs", "timing_differs",
                                       "verdict", "rule"])


def compare_runs(a, b, windows, bin_ms=None, max_lag_ms=20.0, alpha=ALPHA,
                 min_rel_diff=MIN_REL_DIFF, min_abs_diff_hz=MIN_ABS_DIFF_HZ,
                 lag_threshold_ms=MAX_LAG_MS, min_xcorr=MIN_XCORR):
    """Compare run `b` against reference run `a` in `windows` (see :mod:`.stats`).

    Warns (:class:`ProvenanceWarning`) when versions, input digests, timestep or simulated
    time differ; raises :class:`InputError` when a population has different cell counts.
    Arguments are those of :func:`compare_rates`, :func:`compare_timing` and :func:`verdicts`.
    """
    provenance = provenance_differences(a, b)
    rates = compare_rates(a, b, windows)
    with warnings.catch_warnings():  # compare_rates has already warned about populations
        warnings.simplefilter("ignore", ProvenanceWarning)
        timing, cells = compare_timing(a, b, bin_ms=bin_ms, max_lag_ms=max_lag_ms)
    verdict = verdicts(rates, timing, alpha=alpha, min_rel_diff=min_rel_diff,
                       min_abs_diff_hz=min_abs_diff_hz, max_lag_ms=lag_threshold_ms,
                       min_xcorr=min_xcorr)
    return Comparison(rates, timing, cells, verdict, provenance)
