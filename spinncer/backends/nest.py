"""NEST backend through `pyNN.nest`.

Connections are created with one `nest.Connect` call per connection type from the index arrays
("one_to_one" on arrays of node ids, which NEST 3 accepts with repeated ids), instead of PyNN's
per-postsynaptic-cell loop of `FromListConnector`.
"""
import warnings
from contextlib import contextmanager

import numpy as np

from ..numerics import quantised_connection_types, refuse_r_mem
from ..params import INPUT_POPULATION
from ..recording import SIGNALS
from ..results import PopulationSpikes
from ..timegrid import step_index
from .pynn import PyNNSession

#: PyNN's max_delay for NEST (ms): longer delays are refused; the model's longest is 5 ms.
MAX_DELAY = 10.0
#: Input spike times go to NEST this many timesteps below their grid point. PyNN sets NEST's
#: spike generators to ``precise_times``, and NEST puts a precise time t into the step that
#: ends at or after t (``Time::ms_stamp`` rounds up to the tic and step): an on-grid time
#: stored a rounding error above its grid point (1502 * 0.1 = 150.20000000000002 ms, then
#: minus PyNN's min_delay) would arrive one step late. The offset is far above double rounding
#: (~1e-13 ms at 1 s) and far below the analysis grid tolerance (timegrid.GRID_TOLERANCE).
BELOW_GRID_STEPS = 1e-8
#: A cell's connection to a recording device costs NEST one block of 1024 connections of the
#: synapse type, allocated whole (libnestutil/block_vector.h, nestkernel/
#: target_table_devices.cpp of NEST 3.10): 32 KiB per cell with PyNN's ``static_synapse``, 8 KiB
#: with this one (no weight, the target as a thread-local index), 24 KiB with the fallback.
#: The recorder reads neither weight nor delay (benchmarks/README.md, issue 24).
SPIKE_RECORDER_SYNAPSE = "static_synapse_hom_w_hpc"
SPIKE_RECORDER_SYNAPSE_FALLBACK = "static_synapse_hom_w"
#: An HPC synapse's target must be among its thread's first 65534 nodes
#: (nestkernel/target_identifier.h).
HPC_MAX_NODES_PER_THREAD = 65534


class NestSession(PyNNSession):
    """NEST through pyNN.nest. ``nest-numerics`` runs the same simulator with every weight
    replaced by what SpiNNaker's fixed point represents for the options' ``rb_left_shifts``
    (:func:`spinncer.numerics.quantised_connection_types`; ``r_mem`` is refused); those weights
    are ``self.weights``. Other options are not used by NEST."""

    progress_chunks = 10

    def _setup(self):
        if self.name == "nest-numerics":
            refuse_r_mem(self.options.get("r_mem"))
            table = quantised_connection_types(self.options.get("rb_left_shifts"),
                                               connection_types=self.model.connection_types)
            self.weights = {conn: kind.weight for conn, kind in table.items()}
        from ..console import quiet_nest
        quiet_nest()
        with warnings.catch_warnings(), pynn_without_extension_build():
            warnings.filterwarnings("ignore", message="Cannot find nest-config")
            import pyNN.nest as sim
        import nest
        nest.verbosity = nest.VerbosityLevel.ERROR
        sim.setup(timestep=self.timestep, min_delay=self.timestep, max_delay=MAX_DELAY,
                  threads=self.threads, rng_seed=self.seed)
        return sim

    def make_connector(self, pre, post):
        return index_array_connector(pre, post)

    def spike_trains(self, trains):
        """Each train on the time grid (:func:`spinncer.timegrid.step_index`), given
        :data:`BELOW_GRID_STEPS` below it so that NEST delivers it in its own step."""
        dt = self.timestep
        return [self.sim.Sequence((step_index(t, dt) - BELOW_GRID_STEPS) * dt) for t in trains]

    def record_spikes(self):
        """One spike_recorder for every cell, made after all populations (so that no cell's
        node id changes), joined by the cheapest device connection NEST has
        (:data:`SPIKE_RECORDER_SYNAPSE`): PyNN's one recorder per population, joined by
        ``static_synapse``, costs 32 KiB per cell (3 GiB at 400 x 400 µm)."""
        import nest
        cells = sum(pop.size for pop in self.populations.values())
        devices = nest.network_size - cells  # spike generators, PyNN's recorders: on every thread
        per_thread = devices + sum(-(-pop.size // self.threads)
                                   for pop in self.populations.values())
        synapse = SPIKE_RECORDER_SYNAPSE if per_thread < HPC_MAX_NODES_PER_THREAD else \
            SPIKE_RECORDER_SYNAPSE_FALLBACK
        self._spike_recorder = nest.Create("spike_recorder", params={"record_to": "memory"})
        for pop in self.populations.values():
            nest.Connect(pop.node_collection, self._spike_recorder, "all_to_all",
                         {"synapse_model": synapse})

    def spikes(self):
        """Spikes up to the current time (as PyNN reads them: recorded times up to
        ``state.t``), in NEST's event order, split by population."""
        state = self.sim.simulator.state
        events = self._spike_recorder.get("events")
        senders = np.asarray(events["senders"], dtype=np.int64)
        times = np.asarray(events["times"], dtype=np.float64) - state._time_offset
        keep = times <= state.t
        senders, times = senders[keep], times[keep]
        spikes = {}
        for name, pop in self.populations.items():
            ids = node_ids(pop)
            index = np.minimum(np.searchsorted(ids, senders), len(ids) - 1)
            mine = ids[index] == senders
            spikes[name] = PopulationSpikes(self._scaffold_index(name, index[mine]),
                                            self._on_grid(name, times[mine]), pop.size)
        return spikes

    def _on_grid(self, name, times):
        """Input spikes back on their grid points: the recorder gives a generator's precise
        time, :data:`BELOW_GRID_STEPS` under the grid (:meth:`spike_trains`), which put a spike
        of step 3000 at 299.999999999 ms, in the window before the one it belongs to."""
        if name != INPUT_POPULATION:
            return times
        return step_index(times, self.timestep) * self.timestep

    def _signal_arrays(self, name, pynn_index):
        """What PyNN's neo output gives (row 0: the initial values at t = 0, then one row per
        timestep up to t = simtime inclusive), read from the population's NEST multimeter in bulk: PyNN's reader appends
        every sample to a Python list (minutes and GiB for the study's sample)."""
        pop = self.populations[name]
        state = self.sim.simulator.state
        events = pop.recorder._multimeter.device.get("events")
        times = np.asarray(events["times"], dtype=np.float64) - state._time_offset
        keep = times <= state.t + 1e-9
        step = np.rint(times[keep] / self.timestep).astype(np.int64)
        column = np.searchsorted(pynn_index, np.asarray(events["senders"])[keep] -
                                 int(pop.first_id))
        n_steps = int(np.rint(state.t / self.timestep)) + 1
        celltype, arrays = pop.celltype, {}
        for variable in SIGNALS:
            values = np.empty((n_steps, len(pynn_index)))
            values[0] = np.asarray(pop.initial_values[variable].evaluate(simplify=False),
                                   dtype=np.float64)[pynn_index]
            values[step, column] = (np.asarray(events[celltype.variable_map[variable]][keep])
                                    * celltype.scale_factors[variable])
            arrays[variable] = values
        return 0.0, arrays

    def versions(self):
        import nest
        import pyNN
        return {"nest": nest.__version__, "pyNN": pyNN.__version__}


@contextmanager
def pynn_without_extension_build():
    """Import pyNN.nest without its attempt to build its optional C++ extensions.

    At import, pyNN.nest runs CMake on its extensions whenever ``nest-config`` is on PATH, as in
    an activated venv, which has the NEST wheel's. The wheel cannot build them: CMake fails and
    PyNN prints its whole log into every run's output, on every import. spinncer uses NEST's
    built-in models only, so PyNN's lookup of ``nest-config`` finds nothing meanwhile (PyNN then
    goes on without extensions, as it does when nest-config is not on PATH)."""
    import pyNN.core

    find = pyNN.core.find
    pyNN.core.find = lambda command: "" if command == "nest-config" else find(command)
    try:
        yield
    finally:
        pyNN.core.find = find


def node_ids(population):
    """NEST node ids of a PyNN population's cells, by index (vectorised: a population made by
    one Create is a contiguous range; NodeCollection.tolist() costs seconds for 10^5 cells)."""
    first, last = int(population.first_id), int(population.last_id)
    if last - first + 1 == population.size:
        return np.arange(first, last + 1, dtype=np.int64)
    return np.asarray(population.node_collection.tolist(), dtype=np.int64)


def index_array_connector(pre, post):
    """A PyNN connector creating pre[i] -> post[i] for all i in one NEST call."""
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

