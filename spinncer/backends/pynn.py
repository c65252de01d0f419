"""The part of a run every PyNN backend shares (NEST, SpiNNaker): the network in PyNN.

One ``Population`` per scaffold population (glomeruli as ``SpikeSourceArray``, every other
population ``IF_cond_exp`` with the session model's cell parameters), one ``Projection`` per
connection type with its weight and delay. What differs per simulator is a method of the
subclass: :meth:`PyNNSession._setup` (import and set up the PyNN module),
:meth:`~PyNNSession.make_connector` (bulk synapse creation from index arrays),
:meth:`~PyNNSession.population_parameters` (simulator-specific ``additional_parameters``),
:meth:`~PyNNSession.renumbering` (cells renumbered before partitioning, undone on output),
:meth:`~PyNNSession.spike_trains` (the spike-source argument) and
:meth:`~PyNNSession.record_spikes` with :meth:`~PyNNSession.spikes` (how spikes are recorded
and read back).
"""
import numpy as np

from ..errors import InputError
from ..params import INPUT_POPULATION
from ..provenance import run_in_chunks
from ..recording import SIGNALS
from ..results import PopulationSpikes, Signals, on_time_base
from ..scaffold import permute_scaffold
from .base import Session


class PyNNSession(Session):
    """A :class:`~spinncer.backends.base.Session` on a PyNN simulator module (``self.sim``).

    After :meth:`build`, ``populations`` (the recorded ones: cells and glomeruli),
    ``sources`` (spike sources: glomeruli and replayed populations) and ``projections``
    ({name: PyNN object}) are in
    PyNN index order, i.e. after :meth:`renumbering` (``new_ids``: {population: PyNN index of
    each scaffold cell}, or None).
    """

    #: run() advances in this many equal chunks, logging progress after each.
    progress_chunks = 1

    def __init__(self, name, **kwargs):
        super().__init__(name, **kwargs)
        self.populations = {}
        self.projections = {}
        self.sources = {}
        self.new_ids = None
        self._signal_cells = {}
        self._simtime = None
        self.sim = self._setup()

    # ------------------------------------------------------------ per-simulator hooks

    def _setup(self):
        """Import and set up the PyNN module from the session's settings; return it."""
        raise NotImplementedError

    def make_connector(self, pre, post):
        """A PyNN connector joining pre[i] -> post[i] (population-local PyNN indices)."""
        raise NotImplementedError

    def population_parameters(self, name):
        """Simulator-specific ``additional_parameters`` of population `name` (or None)."""
        return None

    def renumbering(self, scaffold):
        """{population: new index per scaffold cell} applied before building, or None."""
        return None

    def spike_trains(self, trains):
        """The ``spike_times`` argument of a SpikeSourceArray for per-cell `trains`."""
        return trains

    def record_spikes(self):
        """Record the spikes of every cell of ``self.populations`` (all created); read back
        by :meth:`spikes`."""
        for population in self.populations.values():
            population.record("spikes")

    # ------------------------------------------------------------ the Session interface

    def _in_pynn_index(self, name, trains, n):
        """Per-cell `trains` of population `name` (scaffold order) in PyNN index order."""
        if len(trains) != n:
            raise InputError(f"spike trains of '{name}'", f"one per cell ({n})",
                             f"{len(trains)}")
        if self.new_ids is None or name not in self.new_ids:
            return list(trains)
        return [trains[i] for i in np.argsort(self.new_ids[name])]  # PyNN index -> cell

    def _in_pynn_order(self, scaffold):
        if self.new_ids is None:
            return scaffold
        return permute_scaffold(scaffold, self.new_ids, self.model.connection_types)

    def build(self, scaffold, stimulus, record_signals=None, replay=None):
        """Populations (membrane potentials start at ``model.v_init``: v_rest [SpiNNCer
        cerebellum.py] for the spinncer variant),
        recording spikes of every cell and `record_signals` ({population: cell indices}).

        `replay` ({population: one spike-time array (ms, on the time grid) per scaffold cell})
        opens the loop: every connection from a replayed population comes from a spike source
        replaying its trains (``self.sources``), not from its cells. A replayed population's
        cells are still built (and recorded) when the scaffold has a connection into them, so
        a recurrent connection (gj_bc) reaches real cells from the replay; otherwise only the
        source is built. Replayed glomeruli replace `stimulus`."""
        self.new_ids = self.renumbering(scaffold)
        replay = dict(replay or {})
        if stimulus is not None and INPUT_POPULATION not in replay:
            replay[INPUT_POPULATION] = stimulus.spike_trains()
        receiving = {self.model.connection_types[name].post for name, conn in
                     scaffold.connections.items()
                     if name in self.model.connection_types and len(conn)}
        self.sources = {}
        for name in scaffold.positions:
            n = scaffold.n_cells(name)
            extra = self.population_parameters(name)
            kwargs = {"additional_parameters": extra} if extra else {}
            if name in replay:
                self.sources[name] = self.sim.Population(
                    n, self.sim.SpikeSourceArray(spike_times=self.spike_trains(
                        self._in_pynn_index(name, replay[name], n))),
                    label=f"{name} replay" if name != INPUT_POPULATION else name, **kwargs)
                if name == INPUT_POPULATION:
                    self.populations[name] = self.sources[name]  # recorded as before
            if name == INPUT_POPULATION or (name in replay and name not in receiving):
                continue
            population = self.sim.Population(n, self.sim.IF_cond_exp(
                **self.model.cell_params[name]), label=name, **kwargs)
            population.initialize(v=self.model.v_init(name))
            self.populations[name] = population
        self.record_spikes()
        for name, cells in (record_signals or {}).items():
            cells = np.unique(np.asarray(cells, dtype=np.int64))
            if name == INPUT_POPULATION or name not in self.populations or len(cells) == 0:
                continue  # spike sources have no signals
            index = cells if self.new_ids is None else self.new_ids[name][cells]
            self.populations[name][np.sort(index)].record(list(SIGNALS))
            self._signal_cells[name] = cells

    def connect(self, scaffold, weights=None):
        """One Projection per connection type of the model present in the scaffold; weights as
        magnitudes on the receptor named by the sign [SpiNNCer cerebellum.py]."""
        weights = {**(self.weights or {}), **(weights or {})}
        for name, conn in self._in_pynn_order(scaffold).connections.items():
            kind = self.model.connection_types.get(name)
            if kind is None or len(conn) == 0:  # e.g. gj_goc of casali2019
                continue
            synapse = self.sim.StaticSynapse(weight=abs(weights.get(name, kind.weight)),
                                             delay=kind.delay)
            self.projections[name] = self.sim.Projection(
                self.sources.get(kind.pre, self.populations.get(kind.pre)),
                self.populations[kind.post],
                self.make_connector(conn.pre, conn.post), synapse_type=synapse,
                receptor_type=kind.receptor, label=name)

    def run(self, simtime):
        run_in_chunks(self.sim.run_until, simtime, n_chunks=self.progress_chunks)
        self._simtime = float(simtime)

    def _scaffold_index(self, name, pynn_index):
        pynn_index = np.asarray(pynn_index, dtype=np.int64)
        if self.new_ids is None:
            return pynn_index
        return np.argsort(self.new_ids[name])[pynn_index]

    def spikes(self):
        """(cell index, time ms) arrays per population, without per-cell Python objects."""
        spikes = {}
        for name, pop in self.populations.items():
            trains = pop.get_data("spikes").segments[0].spiketrains
            ids, times = trains.multiplexed
            cells = self._scaffold_index(name, np.asarray(ids, np.int64) - int(pop.first_id))
            spikes[name] = PopulationSpikes(cells, np.asarray(times, dtype=np.float64),
                                            pop.size)
        return spikes

    def signals(self):
        """The recorded signals on the run files' time base
        (:func:`spinncer.results.on_time_base`: sPyNNaker's as it is, pyNN.nest's without its
        sample at t = simtime)."""
        out = {}
        for name, cells in self._signal_cells.items():
            index = cells if self.new_ids is None else self.new_ids[name][cells]
            pynn_index = np.sort(index)
            t_start, arrays = self._signal_arrays(name, pynn_index)
            arrays = on_time_base(t_start, self.timestep, arrays, self._simtime)
            order = np.argsort(self._scaffold_index(name, pynn_index))  # -> scaffold order
            out[name] = Signals(cells, 0.0, self.timestep,
                                **{var: np.asarray(a, np.float32)[:, order]
                                   for var, a in arrays.items()})
        return out

    def _signal_arrays(self, name, pynn_index):
        """(t_start ms, {signal: (n_t, n_cells) array}) of population `name`'s cells
        `pynn_index` (sorted), in PyNN's units (mV, µS), through PyNN's neo output."""
        view = self.populations[name][pynn_index]
        arrays, t_start = {}, None
        for signal in view.get_data(list(SIGNALS)).segments[0].analogsignals:
            if signal.name not in SIGNALS:
                continue
            if not np.array_equal(_channel_index(signal), pynn_index):
                raise RuntimeError(f"{self.name}: {signal.name} of {name} recorded for other "
                                   "cells than asked")
            unit = "mV" if signal.name == "v" else "uS"
            arrays[signal.name] = signal.rescale(unit).magnitude
            t_start = float(signal.t_start.rescale("ms").magnitude)
        return t_start, arrays

    def end(self):
        self.sim.end()


def _channel_index(signal):
    """Population indices of an AnalogSignal's columns: PyNN's ``channel_index`` array
    annotation, or sPyNNaker's ``channel_names`` annotation (neo_csv._insert_matrix_data)."""
    if "channel_index" in signal.array_annotations:
        return np.asarray(signal.array_annotations["channel_index"], dtype=np.int64)
    return np.asarray(signal.annotations["channel_names"], dtype=np.int64)
