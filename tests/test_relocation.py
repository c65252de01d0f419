"""A project moves or is copied with its results and plans nothing: every file a rule reads or
writes is named relative to the project (the moved copy itself: tests/test_workflow.py)."""
import re
import subprocess
import sys
from pathlib import Path

from conftest import copy_workflow


def rule_files(workdir, *configs):
    """Every input and output path of every rule (Snakemake's file graph of `configs`)."""
    done = subprocess.run([sys.executable, "-m", "snakemake", "--filegraph", "--cores", "1",
                           "--configfile", *configs], cwd=workdir, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return re.findall(r'<font face="monospace">([^<]+)</font>', done.stdout)


def outside_the_project(paths):
    return [p for p in paths if Path(p).is_absolute() or p.startswith("..")]


def test_every_rule_file_is_relative_to_the_project(tmp_path):
    copy_workflow(tmp_path)
    download = tmp_path / "download.yaml"
    download.write_text("scaffold:\n  source: download\n  url: https://example.org/v3.hdf5\n")
    built = rule_files(tmp_path, "config/smoke.yaml")
    assert "envs/bsb.txt" in built and "resources/scaffolds/{scaffold}.hdf5" in built
    downloaded = rule_files(tmp_path, "config/smoke.yaml", str(download))
    assert "resources/downloads/v3.hdf5" in downloaded
    assert outside_the_project(built + downloaded) == []


def test_outside_paths_are_found():
    assert outside_the_project(["results/x.csv", "/opt/spinncer/scaffold/order.py",
                                "../shared/data/x.npz"]) == ["/opt/spinncer/scaffold/order.py",
                                                             "../shared/data/x.npz"]
