"""Benchmark: the SLURM executor path against local execution, on the same targets.

In a fresh copy of the workflow, Snakemake first makes what a sweep point needs (side
environments, scaffold; untimed). Then it makes one sweep point of the smoke config (seed 1 of
f150_r140_poisson, nest and brian2 up to stats.csv: the targets of tests/test_cluster.py, 7
jobs) alternately with ``--cores 2`` and through ``--profile workflow/profiles/slurm-local`` on
the cluster of .ci/slurm-up, removing the point between runs: local, SLURM, local, SLURM. This
is the per-point cost that a study of many points pays on a cluster.

Prints per run: wall s, CPU s (Snakemake's own process tree; for SLURM plus the TotalCPU sacct
reports for its jobs), then the ratios SLURM / local of the means and the overhead per job,
with the load before and after. Needs SLURM_CONF (default /tmp/spinncer-slurm/slurm.conf) of
a running cluster.

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
BACKENDS = ("nest", "brian2")
TARGETS = [f"{POINT}/{backend}/stats.csv" for backend in BACKENDS]
ENV = dict(os.environ, SLURM_CONF=os.environ.get("SLURM_CONF",
                                                 "/tmp/spinncer-slurm/slurm.conf"))


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def snakemake(workdir, *targets, cluster=False):
    where = ["--profile", "workflow/profiles/slurm-local"] if cluster else ["--cores", "2"]
    subprocess.run([sys.executable, "-m", "snakemake", *targets, *where,
                    "--configfile", "config/smoke.yaml"], cwd=workdir, env=ENV, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed_point(workdir, cluster):
    """(wall s, CPU s, SLURM jobs) of making the point from its stimulus on."""
    shutil.rmtree(workdir / POINT, ignore_errors=True)
    since = datetime.now().strftime("%Y-%m-%dT%H:%M:%S")
    cpu0, wall0 = children_cpu(), time.perf_counter()
    snakemake(workdir, *TARGETS, cluster=cluster)
    wall, cpu = time.perf_counter() - wall0, children_cpu() - cpu0
    jobs = slurm_jobs(workdir, since, env=ENV) if cluster else []
    return wall, cpu + sum(job["cpu_s"] for job in jobs), jobs


def main():
    with tempfile.TemporaryDirectory(prefix="cluster_overhead_") as tmp:
        workdir = Path(tmp)
        for item in ("Snakefile", "workflow", "config", "envs"):
            source = REPO / item
            (shutil.copytree if source.is_dir() else shutil.copy)(source, workdir / item)
        # what the point needs (envs, scaffold, brian2's compiled project), untimed
        snakemake(workdir, *TARGETS)
        print("load before:", os.getloadavg())
        runs = {"local": [], "SLURM": []}
        for cluster in (False, True, False, True):
            name = "SLURM" if cluster else "local"
            wall, cpu, jobs = timed_point(workdir, cluster)
            runs[name].append((wall, cpu))
            states = {job["state"] for job in jobs}
            extra = (f"   {len(jobs)} SLURM jobs {sorted(states)}, their elapsed sum "
                     f"{sum(j['elapsed_s'] for j in jobs):.0f} s" if cluster else "")
            print(f"{name:6s} wall {wall:6.1f} s   CPU {cpu:6.1f} s{extra}", flush=True)
        print("load after:", os.getloadavg())
    (lw, lc), (sw, sc) = ([sum(v) / len(v) for v in zip(*runs[name])]
                          for name in ("local", "SLURM"))
    n_jobs = len(jobs)
    print(f"mean: local wall {lw:.1f} s CPU {lc:.1f} s; SLURM wall {sw:.1f} s CPU {sc:.1f} s")
    print(f"SLURM / local: wall {sw / lw:.2f} x, CPU {sc / lc:.2f} x; per job "
          f"+{(sw - lw) / n_jobs:.1f} s wall, +{(sc - lc) / n_jobs:.1f} s CPU ({n_jobs} jobs)")


if __name__ == "__main__":
    main()
