"""The builder's placement-walk id order: a permutation whose consecutive ids are neighbours."""
import numpy as np

from spinncer.scaffold.order import successor_locality, walk_order
from spinncer.stimulus import select_stimulated


def _random_layer(n=3000, seed=3):
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(0, 400, n), rng.uniform(0, 150, n),
                            rng.uniform(0, 400, n)])


def test_walk_is_a_permutation_with_neighbouring_successors():
    pos = _random_layer()
    new_id = walk_order(pos)
    assert np.array_equal(np.sort(new_id), np.arange(len(pos)))
    walked = np.empty_like(pos)
    walked[new_id] = pos
    step = np.linalg.norm(np.diff(walked[:, [0, 2]], axis=0), axis=1)
    shuffled = np.linalg.norm(np.diff(pos[:, [0, 2]], axis=0), axis=1)
    assert np.median(step) < 15.0 < np.median(shuffled)


def test_walk_gives_the_published_kind_of_stimulus_locality():
    pos = _random_layer()
    flags = select_stimulated(pos, 140.0, 1.0, np.random.default_rng(0))
    p_random, fraction = successor_locality(flags)
    walked = np.empty_like(flags)
    walked[walk_order(pos)] = flags
    p_walk, _ = successor_locality(walked)
    assert abs(p_random - fraction) < 0.05
    assert p_walk > 0.85


def test_empty_population_has_an_empty_order():
    assert walk_order(np.zeros((0, 3))).shape == (0,)
