"""Benchmark: the full reproduction (Snakemake, config/config.yaml) on a fresh clone, timed by step.

Clones the repository's HEAD into a fresh directory, runs ``snakemake --cores N`` there (with
the clone's spinncer first on the path) and prints:

- one line per rule: jobs, wall seconds of its jobs (sum and longest), peak RSS of one job
  (Snakemake benchmark files, where the rule has one);
- the total wall time and the peak RSS of the whole job tree at once (sampled every 0.5 s);
- the goals of issue 17: full reproduction <= 600 s on 2 cores, mapping <= 90 s per ordering,
  peak RSS < 8 GiB.

`--scaffold FILE` gives an already built scaffold (e.g. a copy of the BSB output) so that the
run converts it (``scaffold.source: file``) instead of building it with BSB; add the BSB
build's own time (``logs/benchmark/scaffold/``, benchmarks/README.md) to compare with a
fresh-clone wall time.

    python benchmarks/full_reproduction.py --workdir /tmp/fullrep \\
        --scaffold resources/scaffolds/casali2019_400x400.hdf5

`--readme` times the README's first command instead, literally, on the fresh clone: each of its
`&&` steps (make the venv, pip install, the smoke workflow) on its own clock (issue 24: at most
6 min on 2 cores, install included), then the same per-rule table and critical path.
"""
import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOALS = {"total_s": 600.0, "mapping_s": 90.0, "peak_rss_gib": 8.0}


class TreeRss:
    """Peak summed RSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid, interval=0.5):
        import psutil
        self.root, self.interval, self.peak = psutil.Process(pid), interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        import psutil
        while not self._stop.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.peak


_STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
_RULE = re.compile(r"^(?:local)?(?:rule|checkpoint) (\S+):$")
_FIELD = re.compile(r"^\s+(input|output|jobid|threads): (.*)$")
_DONE = re.compile(r"^Finished jobid: (\d+) \(Rule: (\S+)\)$")


def job_table(log_text):
    """{jobid: dict(rule, start, end, threads, inputs, outputs)} of the finished jobs, from
    Snakemake's log: the stamps before each job's start and finish lines (1 s resolution) and
    the job's input, output and threads lines."""
    stamp, job, started, done = None, None, {}, {}
    for line in log_text.splitlines():
        if m := _STAMP.match(line):
            stamp = time.mktime(time.strptime(m.group(1), "%a %b %d %H:%M:%S %Y"))
        elif m := _RULE.match(line):
            job = {"rule": m.group(1), "start": stamp, "threads": 1, "input": [], "output": []}
        elif (m := _FIELD.match(line)) and job is not None:
            key, value = m.groups()
            if key == "jobid":
                started[int(value)] = job
            elif key == "threads":
                job["threads"] = int(value)
            else:
                job[key] = value.split(", ")
        elif m := _DONE.match(line):
            jobid = int(m.group(1))
            if jobid in started:
                done[jobid] = dict(started[jobid], end=stamp)
        elif not line.strip():
            job = None  # the end of a job's block
    return done


def job_spans(log_text):
    """{jobid: (rule, start, end)} (epoch s) of the finished jobs (:func:`job_table`)."""
    return {j: (t["rule"], t["start"], t["end"]) for j, t in job_table(log_text).items()}


def critical_path(jobs):
    """The chain of jobs that set the wall time: from the job that finished last, back through
    the predecessor (a job making one of its inputs) that finished last, to a job with none."""
    made_by = {path: jobid for jobid, job in jobs.items() for path in job["output"]}
    chain = [max(jobs, key=lambda j: (jobs[j]["end"], jobs[j]["rule"] == "all"))]
    while True:
        before = {made_by[p] for p in jobs[chain[-1]]["input"] if p in made_by}
        if not before:
            return chain[::-1]
        chain.append(max(before, key=lambda j: jobs[j]["end"]))


def idle_core_seconds(jobs, cores, start, end):
    """cores x wall minus the core-seconds the jobs held (their threads x their span)."""
    held = sum(job["threads"] * (job["end"] - job["start"]) for job in jobs.values())
    return cores * (end - start) - held


def overlaps(spans, rule):
    """For every job of `rule`: the other jobs running at the same time (seconds shared)."""
    out = []
    for jobid, (name, start, end) in sorted(spans.items()):
        if name != rule:
            continue
        beside = {}
        for other, (oname, ostart, oend) in spans.items():
            shared = min(end, oend) - max(start, ostart)
            if other != jobid and shared > 1 and oname != "all":
                beside[oname] = beside.get(oname, 0) + shared
        out.append((jobid, end - start, beside))
    return out


def benchmark_files(workdir):
    """{rule-ish path stem: (s, max_rss MiB)} of Snakemake's benchmark TSVs."""
    out = {}
    for path in sorted(Path(workdir, "logs", "benchmark").rglob("*.tsv")):
        with open(path) as fh:
            row = next(csv.DictReader(fh, delimiter="\t"))
        rss = row.get("max_rss", "NA")
        out[str(path.relative_to(Path(workdir, "logs", "benchmark")))] = (
            float(row["s"]), float(rss) if rss not in ("NA", "-") else float("nan"))
    return out


def report_critical_path(jobs, cores, total):
    """Print the critical path, the idle core-seconds and issue 24's ratio: wall against the
    BSB build plus one NEST simulate job of the same run (goal <= 1.25)."""
    if not jobs:
        return
    first = min(job["start"] for job in jobs.values())
    last = max(job["end"] for job in jobs.values())
    print("critical path (rule, start s, span s):")
    for jobid in critical_path(jobs):
        job = jobs[jobid]
        print(f"  {job['rule']:28s} {job['start'] - first:6.0f} {job['end'] - job['start']:6.0f}")
    print(f"idle core-seconds: {idle_core_seconds(jobs, cores, first, last):.0f} of "
          f"{cores * (last - first):.0f} ({cores} cores x {last - first:.0f} s of jobs)")
    build = [j["end"] - j["start"] for j in jobs.values() if j["rule"] == "scaffold_build"]
    nest = [j["end"] - j["start"] for j in jobs.values() if j["rule"] == "simulate"
            and any("/nest/" in p for p in j["output"])]
    if build and nest:
        base = build[0] + max(nest)
        print(f"wall / (BSB build {build[0]:.0f} s + NEST simulate {max(nest):.0f} s) = "
              f"{total:.0f} / {base:.0f} = {total / base:.2f} (goal <= 1.25)")


def readme_first_command(args):
    """Clone, then run the README's first command step by step (its `&&` parts), each timed."""
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="spinncer-readme-"))
    if workdir.exists() and any(workdir.iterdir()):
        sys.exit(f"spinncer: error: --workdir: expected a new or empty directory, found {workdir}")
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(workdir)], check=True)
    readme = (workdir / "README.md").read_text()
    line = next(text for text in readme.splitlines() if text.startswith("python3 -m venv .venv"))
    log_path = workdir / "readme_first_command.log"
    times, start = [], time.perf_counter()
    with open(log_path, "w") as log:
        for step in line.split(" && "):
            t0 = time.perf_counter()
            proc = subprocess.Popen(["bash", "-c", step], cwd=workdir, stdout=log,
                                    stderr=subprocess.STDOUT)
            rss = TreeRss(proc.pid)
            code = proc.wait()
            times.append((step, time.perf_counter() - t0, rss.stop()))
            if code != 0:
                sys.exit(f"README step failed (exit {code}): {step}; see {log_path}")
    total = time.perf_counter() - start
    print(f"README first command on a fresh clone: {line}")
    for step, seconds, peak in times:
        print(f"  {seconds:7.1f} s  peak {peak / 2 ** 30:5.2f} GiB  {step}")
    print(f"total: {total:.0f} s (goal <= 360 s)")
    jobs = job_table(log_path.read_text())
    report_rules(jobs)
    report_critical_path(jobs, args.cores, times[-1][1])
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


def report_rules(jobs):
    by_rule = defaultdict(list)
    for job in jobs.values():
        by_rule[job["rule"]].append(job["end"] - job["start"])
    print(f"{'rule':28s} {'jobs':>4s} {'sum s':>8s} {'max s':>8s}")
    for rule, values in sorted(by_rule.items(), key=lambda kv: -sum(kv[1])):
        print(f"{rule:28s} {len(values):4d} {sum(values):8.0f} {max(values):8.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", help="fresh directory for the clone (default: temporary, "
                        "removed afterwards)")
    parser.add_argument("--scaffold", help="an already built scaffold to convert instead of "
                        "building it with BSB")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--configfile", default="config/config.yaml")
    parser.add_argument("--threads", type=int, help="simulation.threads instead of the "
                        "config file's (to compare schedules in one session)")
    parser.add_argument("--keep", action="store_true", help="keep --workdir afterwards")
    parser.add_argument("--readme", action="store_true",
                        help="time the README's first command (install + smoke workflow)")
    args = parser.parse_args()
    if args.readme:
        return readme_first_command(args)

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="spinncer-fullrep-"))
    if workdir.exists() and any(workdir.iterdir()):
        sys.exit(f"spinncer: error: --workdir: expected a new or empty directory, found {workdir}")
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(workdir)], check=True)
    command = [sys.executable, "-m", "snakemake", "--cores", str(args.cores),
               "--configfile", args.configfile]
    overrides = {}
    if args.scaffold:
        overrides["scaffold"] = {"source": "file", "file": str(Path(args.scaffold).resolve())}
    if args.threads:
        overrides["simulation"] = {"threads": args.threads}
    if overrides:  # a second config file: Snakemake merges it into the first, key by key
        extra = workdir / "full_reproduction_overrides.json"
        extra.write_text(json.dumps(overrides))
        command.append(str(extra))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(workdir)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    log_path = workdir / "full_reproduction.log"
    start = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, cwd=workdir, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        rss = TreeRss(proc.pid)
        code = proc.wait()
        peak = rss.stop()
    total = time.perf_counter() - start
    if code != 0:
        sys.exit(f"snakemake failed (exit {code}); see {log_path}")

    jobs = job_table(log_path.read_text())
    spans = job_spans(log_path.read_text())
    print(f"full reproduction ({args.configfile}, --cores {args.cores}, "
          f"{'simulation.threads ' + str(args.threads) + ', ' if args.threads else ''}"
          f"scaffold {'converted from ' + args.scaffold if args.scaffold else 'built by BSB'})")
    report_rules(jobs)
    print("benchmark files (s, max RSS MiB):")
    mapping = []
    for name, (seconds, rss_mib) in benchmark_files(workdir).items():
        print(f"  {name:60s} {seconds:8.1f} {rss_mib:8.0f}")
        if name.startswith("mapping/"):
            mapping.append(seconds)
    for jobid, wall, beside in overlaps(spans, "simulate"):
        shared = ", ".join(f"{k} {v:.0f} s" for k, v in sorted(beside.items())) or "nothing"
        print(f"simulate job {jobid} ({wall:.0f} s) ran beside: {shared}")
    print(f"total wall: {total:.0f} s (goal <= {GOALS['total_s']:.0f} s with the BSB build)")
    report_critical_path(jobs, args.cores, total)
    if mapping:
        print(f"mapping per ordering: max {max(mapping):.1f} s "
              f"(goal <= {GOALS['mapping_s']:.0f} s)")
    print(f"peak RSS of the job tree: {peak / 2 ** 30:.2f} GiB "
          f"(goal < {GOALS['peak_rss_gib']:.0f} GiB)")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
