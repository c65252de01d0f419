"""The SLURM executor profile parses and plans a sweep (dry run; no cluster needed)."""
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_slurm_profile_plans_a_two_point_sweep(tmp_path):
    for item in ("Snakefile", "workflow", "config", "envs"):
        source = REPO / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / item)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("stimulus:\n  f_peak: [120.0, 150.0]\n")
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--profile", "workflow/profiles/slurm", "-n",
         "--cores", "16",  # a dry run caps threads at the local cores
         "--configfile", "config/smoke.yaml", str(sweep)],
        cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = done.stdout + done.stderr
    assert "Using profile workflow/profiles/slurm" in out
    # 2 stimulus points x 2 backends (nest, nest-numerics) of the smoke config
    stats = [line for line in out.splitlines() if line.split()[:1] == ["simulate"]]
    assert stats and stats[-1].split()[1] == "4"
    # Snakemake threads flow into NEST threads
    assert out.count("--threads 8") == 4
