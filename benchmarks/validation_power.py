"""Benchmark: power of the seed envelope against one connection type's weights scaled by a
factor (issue 26; :mod:`spinncer.validation.power`).

Two steps, as Brian2 (numpy < 2) and the validation (pandas, scipy) live in different
environments:

``simulate`` (the brian2 environment's python)
    For every seed: the paper-protocol stimulus of that seed, one run of the scaffold with the
    model weights and one per (connection type, factor), all on one compiled Brian2 project
    (weights and stimulus are run-time data: :meth:`Brian2Session.rerun`, no compile after
    the first). Spikes only, one ``<label>/seed<n>.h5`` per run; prints the cost per run.
``analyse`` (the project's python)
    Per-cell statistics of every run, the reference's seed envelope over every disjoint seed
    split (or ``--splits`` of them), each perturbation judged as a candidate; writes
    ``power.csv`` (:func:`spinncer.validation.power.measure_power`: per connection type, factor,
    population, window and statistic the fraction of splits in which it is detected),
    ``population_power.csv``, a markdown table and a figure.

Run under the shared lock (the smoke scaffold: 10 seeds x 97 runs)::

    flock /tmp/spinncer-heavy.lock resources/envs/brian2/bin/python \\
        benchmarks/validation_power.py simulate --scaffold resources/scaffolds/smoke_100x100.hdf5 \\
        --out results/power/smoke
    flock /tmp/spinncer-heavy.lock .venv/bin/python benchmarks/validation_power.py analyse \\
        --out results/power/smoke
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
    # the build holds the spike table of the largest stimulus, so every seed fits
    largest = max(stimuli, key=lambda s: len(stimuli[s].times))
    start, load_before = time.perf_counter(), load()
    session.build(scaffold, stimuli[largest], None)
    session.connect(scaffold)
    session.run(simtime)
    out.mkdir(parents=True, exist_ok=True)
    (out / "perturbations.json").write_text(json.dumps(
        {"reference": REFERENCE, "seeds": args.seeds, "stim_times": protocol["stim_times"],
         "perturbations": {name: [*scale.items()][0] for name, _, scale in jobs if scale}},
        indent=1))
    # perturbation after perturbation, each over all seeds: a run stopped early leaves whole
    # perturbations (analyse reports the missing ones)
    print(f"first run (code generation, compile or cache, run): "
          f"{time.perf_counter() - start:.1f} s, load {load()[0]:.2f}", flush=True)
    n_runs, run_seconds = 0, 0.0
    for name, weights, scale in jobs:
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
    print(f"{n_runs} runs ({len(args.seeds)} seeds x {len(jobs)}): {run_seconds:.1f} s, "
          f"{run_seconds / n_runs:.2f} s per run (rerun + write)")
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
    table = measure_power(stats[plan["reference"]],
                          {label: stats[label] for label in perturbations}, perturbations,
                          n_cells, splits)
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
                     + " | ".join(f"{v:.0%}" for v in row) + " |")
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
    for (i, j), v in pd.DataFrame(grid.to_numpy(float)).stack().items():
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
