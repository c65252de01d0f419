"""Benchmark: power of the seed envelope against one connection type's weights scaled by a
factor (issue 26; :mod:`spinncer.validation.power`).

Two steps, as Brian2 (numpy < 2) and the validation (pandas, scipy) live in different
environments:

``simulate`` (the brian2 environment's python)
    For every seed: the paper-protocol stimulus of that seed, one run of the scaffold with the
    model weights and one per (connection type, factor), all on one compiled Brian2 project
    (weights and stimulus are run-time data: :meth:`Brian2Session.rerun`, no compile after
    the first). Spikes only, one ``<label>/seed<n>.h5`` per run; prints the cost per run.
    In slices: ``--minutes`` starts no perturbation after that time, and the same command (or
    another ``--connections``/``--factors`` into the same ``--out``) adds to the plan and runs
    only the perturbations not yet written for every seed.
``analyse`` (the project's python)
    Per-cell statistics of every run, the reference's seed envelope over every disjoint seed
    split (or ``--splits`` of them), each perturbation judged as a candidate; writes
    ``power.csv`` (:func:`spinncer.validation.power.measure_power`: per connection type, factor,
    population, window and statistic the fraction of splits in which it is detected; x1.0 of
    every connection type is the reference judged against itself, the false-alarm rate),
    ``population_power.csv``, a markdown table and a figure.

Run on a free core (the smoke scaffold: 10 seeds x 97 runs, about 5 min)::

    resources/envs/brian2/bin/python benchmarks/validation_power.py simulate \\
        --scaffold resources/scaffolds/smoke_100x100.hdf5 --out results/power/smoke
    .venv/bin/python benchmarks/validation_power.py analyse --out results/power/smoke

and at 400 x 400 µm in slices of 9 minutes (repeat the first command until it says every run
is written; about 5 s per run)::

    resources/envs/brian2/bin/python benchmarks/validation_power.py simulate \\
        --scaffold resources/scaffolds/casali2019_400x400.hdf5 --out results/power/full400 \\
        --f-peak 150 --factors 0.8 1.2 --minutes 9
    .venv/bin/python benchmarks/validation_power.py analyse --out results/power/full400
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

#: The weight factors of issue 26.
FACTORS = (0.8, 0.9, 0.95, 1.05, 1.1, 1.2)
#: The protocol of the smoke validation point (config/smoke.yaml: f100_r140_poisson).
STIMULUS = dict(f_base=1.0, f_peak=100.0, stim_radius=140.0, stim_times=[300.0, 50.0, 650.0],
                percentage_active_fibers=1.0, kind="poisson")
REFERENCE = "reference"


def label(connection, factor):
    """Name of a perturbation's runs (as :func:`spinncer.validation.power.label`, which the
    brian2 environment cannot import: spinncer.validation needs pandas)."""
    return f"{connection}*{factor:g}"


def load():
    return os.getloadavg()


def _done(out, name, seeds):
    return all((out / name / f"seed{seed}.h5").is_file() for seed in seeds)


def _write_plan(out, plan):
    """Write `out`/perturbations.json, adding to the perturbations of an earlier slice of the
    same scaffold, seeds and protocol (a different one: one line, exit 1)."""
    from spinncer.atomic import atomic_path

    path = out / "perturbations.json"
    if path.is_file():
        old = json.loads(path.read_text())
        same = ("scaffold", "seeds", "protocol")
        if any(old.get(key) != plan[key] for key in same):
            sys.exit(f"{path}: expected an earlier slice of the same "
                     f"{', '.join(same)} ({', '.join(str(plan[k]) for k in same)}), found "
                     f"{', '.join(str(old.get(k)) for k in same)}; use another --out")
        plan["perturbations"] = {**old["perturbations"], **plan["perturbations"]}
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(plan, indent=1))


def _simulate(args):
    from spinncer import stimulus as stimulus_io
    from spinncer.backends import open_session
    from spinncer.results import RunResult, write_run
    from spinncer.scaffold import read_scaffold

    out = Path(args.out)
    scaffold = read_scaffold(args.scaffold)
    protocol = dict(STIMULUS, f_base=args.f_base, f_peak=args.f_peak,
                    stim_radius=args.stim_radius, stim_times=args.stim_times)
    stimuli = {seed: stimulus_io.generate(scaffold.positions["glomerulus"], seed=seed,
                                          timestep=args.timestep, **protocol)
               for seed in args.seeds}
    simtime = sum(protocol["stim_times"])
    session = open_session("brian2", timestep=args.timestep, seed=args.seeds[0])
    model = session.model
    connections = args.connections or sorted(
        name for name, conn in scaffold.connections.items()
        if len(conn) and name in model.connection_types)
    base = {name: kind.weight for name, kind in model.connection_types.items()}
    jobs = [(REFERENCE, base, {})] + [
        (label(name, factor), {**base, name: base[name] * factor}, {name: factor})
        for name in connections for factor in args.factors]
    _write_plan(out, {"reference": REFERENCE, "scaffold": str(args.scaffold),
                      "seeds": args.seeds, "protocol": protocol,
                      "stim_times": protocol["stim_times"],
                      "perturbations": {name: [*scale.items()][0]
                                        for name, _, scale in jobs if scale}})
    # perturbation after perturbation, each over all seeds: a run stopped early leaves whole
    # perturbations (analyse reports the missing ones); a later slice (--connections) skips
    # the ones whose every seed is written
    jobs = [job for job in jobs if not _done(out, job[0], args.seeds)]
    if not jobs:
        print(f"{out}: every run of this slice is written already")
        return
    # the build holds the spike table of the largest stimulus, so every seed fits
    largest = max(stimuli, key=lambda s: len(stimuli[s].times))
    start, load_before = time.perf_counter(), load()
    session.build(scaffold, stimuli[largest], None)
    session.connect(scaffold)
    session.run(simtime)
    print(f"first run (code generation, compile or cache, run): "
          f"{time.perf_counter() - start:.1f} s, load {load()[0]:.2f}", flush=True)
    n_runs, run_seconds = 0, 0.0
    done = 0
    for name, weights, scale in jobs:
        if args.minutes and time.perf_counter() - start > 60 * args.minutes:
            print(f"stopped after {args.minutes:g} min: {len(jobs) - done} perturbations "
                  f"left; the same command continues", flush=True)
            break
        done += 1
        t_job = time.perf_counter()
        for seed in args.seeds:
            t0 = time.perf_counter()
            session.rerun(stimulus=stimuli[seed], weights=weights)
            run_seconds += time.perf_counter() - t0
            n_runs += 1
            meta = {"weight_scale": scale, "inputs": {"stimulus": {"params": {
                **stimuli[seed].params}}}}
            write_run(RunResult(session.spikes(), "brian2", args.timestep, simtime, seed, meta),
                      out / name / f"seed{seed}.h5")
        print(f"{name}: {len(args.seeds)} runs in {time.perf_counter() - t_job:.1f} s, "
              f"load {load()[0]:.2f}", flush=True)
    session.end()
    cells = sum(scaffold.n_cells(p) for p in scaffold.positions)
    print(f"scaffold {args.scaffold}: {cells} cells, "
          f"{sum(len(c) for c in scaffold.connections.values())} synapses")
    print(f"{n_runs} runs ({len(args.seeds)} seeds x {done}): {run_seconds:.1f} s, "
          f"{run_seconds / max(n_runs, 1):.2f} s per run (rerun + write)")
    print(f"load average before {load_before[0]:.2f}, after {load()[0]:.2f}")


def _analyse(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from spinncer.analysis.stats import population_windows
    from spinncer.atomic import write_csv
    from spinncer.results import read_run
    from spinncer.validation.envelope import seed_splits
    from spinncer.validation.power import measure_power, population_power
    from spinncer.validation.statistics import run_statistics

    out = Path(args.out)
    plan = json.loads((out / "perturbations.json").read_text())
    seeds = plan["seeds"]
    perturbations = {k: tuple(v) for k, v in plan["perturbations"].items()
                     if all((out / k / f"seed{seed}.h5").is_file() for seed in seeds)}
    not_run = sorted(set(plan["perturbations"]) - set(perturbations))
    start, load_before = time.perf_counter(), load()
    runs = {label: {seed: read_run(out / label / f"seed{seed}.h5") for seed in seeds}
            for label in [plan["reference"], *perturbations]}
    first = runs[plan["reference"]][seeds[0]]
    windows = population_windows(plan["stim_times"], first.spikes, consider_delays=True)
    stats = {label: {seed: run_statistics(run, windows) for seed, run in by_seed.items()}
             for label, by_seed in runs.items()}
    n_cells = {pop: p.n_cells for pop, p in first.spikes.items()}
    from math import comb
    every = comb(len(seeds), len(seeds) // 2) * comb(len(seeds) - len(seeds) // 2,
                                                      len(seeds) // 2)
    n_splits = min(args.splits or every, every)
    splits = seed_splits(len(seeds), n_splits)
    # x1.0 of every connection type is the reference judged against itself (a rerun with the
    # model weights repeats its spikes): the false-alarm rate, without runs
    unperturbed = {label(c, 1.0): (c, 1.0) for c in sorted({c for c, _ in perturbations.values()})
                   if label(c, 1.0) not in perturbations}
    candidates = {**{name: stats[name] for name in perturbations},
                  **{name: stats[plan["reference"]] for name in unperturbed}}
    table = measure_power(stats[plan["reference"]], candidates,
                          {**perturbations, **unperturbed}, n_cells, splits)
    write_csv(table, out / "power.csv")
    pops = population_power(table)
    write_csv(pops, out / "population_power.csv")
    seconds = time.perf_counter() - start
    # the README table: per connection, its target population's best test at each factor
    own = table[table["population"] == table["target"]]
    best = own.sort_values("power", ascending=False, kind="stable").drop_duplicates(
        ["connection", "factor"])
    grid = best.pivot(index="connection", columns="factor", values="power")
    info = best.drop_duplicates("connection").set_index("connection")[["target", "n_cells"]]
    lines = ["| connection | target (cells) | " + " | ".join(f"x{f:g}" for f in grid.columns)
             + " |", "|---|---|" + "---:|" * len(grid.columns)]
    for name, row in grid.iterrows():
        lines.append(f"| {name} | {info.loc[name, 'target']} ({info.loc[name, 'n_cells']}) | "
                     + " | ".join("not run" if pd.isna(v) else f"{v:.0%}" for v in row) + " |")
    missing = sorted({c for c, _ in perturbations.values()} - set(grid.index))
    for name in missing:
        lines.append(f"| {name} | target not scored (too few cells or values) |"
                     + " |" * len(grid.columns))
    text = "\n".join(lines)
    (out / "power_table.md").write_text(text + "\n")
    print(text)
    print()
    print(pops.to_string(index=False))
    if not_run:
        print(f"\nnot run (stopped before): {' '.join(not_run)}")
    print(f"\n{len(seeds)} seeds, {n_splits} splits (of {every}); analysis {seconds:.0f} s; "
          f"load average before {load_before[0]:.2f}, after {load()[0]:.2f}")
    fig, ax = plt.subplots(figsize=(6.5, 0.3 * len(grid) + 1.5))
    image = ax.imshow(grid.to_numpy(float), vmin=0, vmax=1, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(grid.columns)), [f"x{f:g}" for f in grid.columns])
    ax.set_yticks(range(len(grid)), [f"{c} -> {info.loc[c, 'target']}" for c in grid.index])
    for (i, j), v in pd.DataFrame(grid.to_numpy(float)).stack().items():  # (not run: nan)
        ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7,
                color="black" if v > 0.6 else "white")
    fig.colorbar(image, label="fraction of seed splits detected (KS)")
    ax.set_title(f"{args.title}: {len(seeds)} seeds, {n_splits} splits")
    fig.tight_layout()
    fig.savefig(out / "power.png", dpi=120)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("simulate", help="Brian2 runs (in the brian2 environment)")
    p.add_argument("--scaffold", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 11)))
    p.add_argument("--connections", nargs="*", default=None,
                   help="connection types (default: every one in the scaffold)")
    p.add_argument("--factors", type=float, nargs="+", default=list(FACTORS))
    p.add_argument("--f-base", type=float, default=STIMULUS["f_base"])
    p.add_argument("--f-peak", type=float, default=STIMULUS["f_peak"])
    p.add_argument("--stim-times", type=float, nargs=3, default=STIMULUS["stim_times"])
    p.add_argument("--stim-radius", type=float, default=STIMULUS["stim_radius"])
    p.add_argument("--timestep", type=float, default=0.1)
    p.add_argument("--minutes", type=float, default=None,
                   help="start no perturbation after this many minutes (slices: the same "
                        "command continues where it stopped)")
    p.set_defaults(func=_simulate)
    p = sub.add_parser("analyse", help="envelope and power table (project environment)")
    p.add_argument("--out", required=True)
    p.add_argument("--splits", type=int, default=None, help="default: every disjoint split")
    p.add_argument("--title", default="power")
    p.set_defaults(func=_analyse)
    args = parser.parse_args(argv)
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
