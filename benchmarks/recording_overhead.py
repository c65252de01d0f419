"""Benchmark: cost of recording v / gsyn_exc / gsyn_inh for the study's sample
(:func:`spinncer.recording.signal_sample`) at 400 x 400 µm on NEST.

Runs the same 1000 ms simulation twice in fresh processes, without and with the signal
sample, and prints per run the simulate and collect phases, the run-file size and the peak
RSS, and the overhead. Run under the global lock:

    flock /work/heavy.lock python benchmarks/recording_overhead.py \
        /work/cache/casali2019_400x400.hdf5 --threads 2
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def one_run(scaffold_path, threads, record, workdir):
    from spinncer import params as P
    from spinncer import stimulus
    from spinncer.scaffold import read_scaffold
    from spinncer.simulate import run_simulation
    workdir = Path(workdir)
    if not (workdir / "stimulus.npz").is_file():  # the paper protocol, defaults of params.py
        glomeruli = read_scaffold(scaffold_path).positions["glomerulus"]
        stimulus.save(stimulus.generate(
            glomeruli, f_base=P.DEFAULT_F_BASE, f_peak=P.DEFAULT_F_PEAK,
            stim_radius=P.DEFAULT_STIM_RADIUS, stim_times=P.DEFAULT_STIM_TIMES,
            percentage_active_fibers=P.DEFAULT_PERCENTAGE_ACTIVE_FIBERS, kind="poisson", seed=1,
            timestep=P.DEFAULT_TIMESTEP), workdir / "stimulus.npz")
    out = workdir / f"run_{int(record)}.h5"
    result = run_simulation(scaffold_path, workdir / "stimulus.npz", out,
                            simtime=sum(P.DEFAULT_STIM_TIMES), threads=threads, seed=1,
                            record_signals=record)
    meta = result.metadata
    print(json.dumps({"record": record, "phases": meta["wall_clock_s"],
                      "peak_rss_mib": meta["peak_rss_mib"], "file_mib": out.stat().st_size / 2**20,
                      "signal_cells": sum(len(s.cells) for s in result.signals.values())}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scaffold")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", choices=("0", "1"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        one_run(args.scaffold, args.threads, args.child == "1", args.workdir)
        return
    rows = {}
    with tempfile.TemporaryDirectory(prefix="recording_overhead_") as tmp:
        for record in ("0", "1"):
            done = subprocess.run([sys.executable, __file__, args.scaffold, "--threads",
                                   str(args.threads), "--child", record, "--workdir", tmp],
                                  capture_output=True, text=True, check=True)
            rows[record] = json.loads(done.stdout.strip().splitlines()[-1])
    for key, row in rows.items():
        p = row["phases"]
        print(f"{'with' if key == '1' else 'without'} signals: simulate {p['simulate']:.2f} s, "
              f"collect {p['collect']:.2f} s, build {p['build']:.2f} s, "
              f"file {row['file_mib']:.1f} MiB, peak RSS {row['peak_rss_mib']:.0f} MiB, "
              f"signal cells {row['signal_cells']}")
    a, b = rows["0"]["phases"], rows["1"]["phases"]
    total = lambda p: p["build"] + p["simulate"] + p["collect"]  # noqa: E731
    print(f"overhead: simulate {b['simulate'] / a['simulate'] - 1:+.1%}, "
          f"build+simulate+collect {total(b) / total(a) - 1:+.1%}")
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
