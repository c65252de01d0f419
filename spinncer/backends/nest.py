"""NEST backend through `pyNN.nest`.

Connections are created with one `nest.Connect` call per connection type from the index arrays
("one_to_one" on arrays of node ids, which NEST 3 accepts with repeated ids), instead of PyNN's
per-postsynaptic-cell loop of `FromListConnector`.
"""
import warnings

import numpy as np

NAME = "nest"


def setup(timestep, threads, seed, max_delay=10.0):
    """Import and set up `pyNN.nest`; return the PyNN module."""
    from ..console import quiet_nest
    quiet_nest()
    with warnings.catch_warnings():
        # pyNN.nest cannot build its optional C++ extensions from the PyPI wheel (no nest-config)
        warnings.filterwarnings("ignore", message="Cannot find nest-config")
        import pyNN.nest as sim
    import nest
    nest.verbosity = nest.VerbosityLevel.ERROR
    sim.setup(timestep=timestep, min_delay=timestep, max_delay=max_delay, threads=threads,
              rng_seed=seed)
    return sim


def versions():
    import nest
    import pyNN
    return {"nest": nest.__version__, "pyNN": pyNN.__version__}


def node_ids(population):
    """NEST node ids of a PyNN population's cells, by index (vectorised: a population made by
    one Create is a contiguous range; NodeCollection.tolist() costs seconds for 10^5 cells)."""
    first, last = int(population.first_id), int(population.last_id)
    if last - first + 1 == population.size:
        return np.arange(first, last + 1, dtype=np.int64)
    return np.asarray(population.node_collection.tolist(), dtype=np.int64)


def make_connector(pre, post):
    from pyNN.connectors import Connector

    class IndexArrayConnector(Connector):
        """Connect pre[i] -> post[i] for all i in a single NEST call."""

        def connect(self, projection):
            import nest
            params = projection.synapse_type.native_parameters  # NEST units: nS, ms
            params.shape = (1,)
            params.evaluate(simplify=True)
            weight, delay = float(params["weight"]), float(params["delay"])
            if projection.receptor_type == "inhibitory":
                weight = -weight  # NEST conductance synapses: inhibitory weights are negative
            pre_nodes = node_ids(projection.pre)[pre]
            post_nodes = node_ids(projection.post)[post]
            n = len(pre_nodes)
            nest.Connect(pre_nodes, post_nodes, "one_to_one",
                         {"synapse_model": projection.nest_synapse_model,
                          "synapse_label": projection.nest_synapse_label,
                          "weight": np.full(n, weight), "delay": np.full(n, delay)})
            projection._sources.update(np.unique(pre_nodes).tolist())
            projection._simulator.state.stale_connection_cache = True

    return IndexArrayConnector()


def end():
    import pyNN.nest as sim
    sim.end()
