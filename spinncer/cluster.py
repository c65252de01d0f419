"""Jobs a SLURM cluster killed for their memory, named with the resource to raise.

snakemake-executor-plugin-slurm reports such a job as failed with SLURM's state (OUT_OF_MEMORY
where cgroups enforce memory; FAILED where slurmstepd's sampling (JobAcctGatherParams=
OverMemoryKill) kills it, as on the CI cluster of .ci/slurm-up). What was exceeded is written
in the job's SLURM log. The workflow's `onerror` handler (workflow/rules/common.smk) reads
Snakemake's log and prints one line per such rule.
"""
import re
import subprocess
from pathlib import Path

# An error block of Snakemake's log: "Error in rule NAME:" up to the next blank-free header.
_ERROR_BLOCK = re.compile(r"^Error in rule (\S+):\n((?:[ \t]+.*\n?)*)", re.MULTILINE)
_SLURM_LOG = re.compile(r"(\S*slurm_logs\S*\.log)")
_SLURM_JOB = re.compile(r"external_jobid: (\S+)")
# slurmstepd: "StepId=3.batch exceeded memory limit (225779712 > 41943040), being killed"
_STEPD_OVER = re.compile(r"exceeded memory limit \((\d+) > (\d+)\)")
# what SLURM writes or reports when memory ran out (sampling kill, cgroup OOM killer, state)
MEMORY_MARKERS = ("exceeded memory limit", "oom_kill", "oom-kill", "OUT_OF_MEMORY")


def _megabytes(n_bytes):
    """SLURM's megabytes (MiB), the unit of --mem and so of Snakemake's mem_mb."""
    return int(n_bytes) / 2**20


def memory_failures(snakemake_log):
    """[(rule, SLURM job id, used MB or None, limit MB or None)] of the failed jobs whose SLURM
    state or log says they ran out of memory: the last attempt per rule and SLURM log."""
    found = {}
    for rule, block in _ERROR_BLOCK.findall(snakemake_log):
        logs = _SLURM_LOG.findall(block)
        text = block + "".join(
            Path(p).read_text(errors="replace") for p in logs if Path(p).is_file())
        if not any(marker in text for marker in MEMORY_MARKERS):
            continue
        job = _SLURM_JOB.search(block)
        over = _STEPD_OVER.findall(text)
        used, limit = (map(_megabytes, max(over, key=lambda o: int(o[0])))
                       if over else (None, None))
        found[rule] = (rule, job.group(1) if job else "?", used, limit)
    return list(found.values())


def memory_lines(snakemake_log):
    """One `spinncer: error:` line per rule killed for its memory, naming the resource."""
    lines = []
    for rule, job, used, limit in memory_failures(snakemake_log):
        if used is None:
            detail, suggestion = "", f"{rule}:mem_mb=<more>"
        else:
            detail = f" ({used:.0f} MB used, {limit:.0f} MB requested)"
            # twice the peak seen before the kill, in whole hundreds of MB
            suggestion = f"{rule}:mem_mb={int(-(-2 * used // 100) * 100)}"
        lines.append(
            f"spinncer: error: rule {rule} (SLURM job {job}) ran out of its memory request"
            f"{detail}: raise its mem_mb, e.g. --set-resources {suggestion}, or set-resources"
            f" {rule}: mem_mb in the profile")
    return lines


def _seconds(duration):
    """sacct's [D-][HH:]MM:SS[.sss] as seconds."""
    days, _, clock = duration.rpartition("-")
    seconds = 0.0
    for part in clock.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds + 86400 * int(days or 0)


def slurm_jobs(workdir, since, env=None):
    """[{id, rule, wildcards, state, req_mem, cpus, elapsed_s, cpu_s}] of the SLURM jobs
    submitted from `workdir` since `since` (sacct's -S format), as sacct lists them;
    snakemake-executor-plugin-slurm names the rule and its wildcards in the job's comment."""
    fields = "JobIDRaw,Comment%300,State,ReqMem,ReqCPUS,ElapsedRaw,TotalCPU,WorkDir%400"
    # without -X: only then is a job's TotalCPU the sum over its steps
    done = subprocess.run(["sacct", "-P", "-n", "-S", since, "-E", "now", "-o", fields],
                          env=env, capture_output=True, text=True, check=True)
    jobs = []
    for line in done.stdout.splitlines():
        job, comment, state, mem, cpus, elapsed, cpu, where = line.split("|")
        if "." in job or Path(where).resolve() != Path(workdir).resolve():
            continue  # a step, or another directory's job
        rule, _, wildcards = comment.removeprefix("rule_").partition("_wildcards_")
        jobs.append(dict(id=job, rule=rule, wildcards=wildcards, state=state.split()[0],
                         req_mem=mem, cpus=cpus, elapsed_s=float(elapsed or 0),
                         cpu_s=_seconds(cpu) if cpu else 0.0))
    return jobs
