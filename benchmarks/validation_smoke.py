"""Benchmark: wall time of the smoke validation (validation.seeds x validation.backends, plus
the perturbed reference runs, and the validate step itself).

Copies the workflow into a temporary folder, builds the smoke scaffold there (not timed, or
reuses --scaffold), then times Snakemake making every validation output of
config/smoke.yaml. Prints the number of simulate jobs, the wall time of the whole validation
and of the validate step alone (from its log), and the load average. Run under the global lock:

    flock /work/heavy.lock python benchmarks/validation_smoke.py [--scaffold FILE.hdf5]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def snakemake(work, *args):
    # targets before --configfile: after it, Snakemake would read them as more config files
    command = [sys.executable, "-m", "snakemake", "--cores", "2", *args, "--configfile",
               "config/smoke.yaml"]
    done = subprocess.run(command, cwd=work, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scaffold", help="an already built smoke scaffold to reuse")
    parser.add_argument("--keep", help="copy the validation folder (and logs) here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="validation_smoke_") as tmp:
        work = Path(tmp)
        for item in ("Snakefile", "workflow", "config", "envs"):
            source = REPO / item
            (shutil.copytree if source.is_dir() else shutil.copy)(source, work / item)
        target = work / "resources/scaffolds/smoke_100x100.hdf5"
        if args.scaffold:
            target.parent.mkdir(parents=True)
            shutil.copy(args.scaffold, target)
            snakemake(work, "--touch", str(target.relative_to(work)))
        else:
            snakemake(work, str(target.relative_to(work)))
        import yaml
        config = yaml.safe_load((work / "config/smoke.yaml").read_text())["validation"]
        out = work / "results/smoke_100x100"
        plan = snakemake(work, "-n", "--quiet", "rules", "--forceall",
                         f"{out.relative_to(work)}/f100_r140_poisson/validation/verdicts.csv")
        start = time.perf_counter()
        snakemake(work, f"{out.relative_to(work)}/f100_r140_poisson/validation/verdicts.csv")
        seconds = time.perf_counter() - start
        log = work / "logs/validation/smoke_100x100/f100_r140_poisson/validate.log"
        jobs = [line for line in plan.stdout.splitlines() if line.startswith("simulate")]
        print(f"validation seeds: {config['seeds']}")
        print(f"backends: {config['backends']} (reference {config['reference']}), "
              f"paired: {config['paired']}")
        print("jobs: " + "; ".join(" ".join(j.split()) for j in jobs))
        print(f"smoke validation wall time (simulate + validate): {seconds:.1f} s")
        verdicts = (out / "f100_r140_poisson/validation/verdicts.csv").read_text().splitlines()
        print(f"verdict lines: {len(verdicts) - 1}; validate log: {log.stat().st_size} bytes")
        print(f"load average: {os.getloadavg()}")
        if args.keep:
            shutil.copytree(out / "f100_r140_poisson/validation", Path(args.keep) / "validation",
                            dirs_exist_ok=True)
            shutil.copytree(work / "logs", Path(args.keep) / "logs", dirs_exist_ok=True)


if __name__ == "__main__":
    main()
