"""Benchmark: full runs on NEST — phases, peak memory, real-time factor, analysis cost, scaling.

For each scaffold given, in a fresh process: generate the paper stimulus, simulate 1000 ms at
0.1 ms with `--threads`, then compute statistics and figures. Prints one line per figure and,
for several scaffolds, a scaling table (cells, synapses, build/simulate/analysis seconds).
Goals (issue 7): peak RSS < 8 GiB for 400x400; analysis + figures <= 0.1 x simulate.

    python benchmarks/full_run.py resources/scaffolds/casali2019_400x400.hdf5 --threads 2
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run(scaffold_path, threads, workdir):
    from spinncer import stimulus
    from spinncer.analysis.stats import cell_rates, population_stats, protocol_windows
    from spinncer.plots import figures
    from spinncer.provenance import peak_rss_mib
    from spinncer.results import read_run
    from spinncer.scaffold import read_scaffold
    from spinncer.simulate import run_simulation

    workdir = Path(workdir)
    scaffold = read_scaffold(scaffold_path)
    stim = stimulus.generate(scaffold.positions["glomerulus"], f_base=1.0, f_peak=150.0,
                             stim_radius=140.0, stim_times=(300.0, 50.0, 650.0),
                             percentage_active_fibers=0.8, kind="poisson", seed=1, timestep=0.1)
    stimulus.save(stim, workdir / "stimulus.npz")
    result = run_simulation(scaffold_path, workdir / "stimulus.npz", workdir / "spikes.h5",
                            timestep=0.1, simtime=1000.0, threads=threads, seed=1)
    start = time.perf_counter()
    windows = protocol_windows((300.0, 50.0, 650.0))
    run = read_run(workdir / "spikes.h5")
    rates = cell_rates(run, windows)
    population_stats(rates, windows)
    for name, pop in run.spikes.items():
        figures.raster(pop, name, windows, workdir / f"raster_{name}.png")
    figures.rate_bars(rates, workdir / "rates.png")
    analysis = time.perf_counter() - start
    phases = result.metadata["wall_clock_s"]
    return {"cells": sum(result.metadata["n_cells"].values()),
            "synapses": sum(result.metadata["n_synapses"].values()),
            "spikes": sum(len(p) for p in run.spikes.values()),
            "phases": phases, "analysis_s": analysis, "peak_rss_mib": peak_rss_mib()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scaffolds", nargs="+")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as work:
            print(json.dumps(one_run(args.scaffolds[0], args.threads, work)))
        return
    rows = []
    for path in args.scaffolds:
        done = subprocess.run([sys.executable, __file__, "--one", "--threads", str(args.threads),
                               path], capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        p = row["phases"]
        build = p["build"] + p["connect"]
        print(f"{path}: {row['cells']} cells, {row['synapses']} synapses, {row['spikes']} spikes")
        print("  phases (s): " + ", ".join(f"{k} {v:.2f}" for k, v in p.items()))
        print(f"  peak RSS: {row['peak_rss_mib'] / 1024:.2f} GiB (goal < 8)")
        print(f"  real-time factor (simulate s per model s): {p['simulate'] / 1.0:.1f}")
        print(f"  statistics + figures: {row['analysis_s']:.2f} s = "
              f"{row['analysis_s'] / p['simulate']:.3f} x simulate (goal <= 0.1)")
        print(f"  build / simulate: {build / p['simulate']:.3f}")
        rows.append((path, row["cells"], row["synapses"], build, p["simulate"], row["analysis_s"],
                     row["peak_rss_mib"]))
    if len(rows) > 1:
        print(f"{'scaffold':40s} {'cells':>8s} {'synapses':>10s} {'build s':>8s} "
              f"{'sim s':>8s} {'analysis s':>10s} {'RSS MiB':>8s}")
        for path, cells, syn, build, sim, ana, rss in rows:
            print(f"{Path(path).name:40s} {cells:8d} {syn:10d} {build:8.2f} {sim:8.2f} "
                  f"{ana:10.2f} {rss:8.0f}")


if __name__ == "__main__":
    main()
