"""Split scores at once (:func:`spinncer.validation.scores.split_distances`) equal the scores
of each split's pooled samples (scipy's KS and EMD, Cohen's d)."""
import numpy as np
import pytest

from spinncer.validation.envelope import candidate_splits, seed_splits
from spinncer.validation.scores import scores, split_distances


def pooled(side, ranks):
    return np.concatenate([side[r] for r in ranks])


@pytest.mark.parametrize("rounding", [1, None])
def test_split_distances_equal_the_scores_of_every_split(rounding):
    rng = np.random.default_rng(5)

    def sample(mean):  # ties (rounded rates) or none, unequal sizes, as per-cell values are
        x = rng.normal(mean, 2, rng.integers(30, 60))
        return np.round(x, rounding) if rounding else x

    ref = [sample(10.0) for _ in range(6)]
    cand = [sample(10.5) for _ in range(6)]
    one = [sample(11.0)]  # a candidate of one seed against sets of reference seeds
    cases = [(ref, ref, seed_splits(6)), (cand, ref, seed_splits(6)),
             (one, ref, candidate_splits(list(range(1, 7)), [1]))]
    for first, second, splits in cases:
        # a small chunk: several chunks of splits, as on a large population
        got = split_distances(first, second, splits, chunk_values=500)
        for i, (h1, h2) in enumerate(splits):
            want = scores(pooled(first, h1), pooled(second, h2))
            assert got["ks"][i] == pytest.approx(want["ks"], abs=1e-12)
            assert got["emd"][i] == pytest.approx(want["emd"], rel=1e-9, abs=1e-12)
            assert got["d"][i] == pytest.approx(abs(want["d"]), rel=1e-9)


def test_split_distances_of_constant_samples():
    """Equal constants: d 0 (as cohen_d); different constants: d inf, ks 1, emd the gap."""
    same = [np.full(25, 2.0)] * 6
    other = [np.full(25, 3.0)] * 6
    splits = seed_splits(6)
    assert not split_distances(same, same, splits)["d"].any()
    got = split_distances(other, same, splits)
    assert np.isinf(got["d"]).all() and (got["ks"] == 1).all()
    np.testing.assert_allclose(got["emd"], 1.0)
