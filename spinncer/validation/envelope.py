r"""Seed envelope: does a backend differ from the reference more than the reference differs
from itself across seeds?

Method (after Gutzen et al. 2018 and the NEST–SpiNNaker microcircuit comparison of van Albada
et al. 2018). The reference backend ran seeds :math:`R = (r_1 < \dots < r_n)` and the candidate
the same number of seeds :math:`C = (c_1 < \dots < c_n)`; seeds are paired by rank
(:math:`c_i` stands in for :math:`r_i`; in the workflow both are the same seeds, i.e. the same
stimuli). For every population, window and statistic (:mod:`.statistics`) the sample of a set of
seeds is the per-cell (per-pair) values of all its runs pooled.

A *split* is an ordered pair :math:`(H_1, H_2)` of disjoint rank sets of size
:math:`k = \lfloor n/2 \rfloor`. Every split gives

- the envelope score :math:`s^{env} = S(\mathrm{ref}[H_1], \mathrm{ref}[H_2])`, and
- the candidate score :math:`s^{cand} = S(\mathrm{cand}[H_1], \mathrm{ref}[H_2])`,

for each score :math:`S` of :mod:`.scores` (KS, EMD, :math:`|d|`); both compare :math:`k` seeds
with :math:`k` other seeds, so sample sizes and stimulus independence are the same. All splits
are used when there are at most :data:`N_SPLITS`; otherwise :data:`N_SPLITS` distinct ones drawn
with ``default_rng(SPLIT_SEED)``. The candidate *agrees* on (population, window, statistic) when
the median of its split scores of the judged score (:data:`JUDGED`, the KS statistic) is at
most the 95th percentile (:data:`PERCENTILE`) of the envelope scores; EMD and :math:`|d|` are
set against their own envelopes in the same way and reported (``inside_emd``, ``inside_d``)
but do not decide. Cohen's d with its 95 % CI over all seeds of both backends is reported
beside, for the size and direction of a difference.

A candidate may run fewer seeds, :math:`m < n` (an expensive backend judged on one seed inside
the envelope of a cheap one, e.g. NEST seed 1 against ten Brian2 seeds). Its splits then take
all its seeds as :math:`H_1` and :math:`H_2` among the reference ranks whose seeds it did not run
(:math:`|H_2| = \min(\lfloor n/2 \rfloor, n - m)`). When the reference ran the same seeds
(:math:`C`, the same stimuli), the envelope is the reference's own run of them against the same
:math:`H_2`: :math:`S(\mathrm{ref}[C], \mathrm{ref}[H_2])`, seed-matched, so that a seed
whose stimulus is atypical for a population is not read as the candidate's difference
(measured at the smoke point: Brian2's own seed 1 was "outside" an unmatched envelope of 1 vs 5
seeds on the same four tests as NEST's seed 1). Otherwise the envelope is of the same sizes
over disjoint :math:`|G| = m` and :math:`H_2`. The envelope table has one set of rows per
envelope (``seeds`` column: "5 vs 5", "seed 1 vs 5", "1 vs 5").

Realisations (:mod:`.realisations`): a seed-matched envelope holds the reference's run of the
candidate's seeds fixed, so it has no room for the runs an equally correct simulator gives on
the same input once the two part at a differing spike (at full size NEST and Brian2 part at
11 ms; Brian2's own realisations were outside that envelope on 11-23 of 81 tests). With
realisations of those seeds (the reference on each seed's stimulus jittered by one timestep,
:math:`R` runs per seed), the envelope pools the split scores of the run and of every
realisation standing in for it, :math:`S(\mathrm{ref}_j[C], \mathrm{ref}[H_2])` for
:math:`j = 0 \dots R` (label "seed 1 + 4 realisations vs 5").

Expected false alarms: a 95th percentile means that a backend equivalent to the reference
still falls outside on some tests. Measured on NEST against NEST with other seeds (10 vs 10
seeds, small test network of tests/test_validation.py): 4 of 76 scored tests outside on KS
(5 %), 9 of 76 when any of KS, EMD, |d| had to be inside (hence one judged score). Read a
verdict table by where the failures are (:func:`.summary.outside_summary` names the
populations outside first and tests their count against the 5 % expected), not by a single
line.
"""
from itertools import combinations

import numpy as np
import pandas as pd

from ..errors import InputError
from .scores import (MIN_CELLS, MIN_VALUES, SCORES, sample_rule, scores, split_distances,
                     too_few)

#: Largest number of splits evaluated (all of them up to this; 10 seeds give 252, of which
#: 50 are drawn).
N_SPLITS = 50
#: Seed of the split sample when there are more than N_SPLITS splits.
SPLIT_SEED = 13
#: Fewer seeds per backend give no envelope ("too few seeds"): with 6 seeds the halves are 3
#: vs 3 seeds and there are 20 distinct splits; with 2 seeds there is one, and its "95th
#: percentile" is that one comparison.
MIN_SEEDS = 6
#: Percentile of the envelope a candidate's median split score must not exceed.
PERCENTILE = 95.0
#: The score that decides agreement (the others are reported against their envelopes).
JUDGED = "ks"


def _draw(items, n_splits, seed):
    """All `items`, or `n_splits` distinct ones drawn with ``default_rng(seed)`` (in order)."""
    if len(items) > n_splits:
        pick = np.random.default_rng(seed).choice(len(items), n_splits, replace=False)
        items = [items[i] for i in np.sort(pick)]
    return items


def seed_splits(n, n_splits=N_SPLITS, seed=SPLIT_SEED, first=None, second=None):
    """Ordered splits (H1, H2) of ranks 0..n-1 into disjoint sets of sizes `first` and `second`
    (both n // 2 by default): all of them, or `n_splits` distinct ones drawn with
    ``default_rng(seed)`` when there are more."""
    k = n // 2
    first = k if first is None else first
    second = k if second is None else second
    if min(first, second) < 1 or first + second > n:
        raise InputError("validation seeds", "at least 2 seeds per backend", f"{n}")
    ranks = range(n)
    return _draw([(h1, h2) for h1 in combinations(ranks, first)
                  for h2 in combinations([r for r in ranks if r not in h1], second)],
                 n_splits, seed)


def candidate_splits(ref_seeds, cand_seeds, n_splits=N_SPLITS, seed=SPLIT_SEED):
    """Splits (H1 candidate ranks, H2 reference ranks) of a candidate: the rank-paired halves
    of :func:`seed_splits` when it ran as many seeds as the reference; otherwise H1 all its
    seeds and H2 every set of reference ranks whose seeds it did not run (module docstring)."""
    n, m = len(ref_seeds), len(cand_seeds)
    if m == n:
        return seed_splits(n, n_splits, seed)
    own = set(cand_seeds)
    free = [r for r, s in enumerate(ref_seeds) if s not in own]  # at least n - m ranks
    return _draw([(tuple(range(m)), h2) for h2 in combinations(free, min(n // 2, n - m))],
                 n_splits, seed)


def envelope_splits(ref_seeds, cand_seeds, n_splits=N_SPLITS, seed=SPLIT_SEED, splits=None,
                    n_realisations=0):
    """(label, reference splits (G, H2)) of the envelope a candidate is read against: halves
    ("5 vs 5"), the reference's run of the candidate's own seeds against the candidate's H2
    ("seed 1 vs 5", or "seed 1 + 4 realisations vs 5" with `n_realisations` of each), or sets
    of the candidate's sizes ("1 vs 5"). `splits`: the candidate's :func:`candidate_splits`,
    when the caller has them already."""
    n, m = len(ref_seeds), len(cand_seeds)
    if m == n:
        return f"{n // 2} vs {n // 2}", seed_splits(n, n_splits, seed)
    second = min(n // 2, n - m)
    if set(cand_seeds) <= set(ref_seeds):
        ranks = tuple(list(ref_seeds).index(s) for s in cand_seeds)
        extra = f" + {n_realisations} realisations" if n_realisations else ""
        label = (f"seed{'s' if m > 1 else ''} {','.join(map(str, cand_seeds))}{extra}"
                 f" vs {second}")
        if splits is None:
            splits = candidate_splits(ref_seeds, cand_seeds, n_splits, seed)
        return label, [(ranks, h2) for _, h2 in splits]
    return f"{m} vs {second}", seed_splits(n, n_splits, seed, first=m, second=second)


def envelope_rule(percentile=PERCENTILE):
    return (f"agrees when the median over seed splits of {JUDGED}(candidate[H1], "
            f"reference[H2]) <= the {percentile:g}th percentile of {JUDGED}(reference[H1], "
            f"reference[H2]) (H1, H2 disjoint halves of >= {MIN_SEEDS} seeds; a candidate "
            f"with fewer seeds: H1 all of them, H2 reference seeds it did not run, against the "
            f"reference's run of the same seeds, pooled with its realisations on the jittered "
            f"stimulus where given, or sets of the same sizes); "
            + sample_rule())


def _pooled(tables, ranks):
    return np.concatenate([tables[r] for r in ranks])


def smallest_pool(tables, splits, side):
    """The fewest values pooled on one `side` (0: H1, 1: H2) of any split."""
    return min(sum(len(tables[r]) for r in split[side]) for split in splits)


def value_groups(table):
    """{(population, window, statistic): values} of one :func:`.statistics.run_statistics`
    table."""
    return {key: g["value"].to_numpy(float)
            for key, g in table.groupby(["population", "window", "statistic"], sort=False)}


def realisation_stand_ins(realisations, name, cand_seeds, ref_seeds):
    """[{} (the reference's own runs), {seed: realisation j's groups} for j = 1..R] of
    candidate `name` when its envelope is seed-matched (fewer seeds, all run by the reference)
    and realisations are given; [{}] otherwise. Realisations that leave out one of its seeds,
    or unequal numbers over its seeds, are an input error (not a silent run-fixed envelope)."""
    if (not realisations or len(cand_seeds) == len(ref_seeds)
            or not set(cand_seeds) <= set(ref_seeds)):
        return [{}]
    sizes = {s: len(realisations.get(s, ())) for s in cand_seeds}
    if 0 in sizes.values() or len(set(sizes.values())) > 1:
        raise InputError("validation realisations", f"as many realisations (>= 1) of every "
                         f"seed of candidate {name}", f"{sizes} per seed")
    return [{}] + [{s: realisations[s][j] for s in cand_seeds}
                   for j in range(sizes[cand_seeds[0]])]


def seed_envelope(reference, candidates, n_cells, n_splits=N_SPLITS, percentile=PERCENTILE,
                  min_cells=MIN_CELLS, min_values=MIN_VALUES, realisations=None):
    """Envelope of the reference and scores of each candidate.

    Parameters
    ----------
    reference : dict of int to pandas.DataFrame
        {seed: :func:`.statistics.run_statistics` table} of the reference backend.
    candidates : dict of str to dict of int to pandas.DataFrame
        {backend: {seed: table}}; each with as many seeds as the reference or fewer (module
        docstring).
    n_cells : dict of str to int
        Cells per population (the "too few cells" rule).
    realisations : dict of int to list of pandas.DataFrame, optional
        {seed: tables of the reference's realisations of that seed} (:mod:`.realisations`):
        pooled into the seed-matched envelope of a candidate that ran fewer seeds.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        envelope: population, window, statistic, seeds ("|H1| vs |H2|"), n_cells, n_splits,
        status, then per score ``<score>_p50``, ``<score>_p<percentile>``, and rule.
        scores: backend, population, window, statistic, seeds, n_cells, n_candidate,
        n_reference, mean_candidate, mean_reference, ks, emd, d, d_ci_low, d_ci_high (all seeds
        vs all seeds), per score ``<score>_median`` (over splits) and ``<score>_envelope``
        (the percentile), inside_<score>, status ("agrees", "outside: ...", or the
        too-few reason), rule.
    """
    ref_seeds = sorted(reference)
    n = len(ref_seeds)
    for name, runs in candidates.items():
        if not 1 <= len(runs) <= n:
            raise InputError(f"validation backend '{name}'",
                             f"1 to {n} seeds (at most as many as the reference)",
                             f"{len(runs)} ({sorted(runs)})")
    groups = {seed: value_groups(table) for seed, table in reference.items()}
    cand_groups = {name: {rank: value_groups(runs[seed])
                          for rank, seed in enumerate(sorted(runs))}
                   for name, runs in candidates.items()}
    cand_splits = {name: candidate_splits(ref_seeds, sorted(runs), n_splits)
                   for name, runs in candidates.items()}
    real_groups = {seed: [value_groups(t) for t in tables]
                   for seed, tables in (realisations or {}).items()}
    stand_ins = {name: realisation_stand_ins(real_groups, name, sorted(runs), ref_seeds)
                 for name, runs in candidates.items()}
    env_of = {name: envelope_splits(ref_seeds, sorted(runs), n_splits,
                                    splits=cand_splits[name],
                                    n_realisations=len(stand_ins[name]) - 1)
              for name, runs in candidates.items()}
    env_splits = dict([envelope_splits(ref_seeds, ref_seeds, n_splits)] + list(env_of.values()))
    env_stand_ins = {env_of[name][0]: stand_ins[name] for name in candidates}
    # every population x window x statistic gets a row, also where no value exists at all
    # (one DCN cell has no pairs to correlate): that row says why instead of being absent
    seen = list(dict.fromkeys(k for seed in ref_seeds for k in groups[seed]))
    populations = list(dict.fromkeys([k[0] for k in seen] + list(n_cells)))
    windows = list(dict.fromkeys(k[1] for k in seen))
    statistics = list(dict.fromkeys(k[2] for k in seen))
    keys = [(p, w, s) for p in populations for w in windows for s in statistics]
    pct = f"p{percentile:g}"
    rule = envelope_rule(percentile)
    empty = np.empty(0)
    env_rows, score_rows = [], []
    for key in keys:
        pop, window, stat = key
        ref = [groups[s].get(key, empty) for s in ref_seeds]
        envelopes = {}
        for label, splits in env_splits.items():
            # the reference's runs, and each set of realisations standing in for them
            firsts = [[by_seed.get(s, groups[s]).get(key, empty) for s in ref_seeds]
                      for by_seed in env_stand_ins.get(label, [{}])]
            reason = too_few(n_cells.get(pop, 0),
                             min(smallest_pool(first, splits, 0) for first in firsts),
                             smallest_pool(ref, splits, 1), min_cells, min_values)
            if n < MIN_SEEDS:
                reason = f"too few seeds (n={n} < {MIN_SEEDS})"
            env = None
            if not reason:
                parts = [split_distances(first, ref, splits) for first in firsts]
                env = {score: np.concatenate([part[score] for part in parts])
                       for score in SCORES}
            env_row = {"population": pop, "window": window, "statistic": stat,
                       "seeds": label, "n_cells": n_cells.get(pop, 0),
                       "n_splits": len(splits), "status": reason or "scored"}
            for score in SCORES:
                env_row[f"{score}_p50"] = np.percentile(env[score], 50) if not reason else None
                env_row[f"{score}_{pct}"] = (np.percentile(env[score], percentile)
                                             if not reason else None)
            envelopes[label] = (reason, env_row)
            env_rows.append({**env_row, "rule": rule})
        for name, runs in cand_groups.items():
            m = len(runs)
            reason, env_row = envelopes[env_of[name][0]]
            splits = cand_splits[name]
            cand = [runs[r].get(key, empty) for r in range(m)]
            all_c, all_r = _pooled(cand, range(m)), _pooled(ref, range(n))
            why = reason or too_few(n_cells.get(pop, 0), smallest_pool(cand, splits, 0),
                                    smallest_pool(ref, splits, 1), min_cells, min_values)
            row = {"backend": name, "population": pop, "window": window, "statistic": stat,
                   "seeds": env_row["seeds"], "n_cells": n_cells.get(pop, 0),
                   "n_candidate": len(all_c), "n_reference": len(all_r),
                   "mean_candidate": all_c.mean() if len(all_c) else None,
                   "mean_reference": all_r.mean() if len(all_r) else None}
            if why:
                row.update({c: None for c in ("ks", "emd", "d", "d_ci_low", "d_ci_high")})
                for score in SCORES:
                    row.update({f"{score}_median": None, f"{score}_envelope": None,
                                f"inside_{score}": None})
                row["status"] = why
            else:
                row.update(scores(all_c, all_r))
                outside = []
                split_scores = split_distances(cand, ref, splits)
                for score in SCORES:
                    values = split_scores[score]
                    median, limit = float(np.median(values)), env_row[f"{score}_{pct}"]
                    inside = bool(median <= limit)
                    row.update({f"{score}_median": median, f"{score}_envelope": limit,
                                f"inside_{score}": inside})
                    if not inside and score == JUDGED:
                        outside.append(f"{score} {median:.3g} > {limit:.3g}")
                row["status"] = "agrees" if not outside else "outside: " + ", ".join(outside)
            score_rows.append({**row, "rule": rule})
    return pd.DataFrame(env_rows), pd.DataFrame(score_rows)


def seed_verdicts(score_table):
    """One line per backend, population and statistic, over its windows.

    Returns
    -------
    pandas.DataFrame
        backend, population, statistic, agrees (True / False; empty when no window could be
        scored), verdict (the windows' numbers: median split score / envelope percentile
        per score, or the too-few reason), rule.
    """
    rows = []
    for (backend, pop, stat), frame in score_table.groupby(
            ["backend", "population", "statistic"], sort=False):
        parts, scored, agree = [], 0, True
        for r in frame.itertuples():
            if r.status == "agrees" or r.status.startswith("outside"):
                scored += 1
                agree &= r.status == "agrees"
                numbers = ", ".join(f"{s} {getattr(r, f'{s}_median'):.3g}/"
                                    f"{getattr(r, f'{s}_envelope'):.3g}" for s in SCORES)
                parts.append(f"{r.window}: {'in' if r.status == 'agrees' else 'OUT'} "
                             f"({numbers}; d={r.d:+.2f} [{r.d_ci_low:+.2f}, {r.d_ci_high:+.2f}])")
            else:
                parts.append(f"{r.window}: {r.status}")
        if scored == 0:
            head = frame["status"].iloc[0]
            agrees = None
        else:
            head = "agrees" if agree else "outside the seed envelope"
            agrees = bool(agree)
        rows.append({"backend": backend, "population": pop, "statistic": stat,
                     "agrees": agrees, "verdict": f"{stat}: {head}; " + "; ".join(parts),
                     "rule": frame["rule"].iloc[0]})
    return pd.DataFrame(rows, columns=["backend", "population", "statistic", "agrees",
                                       "verdict", "rule"])
