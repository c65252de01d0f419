"""Benchmark: where NEST's time and memory go in one run of the paper point (issue 24).

The same run (scaffold, stimulus, 1000 ms, N threads) in a fresh process per spike recording:

- ``pynn``: PyNN's recording, one spike_recorder per population joined by ``static_synapse``
  (what the NEST backend did before issue 24; PyNN connects them at its first run, here just
  before it, to time them);
- ``none``: no spike recording at all;
- ``one``: the NEST backend's recording, one spike_recorder for every cell joined by
  ``static_synapse_hom_w_hpc`` (:func:`spinncer.backends.nest.NestSession.record_spikes`).

Per run: build, recorder setup, simulate and collect wall seconds, CPU and off-CPU seconds of
the simulate phase, memory the recorders add, resident memory before the simulation, peak RSS,
spikes and their SHA-256 (``one`` must equal ``pynn``). The NEST 3.10 wheel has no detailed
kernel timers (only ``time_simulate`` of the last ``Simulate`` call, ``time_communicate_prepare``
and the construction times), so with ``perf`` available the simulate phase is sampled
(``perf record -e cpu-clock --call-graph dwarf`` on the process) and each sample is counted for
the innermost NEST, GSL or OpenMP function on its stack: neuron update, spike delivery, spike
register and gathering, recording, spike sources, OpenMP waiting and the rest. Ratios come from
this one invocation. Run it alone on the machine, on both cores:

    python benchmarks/nest_cost.py SCAFFOLD STIMULUS --threads 2
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = ("pynn", "none", "one")

#: perf samples of the simulate phase, by the first pattern (regular expression, searched in
#: "shared object  symbol") that matches; NEST 3.10's functions (nestkernel/, models/).
CATEGORIES = (
    ("spike sources (spike_generator -> parrot_neuron_ps)",
     r"spike_generator|parrot_neuron|SliceRingBuffer"),
    ("neuron update (iaf_cond_exp, GSL)",
     r"iaf_cond_exp::update|iaf_cond_exp_dynamics|libgsl|gsl_|libm[.-]|libm\.so"),
    ("spike delivery (connections -> ring buffers)",
     r"deliver_events|Connector<|::send\(|::send_to_all|iaf_cond_exp::handle|RingBuffer|"
     r"SourceTable|ConnectionManager::"),
    ("recording (spike recorder, device connections)",
     r"spike_recorder|RecordingDevice|RecordingBackend|TargetTableDevices|send_to_device|"
     r"DeviceData|multimeter"),
    ("spike register, gathering and communication",
     r"EventDeliveryManager|MPIManager|communicate|SpikeData|TargetData"),
    ("OpenMP waiting (threads idle at barriers)", r"libgomp"),
    ("NEST, unexported functions (the update loop over nodes, mostly)",
     r"nestkernel_api\S*  \[unknown\]"),
    ("NEST other", r"nestkernel_api|nest::"),
    ("Python, libc, kernel, other", r"."),
)


def rss_mib():
    """Current resident memory of this process (MiB)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def session_class(variant):
    """The NEST session with spike recording `variant` (:data:`VARIANTS`)."""
    from spinncer.backends.nest import NestSession
    from spinncer.backends.pynn import PyNNSession

    class Session(NestSession):
        recorder_seconds = recorder_mib = 0.0

        def record_spikes(self):
            start, rss = time.perf_counter(), rss_mib()
            if variant == "pynn":
                PyNNSession.record_spikes(self)
                for device in self.sim.simulator.state.recording_devices:
                    device.connect_to_cells()  # what PyNN does at the first run, timed here
                    device._connected = True
            elif variant == "one":
                NestSession.record_spikes(self)
            self.recorder_seconds = time.perf_counter() - start
            self.recorder_mib = rss_mib() - rss

        def spikes(self):
            if variant == "pynn":
                return PyNNSession.spikes(self)
            return {} if variant == "none" else NestSession.spikes(self)

    return Session


def start_perf(path, frequency):
    """perf sampling this process's threads with their call stacks (user and kernel
    cpu-clock, stacks unwound from DWARF) into `path`, or None without perf."""
    if not shutil.which("perf"):
        return None
    proc = subprocess.Popen(["perf", "record", "-q", "-F", str(frequency), "-e", "cpu-clock",
                             "--call-graph", "dwarf,8192", "-p", str(os.getpid()),
                             "-o", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # attached
    if proc.poll() is not None:
        print(f"perf unavailable: {proc.stderr.read().strip()[:200]}", file=sys.stderr)
        return None
    return proc


def stop_perf(proc):
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=300)


#: Frames in these shared objects decide a sample's category; samples in libc, libm or the
#: kernel count for the innermost of them on the stack (memcpy for its caller).
DECIDING_OBJECTS = re.compile(r"nestkernel_api|libgsl|libgomp|libpython")


def sample_frames(report):
    """Per sample of `perf script -F ip,sym,dso` output: its frames, innermost first, as
    "shared object  symbol" strings."""
    frames = []
    for line in report.splitlines():
        line = line.strip()
        if not line:
            if frames:
                yield frames
            frames = []
            continue
        match = re.match(r"[0-9a-f]+\s+(.*?)\s+\((.*)\)$", line)
        if match:
            symbol, dso = match.groups()
            frames.append(f"{Path(dso).name}  {symbol}")
    if frames:
        yield frames


def perf_split(path):
    """{category: fraction of the samples} of a perf.data file (:data:`CATEGORIES`, decided by
    the innermost frame in :data:`DECIDING_OBJECTS`, else the innermost frame), the sample
    count and the ten functions deciding most samples."""
    report = subprocess.run(["perf", "script", "-i", str(path), "-F", "ip,sym,dso"],
                            capture_output=True, text=True, check=True).stdout
    patterns = [(name, re.compile(pattern)) for name, pattern in CATEGORIES]
    counts, functions, total = {name: 0 for name, _ in CATEGORIES}, {}, 0
    for frames in sample_frames(report):
        frame = next((f for f in frames if DECIDING_OBJECTS.search(f.split("  ")[0])),
                     frames[0])
        name = re.sub(r"\+0x[0-9a-f]+$", "", frame)
        total += 1
        counts[next(c for c, p in patterns if p.search(name))] += 1
        functions[name] = functions.get(name, 0) + 1
    top = sorted(((n, name[:110]) for name, n in functions.items()), reverse=True)
    return {name: n / max(total, 1) for name, n in counts.items()}, total, top[:12]


def one_run(variant, scaffold_path, stimulus_path, simtime, threads, perf_frequency, workdir):
    """One run in this process; prints its figures as one JSON line."""
    from spinncer import stimulus as stimulus_io
    from spinncer.provenance import peak_rss_mib
    from spinncer.scaffold import read_scaffold

    scaffold = read_scaffold(scaffold_path)
    stimulus = stimulus_io.load(stimulus_path)
    session = session_class(variant)("nest", timestep=0.1, threads=threads, seed=1)
    wall = {}
    start = time.perf_counter()
    session.build(scaffold, stimulus)
    session.connect(scaffold)
    wall["build + connect"] = time.perf_counter() - start - session.recorder_seconds
    wall["recorder setup"] = session.recorder_seconds
    rss_before = rss_mib()
    perf_data = Path(workdir) / f"perf_{variant}.data"
    perf = start_perf(perf_data, perf_frequency) if perf_frequency else None
    cpu = sum(os.times()[:2])
    start = time.perf_counter()
    session.run(simtime)
    wall["simulate"] = time.perf_counter() - start
    cpu = sum(os.times()[:2]) - cpu
    if perf:
        stop_perf(perf)
    start = time.perf_counter()
    spikes = session.spikes()
    wall["collect"] = time.perf_counter() - start
    digest = hashlib.sha256()
    for name in sorted(spikes):
        digest.update(name.encode())
        digest.update(spikes[name].cell.tobytes())
        digest.update(spikes[name].time.tobytes())
    row = {"variant": variant, "wall_s": wall, "simulate_cpu_s": cpu,
           "recorder_mib": session.recorder_mib, "rss_before_simulate_mib": rss_before,
           "rss_after_mib": rss_mib(), "peak_rss_mib": peak_rss_mib(),
           "spikes": sum(len(s) for s in spikes.values()),
           "spikes_sha256": digest.hexdigest() if spikes else None}
    session.end()
    if perf:
        row["perf"] = perf_split(perf_data)
    print(json.dumps(row))


def print_report(rows, threads):
    """The table of the runs, their ratios to PyNN's recording and the perf splits."""
    base = rows.get("pynn")
    print(f"{'variant':8s} {'build+conn s':>12s} {'recorders s':>11s} {'MiB':>6s} "
          f"{'simulate s':>10s} {'CPU s':>7s} {'off-CPU s':>9s} {'collect s':>9s} "
          f"{'RSS before sim':>14s} {'peak RSS':>9s} {'spikes':>8s}  same spikes as pynn")
    for variant, row in rows.items():
        w = row["wall_s"]
        same = "-" if row["spikes_sha256"] is None or base is None else \
            ("yes" if row["spikes_sha256"] == base["spikes_sha256"] else "NO")
        print(f"{variant:8s} {w['build + connect']:12.2f} {w['recorder setup']:11.2f} "
              f"{row['recorder_mib']:6.0f} {w['simulate']:10.2f} {row['simulate_cpu_s']:7.1f} "
              f"{threads * w['simulate'] - row['simulate_cpu_s']:9.1f} {w['collect']:9.2f} "
              f"{row['rss_before_simulate_mib']:10.0f} MiB "
              f"{row['peak_rss_mib']:5.0f} MiB {row['spikes']:8d}  {same}")
    if base:
        for variant, row in rows.items():
            if variant == "pynn":
                continue
            total = lambda r: sum(r["wall_s"].values())  # noqa: E731
            simulate = row["wall_s"]["simulate"] / base["wall_s"]["simulate"]
            print(f"{variant} / pynn: simulate x{simulate:.3f}, "
                  f"all phases x{total(row) / total(base):.3f}, peak RSS "
                  f"{row['peak_rss_mib'] - base['peak_rss_mib']:+.0f} MiB "
                  f"(x{row['peak_rss_mib'] / base['peak_rss_mib']:.2f})")
    for variant, row in rows.items():
        if "perf" not in row:
            continue
        split, samples, top = row["perf"]
        core_s = row["simulate_cpu_s"]
        print(f"\n{variant}: simulate phase, {samples} perf samples over {threads} threads, "
              f"{core_s:.0f} CPU s of {row['wall_s']['simulate']:.0f} s wall")
        for name, fraction in split.items():
            print(f"  {name:48s} {fraction:6.1%}  {fraction * core_s:7.1f} CPU s")
        print("  most sampled functions:")
        for n, name in top:
            print(f"    {n / samples:6.1%}  {name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scaffold")
    parser.add_argument("stimulus")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--simtime", type=float, default=1000.0)
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated, of {VARIANTS}")
    parser.add_argument("--perf-frequency", type=int, default=97,
                        help="perf samples per second and thread of the simulate phase; 0: no perf")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        one_run(args.child, args.scaffold, args.stimulus, args.simtime, args.threads,
                args.perf_frequency, args.workdir)
        return
    variants = [v for v in args.variants.split(",") if v]
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        parser.error(f"--variants: expected some of {VARIANTS}, found {unknown}")
    print(f"start {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, load average "
          f"{os.getloadavg()}")
    rows = {}
    with tempfile.TemporaryDirectory(prefix="nest_cost_") as tmp:
        for variant in variants:
            done = subprocess.run(
                [sys.executable, __file__, args.scaffold, args.stimulus, "--threads",
                 str(args.threads), "--simtime", str(args.simtime), "--perf-frequency",
                 str(args.perf_frequency), "--child", variant, "--workdir", tmp],
                capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"{variant} run failed:\n{done.stderr[-2000:]}")
            rows[variant] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{variant} done at {time.strftime('%H:%M:%S', time.gmtime())} UTC, load "
                  f"average {os.getloadavg()}", flush=True)
    print_report(rows, args.threads)
    print(f"end {time.strftime('%H:%M:%S', time.gmtime())} UTC, load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
