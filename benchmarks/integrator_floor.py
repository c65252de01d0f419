"""Benchmark: the integrator floor. One cell of each type, the same input spikes, on NEST
(reference), nest-numerics (SpiNNaker's fixed-point weights on NEST) and, given a brian2
environment, Brian2: how far apart are the membrane potentials when nothing but the numerics
differ? Prints one table (markdown) per comparison: per cell type the RMS difference of v (mV),
its correlation, coherence (1-100 Hz) and phase lag (ms) (:mod:`spinncer.validation.membrane`),
the spike counts and the largest shift of matched spikes (ms).

    python benchmarks/integrator_floor.py [--brian2-python resources/envs/brian2/bin/python]

Network: every cell type gets one cell with its own parameters (:data:`spinncer.params
.CELL_PARAMS`), driven by one excitatory (Poisson ~100 Hz) and one inhibitory (~40 Hz) spike
train from a fixed seed, with per-type weights that make each type fire (WEIGHTS), 1000 ms at
0.1 ms. nest-numerics represents each weight as sPyNNaker would for the reference ring-buffer
left shifts of the cell's receptor (:func:`spinncer.numerics.quantise`).
"""
import argparse
import json
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np

TIMESTEP = 0.1  # ms
SIMTIME = 1000.0  # ms
#: (excitatory, inhibitory) weight magnitudes, µS: strong enough to drive each type to fire
#: (the values of the issue-12 single-cell comparison).
WEIGHTS = {"granule": (0.006, 0.004), "golgi": (0.012, 0.004), "purkinje": (0.02, 0.02),
           "basket": (0.0015, 0.001), "stellate": (0.001, 0.002), "dcn": (0.004, 0.002)}
DELAYS = (1.0, 2.0)  # ms, excitatory and inhibitory input


def input_trains():
    rng = np.random.default_rng(12)
    trains = []
    for rate in (100.0, 40.0):
        t = np.cumsum(rng.exponential(1000.0 / rate, int(rate * SIMTIME / 1000 * 2)))
        t = np.unique(np.round(t[t < SIMTIME - 5] / TIMESTEP) * TIMESTEP)
        trains.append(t[t >= 2 * TIMESTEP])
    return trains


def weights(numerics):
    """{pop: (exc, inh)} µS, quantised as sPyNNaker would when `numerics`."""
    if not numerics:
        return WEIGHTS
    from spinncer.numerics import REFERENCE_RB_LEFT_SHIFTS, quantise
    return {pop: tuple(float(quantise(w, REFERENCE_RB_LEFT_SHIFTS[pop][k]))
                       for k, w in enumerate(pair)) for pop, pair in WEIGHTS.items()}


def run_nest(numerics):
    """{pop: (times ms, v mV, spike times)} on NEST through PyNN."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Cannot find nest-config")
        import pyNN.nest as sim
    from spinncer.params import CELL_PARAMS, CELL_POPULATIONS
    sim.setup(timestep=TIMESTEP, min_delay=TIMESTEP, max_delay=10.0)
    trains = [sim.Sequence(t - 1e-6) for t in input_trains()]  # a hair below the grid
    sources = sim.Population(2, sim.SpikeSourceArray(spike_times=trains))
    cells = {}
    table = weights(numerics)
    for pop in CELL_POPULATIONS:
        params = CELL_PARAMS[pop]
        cells[pop] = sim.Population(1, sim.IF_cond_exp(**params), label=pop)
        cells[pop].initialize(v=params["v_rest"])
        cells[pop].record(["spikes", "v"])
        for k, receptor in enumerate(("excitatory", "inhibitory")):
            sim.Projection(sources[k:k + 1], cells[pop], sim.AllToAllConnector(),
                           sim.StaticSynapse(weight=table[pop][k], delay=DELAYS[k]),
                           receptor_type=receptor)
    sim.run(SIMTIME)
    out = {}
    for pop, cell in cells.items():
        seg = cell.get_data().segments[0]
        v = seg.filter(name="v")[0]
        out[pop] = (np.asarray(v.times, float), np.asarray(v, float)[:, 0],
                    np.asarray(seg.spiketrains[0], float))
    sim.end()
    return out


def run_brian2_child(out):
    """In the brian2 environment: the same network on the brian2 backend (issue 12)."""
    from spinncer.backends.brian2 import Brian2Session
    from spinncer.params import CELL_POPULATIONS, ConnectionType, Model, model_variant
    from spinncer.scaffold import Connectivity, Scaffold
    from spinncer.stimulus import Stimulus
    base = model_variant()
    positions = {"glomerulus": np.zeros((2, 3))}
    connections, kinds = {}, {}
    for pop in CELL_POPULATIONS:
        positions[pop] = np.zeros((1, 3))
        w_exc, w_inh = WEIGHTS[pop]
        kinds[f"exc_{pop}"] = ConnectionType("glomerulus", pop, w_exc, DELAYS[0])
        kinds[f"inh_{pop}"] = ConnectionType("glomerulus", pop, -w_inh, DELAYS[1])
        connections[f"exc_{pop}"] = Connectivity(np.array([0]), np.array([0]))
        connections[f"inh_{pop}"] = Connectivity(np.array([1]), np.array([0]))
    model = Model("single-cell", base.cell_params, kinds)
    scaffold = Scaffold(positions, connections, source="single-cell")
    session = Brian2Session(timestep=TIMESTEP, model=model,
                            options={"cache_dir": str(Path(out).with_suffix(".build"))})
    session.build(scaffold, Stimulus.from_trains(input_trains()),
                  {pop: np.array([0]) for pop in CELL_POPULATIONS})
    session.connect(scaffold)
    session.run(SIMTIME)
    arrays = {}
    for pop, spikes in session.spikes().items():
        arrays[f"spikes_{pop}"] = spikes.time
    for pop, sig in session.signals().items():
        arrays[f"v_{pop}"] = sig.v[:, 0]
        arrays[f"t_{pop}"] = sig.times
    session.end()
    np.savez(out, **arrays)


def load_brian2(python):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "brian2.npz"
        subprocess.run([python, __file__, "--child-brian2", str(out)], check=True)
        data = dict(np.load(out))
    from spinncer.params import CELL_POPULATIONS
    return {pop: (data[f"t_{pop}"], data[f"v_{pop}"], data.get(f"spikes_{pop}", np.empty(0)))
            for pop in CELL_POPULATIONS}


def compare(a, b):
    """Markdown rows: per cell type the membrane measures and spike agreement of b vs a."""
    from spinncer.validation.membrane import compare_traces
    rows = []
    for pop, (ta, va, sa) in a.items():
        tb, vb, sb = b[pop]
        start = max(ta[0], tb[0])
        ia, ib = int(round((start - ta[0]) / TIMESTEP)), int(round((start - tb[0]) / TIMESTEP))
        n = min(len(va) - ia, len(vb) - ib)
        x, y = va[ia:ia + n], vb[ib:ib + n]
        m = compare_traces(x, y, 1000.0 / TIMESTEP)
        matched = min(len(sa), len(sb))
        shift = np.abs(sb[:matched] - sa[:matched]).max() if matched else 0.0
        fmt = lambda v: "-" if v is None else f"{v:.3g}"  # noqa: E731
        rows.append(f"| {pop} | {np.sqrt(np.mean((y - x) ** 2)):.3g} | {fmt(m['corr_v'])} | "
                    f"{fmt(m['coherence_v'])} | {fmt(m['phase_lag_ms'])} | {len(sa)} / {len(sb)} "
                    f"| {shift:.3g} |")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brian2-python", help="python of the brian2 environment")
    parser.add_argument("--child-brian2", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_brian2:
        run_brian2_child(args.child_brian2)
        return
    nest = run_nest(False)
    others = {"nest-numerics": run_nest(True)}
    if args.brian2_python:
        others["brian2"] = load_brian2(args.brian2_python)
    print(f"weights nest-numerics (µS): {json.dumps(weights(True))}")
    for name, run in others.items():
        print(f"\nnest vs {name}, one cell per type, {SIMTIME:g} ms at {TIMESTEP} ms\n")
        print("| cell type | RMS v (mV) | corr v | coherence 1-100 Hz | phase lag (ms) "
              "| spikes nest / other | max matched-spike shift (ms) |")
        print("|---|---|---|---|---|---|---|")
        print("\n".join(compare(nest, run)))


if __name__ == "__main__":
    main()
