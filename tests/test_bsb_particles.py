"""BSB's particle placement with spinncer's replacements (spinncer/scaffold/bsb_particles.py)
places every particle where BSB 3 itself does, to the bit. Both run in the BSB environment,
made on first use under resources/envs/bsb (as rule env_bsb does), by tests/bsb_particles_check.py.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spinncer.envs import ensure_env

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bsb_particles_check as check  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def placed(tmp_path_factory):
    python = ensure_env("bsb", REPO / "resources" / "envs" / "bsb")
    out = tmp_path_factory.mktemp("particles") / "placed.npz"
    done = subprocess.run([str(python), check.__file__, str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(np.load(out))


@pytest.mark.parametrize("case", check.CASES, ids=[case[0] for case in check.CASES])
def test_particle_replacements_place_as_bsb_does_to_the_bit(placed, case):
    name, count = case[0], case[2]
    # most particles start in a collision, so the solving code runs
    assert placed[f"{name}_colliding"] >= 0.4 * count
    bsb, ours = placed[f"{name}_bsb"], placed[f"{name}_spinncer"]
    assert bsb.shape == ours.shape and 0 < len(bsb) <= count
    assert np.array_equal(bsb.view(np.uint64), ours.view(np.uint64))


def test_touching_particles_collide_as_in_bsb(placed):
    flags = placed["touching_bsb"]
    assert 0 < flags.sum() < len(flags)  # touching and free particles both present
    assert np.array_equal(placed["touching_spinncer"], flags)


def test_radius_search_answers_as_scikit_learn_in_its_order_with_ties(placed):
    theirs, ours = placed["queries_sklearn"], placed["queries_spinncer"]
    assert placed["queries_asked"] > 0  # points exactly on the radius went to scikit-learn
    assert len(theirs) > 0 and np.array_equal(theirs, ours)
