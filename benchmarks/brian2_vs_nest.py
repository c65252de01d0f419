"""Benchmark: NEST vs Brian2 (C++ standalone) vs spinnaker-emulated on the same scaffold and
stimulus, side by side in one run.

For each scaffold: generate the paper stimulus (f_base 1 Hz, f_peak 150 Hz, radius 140 µm,
seed 1), then run ``spinncer simulate`` on NEST (this environment), on Brian2 (the brian2
environment) twice, first with an empty build cache (compile) and then a second stimulus seed
(the compiled project reused), and on the emulated SpiNNaker core twice likewise (an empty
library cache, then seed 2; granule cells at the study's 3 sub-steps, one thread as the
workflow runs it), each in its own process. Prints per run the phases (build, connect,
compile, simulate; "binary" = the compiled program alone, "core" = the emulated core alone),
the Python process's and the process tree's peak RSS, the ratios, and the mean rate per
population (whole run, and stimulus window).
Goals: issue 12, 400 x 400 µm, 1000 ms: Brian2 simulate <= 12 s on 2 cores, compile <= 60 s
and paid once per scaffold; issue 27: the emulated core's simulate <= 2 x Brian2's.

    python benchmarks/brian2_vs_nest.py SCAFFOLD... --threads 2 \
        --brian2-python resources/envs/brian2/bin/python
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

#: Peak RSS (KiB) of the largest process of a command's process tree (Linux folds each reaped
#: child's peak into its parent's RUSAGE_CHILDREN).
TREE_RSS = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]).returncode; "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r)")


#: Backend options of the emulated runs: the study's granule sub-steps, as the workflow runs it.
EMULATED_OPTIONS = json.dumps({"n_steps": {"granule": 3}})


def simulate(python, scaffold, stimulus, out, threads, simtime, env=None):
    backend = out.parent.name.split("-")[0].replace("emulated", "spinnaker-emulated")
    options = ["--backend-options-json", EMULATED_OPTIONS] if "emulated" in backend else []
    command = [sys.executable, "-c", TREE_RSS, str(python), "-m", "spinncer", "simulate",
               "--backend", backend, *options,
               "--scaffold", str(scaffold), "--stimulus", str(stimulus), "--threads",
               str(1 if "emulated" in backend else threads), "--simtime", str(simtime),
               "--no-signals", "-o", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    from spinncer.results import read_run
    run = read_run(out)
    tree_mib = int(done.stdout.strip().splitlines()[-1]) / 1024
    return run, tree_mib


def rates(run, window=None):
    """Mean rate (Hz) per population, over the run or a (start, stop) window in ms."""
    start, stop = window or (0.0, run.simtime)
    return {name: float(np.sum((p.time >= start) & (p.time < stop)) / max(p.n_cells, 1)
                        / ((stop - start) / 1000.0)) for name, p in run.spikes.items()}


def bench_scaffold(scaffold, args, work):
    from spinncer import stimulus
    from spinncer.scaffold import read_scaffold
    positions = read_scaffold(scaffold).positions["glomerulus"]
    stimuli = []
    for seed in (1, 2):
        stim = stimulus.generate(positions, f_base=1.0, f_peak=150.0, stim_radius=140.0,
                                 stim_times=(300.0, 50.0, 650.0), percentage_active_fibers=1.0,
                                 kind="poisson", seed=seed, timestep=0.1)
        stimulus.save(stim, work / f"stimulus{seed}.npz")
        stimuli.append(work / f"stimulus{seed}.npz")
    env = dict(os.environ, SPINNCER_BRIAN2_CACHE=str(work / "builds"),
               SPINNCER_EMULATOR_CACHE=str(work / "emulator"))
    runs = {}
    runs["nest"] = simulate(sys.executable, scaffold, stimuli[0], work / "nest/spikes.h5",
                            args.threads, args.simtime)
    runs["brian2 (compile)"] = simulate(args.brian2_python, scaffold, stimuli[0],
                                        work / "brian2/spikes.h5", args.threads, args.simtime,
                                        env)
    runs["brian2 (cached, seed 2)"] = simulate(args.brian2_python, scaffold, stimuli[1],
                                               work / "brian2-2/spikes.h5", args.threads,
                                               args.simtime, env)
    runs["emulated (compile)"] = simulate(sys.executable, scaffold, stimuli[0],
                                          work / "emulated/spikes.h5", 1, args.simtime, env)
    runs["emulated (cached, seed 2)"] = simulate(sys.executable, scaffold, stimuli[1],
                                                 work / "emulated-2/spikes.h5", 1,
                                                 args.simtime, env)
    nest, _ = runs["nest"]
    print(f"\n## {Path(scaffold).name}: {sum(nest.metadata['n_cells'].values()):,} cells, "
          f"{sum(nest.metadata['n_synapses'].values()):,} synapses, {args.simtime:.0f} ms, "
          f"{args.threads} threads, load {os.getloadavg()[0]:.1f}")
    phases = ("read", "setup", "build", "connect", "compile", "simulate_binary",
              "simulate_core", "simulate", "collect")
    labels = [{"simulate_binary": "binary", "simulate_core": "core"}.get(p, p) for p in phases]
    print(f"{'run (seconds per phase)':26s}" + "".join(f"{p:>10s}" for p in labels)
          + f"{'py RSS':>9s}{'tree RSS':>10s}")
    for label, (run, tree) in runs.items():
        wall = run.metadata["wall_clock_s"]
        print(f"{label:26s}" + "".join(f"{wall[p]:10.2f}" if p in wall else f"{'-':>10s}"
                                       for p in phases)
              + f"{run.metadata['peak_rss_mib']:8.0f}M{tree:9.0f}M")
    b2, tree_b2 = runs["brian2 (cached, seed 2)"]
    first, _ = runs["brian2 (compile)"]
    nest_sim = nest.metadata["wall_clock_s"]["simulate"]
    b2_sim = b2.metadata["wall_clock_s"]["simulate"]
    b2_bin = b2.metadata["wall_clock_s"]["simulate_binary"]
    print(f"simulate NEST / Brian2 (cached project, incl. codegen check): {nest_sim / b2_sim:.1f} x"
          f"; NEST / Brian2 binary only: {nest_sim / b2_bin:.1f} x")
    print(f"compile: first run {first.metadata['wall_clock_s']['compile']:.1f} s, "
          f"cached {b2.metadata['wall_clock_s']['compile']:.1f} s")
    print(f"peak RSS (tree) NEST / Brian2: {runs['nest'][1] / tree_b2:.2f}")
    emu, tree_emu = runs["emulated (cached, seed 2)"]
    emu_sim = emu.metadata["wall_clock_s"]["simulate"]
    print(f"simulate emulated / Brian2 (both cached, seed 2): {emu_sim / b2_sim:.2f} "
          f"(goal <= 2); NEST / emulated: {nest_sim / emu_sim:.1f} x; peak RSS (tree) "
          f"emulated {tree_emu:.0f}M")
    same = {"NEST": nest, "Brian2": first, "emulated": runs["emulated (compile)"][0]}
    whole = {k: rates(r) for k, r in same.items()}
    stim = {k: rates(r, (300.0, 350.0)) for k, r in same.items()}
    print(f"{'population':12s}" + "".join(f"{k + ' Hz':>13s}" for k in same)
          + "".join(f"{'stim ' + k:>14s}" for k in same))
    for name in whole["NEST"]:
        print(f"{name:12s}" + "".join(f"{whole[k][name]:13.2f}" for k in same)
              + "".join(f"{stim[k][name]:14.2f}" for k in same))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scaffolds", nargs="+")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--simtime", type=float, default=1000.0)
    parser.add_argument("--brian2-python", default="resources/envs/brian2/bin/python")
    args = parser.parse_args()
    print(json.dumps({"uname": os.uname().machine, "cpus": os.cpu_count()}))
    for scaffold in args.scaffolds:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as work:
            bench_scaffold(scaffold, args, Path(work))


if __name__ == "__main__":
    main()
