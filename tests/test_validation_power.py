"""Power of the seed envelope (spinncer.validation.power): the split KS and |d| against scipy
and cohen_d, and a slice of benchmarks/validation_power.py on real Brian2 runs of the small
network of test_validation.py (glom_grc x 1.0 and x 1.2, 6 seeds)."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from spinncer.envs import ensure_env
from spinncer.scaffold import write_scaffold
from spinncer.validation.envelope import seed_splits
from spinncer.validation.power import split_abs_d, split_ks
from spinncer.validation.scores import cohen_d

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_validation import small_network  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BENCHMARK = REPO / "benchmarks" / "validation_power.py"


def test_split_ks_and_d_equal_scipy_and_cohen_d_on_every_split():
    rng = np.random.default_rng(5)
    # ties (rounded rates) and unequal sizes, as per-cell values of spike trains have
    ref = [np.round(rng.normal(10, 2, rng.integers(30, 60)), 1) for _ in range(6)]
    cand = [np.round(rng.normal(10.5, 2, rng.integers(30, 60)), 1) for _ in range(6)]
    splits = seed_splits(6)
    env, out = split_ks(ref, cand, splits, chunk=7)
    abs_d = split_abs_d(ref, splits)
    for i, (h1, h2) in enumerate(splits):
        r1, r2 = (np.concatenate([ref[k] for k in h]) for h in (h1, h2))
        c1 = np.concatenate([cand[k] for k in h1])
        assert env[i] == pytest.approx(stats.ks_2samp(r1, r2).statistic, abs=1e-12)
        assert out[i] == pytest.approx(stats.ks_2samp(c1, r2).statistic, abs=1e-12)
        assert abs_d[i] == pytest.approx(abs(cohen_d(r1, r2)[0]), rel=1e-9)


@pytest.fixture(scope="module")
def power_slice(tmp_path_factory):
    """The benchmark on the small network: 6 seeds x (reference, glom_grc x 1.0, x 1.2)."""
    python = ensure_env("brian2", REPO / "resources" / "envs" / "brian2")
    work = tmp_path_factory.mktemp("power")
    write_scaffold(small_network(), work / "net.hdf5")
    env = dict(os.environ, SPINNCER_BRIAN2_CACHE=str(work / "builds"))
    for command in ([str(python), str(BENCHMARK), "simulate", "--scaffold",
                     str(work / "net.hdf5"), "--out", str(work / "out"), "--seeds",
                     *map(str, range(1, 7)), "--connections", "glom_grc", "--factors", "1.0",
                     "1.2", "--f-base", "10", "--f-peak", "60", "--stim-times", "200", "50",
                     "250"],
                    [sys.executable, str(BENCHMARK), "analyse", "--out", str(work / "out")]):
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
    return work / "out", done.stdout


def test_power_slice_detects_a_fifth_more_weight_and_not_no_change(power_slice):
    out, printed = power_slice
    table = pd.read_csv(out / "power.csv")
    assert set(table["connection"]) == {"glom_grc"} and (table["n_splits"] == 20).all()
    granule = table[table["population"] == "granule"]
    # x 1.0 is the reference itself: a split is outside only above the envelope's own 95th
    # percentile, so at most 5 % of splits (0 with the symmetric splits' ties)
    assert (table.loc[table["factor"] == 1.0, "power"] <= 0.05).all()
    assert granule.loc[granule["factor"] == 1.2, "power"].max() >= 0.8, granule.to_string()
    pops = pd.read_csv(out / "population_power.csv").set_index("population")
    assert pops.loc["granule", "weakest"] == "glom_grc*1.2"
    assert "| glom_grc | granule (240) | 0% |" in printed
    assert (out / "power.png").is_file()
