r"""Paired envelope: how far does the reference move from itself when its input moves by the
smallest possible amount?

Backends compared on the *same* input (same seed, same stimulus file) are paired cell by cell
and their lead/lag is measured (:func:`spinncer.analysis.compare.compare_timing`). A recurrent
network amplifies any difference, so a lag or spike-count difference only means something
against the network's own sensitivity. This module measures it: the reference backend runs
each seed twice, once on the stimulus and once on the stimulus with **one input spike moved by
one timestep** (:func:`perturb_stimulus`, the smallest change the time grid allows), and the
same timing quantities between the two runs form the paired envelope.

Perturbation (documented, seeded): among the glomerulus spikes in the stimulus window
[`stim_times[0]`, `stim_times[0] + stim_times[1]`) (``protocol_windows(stim_times)["stimulus"]``,
:mod:`spinncer.analysis.stats`: the network is most active then, so the change meets cells near
threshold; in the quiet baseline of the smoke scaffold a moved spike changed no spike at all) one
spike is chosen uniformly with
``default_rng([PERTURB_SEED, seed])`` and moved one timestep later;
when that would put it beyond the window or onto another spike of the same glomerulus, one
timestep earlier (if that also collides, the next spike in the draw order is taken).

Quantities (per population, from :func:`compare_timing` of run A = reference against run B):
``abs_lag_ms`` (|population cross-correlation lag|), ``abs_mean_shift_ms`` (|mean shift of
matched spikes|), ``unequal_count_fraction`` (1 - fraction of cells with equal spike counts),
``abs_rel_spike_diff`` (|relative spike-count difference|). A candidate's same-input
comparison is *within the paired envelope* when, for every quantity, its median over seeds is
at most the :data:`PERCENTILE` percentile of the perturbed reference's values over seeds.
A population of fewer than :data:`.scores.MIN_CELLS` cells gets the numbers but no judgement
("too few cells (n=...)"): with 4 Purkinje cells one cell's extra spike is a quarter of the
population.
"""
import numpy as np
import pandas as pd

from ..analysis.compare import compare_timing
from ..errors import InputError
from ..stimulus import FIRST_SPIKE_STEPS, Stimulus
from .scores import MIN_CELLS, too_few_cells

#: Seed of the choice of the moved spike (with the run seed).
PERTURB_SEED = 11
#: Percentile of the paired envelope.
PERCENTILE = 95.0
#: The timing quantities of the paired envelope, as named in the tables.
QUANTITIES = ("abs_lag_ms", "abs_mean_shift_ms", "unequal_count_fraction",
              "abs_rel_spike_diff")


def perturb_stimulus(stimulus, timestep, window, seed):
    """A copy of `stimulus` with one spike in `window` (start, stop ms) moved by one timestep
    (see module docstring). Its params gain ``perturbation`` = {glomerulus, from_ms, to_ms}."""
    times, counts = np.asarray(stimulus.times, float), np.asarray(stimulus.counts, np.int64)
    source = np.repeat(np.arange(len(counts)), counts)
    start, stop = window
    first = FIRST_SPIKE_STEPS * timestep
    candidates = np.flatnonzero((times >= start) & (times < stop))
    if len(candidates) == 0:
        raise InputError("stimulus", f"an input spike in [{start}, {stop}) ms to move",
                         "none")
    order = np.random.default_rng([PERTURB_SEED, int(seed)]).permutation(candidates)
    for index in order.tolist():  # stops at the first spike that can move (almost always)
        own = times[source == source[index]]
        for step in (timestep, -timestep):
            new = times[index] + step
            if first - 1e-9 <= new < stop and not np.any(np.isclose(own, new)):
                moved = times.copy()
                moved[index] = round(new / timestep) * timestep
                params = {**stimulus.params,
                          "perturbation": {"glomerulus": int(source[index]),
                                           "from_ms": float(times[index]),
                                           "to_ms": float(moved[index]), "seed": int(seed)}}
                trains = np.split(moved, np.cumsum(counts)[:-1])
                return Stimulus.from_trains(trains, stimulus.stimulated, params)
    raise InputError("stimulus", "an input spike that can move by one timestep", "none")


def timing_quantities(a, b):
    """Per population: the :data:`QUANTITIES` of run `b` against run `a`."""
    timing, _ = compare_timing(a, b)
    return pd.DataFrame({
        "population": timing["population"],
        "n_cells": timing["n_cells"],
        "abs_lag_ms": timing["xcorr_lag_ms"].abs(),
        "abs_mean_shift_ms": timing["mean_shift_ms"].abs(),
        "unequal_count_fraction": 1.0 - timing["fraction_cells_equal_count"],
        "abs_rel_spike_diff": timing["rel_spike_diff"].abs()})


def paired_envelope(reference, perturbed, candidates, percentile=PERCENTILE):
    """Paired envelope of the reference and each candidate's same-input timing against it.

    Parameters
    ----------
    reference, perturbed : dict of int to RunResult
        {seed: run} of the reference on the stimulus and on the perturbed stimulus.
    candidates : dict of str to dict of int to RunResult
        {backend: {seed: run}} on the same (unperturbed) stimuli.

    Returns
    -------
    pandas.DataFrame
        One row per backend (``<reference>+perturbation`` for the envelope itself),
        population and quantity: backend, population, quantity, n_seeds, median (over seeds;
        seeds where the quantity is undefined, e.g. no matched cells, are left out and
        counted in n_undefined), envelope (the percentile of the perturbed reference), inside,
        status, rule.
    """
    seeds = sorted(set(reference) & set(perturbed))
    if not seeds:
        raise InputError("paired envelope", "reference and perturbed runs of the same seeds",
                         f"reference {sorted(reference)}, perturbed {sorted(perturbed)}")
    rule = (f"same-input timing within the paired envelope when the median over seeds of each "
            f"of {', '.join(QUANTITIES)} <= the {percentile:g}th percentile over seeds of the "
            f"reference against itself with one input spike moved by one timestep; judged only "
            f"with >= {MIN_CELLS} cells in the population")

    def stacked(pairs):
        return pd.concat([timing_quantities(a, b).assign(seed=s) for s, (a, b) in pairs.items()],
                         ignore_index=True)

    env = stacked({s: (reference[s], perturbed[s]) for s in seeds})
    limits = {}
    rows = []
    ref_name = reference[seeds[0]].backend
    for (pop), frame in env.groupby("population", sort=False):
        for q in QUANTITIES:
            values = frame[q].dropna().to_numpy()
            limits[pop, q] = np.percentile(values, percentile) if len(values) else None
            rows.append({"backend": f"{ref_name}+perturbation", "population": pop,
                         "quantity": q, "n_seeds": len(values),
                         "n_undefined": int(frame[q].isna().sum()),
                         "median": float(np.median(values)) if len(values) else None,
                         "envelope": limits[pop, q], "inside": None,
                         "status": "envelope" if len(values) else "undefined on every seed",
                         "rule": rule})
    for name, runs in candidates.items():
        common = [s for s in seeds if s in runs]
        if not common:
            continue
        table = stacked({s: (reference[s], runs[s]) for s in common})
        for pop, frame in table.groupby("population", sort=False):
            for q in QUANTITIES:
                values = frame[q].dropna().to_numpy()
                limit = limits.get((pop, q))
                if not len(values) or limit is None:
                    status, inside, median = "undefined (no seed gives a value)", None, None
                else:
                    median = float(np.median(values))
                    inside = bool(median <= limit + 1e-12)
                    status = "within" if inside else f"outside: {median:.3g} > {limit:.3g}"
                    small = too_few_cells(int(frame["n_cells"].iloc[0]))
                    if small:
                        inside, status = None, small
                rows.append({"backend": name, "population": pop, "quantity": q,
                             "n_seeds": len(values), "n_undefined": int(frame[q].isna().sum()),
                             "median": median, "envelope": limit, "inside": inside,
                             "status": status, "rule": rule})
    return pd.DataFrame(rows)
