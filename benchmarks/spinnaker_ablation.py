"""Benchmark: which SpiNNaker effect moves what. Each effect of the spinnaker-emulated backend
switched on alone, at the paper point, against the seed envelope of a reference.

Rows (spinncer/backends/spinnaker_emulated.py, ``EFFECTS``):

- ``baseline``: the SpiNNaker algorithm (closed-form LIF step with the synaptic current frozen
  over the step, the synaptic ``init`` scaling) in double precision, with exact weights and
  constants, NEST's spike timing and refractory count, no saturation, and the study's granule
  sub-steps (3 per tick; without them the algorithm is unstable, see ``no sub-steps``). Its
  distance to the reference is the algorithm's own.
- one row per effect switched on alone on top of the baseline (``state`` needs the 16-bit
  weights, so its row has both and is read against the ``weights`` row);
- ``no sub-steps``: the baseline with one step per tick everywhere (sPyNNaker's default): the
  closed-form step is stable only while R g (1 - exp(-ts / tau_m)) < 2 - (1 - exp(-ts/tau_m)),
  which a granule cell (R = 667 MOhm) leaves above ~60 nS of total conductance: Golgi
  inhibition reaches that after the stimulus;
- ``spinnaker``: every effect with the study's granule sub-steps (the workflow's
  spinnaker-emulated); ``spinnaker, no sub-steps``: sPyNNaker 7.4.1 with its defaults;
- ``spinncer-2021``: the study's modified build (weight scale 2**5, granule 3 sub-steps).

For each row and seed the whole network is simulated (the scaffold read once, the stimulus of
the paper protocol per seed) and reported: the mean rate per population (whole run and
stimulus window) and its shift against the baseline, and the validation against the reference's
seed envelope (spinncer.validation: tests outside, populations outside). The reference is NEST
or, for many seeds at 400 x 400 µm, Brian2 (which agrees with NEST to 1e-5 mV per cell and is
~30x faster); NEST's seed-1 rates are then listed too (one seed: no envelope verdict).

    python benchmarks/spinnaker_ablation.py SCAFFOLD --seeds 10 --reference brian2 \
        --brian2-python resources/envs/brian2/bin/python
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

STIM_TIMES = (300.0, 50.0, 650.0)
#: Granule sub-steps of the study (SpiNNCer --loops_grc default 3).
STUDY_GRANULE_SUBSTEPS = 3
STIM_WINDOW = (300.0, 350.0)


def rows():
    """(label, backend options) of the ablation, baseline first."""
    from spinncer.backends.spinnaker_emulated import EFFECTS
    substeps = {"granule": STUDY_GRANULE_SUBSTEPS}
    table = [("baseline", {"effects": ["substeps"], "n_steps": substeps})]
    for effect in EFFECTS:
        if effect == "substeps":
            continue
        extra = ["weights", effect] if effect == "state" else [effect]
        table.append((effect, {"effects": ["substeps", *extra], "n_steps": substeps}))
    table.append(("no sub-steps", {"effects": []}))
    table.append(("spinnaker", {"n_steps": substeps}))
    table.append(("spinnaker, no sub-steps", {}))
    table.append(("spinncer-2021", {"variant": "spinncer-2021"}))
    return table


def stimulus_for(scaffold, seed, work):
    from spinncer import stimulus
    stim = stimulus.generate(scaffold.positions["glomerulus"], f_base=1.0, f_peak=150.0,
                             stim_radius=140.0, stim_times=STIM_TIMES,
                             percentage_active_fibers=1.0, kind="poisson", seed=seed,
                             timestep=0.1)
    path = work / f"stimulus{seed}.npz"
    stimulus.save(stim, path)
    return stim, path


def emulated_run(scaffold, stim, seed, options, simtime):
    """A RunResult of the emulated backend, in this process (the scaffold already read)."""
    from spinncer.backends import open_session
    from spinncer.results import RunResult
    session = open_session("spinnaker-emulated", timestep=0.1, seed=seed, options=options)
    start = time.perf_counter()
    session.build(scaffold, stim)
    session.connect(scaffold)
    session.run(simtime)
    seconds = time.perf_counter() - start
    return RunResult(session.spikes(), "spinnaker-emulated", 0.1, simtime, seed,
                     {"wall_clock_s": session.extra_seconds}, {}), seconds


def simulate_file(python, backend, scaffold_path, stim_path, out, threads, simtime, env=None):
    from spinncer.results import read_run
    command = [str(python), "-m", "spinncer", "simulate", "--backend", backend, "--scaffold",
               str(scaffold_path), "--stimulus", str(stim_path), "--threads", str(threads),
               "--simtime", str(simtime), "--no-signals", "-o", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return read_run(out)


def mean_rates(run, window=None):
    start, stop = window or (0.0, run.simtime)
    return {pop: np.sum((p.time >= start) & (p.time < stop)) / max(p.n_cells, 1)
            / ((stop - start) / 1000.0) for pop, p in run.spikes.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scaffold")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--reference", choices=("nest", "brian2"), default="brian2")
    parser.add_argument("--brian2-python", default="resources/envs/brian2/bin/python")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--simtime", type=float, default=1000.0)
    parser.add_argument("--csv", help="write the table here too")
    parser.add_argument("--no-nest", action="store_true",
                        help="with a brian2 reference: do not add NEST's seed-1 rates")
    args = parser.parse_args()
    from spinncer.analysis.stats import population_windows
    from spinncer.scaffold import read_scaffold
    from spinncer.validation import validate

    t0 = time.perf_counter()
    load0 = os.getloadavg()[0]
    scaffold = read_scaffold(args.scaffold)
    seeds = list(range(1, args.seeds + 1))
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        work = Path(tmp)
        stimuli = {seed: stimulus_for(scaffold, seed, work) for seed in seeds}
        env = dict(os.environ, SPINNCER_BRIAN2_CACHE=str(work / "builds"))
        python = args.brian2_python if args.reference == "brian2" else sys.executable
        reference = {seed: simulate_file(python, args.reference, args.scaffold,
                                         stimuli[seed][1], work / f"ref{seed}.h5",
                                         args.threads, args.simtime, env) for seed in seeds}
        runs = {"reference": reference}
        if args.reference == "brian2" and not args.no_nest:
            runs["nest (seed 1)"] = {1: simulate_file(sys.executable, "nest", args.scaffold,
                                                      stimuli[1][1], work / "nest1.h5",
                                                      args.threads, args.simtime)}
    seconds = {}
    for label, options in rows():
        runs[label] = {}
        for seed in seeds:
            runs[label][seed], s = emulated_run(scaffold, stimuli[seed][0], seed, options,
                                                args.simtime)
            seconds.setdefault(label, []).append(s)
    windows = population_windows(STIM_TIMES, scaffold.positions)
    judged = {label: by_seed for label, by_seed in runs.items() if len(by_seed) == len(seeds)}
    result = validate(judged, "reference", windows)  # needs as many seeds as the reference
    summary = result.summary.set_index("backend")
    base = {seed: mean_rates(run) for seed, run in runs["baseline"].items()}
    table = []
    for label in runs:
        if label == "reference":
            continue
        whole = pd.DataFrame([mean_rates(r) for r in runs[label].values()]).mean()
        stim = pd.DataFrame([mean_rates(r, STIM_WINDOW) for r in runs[label].values()]).mean()
        shift = pd.DataFrame([{p: (v - base[s][p]) / base[s][p] if base[s][p] else np.nan
                               for p, v in mean_rates(r).items()}
                              for s, r in runs[label].items() if s in base]).mean()
        row = {"row": label}
        for pop in whole.index:
            if pop == "glomerulus":
                continue
            row[f"{pop} Hz"] = round(float(whole[pop]), 2)
            row[f"{pop} stim Hz"] = round(float(stim[pop]), 2)
            row[f"{pop} vs baseline %"] = round(100 * float(shift[pop]), 2)
        if label in summary.index:
            row["outside / scored"] = (f"{summary.loc[label, 'tests_outside']} / "
                                       f"{summary.loc[label, 'tests_scored']}")
            row["populations outside"] = summary.loc[label, "populations_outside"] or "-"
        else:
            row["outside / scored"] = row["populations outside"] = "- (one seed)"
        row["s per run"] = round(float(np.mean(seconds.get(label, [np.nan]))), 1)
        table.append(row)
    frame = pd.DataFrame(table)
    n_cells = sum(p.n_cells for p in runs["baseline"][1].spikes.values())
    print(f"# {Path(args.scaffold).name}: {n_cells:,} cells, {len(seeds)} seeds, reference {args.reference}, {args.simtime:.0f} ms; "
          f"load {load0:.1f} at start, {os.getloadavg()[0]:.1f} at end; "
          f"{time.perf_counter() - t0:.0f} s in all")
    with pd.option_context("display.width", 250, "display.max_columns", 80):
        print(frame.to_string(index=False))
    if args.csv:
        frame.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
