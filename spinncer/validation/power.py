r"""Power of the seed envelope: how often a known change of the network is detected.

A *perturbation* multiplies one connection type's weights by a factor (``weight_scale``);
its runs, one per reference seed and with the same stimuli, are judged as a candidate backend
by :func:`.envelope.seed_envelope`. For every population, window and statistic the score
table then holds ``ks_splits_outside``: the fraction of the seed splits :math:`(H_1, H_2)` in
which :math:`\mathrm{KS}(\mathrm{pert}[H_1], \mathrm{ref}[H_2])` is above the envelope's 95th
percentile. Each split is one comparison of :math:`k` perturbed seeds with :math:`k` other
reference seeds, so that fraction is the power of one such comparison; with the factor 1 it is
the false-alarm rate (at most 5 % by construction). :func:`power_table` collects it,
:func:`population_power` reduces it to one number per population: a population *sees* a
change of the connection types that end on it when, at both :data:`POWER_FACTORS`, for every
such type, at least one of its tests detects it in :data:`MIN_POWER` of the splits.

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

#: Power a population needs to be said to see a change (the field's usual 80 %).
MIN_POWER = 0.8
#: The weight changes the verdict's power statement is about (±20 %, issue 26).
POWER_FACTORS = (0.8, 1.2)
#: Columns of a power table (the CSV of benchmarks/validation_power.py).
COLUMNS = ["connection", "factor", "target", "population", "window", "statistic", "n_cells",
           "seeds_per_half", "n_splits", "d", "ks_median", "ks_envelope", "d_envelope", "power",
           "detected"]


def label(connection, factor):
    """Name of a perturbation's runs, e.g. ``glom_grc*1.2``."""
    return f"{connection}*{factor:g}"


def power_table(scores, perturbations, n_seeds, n_splits):
    """Power per perturbation, population, window and statistic from a score table.

    Parameters
    ----------
    scores : pandas.DataFrame
        :func:`.envelope.seed_envelope` scores whose backends are the labels of
        `perturbations`.
    perturbations : dict of str to (str, float)
        {label: (connection type, factor)}.
    n_seeds, n_splits : int
        Seeds per backend and splits of the envelope.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`; ``target`` is the connection's post population, ``power`` the
        fraction of splits outside, ``detected`` whether the median split score is outside
        (what :func:`.envelope.seed_verdicts` reports); unscored rows (too few cells or
        values) are dropped.
    """
    rows = scores[scores["ks_splits_outside"].notna()]
    rows = rows[rows["backend"].isin(list(perturbations))]
    connection = rows["backend"].map(lambda b: perturbations[b][0])
    return pd.DataFrame({
        "connection": connection,
        "factor": rows["backend"].map(lambda b: perturbations[b][1]),
        "target": connection.map(lambda c: CONNECTION_TYPES[c].post),
        "population": rows["population"], "window": rows["window"],
        "statistic": rows["statistic"], "n_cells": rows["n_cells"],
        "seeds_per_half": n_seeds // 2, "n_splits": n_splits, "d": rows["d"],
        "ks_median": rows["ks_median"], "ks_envelope": rows["ks_envelope"],
        "d_envelope": rows["d_envelope"], "power": rows["ks_splits_outside"],
        "detected": ~rows["inside_ks"].astype(bool)}, columns=COLUMNS).reset_index(drop=True)


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
        seeds_per_half, seeds_needed (per half; None when the change moves no statistic).
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
                     "seeds_needed": seeds_for_power(weakest["d"], weakest["d_envelope"],
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
