r"""Power of the seed envelope: how often a known change of the network is detected.

A *perturbation* multiplies one connection type's weights by a factor (``weight_scale``);
its runs, one per reference seed and with the same stimuli, are judged as a candidate backend
with the envelope's rule (:mod:`.envelope`). For every population, window and statistic,
:func:`measure_power` gives the fraction of the seed splits :math:`(H_1, H_2)` in which
:math:`\mathrm{KS}(\mathrm{pert}[H_1], \mathrm{ref}[H_2])` is above the 95th percentile of
:math:`\mathrm{KS}(\mathrm{ref}[H_1], \mathrm{ref}[H_2])` over the splits. Each split is one
comparison of :math:`k` perturbed seeds with :math:`k` other reference seeds, so that fraction
is the power of one such comparison; with the factor 1 it is the false-alarm rate (at most
5 % by construction). :func:`population_power` reduces it to one number per population: a
population *sees* a change of the connection types that end on it when, at both
:data:`POWER_FACTORS`, for every such type, at least one of its tests detects it in
:data:`MIN_POWER` of the splits.

More seeds (:func:`seeds_for_power`): the envelope's spread of :math:`|d|` falls as
:math:`1/\sqrt{k}` with :math:`k` seeds per half (independent stimuli), so a test with effect
:math:`|d|` whose envelope 95th percentile is :math:`d_{95}` reaches 80 % power at about
:math:`k' = k\,((z_{0.95} + z_{0.80}) / z_{0.95} \cdot d_{95} / |d|)^2` seeds per half (a
normal approximation; cells shared by all seeds make it optimistic).
"""
import numpy as np
import pandas as pd
from scipy import stats

from ..params import CONNECTION_TYPES
from .envelope import MIN_SEEDS, PERCENTILE, smallest_pool, value_groups
from .scores import MIN_VALUES, cohen_d, split_distances, too_few

#: Power a population needs to be said to see a change (the field's usual 80 %).
MIN_POWER = 0.8
#: The weight changes the verdict's power statement is about (±20 %, issue 26).
POWER_FACTORS = (0.8, 1.2)
#: Columns of a power table (:func:`measure_power`; the CSV of benchmarks/validation_power.py):
#: ``target`` is the connection's post population, ``power`` the fraction of splits outside,
#: ``detected`` whether the median split score is outside (as the verdicts judge).
COLUMNS = ["connection", "factor", "target", "population", "window", "statistic", "n_cells",
           "seeds_per_half", "n_splits", "d", "ks_median", "ks_envelope", "d_envelope", "power",
           "detected"]


def label(connection, factor):
    """Name of a perturbation's runs, e.g. ``glom_grc*1.2``."""
    return f"{connection}*{factor:g}"


def best_tests(table):
    """Per connection, factor and population: its most powerful test (window, statistic)."""
    best = table.sort_values("power", ascending=False, kind="stable")
    return best.drop_duplicates(["connection", "factor", "population"]).reset_index(drop=True)


def population_power(table, factors=POWER_FACTORS):
    """Per target population: the power to see a change by `factors` of each connection type
    that ends on it (its best test), the weakest of those, and the seeds per half that would
    bring that one to :data:`MIN_POWER` (:func:`seeds_for_power`).

    Returns
    -------
    pandas.DataFrame
        population, power, weakest (``connection*factor``), window, statistic, n_cells,
        seeds_per_half, seeds_needed (per half: the present number where the power is
        reached, None when the change moves no statistic).
    """
    own = table[(table["population"] == table["target"])
                & table["factor"].round(6).isin([round(f, 6) for f in factors])]
    best = best_tests(own)
    rows = []
    for pop, frame in best.groupby("population", sort=False):
        weakest = frame.sort_values("power", kind="stable").iloc[0]
        rows.append({"population": pop, "power": float(weakest["power"]),
                     "weakest": label(weakest["connection"], weakest["factor"]),
                     "window": weakest["window"], "statistic": weakest["statistic"],
                     "n_cells": int(weakest["n_cells"]),
                     "seeds_per_half": int(weakest["seeds_per_half"]),
                     "seeds_needed": int(weakest["seeds_per_half"])
                     if weakest["power"] >= MIN_POWER else
                     seeds_for_power(weakest["d"], weakest["d_envelope"],
                                     weakest["seeds_per_half"])})
    return pd.DataFrame(rows, columns=["population", "power", "weakest", "window", "statistic",
                                       "n_cells", "seeds_per_half", "seeds_needed"])


def seeds_for_power(d, d_envelope, seeds_per_half, power=MIN_POWER, percentile=95.0):
    """Seeds per half at which a test of effect |`d`| and envelope percentile `d_envelope`
    (of |d|, at `seeds_per_half`) reaches `power` (module docstring); None for d = 0."""
    if not d or not np.isfinite(d) or d_envelope is None or not np.isfinite(d_envelope):
        return None
    z_alpha, z_power = stats.norm.ppf(percentile / 100.0), stats.norm.ppf(power)
    ratio = (z_alpha + z_power) / z_alpha * float(d_envelope) / abs(float(d))
    return int(np.ceil(seeds_per_half * ratio ** 2))


def measure_power(reference, candidates, perturbations, n_cells, splits,
                  percentile=PERCENTILE):
    """The power table (:data:`COLUMNS`) straight from per-seed statistics, with the
    envelope's rule (:mod:`.envelope`: split scores against its `percentile`) and sample rule
    (:func:`.scores.too_few`), split scores by :func:`.scores.split_distances`.

    `reference`: {seed: :func:`.statistics.run_statistics` table}; `candidates`: {label:
    {seed: table}} with the same seeds (paired by rank); `perturbations`: {label:
    (connection, factor)}.
    """
    seeds = sorted(reference)
    n = len(seeds)

    def grouped(tables):
        return [value_groups(tables[s]) for s in sorted(tables)]

    ref = grouped(reference)
    cand_groups = {name: grouped(tables) for name, tables in candidates.items()}
    keys = list(dict.fromkeys(k for table in ref for k in table))
    empty = np.empty(0)
    rows = []
    for key in keys:
        pop, window, stat = key
        ref_values = [table.get(key, empty) for table in ref]
        smallest = smallest_pool(ref_values, splits, 0)
        if n < MIN_SEEDS or too_few(n_cells.get(pop, 0), smallest, smallest):
            continue
        env = split_distances(ref_values, ref_values, splits, ("ks", "d"))
        limit, d_env = (np.percentile(env[score], percentile) for score in ("ks", "d"))
        for name, tables in cand_groups.items():
            cand_values = [table.get(key, empty) for table in tables]
            if smallest_pool(cand_values, splits, 0) < MIN_VALUES:
                continue
            split = split_distances(cand_values, ref_values, splits, ("ks",))["ks"]
            d = cohen_d(np.concatenate(cand_values), np.concatenate(ref_values))[0]
            connection, factor = perturbations[name]
            rows.append({"connection": connection, "factor": factor,
                         "target": CONNECTION_TYPES[connection].post, "population": pop,
                         "window": window, "statistic": stat, "n_cells": n_cells.get(pop, 0),
                         "seeds_per_half": n // 2, "n_splits": len(splits), "d": d,
                         "ks_median": float(np.median(split)), "ks_envelope": limit,
                         "d_envelope": d_env, "power": float(np.mean(split > limit)),
                         "detected": bool(np.median(split) > limit)})
    return pd.DataFrame(rows, columns=COLUMNS)
