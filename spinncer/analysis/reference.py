"""Reference check: our rates against the SpiNNCer NEST gold standard of the model's author.

Both runs go through the same analysis (:func:`spinncer.analysis.stats.cell_rates`,
:func:`~spinncer.analysis.stats.population_stats`) with the same protocol windows, unshifted
(the gold file's README figures use plain windows: baseline 0-300 ms, stimulus 300-400 ms).
One row per population and window: our mean rate, the gold-standard mean rate, the difference
and whether it is within :data:`TOLERANCE` of the gold standard; and the whole per-cell rate
distributions side by side (:func:`distribution_columns`): two-sample Kolmogorov-Smirnov
statistic and p value, earth mover's distance (Hz), fraction of silent cells and percentiles.
A mean can be right for the wrong reason (a silent majority and an active tail); these say so.
"""
import numpy as np
import pandas as pd
from scipy import stats as sps

from ..errors import InputError
from ..options import MIN_ENVELOPE_SEEDS
from ..params import INPUT_POPULATION, in_pathway_order
from .compare import too_few_cells
from .spinncer_io import read_spinncer
from .stats import cell_rates, population_stats, protocol_windows

#: Goal: every population's baseline and stimulus rate within 15 % of the gold standard.
TOLERANCE = 0.15
CHECKED_WINDOWS = ("baseline", "stimulus")


#: Percentiles of the per-cell rates reported for both runs.
RATE_PERCENTILES = (5, 25, 50, 75, 95)

def distribution_columns(mine, ref):
    """Columns comparing two per-cell rate samples (Hz): KS statistic and p value, EMD (Hz), the
    silent fraction and the :data:`RATE_PERCENTILES` of each, and `distribution_note` ("" or why
    KS and EMD are missing: the comparisons' rule, :func:`~.compare.too_few_cells`)."""
    row = {}
    note = too_few_cells(min(len(mine), len(ref)))
    enough = not note
    if enough:
        ks = sps.ks_2samp(mine, ref)
        row.update(ks_statistic=float(ks.statistic), ks_pvalue=float(ks.pvalue),
                   emd_hz=float(sps.wasserstein_distance(mine, ref)))
    else:
        row.update(ks_statistic=np.nan, ks_pvalue=np.nan, emd_hz=np.nan)
    for label, rates in (("ours", mine), ("gold", ref)):
        row[f"{label}_silent_fraction"] = float(np.mean(rates == 0)) if len(rates) else np.nan
        values = np.percentile(rates, RATE_PERCENTILES) if len(rates) else \
            [np.nan] * len(RATE_PERCENTILES)
        row.update({f"{label}_p{q}_hz": float(v) for q, v in zip(RATE_PERCENTILES, values)})
    row["distribution_note"] = note
    return row


def read_gold_standard(path, allow_pickle=False):
    """The gold-standard run (SpiNNCer result layout; pickled, so only with `allow_pickle`)."""
    return read_spinncer(path, allow_pickle=allow_pickle, widen_to_ids=True)


def _rates_and_stats(run, windows):
    rates = cell_rates(run, windows)
    return rates, population_stats(rates, windows).set_index(["population", "window"])


def reference_table(ours, gold, stim_times):
    """Rows population, window, ours_hz, gold_hz, difference_hz, relative_difference, within
    (|relative difference| <= TOLERANCE), ours_cells, gold_cells, and the per-cell distribution
    columns of :func:`distribution_columns`."""
    missing = sorted(set(gold.spikes) - set(ours.spikes))
    if missing:
        raise InputError("reference check", "our run to have the gold standard's populations",
                         f"none of {missing}")
    windows = protocol_windows(stim_times)
    (rates_a, a), (rates_b, b) = _rates_and_stats(ours, windows), _rates_and_stats(gold, windows)
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
                             ours_cells=int(mine.n_cells), gold_cells=int(ref.n_cells),
                             **distribution_columns(
                                 rates_a.loc[rates_a.population == pop, window].to_numpy(),
                                 rates_b.loc[rates_b.population == pop, window].to_numpy())))
    return pd.DataFrame(rows)


#: Percentile of the seed-to-seed distances the gold's distance must not exceed.
ENVELOPE_PERCENTILE = 95.0


def gold_in_seed_envelope(runs, gold, stim_times):
    """Is the gold's per-cell rate distribution one our seeds could have given?

    `runs`: our runs of one protocol, "seeds" below: stimulus seeds on one scaffold, or builds
    of the scaffold (network realisations; cell counts may differ), or both. Per population and
    checked window: the envelope is the KS statistic (and EMD, Hz) between the per-cell rates of
    every pair of our seeds; the gold's distance is its KS (EMD) against each of our seeds. Inside
    when the median gold distance is at most the :data:`ENVELOPE_PERCENTILE` th percentile of the
    envelope (KS decides; EMD reported). Also the gold's mean rate against the range of our
    seeds' means. Rows say why a population is not judged (too few cells or seeds)."""
    windows = protocol_windows(stim_times)
    ours = [cell_rates(run, windows) for run in runs]
    theirs = cell_rates(gold, windows)
    rows = []
    for pop in in_pathway_order(dict.fromkeys(gold.spikes)):
        for window in CHECKED_WINDOWS:
            seeds = [r.loc[r.population == pop, window].to_numpy() for r in ours]
            ref = theirs.loc[theirs.population == pop, window].to_numpy()
            row = dict(population=pop, window=window, n_seeds=len(seeds),
                       gold_mean_hz=float(ref.mean()) if len(ref) else np.nan,
                       seeds_mean_min_hz=float(min(s.mean() for s in seeds)) if seeds else np.nan,
                       seeds_mean_max_hz=float(max(s.mean() for s in seeds)) if seeds else np.nan)
            note = too_few_cells(min([len(ref)] + [len(s) for s in seeds]))
            if not note and len(seeds) < MIN_ENVELOPE_SEEDS:
                note = f"too few seeds (n={len(seeds)} < {MIN_ENVELOPE_SEEDS})"
            if note:
                rows.append({**row, "inside": False, "note": note})
                continue
            pairs = [(a, b) for i, a in enumerate(seeds) for b in seeds[i + 1:]]
            for name, score in (("ks", lambda x, y: sps.ks_2samp(x, y).statistic),
                                ("emd", sps.wasserstein_distance)):
                row[f"envelope_{name}_p{ENVELOPE_PERCENTILE:g}"] = float(np.percentile(
                    [score(a, b) for a, b in pairs], ENVELOPE_PERCENTILE))
                row[f"gold_{name}_median"] = float(np.median([score(ref, s) for s in seeds]))
                row[f"inside_{name}"] = bool(row[f"gold_{name}_median"]
                                             <= row[f"envelope_{name}_p{ENVELOPE_PERCENTILE:g}"])
            row["inside"] = row.pop("inside_ks")
            rows.append({**row, "note": ""})
    return pd.DataFrame(rows)


def envelope_summary(table, n_runs):
    """One line of a :func:`gold_in_seed_envelope` table: population-windows inside (KS), and
    cell populations inside in both windows (the glomeruli, the stimulus itself, are a check of
    the input, not of the model), of those judged; what could not be judged is named."""
    judged = table[table.note == ""]
    cells = judged[judged.population != INPUT_POPULATION]
    line = (f"judged run inside our {n_runs}-run envelope (KS): {int(judged.inside.sum())} of "
            f"{len(judged)} population-windows; by cell population (both windows inside): "
            f"{int(cells.groupby('population').inside.all().sum())} of "
            f"{cells.population.nunique()}")
    unjudged = table[table.note != ""]
    if len(unjudged):
        line += "; not judged: " + ", ".join(
            f"{r.population} {r.window} ({r.note})" for r in unjudged.itertuples())
    return line
