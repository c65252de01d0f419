"""Shared fixtures: tiny hand-made scaffolds (wiring written out, not random) and their files;
the README's smoke study, run once per session (tests/test_workflow.py reads it, and
tests/test_cluster.py sets the same study through SLURM against it)."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spinncer.scaffold import Connectivity, Scaffold, write_scaffold

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def copy_workflow(target):
    """A fresh project at `target`: the Snakefile, workflow, config and envs of this checkout
    (the spinncer library stays installed from the checkout)."""
    for item in ("Snakefile", "workflow", "config", "envs"):
        source = REPO / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, Path(target) / item)
    return Path(target)


def readme_snakemake_lines():
    """Every snakemake command line of the README, as written there (code block and tables)."""
    text = (REPO / "README.md").read_text()
    return [line.strip() for line in re.findall(r"\.venv/bin/snakemake[^`&\n]*", text)]


def run_readme_line(workdir, containing, extra=""):
    """Run the README's snakemake line that is (or else contains) `containing`, literally, in a
    shell (its `.venv/bin/snakemake` is this interpreter's snakemake), with `extra` appended."""
    lines = set(readme_snakemake_lines())
    (line,) = {line for line in lines if line == containing} or {
        line for line in lines if containing in line}
    done = subprocess.run(f"{line} {extra}", shell=True, cwd=workdir, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise AssertionError(f"README line {line!r} {extra} failed:\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="session")
def smoke_study(tmp_path_factory):
    """A fresh project that ran the README's smoke study (its first command, after the
    environment set-up) with `.venv/bin/snakemake` this interpreter's snakemake."""
    work = copy_workflow(tmp_path_factory.mktemp("workflow"))
    venv = work / ".venv/bin"
    venv.mkdir(parents=True)
    (venv / "snakemake").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m snakemake "$@"\n')
    (venv / "snakemake").chmod(0o755)
    run_readme_line(work, ".venv/bin/snakemake --cores 2 --configfile config/smoke.yaml")
    return work


def tiny_scaffold(n_glom=8, n_grc=6):
    """8 glomeruli on a line, 6 granule cells each fed by 4 neighbouring glomeruli, 2 golgi
    cells inhibiting granule cells, 2 purkinje cells on parallel fibres, 1 basket, 1 stellate,
    1 dcn cell fed by the purkinje cells."""
    x = np.arange(n_glom, dtype=float) * 10.0
    positions = {
        "glomerulus": np.column_stack([x, np.full(n_glom, 650.0), np.zeros(n_glom)]),
        "granule": np.column_stack([np.arange(n_grc) * 10.0 + 5, np.full(n_grc, 700.0),
                                    np.zeros(n_grc)]),
        "golgi": np.array([[10.0, 720.0, 0.0], [40.0, 720.0, 0.0]]),
        "purkinje": np.array([[20.0, 760.0, 0.0], [50.0, 760.0, 0.0]]),
        "basket": np.array([[30.0, 800.0, 0.0]]),
        "stellate": np.array([[30.0, 900.0, 0.0]]),
        "dcn": np.array([[30.0, 300.0, 0.0]]),
    }
    grc = np.arange(n_grc)
    glom_grc_pre = (grc[:, None] + np.arange(4)[None, :]) % n_glom
    pairs = {
        "glom_grc": (glom_grc_pre.ravel(), np.repeat(grc, 4)),
        "goc_grc": (np.array([0, 0, 0, 1, 1, 1]), np.array([0, 1, 2, 3, 4, 5])),
        "aa_goc": (np.array([0, 5]), np.array([0, 1])),
        "pf_pc": (np.tile(grc, 2), np.repeat([0, 1], n_grc)),
        "aa_pc": (np.array([1, 4]), np.array([0, 1])),
        "pf_bc": (grc, np.zeros(n_grc, int)),
        "pf_sc": (grc, np.zeros(n_grc, int)),
        "bc_pc": (np.array([0, 0]), np.array([0, 1])),
        "sc_pc": (np.array([0, 0]), np.array([0, 1])),
        "pc_dcn": (np.array([0, 1]), np.array([0, 0])),
        "glom_dcn": (np.array([2, 3]), np.array([0, 0])),
        "glom_goc": (np.array([1, 6]), np.array([0, 1])),
        "gj_goc": (np.array([0, 1]), np.array([1, 0])),
    }
    connections = {}
    for name, (pre, post) in pairs.items():
        from spinncer.params import CONNECTION_TYPES
        kind = CONNECTION_TYPES[name]
        d = np.linalg.norm(positions[kind.pre][pre] - positions[kind.post][post], axis=1)
        connections[name] = Connectivity(np.asarray(pre), np.asarray(post), d)
    return Scaffold(positions, connections, source="tiny")


@pytest.fixture
def scaffold():
    return tiny_scaffold()


@pytest.fixture
def scaffold_file(tmp_path, scaffold):
    path = tmp_path / "tiny.hdf5"
    write_scaffold(scaffold, path)
    return path


@pytest.fixture
def real_stimulus_file():
    path = SHARED_DATA / "400x400_stimulus_3.npz"
    if not path.is_file():
        pytest.skip(f"reference stimulus not found at {path}")
    return path
