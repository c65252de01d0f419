"""Real NEST (through pyNN.nest) on tiny hand-wired networks; no mocks."""
import numpy as np
import pytest

from spinncer.backends import get_backend
from spinncer.errors import InputError
from spinncer.network import build_populations, build_projections
from spinncer.params import CONNECTION_TYPES
from spinncer.stimulus import Stimulus


def silent_stimulus(n, spikes=None):
    trains = [np.array(spikes.get(i, []), float) for i in range(n)] if spikes else \
        [np.empty(0)] * n
    return Stimulus.from_trains(trains)


def build(scaffold, stimulus):
    backend = get_backend("nest")
    sim = backend.setup(timestep=0.1, threads=1, seed=1)
    pops = build_populations(sim, scaffold, stimulus)
    projs = build_projections(sim, scaffold, pops, backend.make_connector)
    return sim, pops, projs


def test_bulk_connector_creates_exactly_the_scaffold_synapses(scaffold):
    import nest
    sim, pops, projs = build(scaffold, silent_stimulus(scaffold.n_cells("glomerulus")))
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
    sim.end()


def test_repeated_pairs_are_kept_as_multiple_synapses(scaffold):
    import nest
    conn = scaffold.connections["glom_grc"]
    conn.pre, conn.post = np.array([0, 0, 0]), np.array([1, 1, 1])
    conn.distance = None
    sim, pops, projs = build(scaffold, silent_stimulus(scaffold.n_cells("glomerulus")))
    assert len(nest.GetConnections(synapse_label=projs["glom_grc"].nest_synapse_label)) == 3
    sim.end()


def test_glomerulus_spike_reaches_granule_after_the_synaptic_delay(scaffold):
    # glomeruli 0..3 all fire at 100 ms; granule cell 0 receives exactly those four
    spikes = {i: [100.0] for i in range(4)}
    sim, pops, _ = build(scaffold, silent_stimulus(scaffold.n_cells("glomerulus"), spikes))
    sim.run(120.0)
    trains = pops["granule"].get_data("spikes").segments[0].spiketrains
    ids, times = trains.multiplexed
    cells = np.asarray(ids) - pops["granule"].first_id
    first_0 = times[cells == 0].magnitude.min()
    delay = CONNECTION_TYPES["glom_grc"].delay
    assert 100.0 + delay < first_0 < 100.0 + delay + 3.0
    # granule 5 sees glomeruli 5, 6, 7, 0: only one of them fired, so it responds no earlier
    assert (times[cells == 5].magnitude >= 100.0 + delay).all()
    sim.end()


def test_unknown_backend_is_bad_input():
    with pytest.raises(InputError, match="backend"):
        get_backend("brian2")
