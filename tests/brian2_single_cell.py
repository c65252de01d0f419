"""The single-cell comparison network of tests/test_brian2_backend.py, shared by both sides.

One cell of each cell type (its own parameters from the default model), every cell driven by
the same two input spike trains: an excitatory one (glomerulus 0) and an inhibitory one
(glomerulus 1), with per-type weights that make each cell fire. Run as a script in the brian2
environment it simulates the network on :class:`spinncer.backends.brian2.Brian2Session` and
writes spikes and membrane traces to an npz file::

    python tests/brian2_single_cell.py OUT.npz CACHE_DIR [SHIFT_MS [OWN_GROUP_SHARE]]

(SHIFT_MS delays the input trains, a second stimulus for the same compiled network;
OWN_GROUP_SHARE is the backend option: 0 gives every cell type a NeuronGroup of its own.)
"""
import sys

import numpy as np

from spinncer.params import CELL_POPULATIONS, ConnectionType, Model, model_variant
from spinncer.scaffold import Connectivity, Scaffold
from spinncer.stimulus import Stimulus

TIMESTEP = 0.1  # ms
SIMTIME = 400.0  # ms
#: (excitatory, inhibitory) weight magnitudes, µS: strong enough to drive each type to fire.
WEIGHTS = {"granule": (0.006, 0.004), "golgi": (0.012, 0.004), "purkinje": (0.02, 0.02),
           "basket": (0.0015, 0.001), "stellate": (0.001, 0.002), "dcn": (0.004, 0.002)}
DELAYS = (1.0, 2.0)  # ms, excitatory and inhibitory input


def input_trains(shift=0.0):
    """Excitatory (~100 Hz) and inhibitory (~40 Hz) trains on the time grid, from 0.2 ms on
    (and `shift` ms later), each with one time repeated."""
    rng = np.random.default_rng(12)
    trains = []
    for rate in (100.0, 40.0):
        t = np.cumsum(rng.exponential(1000.0 / rate, int(rate * SIMTIME / 1000 * 2)))
        t = np.unique(np.round((t[t < SIMTIME - 5 - shift] + shift) / TIMESTEP) * TIMESTEP)
        t = t[t >= 2 * TIMESTEP]
        trains.append(np.sort(np.r_[t, t[2]]))  # one spike time twice: two spikes in a step
    return trains


def network(shift=0.0):
    """(scaffold, stimulus, model) of the comparison."""
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
    return Scaffold(positions, connections, source="single-cell"), \
        Stimulus.from_trains(input_trains(shift)), model


def run_brian2(out, cache_dir, shift=0.0, own_group_share=None):
    from spinncer.backends.brian2 import Brian2Session
    scaffold, stimulus, model = network(shift)
    options = {"cache_dir": cache_dir}
    if own_group_share is not None:
        options["own_group_share"] = own_group_share
    session = Brian2Session(timestep=TIMESTEP, model=model, options=options)
    session.build(scaffold, stimulus, {pop: np.array([0]) for pop in CELL_POPULATIONS})
    session.connect(scaffold)
    session.run(SIMTIME)
    arrays = {}
    for pop, spikes in session.spikes().items():
        arrays[f"spikes_{pop}"] = spikes.time
    for pop, signals in session.signals().items():
        arrays[f"v_{pop}"] = signals.v[:, 0]
        arrays[f"t_{pop}"] = signals.times
    arrays["compile_s"] = session.extra_seconds["compile"]
    arrays["reused"] = session.reused
    session.end()
    np.savez(out, **arrays)


if __name__ == "__main__":
    run_brian2(sys.argv[1], sys.argv[2], *map(float, sys.argv[3:5]))
