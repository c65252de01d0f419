"""The project's style checks, in the test suite so that they fail early and by name: snakefmt
on the workflow (pinned in envs/test.txt), Snakemake's linter, and pyflakes on the Python
(unused imports and names, undefined names)."""
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*command):
    return subprocess.run([str(c) for c in command], cwd=REPO, capture_output=True, text=True)


def test_workflow_is_snakefmt_formatted():
    done = run(BIN / "snakefmt", "--check", "Snakefile", "workflow/")
    assert done.returncode == 0, (
        f"not snakefmt-formatted: run '.venv/bin/snakefmt Snakefile workflow/' and commit\n"
        f"{done.stdout}{done.stderr}")


def test_snakemake_lint_is_clean():
    done = run(BIN / "snakemake", "--lint", "--configfile", "config/smoke.yaml")
    assert done.returncode == 0, f"snakemake --lint: fix each as it says\n{done.stdout}{done.stderr}"


def test_pyflakes_is_clean():
    done = run(sys.executable, "-m", "pyflakes", "spinncer", "tests", "benchmarks")
    assert done.returncode == 0, f"pyflakes:\n{done.stdout}{done.stderr}"
