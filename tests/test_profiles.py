"""The SLURM executor profile parses and plans a sweep (dry run; no cluster needed)."""
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_slurm_profile_plans_a_two_point_sweep(tmp_path):
    for item in ("Snakefile", "workflow", "config", "envs"):
        source = REPO / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / item)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("sweeps:\n  f_peak: {f_peak: [120.0, 150.0]}\nvalidation:\n  seeds: []\n")
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--profile", "workflow/profiles/slurm", "-n",
         "--cores", "16",  # a dry run caps threads at the local cores
         "--configfile", "config/smoke.yaml", str(sweep)],
        cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = done.stdout + done.stderr
    assert "Using profile workflow/profiles/slurm" in out
    # 2 stimulus points x the smoke config's backends (validation seeds off)
    n_runs = 2 * len(yaml.safe_load((REPO / "config/smoke.yaml").read_text())
                     ["simulation"]["backends"])
    stats = [line for line in out.splitlines() if line.split()[:1] == ["simulate"]]
    assert stats and stats[-1].split()[1] == str(n_runs)
    # Snakemake threads flow into every simulator's threads
    assert out.count("--threads 8") == n_runs


def test_paper_config_plans_the_study_with_its_cost_under_the_slurm_profile(tmp_path):
    """Acceptance: the study's sweeps x (nest, nest-numerics, brian2), planned unchanged by the
    SLURM profile, with the job count and the expected CPU-hours printed."""
    for item in ("Snakefile", "workflow", "config", "envs"):
        source = REPO / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / item)
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--profile", "workflow/profiles/slurm", "-n",
         "--quiet", "rules", "--cores", "16", "--configfile", "config/paper.yaml"],
        cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    jobs = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            jobs[parts[0]] = int(parts[1])
    # 340 runs (f_peak 9 x 2 types x 10 + stim_radius 9 x 2 x 10 - 20 shared), 3 backends
    assert jobs["stimulus_generate"] == 340 and jobs["simulate"] == 1020
    assert jobs["compare_backends"] == 680  # nest vs nest-numerics, nest vs brian2
    assert {"sweep_summary_f_peak", "sweep_summary_stim_radius", "sweep_summary_variance"} <= \
        set(jobs)
    plan = [line for line in done.stderr.splitlines() if line.startswith("spinncer: plan:")]
    assert len(plan) == 1 and "1020 simulations" in plan[0] and "CPU-hours" in plan[0]


def test_local_slurm_profile_mirrors_the_slurm_profile():
    """workflow/profiles/slurm-local (the smoke size, tests/test_cluster.py) keeps the SLURM
    profile's keys and rules, so that what the cluster tests exercise is what users run."""
    profiles = REPO / "workflow/profiles"
    site = yaml.safe_load((profiles / "slurm/config.yaml").read_text())
    local = yaml.safe_load((profiles / "slurm-local/config.yaml").read_text())
    # the local one adds only the plugin's poll interval, and its partition and account
    assert set(local) - set(site) == {"slurm-init-seconds-before-status-checks"}
    assert set(local["default-resources"]) - set(site["default-resources"]) == {
        "slurm_partition", "slurm_account"}
    assert set(site) <= set(local)
    for key in ("executor", "retries", "rerun-incomplete"):
        assert local[key] == site[key], key
    assert set(local["set-resources"]) == set(site["set-resources"])
    assert set(local["set-threads"]) == set(site["set-threads"])
    for rule, resources in site["set-resources"].items():
        assert set(local["set-resources"][rule]) == set(resources), rule
