"""One summary per candidate backend: the populations outside the seed envelope first, the
count of tests outside against what seed noise gives, and what the validation cannot see.

The wording never reads as equivalence while a population is outside:

- populations outside: ``OUTSIDE the seed envelope in granule (1 test), ...``, then the count
  and the probability :math:`P(X \\ge k)` that an equivalent backend has at least that many
  tests outside, with :math:`X \\sim \\mathrm{Binomial}(n, 1 - \\mathrm{percentile}/100)`. The
  tests share runs (windows and statistics of one population move together), so the binomial
  is a guide, not an exact p-value; a large P says that the count alone cannot tell the
  difference from seed noise, never that the backend is equivalent.
- none outside: ``no test outside the seed envelope``, followed by what it cannot see.

What it cannot see: populations with no scored test (too few cells or values), and, with a
power table (:mod:`.power`, benchmarks/validation_power.py), the populations whose power
against a ±20 % weight change is below :data:`.power.MIN_POWER`, with the seeds that would
reach it; without one, the rule from the envelope itself: a population whose most sensitive
test needs a shift larger than :data:`LARGE_D` (Cohen's "large" effect) to leave the envelope
cannot see moderate changes with its cells and seeds.
"""
import pandas as pd
from scipy import stats

from .power import MIN_POWER, population_power

#: Cohen's "large" standardised effect [Cohen 1988]: a population whose smallest detectable
#: |d| (the envelope's 95th percentile of |d| of its most sensitive test) is above this is
#: reported as unable to see moderate changes (without a power table).
LARGE_D = 0.8
#: A count of tests outside with a binomial probability below this is more than seed noise.
COUNT_ALPHA = 0.05


def false_alarm_probability(n_outside, n_scored, rate):
    """P(at least `n_outside` of `n_scored` tests outside) for a backend equivalent to the
    reference, each test outside with probability `rate` (binomial)."""
    return float(stats.binom.sf(n_outside - 1, n_scored, rate))


def _scored(frame):
    return frame["status"].eq("agrees") | frame["status"].str.startswith("outside")


def _cannot_see(frame, power):
    """[(population, reason)] of what this backend's validation cannot see."""
    scored = _scored(frame)
    found = []
    for pop, rows in frame.groupby("population", sort=False):
        if not scored[rows.index].any():
            found.append((pop, f"{rows['status'].iloc[0]}: no test scored"))
    judged = {pop for pop, _ in found}
    if power is not None and len(power):
        for row in population_power(power).itertuples():
            if row.population in judged or row.power >= MIN_POWER:
                continue
            more = (f"; about {row.seeds_needed} seeds per half would reach "
                    f"{MIN_POWER:.0%}" if row.seeds_needed else "")
            found.append((row.population,
                          f"cannot detect a 20 % weight change here: power {row.power:.0%} "
                          f"against {row.weakest} ({row.statistic}, {row.window}), "
                          f"n = {row.n_cells} cells x {row.seeds_per_half} seeds per half "
                          f"too small{more}"))
        return found
    sensitive = frame[scored].groupby("population", sort=False)["d_envelope"].min()
    for pop, d in sensitive.items():
        if d > LARGE_D:
            found.append((pop, f"smallest detectable shift |d| {d:.2f} > {LARGE_D:g}: "
                               "n cells x seeds too small"))
    return found


def backend_summary(frame, percentile, power=None):
    """The summary row of one backend's score rows (see :func:`outside_summary`)."""
    scored = _scored(frame)
    outside = frame["status"].str.startswith("outside")
    n, k = int(scored.sum()), int(outside.sum())
    rate = 1 - percentile / 100.0
    p = false_alarm_probability(k, n, rate) if n else None
    counts = frame.loc[outside, "population"].value_counts(sort=False)
    counts = counts.sort_values(ascending=False, kind="stable")
    named = ", ".join(f"{pop} ({c} test{'s' if c > 1 else ''})" for pop, c in counts.items())
    count = (f"{k} of {n} tests outside; an equivalent backend has {k} or more with "
             f"P = {p:.2g} (binomial, {rate:.0%} per test)") if n else "no test scored"
    if k and p >= COUNT_ALPHA:
        verdict = (f"OUTSIDE the seed envelope in {named}. {count}: the count alone cannot "
                   "tell this from seed noise, so the backend is NOT shown equivalent; rerun "
                   "those populations with more seeds to tell which")
    elif k:
        verdict = (f"OUTSIDE the seed envelope in {named}. {count}: more than seed noise "
                   "gives; the backend differs from the reference")
    else:
        verdict = f"no test outside the seed envelope ({count})"
    blind = _cannot_see(frame, power)
    if blind:
        verdict += ". What it cannot see: " + "; ".join(
            f"{pop} ({why})" for pop, why in blind)
    return {"tests_scored": n, "tests_outside": k, "fraction_outside": k / n if n else None,
            "expected_if_equivalent": rate, "p_if_equivalent": p,
            "populations_outside": " ".join(counts.index),
            "populations_blind": " ".join(pop for pop, _ in blind), "verdict": verdict}


def outside_summary(score_table, percentile, power=None):
    """Per backend of an :func:`.envelope.seed_envelope` score table: tests scored and
    outside, their fraction, the fraction an equivalent backend is expected to reach
    (1 - percentile / 100), ``p_if_equivalent`` (binomial, module docstring),
    ``populations_outside`` (most tests outside first), ``populations_blind`` (what it
    cannot see) and ``verdict`` (the summary in words); `power` is an optional
    :func:`.power.measure_power` of the same network and seeds."""
    rows = [{"backend": backend, **backend_summary(frame, percentile, power)}
            for backend, frame in score_table.groupby("backend", sort=False)]
    return pd.DataFrame(rows, columns=[
        "backend", "tests_scored", "tests_outside", "fraction_outside",
        "expected_if_equivalent", "p_if_equivalent", "populations_outside",
        "populations_blind", "verdict"])
