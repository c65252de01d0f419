"""Experiments behind the reference check's differences (prints tables; no files written).

    python benchmarks/reference_causes.py GOLD.npz SCAFFOLD.hdf5 STIMULUS.npz RUN.h5 [RUN2.h5 ...]

For our run(s) of the gold-standard protocol and the gold standard itself:
1. in-degrees of our scaffold vs the published 400x400 file, per connection type;
2. rates with and without the first 50 ms (initial-state transient);
3. stimulus geometry: stimulated glomeruli, granule cells reached by them, granule cells that
   spike in the stimulus window (the gold standard's scaffold positions are not public, so its
   reach is seen only through the responding cells);
4. per-run baseline and stimulus rates side by side (e.g. runs at 0.1 and 0.01 ms);
5. granule baseline rate by the number of golgi cells inhibiting it (first run);
6. golgi cells in isolation (casali2019 parameters, NEST) driven by independent Poisson inputs
   at our scaffold's mean in-degrees, for granule rates of the gold standard and of our run.
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

    print("5. granule baseline rate (Hz) by golgi cells inhibiting it (goc_grc in-degree), run0")
    granule = next(iter(runs.values())).spikes["granule"]
    inside = granule.time < 300
    cell_hz = np.bincount(granule.cell[inside], minlength=granule.n_cells) / 0.3
    inhibitors = np.bincount(scaffold.connections["goc_grc"].post, minlength=granule.n_cells)
    for k in np.unique(inhibitors):
        sel = inhibitors == k
        print(f"   {k} golgi: {sel.sum():6d} cells ({sel.mean():5.1%}), "
              f"{cell_hz[sel].mean():6.2f} Hz")
    print(f"   with >= 1 golgi: {cell_hz[inhibitors > 0].mean():.2f} Hz (gold, all cells: "
          f"{rate(gold.spikes['granule'], 0, 300):.2f} Hz)")

    print("6. golgi in isolation, Poisson inputs at our mean in-degrees")
    in_degree = {name: len(scaffold.connections[name]) / scaffold.n_cells("golgi")
                 for name in ("aa_goc", "pf_goc", "glom_goc")}
    network = {"gold": rate(gold.spikes["golgi"], 0, 300),
               "run0": rate(next(iter(runs.values())).spikes["golgi"], 0, 300)}
    for label, hz in (("gold", rate(gold.spikes["granule"], 0, 300)),
                      ("run0", cell_hz.mean())):
        print(f"   granule {hz:.2f} Hz ({label}) -> golgi "
              f"{golgi_in_isolation(hz, in_degree):.1f} Hz (network: {label} "
              f"{network[label]:.1f} Hz)")


def golgi_in_isolation(granule_hz, in_degree, n=50, simtime=1000.0):
    """Mean rate (Hz) of `n` casali2019 golgi cells driven by Poisson aa_goc and pf_goc inputs
    at `granule_hz` and glom_goc inputs at 1 Hz, `in_degree` {connection: synapses per cell}."""
    import nest

    from spinncer.params import model_variant
    model = model_variant("casali2019")
    p = model.cell_params["golgi"]
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution, nest.rng_seed = 0.1, 1
    cells = nest.Create("iaf_cond_exp", n, {
        "C_m": p["cm"] * 1e3, "g_L": p["cm"] * 1e3 / p["tau_m"], "E_L": p["v_rest"],
        "V_th": p["v_thresh"], "V_reset": p["v_reset"], "t_ref": p["tau_refrac"],
        "I_e": p["i_offset"] * 1e3, "tau_syn_ex": p["tau_syn_E"], "tau_syn_in": p["tau_syn_I"],
        "E_ex": p["e_rev_E"], "E_in": p["e_rev_I"], "V_m": model.v_init("golgi")})
    for name, rate in (("aa_goc", granule_hz), ("pf_goc", granule_hz), ("glom_goc", 1.0)):
        source = nest.Create("poisson_generator", n, {"rate": in_degree[name] * rate})
        nest.Connect(source, cells, "one_to_one",
                     {"weight": model.connection_types[name].weight * 1e3, "delay": 1.0})
    recorder = nest.Create("spike_recorder")
    nest.Connect(cells, recorder)
    nest.Simulate(simtime)
    return recorder.n_events / n / (simtime / 1000.0)


def responders_over(pop, start, stop, n):
    inside = (pop.time >= start) & (pop.time < stop)
    return int((np.bincount(pop.cell[inside], minlength=pop.n_cells) > n).sum())


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
