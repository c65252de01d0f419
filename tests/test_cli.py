import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from spinncer import stimulus
from spinncer.cli import main


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    code = main(["stimulus", "--scaffold", str(tmp_path / "missing.hdf5"),
                 "-o", str(tmp_path / "s.npz")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "missing.hdf5" in err[0] and "no such file" in err[0]
    assert not (tmp_path / "s.npz").exists()


def test_stimulus_from_file_checks_glomerulus_count(tmp_path, scaffold_file, capsys):
    given = tmp_path / "given.npz"
    stimulus.save(stimulus.Stimulus.from_trains([[5.0]] * 3), given)
    out = tmp_path / "s.npz"
    code = main(["stimulus", "--scaffold", str(scaffold_file), "--file", str(given),
                 "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "given.npz" in err and "(8," in err and "3 trains" in err
    assert not out.exists()


def test_pipeline_subcommands(tmp_path, scaffold_file):
    stim, run = tmp_path / "s.npz", tmp_path / "spikes.h5"
    assert main(["stimulus", "--scaffold", str(scaffold_file), "--f-base", "10",
                 "--stim-times", "50", "20", "30", "-o", str(stim)]) == 0
    # the simulate subcommand in its own process, as the workflow runs it, from an activated
    # venv (its bin/, with the NEST wheel's nest-config, first on PATH)
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run([sys.executable, "-m", "spinncer", "simulate", "--scaffold",
                           str(scaffold_file), "--stimulus", str(stim), "--simtime", "100",
                           "-o", str(run)], check=True, capture_output=True, text=True,
                          env={**os.environ, "PATH": path})
    # quiet logs: no NEST banner, no deprecation warnings of PyNN's NEST calls, no CMake log
    # of PyNN's attempt to build its NEST extensions
    assert "N E S T" not in done.stdout + done.stderr
    assert "deprecated" not in done.stdout + done.stderr and "Warning" not in done.stderr
    assert "cmake" not in (done.stdout + done.stderr).lower()
    cells, stats = tmp_path / "cells.csv", tmp_path / "stats.csv"
    assert main(["analyse-cells", str(run), "--stim-times", "50", "20", "30",
                 "-o", str(cells)]) == 0
    assert main(["analyse-populations", str(cells), "--stim-times", "50", "20", "30",
                 "-o", str(stats)]) == 0
    table = pd.read_csv(stats)
    assert set(table.population) == {"glomerulus", "granule", "golgi", "purkinje", "basket",
                                     "stellate", "dcn"}
    activity = {name: tmp_path / f"{name}.csv" for name in ("worst-case", "isi", "isi-cells",
                                                             "psth")}
    assert main(["analyse-activity", str(run), "--psth-bin", "10"]
                + [arg for name, path in activity.items() for arg in (f"--{name}", str(path))]) == 0
    assert set(pd.read_csv(activity["psth"]).population) == set(table.population)
    assert main(["figures", str(run), "--cell-rates", str(cells), "--psth", str(activity["psth"]),
                 "--stim-times", "50", "20", "30", "--outdir", str(tmp_path / "fig")]) == 0
    pngs = sorted(p.name for p in (tmp_path / "fig").iterdir())
    assert {"rates.png", "rate_distributions.png", "psth.png", "raster_granule.png"} <= set(pngs)
    assert len(pngs) == 10
    assert all((tmp_path / "fig" / p).read_bytes()[:4] == b"\x89PNG" for p in pngs)


def test_out_of_range_argument_is_one_line_from_the_schema(tmp_path, capsys):
    out = tmp_path / "s.npz"
    code = main(["stimulus", "--scaffold", "x.hdf5", "--f-peak", "-5", "-o", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("spinncer: error:")
    assert "--f-peak" in err[0] and "stimulus.f_peak" in err[0] and ">= 0" in err[0]
    assert main(["simulate", "--scaffold", "a", "--stimulus", "b", "--threads", "0",
                 "-o", str(tmp_path / "r.h5")]) == 2
    assert "simulation.threads" in capsys.readouterr().err
    assert not out.exists()


def test_error_line_also_reaches_the_console_descriptor(tmp_path):
    """As the workflow runs it: output to the log, the error line also on descriptor 3."""
    log = tmp_path / "job.log"
    done = subprocess.run(
        f"{sys.executable} -m spinncer -v --console-fd 3 3>&2 stimulus --scaffold "
        f"{tmp_path / 'missing.hdf5'} -o {tmp_path / 's.npz'} > {log} 2>&1",
        shell=True, capture_output=True, text=True)
    console = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(console) == 1
    assert console[0].startswith("spinncer: error:") and "missing.hdf5" in console[0]
    assert console[0] in log.read_text()


def test_protocol_stimulus_and_model_variant_through_the_cli(tmp_path, scaffold_file, capsys):
    stim, run = tmp_path / "gold.npz", tmp_path / "spikes.h5"
    assert main(["stimulus", "--scaffold", str(scaffold_file), "--protocol", "gold-casali2019",
                 "-o", str(stim)]) == 0
    made = stimulus.load(stim)
    assert made.params["protocol"] == "gold-casali2019" and made.stimulated.sum() == 1  # 8 x 7.6 %
    code = main(["simulate", "--scaffold", str(scaffold_file), "--stimulus", str(stim),
                 "--simtime", "50", "--model-variant", "casali2018", "-o", str(run)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "model.variant" in err[0] and not run.exists()


@pytest.mark.parametrize("argv, key", [
    (["stimulus-perturb", "s.npz", "--timestep", "0"], "simulation.timestep"),
    (["stimulus-perturb", "s.npz", "--seed", "-1"], "simulation.seeds"),
    (["spinnaker-map", "a.hdf5", "--timestep", "-0.1"], "simulation.timestep"),
    (["reference-check", "r.h5", "--gold", "g.npz", "--figure", "f.png",
      "--stim-times", "300", "-50", "650"], "stimulus.stim_times"),
    (["validate", "--run", "nest=a.h5", "--reference", "nestx", "--outdir", "v"],
     "validation.reference"),
])
def test_arguments_mirroring_config_keys_are_checked_by_the_schema(tmp_path, capsys, argv, key):
    out = tmp_path / "out"
    assert main([*argv, "-o", str(out)] if argv[0] != "validate" else argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("spinncer: error:") and key in err[0]
    assert not out.exists()
