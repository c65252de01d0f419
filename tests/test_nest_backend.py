"""Real NEST (through pyNN.nest) on tiny hand-wired networks; no mocks."""
import numpy as np
import pytest

from spinncer.analysis.stats import spike_counts
from spinncer.backends import open_session
from spinncer.errors import InputError
from spinncer.params import CONNECTION_TYPES
from spinncer.stimulus import Stimulus
from spinncer.timegrid import step_index


def silent_stimulus(n, spikes=None):
    trains = [np.array(spikes.get(i, []), float) for i in range(n)] if spikes else \
        [np.empty(0)] * n
    return Stimulus.from_trains(trains)


def build(scaffold, stimulus, record_signals=None):
    session = open_session("nest", timestep=0.1, threads=1, seed=1)
    session.build(scaffold, stimulus, record_signals)
    session.connect(scaffold)
    return session


def test_bulk_connector_creates_exactly_the_scaffold_synapses(scaffold):
    import nest
    session = build(scaffold, silent_stimulus(scaffold.n_cells("glomerulus")))
    pops, projs = session.populations, session.projections
    assert sorted(projs) == sorted(scaffold.connections)
    for name, proj in projs.items():
        kind, conn = CONNECTION_TYPES[name], scaffold.connections[name]
        found = nest.GetConnections(synapse_label=proj.nest_synapse_label)
        status = found.get(["source", "target", "weight", "delay"], output="pandas")
        pre = status["source"].to_numpy() - pops[kind.pre].first_id
        post = status["target"].to_numpy() - pops[kind.post].first_id
        got = sorted(zip(pre.tolist(), post.tolist()))
        assert got == sorted(zip(conn.pre.tolist(), conn.post.tolist())), name
        # PyNN µS -> NEST nS; inhibitory conductances are negative weights in NEST
        np.testing.assert_allclose(status["weight"], kind.weight * 1000.0)
        np.testing.assert_allclose(status["delay"], kind.delay)
    session.end()


def test_repeated_pairs_are_kept_as_multiple_synapses(scaffold):
    import nest
    conn = scaffold.connections["glom_grc"]
    conn.pre, conn.post = np.array([0, 0, 0]), np.array([1, 1, 1])
    conn.distance = None
    session = build(scaffold, silent_stimulus(scaffold.n_cells("glomerulus")))
    label = session.projections["glom_grc"].nest_synapse_label
    assert len(nest.GetConnections(synapse_label=label)) == 3
    session.end()


def test_glomerulus_spike_reaches_granule_after_the_synaptic_delay(scaffold):
    # glomeruli 0..3 all fire at 100 ms; granule cell 0 receives exactly those four
    spikes = {i: [100.0] for i in range(4)}
    session = build(scaffold, silent_stimulus(scaffold.n_cells("glomerulus"), spikes))
    session.run(120.0)
    granule = session.spikes()["granule"]
    first_0 = granule.time[granule.cell == 0].min()
    delay = CONNECTION_TYPES["glom_grc"].delay
    assert 100.0 + delay < first_0 < 100.0 + delay + 3.0
    # granule 5 sees glomeruli 5, 6, 7, 0: only one of them fired, so it responds no earlier
    assert (granule.time[granule.cell == 5] >= 100.0 + delay).all()
    session.end()


def test_signals_are_recorded_for_the_cells_asked_in_scaffold_order(scaffold):
    # glomeruli 0..3 fire at 100 ms: granule 0 gets all four (4 x 0.009 µS), granule 3 one
    spikes = {i: [100.0] for i in range(4)}
    session = build(scaffold, silent_stimulus(scaffold.n_cells("glomerulus"), spikes),
                    {"granule": [3, 0], "dcn": np.array([0])})
    session.run(120.0)
    signals = session.signals()
    session.end()
    assert sorted(signals) == ["dcn", "granule"]
    grc = signals["granule"]
    # the run files' time base: t = 0 first, simtime / dt samples (pyNN.nest's at 120 ms cut)
    assert grc.cells.tolist() == [0, 3] and grc.dt == 0.1 and grc.t_start == 0.0
    assert grc.v.dtype == np.float32 and grc.v.shape == grc.gsyn_exc.shape == (1200, 2)
    np.testing.assert_allclose(grc.v[0], -74.0)  # v_rest of granule cells, mV
    delay = CONNECTION_TYPES["glom_grc"].delay
    before = grc.times < 100.0 + delay
    assert (grc.gsyn_exc[before] == 0).all()
    np.testing.assert_allclose(grc.gsyn_exc.max(axis=0), [4 * 0.009, 0.009], rtol=1e-5)
    assert signals["dcn"].v.shape == (1200, 1)


def test_unknown_backend_is_bad_input():
    with pytest.raises(InputError, match="backend: expected one of"):
        open_session("hilbert", timestep=0.1)


def test_signals_read_in_bulk_equal_pynn_neo_output(scaffold):
    """The NEST session reads its multimeters directly; PyNN's own reader gives the same."""
    from spinncer.backends.pynn import PyNNSession
    spikes = {i: [100.0, 130.2] for i in range(4)}
    session = build(scaffold, silent_stimulus(scaffold.n_cells("glomerulus"), spikes),
                    {"granule": [5, 0, 3], "golgi": [1]})
    session.run(150.0)
    for name, cells in (("granule", np.array([0, 3, 5])), ("golgi", np.array([1]))):
        t_fast, fast = session._signal_arrays(name, cells)
        t_neo, neo = PyNNSession._signal_arrays(session, name, cells)
        assert t_fast == t_neo == 0.0 and sorted(fast) == sorted(neo)
        for variable in fast:
            np.testing.assert_array_equal(fast[variable], neo[variable], err_msg=variable)
    session.end()


@pytest.mark.parametrize("hpc_fits", [True, False])
def test_one_spike_recorder_records_what_pynn_records(monkeypatch, hpc_fits):
    """The session's single spike recorder (cheap device synapses, issue 24) and PyNN's own
    recorders, attached to the same run on 2 threads, give the same spikes in the same order.
    Without room for an HPC synapse the session falls back to a plain one."""
    import nest
    from conftest import tiny_scaffold
    from spinncer.backends import nest as nest_backend
    from spinncer.backends.pynn import PyNNSession
    if not hpc_fits:
        monkeypatch.setattr(nest_backend, "HPC_MAX_NODES_PER_THREAD", 1)
    scaffold = tiny_scaffold(n_glom=40, n_grc=30)
    rng = np.random.default_rng(3)  # every glomerulus at ~100 Hz for 300 ms, on the 0.1 ms grid
    trains = [np.unique(rng.integers(10, 3000, 30)) * 0.1 for _ in range(40)]
    session = open_session("nest", timestep=0.1, threads=2, seed=1)
    session.build(scaffold, Stimulus.from_trains(trains))
    PyNNSession.record_spikes(session)  # PyNN's recorders as well, on the same run
    session.connect(scaffold)
    session.run(300.0)
    ours, pynns = session.spikes(), PyNNSession.spikes(session)
    models = set(nest.GetConnections(target=session._spike_recorder).get("synapse_model"))
    session.end()
    assert models == {nest_backend.SPIKE_RECORDER_SYNAPSE if hpc_fits else
                      nest_backend.SPIKE_RECORDER_SYNAPSE_FALLBACK}
    assert sorted(ours) == sorted(pynns)
    assert sum(len(s) for s in ours.values()) > 1000
    assert all(len(ours[name]) for name in ("glomerulus", "granule", "golgi", "purkinje"))
    for name in ours:
        np.testing.assert_array_equal(ours[name].cell, pynns[name].cell, err_msg=name)
        # PyNN gives the generators' precise times, a hair under the grid; ours are on it
        grid = step_index(pynns[name].time, 0.1) * 0.1 if name == "glomerulus" else \
            pynns[name].time
        np.testing.assert_array_equal(ours[name].time, grid, err_msg=name)
        assert ours[name].n_cells == pynns[name].n_cells


def test_input_spikes_come_back_on_the_grid():
    """A glomerulus spike given at 30.0 ms is recorded at 30.0 ms, not a hair under it (the
    generator's time sits BELOW_GRID_STEPS under the grid), so it counts in the window that
    starts at 30 ms, as on every other backend."""
    from conftest import tiny_scaffold
    scaffold = tiny_scaffold()
    trains = [np.array([10.0, 30.0, 45.5])] * scaffold.n_cells("glomerulus")
    session = open_session("nest", timestep=0.1, threads=1, seed=1)
    session.build(scaffold, Stimulus.from_trains(trains))
    session.connect(scaffold)
    session.run(60.0)
    glom = session.spikes()["glomerulus"]
    session.end()
    n = len(trains)
    np.testing.assert_allclose(np.sort(glom.time), np.repeat([10.0, 30.0, 45.5], n),
                               rtol=0, atol=1e-12)
    assert spike_counts(glom.cell, glom.time, n, 30.0, 60.0).tolist() == [2] * n


def busy_tiny_run(scaffold, replay=None, simtime=300.0):
    """The tiny network with every glomerulus at ~100 Hz (or the glomeruli's `replay`), its
    cells' spikes {population: PopulationSpikes} and the session's populations and sources."""
    rng = np.random.default_rng(3)
    trains = [np.unique(rng.integers(10, 3000, 30)) * 0.1
              for _ in range(scaffold.n_cells("glomerulus"))]
    session = open_session("nest", timestep=0.1, threads=1, seed=1)
    session.build(scaffold, Stimulus.from_trains(trains), replay=replay)
    session.connect(scaffold)
    session.run(simtime)
    spikes = session.spikes()
    built = sorted(session.populations), sorted(session.sources)
    session.end()
    return spikes, built


def per_cell_trains(pop):
    return [np.sort(pop.time[pop.cell == i]) for i in range(pop.n_cells)]


def test_open_loop_replaying_the_closed_loop_spikes_gives_them_again():
    """Every cell population replaying its own closed-loop spikes (all connections from spike
    sources) gives every closed-loop spike again, at the same step: replay delivers a spike
    as the cell that fired it did (benchmarks/reference_open_loop.py's control)."""
    from conftest import tiny_scaffold
    scaffold = tiny_scaffold(n_glom=40, n_grc=30)
    closed, _ = busy_tiny_run(scaffold)
    assert all(len(closed[p]) for p in ("granule", "golgi", "purkinje", "dcn"))
    replay = {p: per_cell_trains(s) for p, s in closed.items() if p != "glomerulus"}
    opened, (populations, sources) = busy_tiny_run(scaffold, replay)
    assert sources == sorted(scaffold.positions)  # every population a source as well
    for name, pop in closed.items():
        np.testing.assert_array_equal(np.sort(opened[name].time), np.sort(pop.time), name)
        np.testing.assert_array_equal(opened[name].cell[np.lexsort((opened[name].time,
                                                                    opened[name].cell))],
                                      pop.cell[np.lexsort((pop.time, pop.cell))], name)


def test_connections_come_from_the_replay_not_from_the_cells():
    """Purkinje cells replayed silent: the DCN fires as without pc_dcn, though the Purkinje
    cells themselves (receiving parallel fibres) still fire; a population replayed with no
    connection into it is a spike source only."""
    from conftest import tiny_scaffold
    from spinncer.scaffold import Scaffold
    scaffold = tiny_scaffold(n_glom=40, n_grc=30)
    closed, _ = busy_tiny_run(scaffold)
    silent = {"purkinje": [np.empty(0)] * scaffold.n_cells("purkinje")}
    opened, (populations, sources) = busy_tiny_run(scaffold, silent)
    without = Scaffold(scaffold.positions, {n: c for n, c in scaffold.connections.items()
                                            if n != "pc_dcn"})
    no_pc_dcn, _ = busy_tiny_run(without)
    assert "purkinje" in populations and "purkinje" in sources
    np.testing.assert_array_equal(opened["purkinje"].time, closed["purkinje"].time)
    assert opened["dcn"].time[-1] < closed["dcn"].time[-1]  # disinhibited: fires sooner
    np.testing.assert_array_equal(opened["dcn"].time, no_pc_dcn["dcn"].time)
    only_dcn = Scaffold(scaffold.positions, {"pc_dcn": scaffold.connections["pc_dcn"]})
    _, (populations, sources) = busy_tiny_run(only_dcn, silent, simtime=10.0)
    assert "purkinje" not in populations and "purkinje" in sources


def test_replay_needs_one_train_per_cell(scaffold):
    session = open_session("nest", timestep=0.1, threads=1, seed=1)
    with pytest.raises(InputError, match="spike trains of 'golgi': expected one per cell"):
        session.build(scaffold, silent_stimulus(scaffold.n_cells("glomerulus")),
                      replay={"golgi": [np.empty(0)]})
    session.end()
