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
