"""Experiments behind the reference check's differences (prints tables; no files written).

    python benchmarks/reference_causes.py GOLD.npz SCAFFOLD.hdf5 STIMULUS.npz RUN.h5 [RUN2.h5 ...]

For our run(s) of the gold-standard protocol and the gold standard itself:
1. in-degrees of our scaffold vs the published 400x400 file, per connection type;
2. rates with and without the first 50 ms (initial-state transient);
3. stimulus geometry: stimulated glomeruli, granule cells reached by them, granule cells that
   spike in the stimulus window (the gold standard's scaffold positions are not public, so its
   reach is seen only through the responding cells);
4. per-run baseline and stimulus rates side by side (e.g. runs at 0.1 and 0.01 ms).
"""
import sys

import numpy as np

from spinncer import stimulus as stimulus_io
from spinncer.analysis.reference import read_gold_standard
from spinncer.params import (CASALI2019_CONNECTION_TYPES, PUBLISHED_CELLS, PUBLISHED_SYNAPSES,
                             in_pathway_order)
from spinncer.results import read_run
from spinncer.scaffold import read_scaffold


def rate(pop, start, stop):
    inside = (pop.time >= start) & (pop.time < stop)
    return inside.sum() / pop.n_cells / ((stop - start) / 1000.0)


def responders(pop, start, stop):
    inside = (pop.time >= start) & (pop.time < stop)
    return len(np.unique(pop.cell[inside]))


def main(gold_path, scaffold_path, stimulus_path, *run_paths):
    gold = read_gold_standard(gold_path, allow_pickle=True)
    scaffold = read_scaffold(scaffold_path)
    stim = stimulus_io.load(stimulus_path)
    runs = {path: read_run(path) for path in run_paths}

    print("1. in-degree (synapses per post cell): ours vs published 400x400 v3")
    for name, kind in CASALI2019_CONNECTION_TYPES.items():
        ours = len(scaffold.connections[name]) / scaffold.n_cells(kind.post)
        pub = PUBLISHED_SYNAPSES[name] / PUBLISHED_CELLS[kind.post]
        print(f"   {name:9s} {ours:9.1f} {pub:9.1f} {ours / pub - 1:+7.1%}")

    print("2. rate (Hz) 0-300 vs 50-300 ms (transient of the initial state)")
    print(f"   {'population':11s} {'gold 0-300':>10s} {'50-300':>8s}" +
          "".join(f" {'run' + str(i) + ' 0-300':>11s} {'50-300':>8s}" for i in range(len(runs))))
    for name in in_pathway_order(dict.fromkeys(gold.spikes)):
        row = f"   {name:11s} {rate(gold.spikes[name], 0, 300):10.2f} " \
              f"{rate(gold.spikes[name], 50, 300):8.2f}"
        for run in runs.values():
            row += f" {rate(run.spikes[name], 0, 300):11.2f} {rate(run.spikes[name], 50, 300):8.2f}"
        print(row)

    print("3. stimulus geometry")
    burst = stim.stimulated
    glom_grc = scaffold.connections["glom_grc"]
    reached = np.unique(glom_grc.post[burst[glom_grc.pre]])
    n_grc = scaffold.n_cells("granule")
    print(f"   stimulated glomeruli: ours {burst.sum()} of {len(burst)}; gold "
          f"{responders_over(gold.spikes['glomerulus'], 300, 400, 5)} of "
          f"{gold.spikes['glomerulus'].n_cells} (> 5 spikes in 300-400 ms)")
    print(f"   granule cells with a stimulated glomerulus: ours {len(reached)} "
          f"({len(reached) / n_grc:.1%})")
    for label, pop in [("gold", gold.spikes["granule"])] + [
            (f"run{i}", run.spikes["granule"]) for i, run in enumerate(runs.values())]:
        print(f"   granule cells spiking in 300-400 ms, {label}: {responders(pop, 300, 400)} "
              f"({responders(pop, 300, 400) / pop.n_cells:.1%}); in 0-100 ms: "
              f"{responders(pop, 0, 100) / pop.n_cells:.1%}")

    print("4. baseline / stimulus rate (Hz) per run")
    for name in in_pathway_order(dict.fromkeys(gold.spikes)):
        row = f"   {name:11s} gold {rate(gold.spikes[name], 0, 300):7.2f} " \
              f"{rate(gold.spikes[name], 300, 400):7.2f}"
        for i, run in enumerate(runs.values()):
            row += f" | run{i} {rate(run.spikes[name], 0, 300):7.2f} " \
                   f"{rate(run.spikes[name], 300, 400):7.2f}"
        print(row)
    for i, (path, run) in enumerate(runs.items()):
        print(f"   run{i}: {path} (timestep {run.timestep} ms, model "
              f"{run.metadata.get('model_variant')})")


def responders_over(pop, start, stop, n):
    inside = (pop.time >= start) & (pop.time < stop)
    return int((np.bincount(pop.cell[inside], minlength=pop.n_cells) > n).sum())


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
