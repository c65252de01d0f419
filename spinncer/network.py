"""Build the cerebellum network in PyNN, independent of the simulator backend.

One `Population` per cell type (glomeruli as `SpikeSourceArray`, every other type
`IF_cond_exp` with :data:`spinncer.params.CELL_PARAMS`), one `Projection` per connection type
with its weight and delay. The connector for the index arrays is supplied by the backend so
that each simulator can create millions of synapses in bulk.
"""
from .params import INPUT_POPULATION, model_variant


def build_populations(sim, scaffold, stimulus, population_options=None, model=None):
    """Create the populations of `model` (:class:`spinncer.params.Model`, default the spinncer
    variant); membrane potentials start at ``model.v_init`` (spinncer: v_rest [SpiNNCer
    cerebellum.py]).

    `population_options(name)`, when given (by a backend), returns a dict with optional keys
    ``cell_params`` (overrides of :data:`CELL_PARAMS`, e.g. a scaled i_offset) and
    ``additional_parameters`` (simulator-specific Population arguments, e.g. neurons per core).
    """
    model = model or model_variant()
    populations = {}
    for name in scaffold.positions:
        n = scaffold.n_cells(name)
        options = population_options(name) if population_options else {}
        params = {**model.cell_params.get(name, {}), **options.get("cell_params", {})}
        if name == INPUT_POPULATION:
            trains = stimulus.spike_trains()
            if hasattr(sim, "Sequence"):  # pyNN.spiNNaker takes plain lists
                trains = [sim.Sequence(t) for t in trains]
            cell = sim.SpikeSourceArray(spike_times=trains)
        else:
            cell = sim.IF_cond_exp(**params)
        extra = options.get("additional_parameters")
        kwargs = {"additional_parameters": extra} if extra else {}
        populations[name] = sim.Population(n, cell, label=name, **kwargs)
        if name != INPUT_POPULATION:
            populations[name].initialize(v=model.v_init(name))
        populations[name].record("spikes")
    return populations


def build_projections(sim, scaffold, populations, make_connector, weights=None, model=None):
    """One Projection per connection type of `model` present in the scaffold.

    `make_connector(pre, post)` turns population-local index arrays into a PyNN connector.
    Weights are given as magnitudes on the receptor named by the sign [SpiNNCer cerebellum.py].
    `weights` ({name: µS}) replaces the model's weights (SpiNNaker fixed-point
    numerics on NEST, r_mem scaling); the receptor stays the one of the connection type.
    """
    model = model or model_variant()
    projections = {}
    for name, conn in scaffold.connections.items():
        kind = model.connection_types.get(name)
        if kind is None or len(conn) == 0:
            continue
        weight = kind.weight if weights is None else weights.get(name, kind.weight)
        synapse = sim.StaticSynapse(weight=abs(weight), delay=kind.delay)
        projections[name] = sim.Projection(
            populations[kind.pre], populations[kind.post], make_connector(conn.pre, conn.post),
            synapse_type=synapse, receptor_type=kind.receptor, label=name)
    return projections
