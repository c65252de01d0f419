"""The cluster path for real: the whole smoke study through snakemake-executor-plugin-slurm on
the one-node SLURM cluster of .ci/slurm-up (.ci/run starts it), against the same study run
locally (conftest.smoke_study, the README's first command, which tests/test_workflow.py reads
too), and the faults of a cluster: a job cancelled, the head process killed, a job over its
memory request. Skipped, with the reason, only when no cluster answers.

Cost: the smoke study once more, every job a SLURM job (both side environments made on the
node, the BSB build, stimuli, NEST, Brian2 and emulated runs, mappings, analyses, validation);
the fault tests rerun single runs of one point."""
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import copy_workflow

from spinncer.cluster import slurm_jobs as sacct_jobs
from spinncer.results import read_run

REPO = Path(__file__).resolve().parents[1]
SLURM_CONF = os.environ.get("SLURM_CONF", "/tmp/spinncer-slurm/slurm.conf")
PROFILE = "workflow/profiles/slurm-local"
POINT = "results/smoke_100x100/f150_r140_poisson/seed1"
BACKENDS = ("nest", "brian2")
TARGETS = [f"{POINT}/{backend}/stats.csv" for backend in BACKENDS]
# what a run of one backend writes, from the simulation on
RUN_FILES = ("spikes.h5", "cell_rates.csv", "windows.csv", "stats.csv", "responses.csv")

ENV = dict(os.environ, SLURM_CONF=SLURM_CONF)


def _cluster_problem():
    """Why the cluster cannot be used, or None."""
    if not Path(SLURM_CONF).is_file():
        return f"no SLURM cluster: {SLURM_CONF} not found (start one with .ci/slurm-up)"
    for command in (["sinfo", "-h", "-o", "%t"], ["sacct", "-n", "-X", "-S", "now"]):
        try:
            done = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"no SLURM cluster: {command[0]}: {err}"
        if done.returncode != 0:
            return f"no SLURM cluster: {command[0]}: {done.stderr.strip()}"
    return None


pytestmark = [pytest.mark.workflow,
              pytest.mark.skipif(bool(_cluster_problem()), reason=str(_cluster_problem()))]


def snakemake(workdir, *targets, cluster=True, flags=(), check=True, timeout=1800):
    where = ["--profile", PROFILE] if cluster else ["--cores", "2"]
    command = [sys.executable, "-m", "snakemake", *targets, *where,
               "--configfile", "config/smoke.yaml", *flags]
    done = subprocess.run(command, cwd=workdir, env=ENV, capture_output=True, text=True,
                          timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"{command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    return done


def start_snakemake(workdir, *targets, output):
    """The head process in the background (its own session), its console to `output`."""
    command = [sys.executable, "-m", "snakemake", *targets, "--profile", PROFILE,
               "--configfile", "config/smoke.yaml"]
    return subprocess.Popen(command, cwd=workdir, env=ENV, stdout=output,
                            stderr=subprocess.STDOUT, start_new_session=True)


def planned_jobs(workdir, *targets):
    """{rule: count} a local dry run would execute."""
    done = snakemake(workdir, *targets, cluster=False, flags=("-n", "--quiet", "rules"))
    jobs = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            jobs[parts[0]] = int(parts[1])
    return jobs


def now():
    return datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


def slurm_jobs(workdir, since):
    return sacct_jobs(workdir, since, env=ENV)


def queued(workdir):
    """[(id, rule, state)] of this workdir's jobs still pending or running, from squeue (sacct
    has a job's comment, where the plugin names its rule, only once the job has ended)."""
    done = subprocess.run(["squeue", "-h", "-o", "%i|%k|%T|%Z"], env=ENV, capture_output=True,
                          text=True, check=True)
    jobs = [line.split("|") for line in done.stdout.splitlines()]
    return [(job, comment.removeprefix("rule_").partition("_wildcards_")[0], state)
            for job, comment, state, where in jobs if Path(where) == Path(workdir)]


def wait_until(condition, what, timeout=900, process=None):
    start = time.time()
    while time.time() - start < timeout:
        found = condition()
        if found:
            return found
        if process is not None:
            assert process.poll() is None, f"snakemake ended before {what}"
        time.sleep(1)
    raise AssertionError(f"{what}: not seen in {timeout} s")


def remove_runs(workdir, backends):
    for backend in backends:
        for name in RUN_FILES:
            (workdir / POINT / backend / name).unlink(missing_ok=True)


def assert_same_spikes(ours, theirs):
    ours, theirs = read_run(ours).spikes, read_run(theirs).spikes
    assert ours.keys() == theirs.keys()
    for pop in ours:
        np.testing.assert_array_equal(ours[pop].cell, theirs[pop].cell)
        np.testing.assert_array_equal(ours[pop].time, theirs[pop].time)


def assert_same_runs(point, reference, backends=BACKENDS):
    """Spike trains and statistics of the run folder `point` identical to the reference's."""
    for backend in backends:
        assert_same_spikes(point / backend / "spikes.h5", reference / backend / "spikes.h5")
        assert (point / backend / "stats.csv").read_bytes() == \
            (reference / backend / "stats.csv").read_bytes(), backend
    assert not list(point.rglob(".*.part*")), "a half-written output is left"


@pytest.fixture(scope="module")
def study(tmp_path_factory, smoke_study):
    """The whole smoke study through SLURM in a fresh project; `local` is the same study run
    with --cores 2 (conftest.smoke_study)."""
    work = copy_workflow(tmp_path_factory.mktemp("cluster"))
    # every job but the local target rule `all`, which the head runs itself
    planned = {rule: n for rule, n in planned_jobs(work).items() if rule != "all"}
    since = now()
    start = time.time()
    slurm_run = snakemake(work)
    wall = time.time() - start
    jobs = slurm_jobs(work, since)
    return dict(work=work, local=smoke_study, planned=planned, jobs=jobs, wall=wall,
                console=slurm_run.stdout + slurm_run.stderr)


def test_every_job_ran_as_a_slurm_job_and_outputs_equal_the_local_run(study):
    jobs = study["jobs"]
    assert Counter(job["rule"] for job in jobs) == Counter(study["planned"]), jobs
    assert {job["state"] for job in jobs} == {"COMPLETED"}, jobs
    # the side environments were made once, by cluster jobs
    assert study["planned"]["env_bsb"] == study["planned"]["env_brian2"] == 1
    # the profile's resources reached sbatch
    simulate = [job for job in jobs if job["rule"] == "simulate"]
    assert {(job["req_mem"], job["cpus"]) for job in simulate} == {("1500M", "1")}
    # every run's spikes and every table equal the local study's
    work, local = study["work"], study["local"]
    runs = sorted(p.relative_to(work) for p in (work / "results").rglob("spikes.h5"))
    assert len(runs) == sum(1 for _ in (local / "results").rglob("spikes.h5")) >= 30
    for path in runs:
        assert_same_spikes(work / path, local / path)
    tables = sorted(p.relative_to(work) for p in (work / "results").rglob("*.csv"))
    assert len(tables) >= 90
    differ = [str(p) for p in tables if (work / p).read_bytes() != (local / p).read_bytes()]
    assert not differ, differ
    assert not list((work / "results").rglob(".*.part*")), "a half-written output is left"
    print(f"smoke study through SLURM: {len(jobs)} jobs, {study['wall']:.0f} s wall")


def test_scancel_of_a_running_simulate_is_retried_and_the_study_completes(study):
    work = study["work"]
    remove_runs(work, ["nest"])
    since = now()
    with open(work / "scancel.out", "w") as output:
        head = start_snakemake(work, TARGETS[0], output=output)
        running = wait_until(
            lambda: [job for job, rule, state in queued(work)
                     if rule == "simulate" and state == "RUNNING"],
            "a running simulate job", process=head)
        subprocess.run(["scancel", running[0]], env=ENV, check=True)
        head.wait(timeout=1200)
    console = (work / "scancel.out").read_text()
    assert head.returncode == 0, console[-5000:]
    states = Counter(job["state"] for job in slurm_jobs(work, since)
                     if job["rule"] == "simulate")
    assert states == {"CANCELLED": 1, "COMPLETED": 1}, states
    assert_same_runs(work / POINT, study["local"] / POINT, backends=["nest"])


def test_head_killed_mid_study_then_restarted_recomputes_nothing_done(study):
    work = study["work"]
    remove_runs(work, BACKENDS)
    since = now()
    with open(work / "head.out", "w") as output:
        head = start_snakemake(work, *TARGETS, output=output)
        # kill the head once it has collected one simulation while the other may still run
        finished = wait_until(
            lambda: re.findall(r"Finished jobid: \d+ \(Rule: simulate\)",
                               (work / "head.out").read_text()),
            "a finished simulate job", process=head)
        os.killpg(head.pid, signal.SIGKILL)
        head.wait(timeout=60)
    assert finished
    before = slurm_jobs(work, since)
    done_before = {job["wildcards"] for job in before
                   if job["rule"] == "simulate" and job["state"] == "COMPLETED"}
    restart = now()
    snakemake(work, flags=("--unlock",), cluster=False)
    snakemake(work, *TARGETS)
    # no job of the first head still writing when the outputs are compared
    wait_until(lambda: not queued(work), "the first head's jobs ending", timeout=600)
    # sacct -S selects by the second: a job of the first head that ended in the restart's
    # second is listed again, so jobs are told apart by id
    first_ids = {job["id"] for job in before}
    after = slurm_jobs(work, restart)
    rerun = {job["wildcards"] for job in after
             if job["rule"] == "simulate" and job["id"] not in first_ids}
    assert done_before and not done_before & rerun, (done_before, rerun)
    assert planned_jobs(work, *TARGETS) == {}
    assert_same_runs(work / POINT, study["local"] / POINT)


def test_job_over_its_memory_request_names_the_rule_and_the_resource(study):
    work = study["work"]
    remove_runs(work, ["nest"])
    done = snakemake(work, TARGETS[0], check=False,
                     flags=("--set-resources", "simulate:mem_mb=100"))
    assert done.returncode != 0
    lines = [line for line in (done.stdout + done.stderr).splitlines()
             if line.startswith("spinncer: error:")]
    assert len(lines) == 1, lines
    assert "rule simulate" in lines[0] and "mem_mb" in lines[0], lines[0]
    assert "--set-resources simulate:mem_mb=" in lines[0]
    assert not (work / POINT / "nest/spikes.h5").exists()
    assert not list((work / POINT).rglob(".*.part*"))
