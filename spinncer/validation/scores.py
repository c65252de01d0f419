r"""Distances between two samples of a statistic, and when a sample is too small to score.

For samples :math:`x` (candidate) and :math:`y` (reference) of one statistic:

``ks``
    Kolmogorov–Smirnov statistic :math:`\sup_t |F_x(t) - F_y(t)|`
    (``scipy.stats.ks_2samp(x, y).statistic``).
``emd``
    earth mover's (1-Wasserstein) distance between the empirical distributions, in the
    statistic's unit (``scipy.stats.wasserstein_distance``).
``d``
    Cohen's d, :math:`(\bar x - \bar y) / s_p` with the pooled s.d.
    :math:`s_p^2 = ((n_x-1)s_x^2 + (n_y-1)s_y^2)/(n_x+n_y-2)`, and its 95 % confidence
    interval from the normal approximation of its standard error,
    :math:`\mathrm{se}(d) = \sqrt{(n_x+n_y)/(n_x n_y) + d^2 / (2(n_x+n_y))}`
    (Hedges & Olkin 1985, eq. 5.14). The envelope compares :math:`|d|`.

Small samples are not scored: a population with fewer than :data:`MIN_CELLS` cells, or a
sample with fewer than :data:`MIN_VALUES` values (cells with enough spikes, or pairs), gives
a reason string ("too few cells (n=4 < 10)") instead of numbers. :func:`sample_rule` is the
rule in words, written into every table that applies it.

Sources
-------
- Hedges LV, Olkin I (1985) Statistical Methods for Meta-Analysis. Academic Press.
- Cohen J (1988) Statistical Power Analysis for the Behavioral Sciences, 2nd ed.
"""
import numpy as np
from scipy import stats

# the population rule of every comparison: one threshold, one message
from ..analysis.compare import MIN_CELLS, too_few_cells

#: Scores, in the order of every table.
SCORES = ("ks", "emd", "d")
#: A sample (one side of a comparison) with fewer values than this is not scored. As many as
#: MIN_CELLS, a value per cell of the smallest population that is scored: the envelope sets a
#: score against the reference's own scores at the same sample sizes, so a small sample widens
#: its envelope rather than biasing the verdict (one seed of the 12 DCN cells at full size:
#: Brian2's own held-out realisations 5.6 % of 81 tests outside, with the 7 DCN tests this
#: adds; pc_dcn weights x 0.8 / x 1.2 outside on 5-6 of them; benchmarks/README.md, issue 23).
#: It was 20.
MIN_VALUES = MIN_CELLS
#: Confidence level of the effect-size interval.
CI_LEVEL = 0.95


def sample_rule(min_cells=MIN_CELLS, min_values=MIN_VALUES):
    """The small-sample rule, as written in the tables."""
    return (f"scored only with >= {min_cells} cells in the population and >= {min_values} "
            f"values per side (cells with a value, or pairs)")


def too_few(n_cells, n_x, n_y, min_cells=MIN_CELLS, min_values=MIN_VALUES):
    """The reason a comparison is not scored, or "" when it is."""
    if n_cells < min_cells:
        return too_few_cells(n_cells, min_cells)
    if min(n_x, n_y) < min_values:
        return f"too few values (n={min(n_x, n_y)} < {min_values})"
    return ""


def cohen_d(x, y, level=CI_LEVEL):
    """(d, ci_low, ci_high) of `x` against `y` (see module docstring). Two constant samples
    with equal means give d = 0; with different means the pooled s.d. is 0 and d = ±inf."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    nx, ny = len(x), len(y)
    diff = x.mean() - y.mean()
    pooled = np.sqrt(((nx - 1) * x.var(ddof=1) + (ny - 1) * y.var(ddof=1)) / (nx + ny - 2))
    if pooled == 0:
        d = 0.0 if diff == 0 else float(np.sign(diff) * np.inf)
    else:
        d = float(diff / pooled)
    se = np.sqrt((nx + ny) / (nx * ny) + d ** 2 / (2 * (nx + ny)))
    z = stats.norm.ppf(0.5 + level / 2)
    return d, d - z * se, d + z * se


def scores(x, y):
    """{ks, emd, d, d_ci_low, d_ci_high} of candidate sample `x` against reference `y`."""
    d, low, high = cohen_d(x, y)
    return {"ks": float(stats.ks_2samp(x, y, method="asymp").statistic),
            "emd": float(stats.wasserstein_distance(x, y)),
            "d": d, "d_ci_low": low, "d_ci_high": high}


#: Values of one matrix of :func:`split_distances` (splits x grid), to bound its memory.
CHUNK_VALUES = 4_000_000


def _indicator(splits, side, n):
    """Indicator matrix (n_splits x n seed ranks) of each split's H1 (`side` 0) or H2 (1)."""
    out = np.zeros((len(splits), n))
    for row, split in enumerate(splits):
        out[row, list(split[side])] = 1.0
    return out


def split_distances(first, second, splits, which=SCORES, chunk_values=CHUNK_VALUES):
    """{score: array over splits} of ks, emd and |d| of (`first`[H1] pooled, `second`[H2]
    pooled) for every split (H1, H2) at once; `first`, `second` are lists of value arrays, one
    per seed rank.

    The empirical CDF of pooled seeds is the sum of its seeds' counts at or below each value
    over their sizes, so on the grid of all values (where KS's supremum lies and between whose
    points both CDFs are flat) every split's two CDFs are matrix products: KS is their largest
    gap and the EMD the gaps times the grid steps (``scipy.stats.ks_2samp``,
    ``wasserstein_distance``); |d| comes from each seed's count, sum and sum of squares.
    Equal to :func:`scores` per split (tests/test_validation_scores.py) at a fraction of its
    cost: one sort per seed instead of two per split.
    """
    first = [np.sort(np.asarray(x, float)) for x in first]
    second = [np.sort(np.asarray(x, float)) for x in second]
    h1, h2 = _indicator(splits, 0, len(first)), _indicator(splits, 1, len(second))
    n1 = h1 @ np.array([len(x) for x in first], float)
    n2 = h2 @ np.array([len(x) for x in second], float)
    out = {}
    if {"ks", "emd"} & set(which):
        grid = np.unique(np.concatenate(first + second))
        c1, c2 = (np.stack([np.searchsorted(x, grid, side="right") for x in side]).astype(float)
                  for side in (first, second))
        step = np.diff(grid)
        ks, emd = np.empty(len(splits)), np.empty(len(splits))
        rows = max(1, chunk_values // max(len(grid), 1))
        for start in range(0, len(splits), rows):
            part = slice(start, start + rows)
            gap = np.abs((h1[part] @ c1) / n1[part, None] - (h2[part] @ c2) / n2[part, None])
            ks[part], emd[part] = gap.max(axis=1), gap[:, :-1] @ step
        out.update(ks=ks, emd=emd)
    if "d" in which:
        # sums about a common centre: no cancellation in sum of squares - n * mean^2
        centre = np.mean([x.mean() for x in first + second if len(x)])
        (s1, q1), (s2, q2) = (
            (h @ np.array([np.sum(x - centre) for x in side]),
             h @ np.array([np.sum(np.square(x - centre)) for x in side]))
            for h, side in ((h1, first), (h2, second)))
        m1, m2 = s1 / n1, s2 / n2
        pooled = np.sqrt(np.maximum(q1 - n1 * m1 ** 2 + q2 - n2 * m2 ** 2, 0.0)
                         / (n1 + n2 - 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            out["d"] = np.where(pooled > 0, np.abs(m1 - m2) / pooled,
                                np.where(m1 == m2, 0.0, np.inf))
    return {score: out[score] for score in which}
