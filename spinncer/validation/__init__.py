"""Validation of a backend against the reference at the field's standard.

- :mod:`.statistics`  per-cell rate, ISI CV and LV, pairwise spike-count correlation per
                      population and window (Elephant, numpy)
- :mod:`.scores`      KS statistic, earth mover's distance, Cohen's d with CI; the small-sample
                      rule ("too few cells (n=...)")
- :mod:`.envelope`    seed envelope: candidate vs reference read against reference vs itself
                      over disjoint halves of its seeds; verdicts
- :mod:`.paired`      paired envelope of same-input lead/lag: the reference against itself with
                      one input spike moved by one timestep
- :mod:`.realisations` the reference again on a seed's stimulus jittered by one timestep: the
                      run-to-run spread a one-seed candidate's envelope pools
- :mod:`.summary`     per backend: populations outside first, the count against seed noise,
                      what it cannot see
- :mod:`.power`       power of the envelope against known weight changes
- :mod:`.membrane`    v / gsyn traces of the same cells on two backends: RMS, correlation,
                      coherence, phase lag

:func:`validate` runs the first three on {backend: {seed: run}}.
"""
from dataclasses import dataclass, field

import pandas as pd

from .envelope import N_SPLITS, PERCENTILE, seed_envelope, seed_verdicts
from .paired import paired_envelope
from .statistics import run_statistics
from .summary import outside_summary


@dataclass
class Validation:
    """Tables of :func:`validate` (DataFrames ready for CSV) and the pooled per-cell values
    ({backend: table with a seed column}) the distribution figures show."""

    envelope: pd.DataFrame
    scores: pd.DataFrame
    verdicts: pd.DataFrame
    distributions: pd.DataFrame
    paired: pd.DataFrame
    summary: pd.DataFrame
    values: dict = field(default_factory=dict)


def _summary(values):
    """n, mean, median, 10th and 90th percentile per backend, seed, population, window and
    statistic (pandas' grouped quantile: the same linear interpolation as Series.quantile, in
    one pass instead of a Python call per group)."""
    grouped = values.groupby(["backend", "seed", "population", "window", "statistic"],
                             sort=False)["value"]
    table = grouped.agg(n="size", mean="mean", median="median")
    return table.assign(p10=grouped.quantile(0.1), p90=grouped.quantile(0.9)).reset_index()


def validate(runs, reference, windows, perturbed=None, n_splits=N_SPLITS, power=None,
             realisations=None):
    """Seed envelope (and, with `perturbed`, the paired envelope) of every backend of `runs`
    against `reference`.

    Parameters
    ----------
    runs : dict of str to dict of int to RunResult
        {backend: {seed: run}}, the reference backend included.
    reference : str
        Backend whose seeds make the envelope.
    windows : dict
        Windows per population (:func:`spinncer.analysis.stats.population_windows`).
    perturbed : dict of int to RunResult, optional
        {seed: run} of the reference on the perturbed stimulus (:mod:`.paired`).
    n_splits : int, optional
        Largest number of seed splits of the envelope (:data:`.envelope.N_SPLITS`).
    power : pandas.DataFrame, optional
        :func:`.power.measure_power` of this network and seeds: the summary then names the
        populations whose power against a ±20 % weight change is too low (:mod:`.summary`).
    realisations : dict of int to list of RunResult, optional
        {seed: runs of the reference on that seed's jittered stimulus} (:mod:`.realisations`),
        pooled into the envelope of a candidate that ran fewer seeds.
    """
    from ..errors import InputError
    if reference not in runs:
        raise InputError("validation.reference", f"one of the validated backends {sorted(runs)}",
                         repr(reference))
    stats = {name: {seed: run_statistics(run, windows) for seed, run in by_seed.items()}
             for name, by_seed in runs.items()}
    first = next(iter(runs[reference].values()))
    n_cells = {pop: p.n_cells for pop, p in first.spikes.items()}
    candidates = {name: s for name, s in stats.items() if name != reference}
    real_stats = {seed: [run_statistics(run, windows) for run in by_seed]
                  for seed, by_seed in (realisations or {}).items()}
    envelope, scores = seed_envelope(stats[reference], candidates, n_cells, n_splits,
                                     realisations=real_stats)
    values = pd.concat([table.assign(backend=name, seed=seed) for name, by_seed in stats.items()
                        for seed, table in by_seed.items()], ignore_index=True)
    paired = pd.DataFrame()
    if perturbed:
        others = {name: by_seed for name, by_seed in runs.items() if name != reference}
        paired = paired_envelope(runs[reference], perturbed, others)
    return Validation(envelope, scores, seed_verdicts(scores), _summary(values), paired,
                      outside_summary(scores, PERCENTILE, power), values)
