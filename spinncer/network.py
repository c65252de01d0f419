"""Build the cerebellum network in PyNN, independent of the simulator backend.

One `Population` per cell type (glomeruli as `SpikeSourceArray`, every other type
`IF_cond_exp` with :data:`spinncer.params.CELL_PARAMS`), one `Projection` per connection type
with its weight and delay. The connector for the index arrays is supplied by the backend so
that each simulator can create millions of synapses in bulk.
"""
from dataclasses import dataclass

from .params import CELL_PARAMS, CONNECTION_TYPES, INPUT_POPULATION


@dataclass
class Network:
    populations: dict
    projections: dict


def build_populations(sim, scaffold, stimulus):
    """Create the populations; membrane potentials start at v_rest [SpiNNCer cerebellum.py]."""
    populations = {}
    for name in scaffold.positions:
        n = scaffold.n_cells(name)
        if name == INPUT_POPULATION:
            trains = [sim.Sequence(t) for t in stimulus.spike_trains()]
            cell = sim.SpikeSourceArray(spike_times=trains)
        else:
            cell = sim.IF_cond_exp(**CELL_PARAMS[name])
        populations[name] = sim.Population(n, cell, label=name)
        if name != INPUT_POPULATION:
            populations[name].initialize(v=CELL_PARAMS[name]["v_rest"])
        populations[name].record("spikes")
    return populations


def build_projections(sim, scaffold, populations, make_connector):
    """One Projection per connection type present in the scaffold.

    `make_connector(pre, post)` turns population-local index arrays into a PyNN connector.
    Weights are given as magnitudes on the receptor named by the sign [SpiNNCer cerebellum.py].
    """
    projections = {}
    for name, conn in scaffold.connections.items():
        kind = CONNECTION_TYPES[name]
        if len(conn) == 0:
            continue
        synapse = sim.StaticSynapse(weight=abs(kind.weight), delay=kind.delay)
        projections[name] = sim.Projection(
            populations[kind.pre], populations[kind.post], make_connector(conn.pre, conn.post),
            synapse_type=synapse, receptor_type=kind.receptor, label=name)
    return projections
