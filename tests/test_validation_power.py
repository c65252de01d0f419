"""Power of the seed envelope (spinncer.validation.power): the split KS and |d| against scipy
and cohen_d, and a slice of benchmarks/validation_power.py on real Brian2 runs of the small
network of test_validation.py (glom_grc x 1.0 and x 1.2, 6 seeds)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spinncer.envs import ensure_env
from spinncer.results import read_run
from spinncer.scaffold import write_scaffold

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_validation import small_network  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BENCHMARK = REPO / "benchmarks" / "validation_power.py"


def simulate_command(python, work, *args):
    return [str(python), str(BENCHMARK), "simulate", "--scaffold", str(work / "net.hdf5"),
            "--out", str(work / "out"), "--seeds", *map(str, range(1, 7)), "--f-base", "10",
            "--f-peak", "60", "--stim-times", "200", "50", "250", *args]


@pytest.fixture(scope="module")
def power_slice(tmp_path_factory):
    """The benchmark on the small network in slices: 6 seeds x (reference, glom_grc x 1.2),
    then pf_bc x 1.2, then pf_bc x 1.0, then nothing left; x 1.0 of glom_grc comes from the
    reference itself."""
    python = ensure_env("brian2", REPO / "resources" / "envs" / "brian2")
    work = tmp_path_factory.mktemp("power")
    write_scaffold(small_network(), work / "net.hdf5")
    env = dict(os.environ, SPINNCER_BRIAN2_CACHE=str(work / "builds"))
    printed = []
    for command in (simulate_command(python, work, "--connections", "glom_grc", "--factors",
                                     "1.2"),
                    simulate_command(python, work, "--connections", "glom_grc", "pf_bc",
                                     "--factors", "1.2"),
                    simulate_command(python, work, "--connections", "pf_bc", "--factors",
                                     "1.0"),
                    simulate_command(python, work, "--connections", "pf_bc", "--factors",
                                     "1.0"),
                    [sys.executable, str(BENCHMARK), "analyse", "--out", str(work / "out")]):
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        printed.append(done.stdout)
    return work / "out", printed


def test_slices_add_up_and_run_nothing_twice(power_slice):
    out, printed = power_slice
    assert "reference:" in printed[0] and "glom_grc*1.2:" in printed[0]
    # later slices run only what the earlier ones have not written
    assert "reference:" not in printed[1] and "glom_grc*1.2:" not in printed[1]
    assert "pf_bc*1.2:" in printed[1] and "pf_bc*1:" in printed[2]
    assert "written already" in printed[3]
    plan = json.loads((out / "perturbations.json").read_text())
    assert set(plan["perturbations"]) == {"glom_grc*1.2", "pf_bc*1.2", "pf_bc*1"}
    # a rerun with the model weights repeats the reference spike for spike, which is what
    # lets analyse take x 1.0 from the reference without runs
    for seed in (1, 4):
        ref, same = (read_run(out / name / f"seed{seed}.h5").spikes
                     for name in ("reference", "pf_bc*1"))
        for pop, trains in ref.items():
            assert np.array_equal(trains.time, same[pop].time), pop
            assert np.array_equal(trains.cell, same[pop].cell), pop


def test_a_slice_of_another_protocol_is_refused_in_one_line(power_slice, tmp_path):
    out, _ = power_slice
    python = ensure_env("brian2", REPO / "resources" / "envs" / "brian2")
    command = simulate_command(python, out.parent, "--connections", "glom_grc")
    command[command.index("--f-peak") + 1] = "80"
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "perturbations.json: expected" in done.stderr
    assert "Traceback" not in done.stderr


def test_power_slice_detects_a_fifth_more_weight_and_not_no_change(power_slice):
    out, printed = power_slice
    printed = printed[-1]
    table = pd.read_csv(out / "power.csv")
    assert set(table["connection"]) == {"glom_grc", "pf_bc"}
    assert (table["n_splits"] == 20).all()
    granule = table[table["population"] == "granule"]
    # x 1.0 is the reference itself: a split is outside only above the envelope's own 95th
    # percentile, so at most 5 % of splits (0 with the symmetric splits' ties)
    assert (table.loc[table["factor"] == 1.0, "power"] <= 0.05).all()
    assert granule.loc[granule["factor"] == 1.2, "power"].max() >= 0.8, granule.to_string()
    pops = pd.read_csv(out / "population_power.csv").set_index("population")
    assert pops.loc["granule", "weakest"] == "glom_grc*1.2"
    assert "| glom_grc | granule (240) | 0% |" in printed
    assert (out / "power.png").is_file()
