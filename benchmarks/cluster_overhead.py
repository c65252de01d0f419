"""Benchmark: the SLURM executor path against local execution, on the same targets.

Two fresh copies of the workflow in a temporary directory; in each, Snakemake makes one sweep
point of the smoke config (seed 1 of f150_r140_poisson, nest and brian2 up to stats.csv: the
target set of tests/test_cluster.py), once with ``--cores 2`` and once through
``--profile workflow/profiles/slurm-local`` on the cluster of .ci/slurm-up. Two rounds:

1. from scratch: the side environments (BSB, Brian2), the scaffold and the runs (10 jobs);
2. the sweep point alone again, everything it needs already made (7 jobs): the per-point cost
   that a study of many points pays.

Prints per round and path: wall s, CPU s (Snakemake's own process tree plus, for SLURM, the
TotalCPU that sacct reports for its jobs) and the ratios SLURM / local, with the load before
and after. Needs SLURM_CONF (or the default /tmp/spinncer-slurm/slurm.conf) of a running cluster.

    flock /tmp/spinncer-heavy.lock .venv/bin/python benchmarks/cluster_overhead.py
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from spinncer.cluster import slurm_jobs

REPO = Path(__file__).resolve().parents[1]
POINT = "results/smoke_100x100/f150_r140_poisson/seed1"
TARGETS = [f"{POINT}/{backend}/stats.csv" for backend in ("nest", "brian2")]
ENV = dict(os.environ, SLURM_CONF=os.environ.get("SLURM_CONF",
                                                 "/tmp/spinncer-slurm/slurm.conf"))


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(workdir, cluster):
    """(wall s, CPU s, SLURM jobs) of one snakemake run of TARGETS in `workdir`."""
    where = ["--profile", "workflow/profiles/slurm-local"] if cluster else ["--cores", "2"]
    since = datetime.now().strftime("%Y-%m-%dT%H:%M:%S")
    cpu0, wall0 = children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "snakemake", *TARGETS, *where,
                    "--configfile", "config/smoke.yaml"], cwd=workdir, env=ENV, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, cpu = time.perf_counter() - wall0, children_cpu() - cpu0
    jobs = slurm_jobs(workdir, since, env=ENV) if cluster else []
    return wall, cpu + sum(job["cpu_s"] for job in jobs), jobs


def main():
    print("load before:", os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="cluster_overhead_") as tmp:
        dirs = {}
        for name in ("local", "slurm"):
            dirs[name] = Path(tmp) / name
            for item in ("Snakefile", "workflow", "config", "envs"):
                source = REPO / item
                (shutil.copytree if source.is_dir() else shutil.copy)(source,
                                                                      dirs[name] / item)
        for title in ("from scratch (envs, scaffold, one point)", "one sweep point again"):
            if title.startswith("one"):
                for workdir in dirs.values():
                    shutil.rmtree(workdir / POINT)
            figures = {name: run(workdir, name == "slurm") for name, workdir in dirs.items()}
            (lw, lc, _), (sw, sc, jobs) = figures["local"], figures["slurm"]
            job_wall = sum(job["elapsed_s"] for job in jobs)
            print(f"\n{title}: {len(jobs)} SLURM jobs (all "
                  f"{'COMPLETED' if {j['state'] for j in jobs} == {'COMPLETED'} else 'NOT OK'})")
            print(f"  local  wall {lw:7.1f} s   CPU {lc:7.1f} s")
            print(f"  SLURM  wall {sw:7.1f} s   CPU {sc:7.1f} s   (jobs' elapsed sum "
                  f"{job_wall:.1f} s)")
            print(f"  SLURM / local: wall {sw / lw:.2f} x, CPU {sc / lc:.2f} x; "
                  f"per job +{(sw - lw) / max(len(jobs), 1):.1f} s wall, "
                  f"+{(sc - lc) / max(len(jobs), 1):.1f} s CPU")
    print("\nload after:", os.getloadavg())


if __name__ == "__main__":
    main()
