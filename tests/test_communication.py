"""Communication load per core (spinncer.communication) on hand-made examples."""
import numpy as np
import pytest

from spinncer.communication import (compare_orderings, core_load, fan_out_summary, load_summary,
                                    read_mappings)
from spinncer.partition import block_assignment, cell_order, grid_order, load_assignment
from spinncer.errors import InputError
from spinncer.results import PopulationSpikes
from spinncer.scaffold import Connectivity, Scaffold, permute_scaffold


def two_core_scaffold():
    """2 glomeruli -> 4 granule cells; with 2 cells per core granule cells 0,1 are on one core
    and 2,3 on another. Glomerulus 0 reaches granule 0, 1, 2; glomerulus 1 reaches granule 3
    through two synapses."""
    positions = {"glomerulus": np.array([[0.0, 0, 0], [10.0, 0, 0]]),
                 "granule": np.array([[0.0, 10, 0], [5.0, 10, 0], [10.0, 10, 0], [15.0, 10, 0]])}
    glom_grc = Connectivity(np.array([0, 0, 0, 1, 1]), np.array([0, 1, 2, 3, 3]))
    return Scaffold(positions, {"glom_grc": glom_grc}, source="two-core")


def test_communication_two_core_events_and_packets():
    scaffold = two_core_scaffold()
    assignment = block_assignment(scaffold, neurons_per_core=2)
    # core 0: both glomeruli; core 1: granule 0,1; core 2: granule 2,3
    assert assignment.core_population.tolist() == ["glomerulus", "granule", "granule"]
    assert assignment.core_of["granule"].tolist() == [1, 1, 2, 2]
    # glomerulus 0 fires at 0.1 and 0.3 ms, glomerulus 1 at 0.1 ms
    spikes = {"glomerulus": PopulationSpikes(np.array([0, 0, 1]), np.array([0.1, 0.3, 0.1]), 2)}
    profile = core_load(spikes, scaffold, assignment, timestep=0.1, simtime=0.5)
    assert profile.events.shape == (3, 6)
    # step 1: core 1 gets g0->0, g0->1 (2 events, 1 packet of a connected neuron);
    #         core 2 gets g0->2 and g1->3 twice (3 events, 2 packets)
    # step 3: core 1 gets 2 events (1 packet), core 2 gets 1 event (1 packet)
    expected_events = np.zeros((3, 6), int)
    expected_events[1, [1, 3]] = [2, 2]
    expected_events[2, [1, 3]] = [3, 1]
    expected_lower = np.zeros((3, 6), int)
    expected_lower[1, [1, 3]] = [1, 1]
    expected_lower[2, [1, 3]] = [2, 1]
    # routed by slice: the glomerulus slice (core 0) reaches cores 1 and 2, so g1's spike at
    # step 1 also arrives at core 1, where g1 has no synapse
    expected_packets = expected_lower.copy()
    expected_packets[1, 1] = 2
    np.testing.assert_array_equal(profile.events, expected_events)
    np.testing.assert_array_equal(profile.packets_lower_bound, expected_lower)
    np.testing.assert_array_equal(profile.packets, expected_packets)
    # one projection: a row per (spike, core) with a synapse, i.e. the lower bound here
    np.testing.assert_array_equal(profile.rows, expected_lower)
    rows = {r["population"]: r for r in load_summary(profile, "x")}
    assert rows["granule"]["events_peak"] == 3 and rows["granule"]["packets_peak"] == 2
    assert rows["granule"]["packets_lower_bound_mean_core_peak"] == 1.5
    assert rows["granule"]["packets_mean_core_peak"] == 2.0
    assert rows["granule"]["n_cores"] == 2 and rows["all"]["n_cores"] == 3
    assert rows["granule"]["events_mean_per_step"] == pytest.approx(8 / 12)
    assert rows["glomerulus"]["events_peak"] == 0


def test_two_projections_from_one_source_are_two_rows_in_one_packet():
    scaffold = two_core_scaffold()
    # a second projection glomerulus -> granule (as aa_pc and pf_pc both leave granule cells)
    conns = dict(scaffold.connections, glom_goc=Connectivity(np.array([0]), np.array([0])))
    positions = dict(scaffold.positions, golgi=np.array([[0.0, 20, 0]]))
    from spinncer.params import CONNECTION_TYPES, ConnectionType
    types = dict(CONNECTION_TYPES, glom_goc=ConnectionType("glomerulus", "granule", 0.002, 4.0))
    two = Scaffold(positions, conns, source="two projections")
    spikes = {"glomerulus": PopulationSpikes(np.array([0]), np.array([0.1]), 2)}
    profile = core_load(spikes, two, block_assignment(two, neurons_per_core=2), 0.1, 0.5,
                        connection_types=types)
    granule_core_1 = 1
    assert profile.rows[granule_core_1, 1] == 2
    assert profile.packets[granule_core_1, 1] == profile.packets_lower_bound[granule_core_1, 1] == 1


def test_communication_spike_outside_the_run_is_an_input_error():
    scaffold = two_core_scaffold()
    spikes = {"glomerulus": PopulationSpikes(np.array([0]), np.array([5.0]), 2)}
    with pytest.raises(InputError):
        core_load(spikes, scaffold, block_assignment(scaffold, 2), timestep=0.1, simtime=1.0)


def test_communication_grid_order_follows_columns_then_rows():
    # all cells share y; x bins [0, 1/9 of the span) ... ; the rows run along z
    positions = {"granule": np.array([
        [90.0, 0, 0],    # last column, first row
        [0.0, 0, 90.0],  # first column, last row
        [0.0, 0, 0.0],   # first column, first row
        [1.0, 0, 0.0],   # same grid cell as the previous: sorted by z, then x
        [0.0, 5, 0.0],   # same grid cell, same z and x as cell 2: then y
    ])}
    scaffold = Scaffold(positions, {})
    new_id = grid_order(scaffold, "granule")
    # order: cell 2 (z0,x0,y0), cell 4 (z0,x0,y5), cell 3 (x1), cell 1 (row 22), cell 0 (column 8)
    assert new_id.tolist() == [4, 3, 0, 2, 1]
    # golgi sorts inside a grid cell by x first: (x, z, y)
    positions = {"golgi": np.array([[2.0, 0, 0.0], [1.0, 0, 1.0]]),
                 "granule": np.array([[0.0, 0, 0.0], [90.0, 0, 90.0]])}
    scaffold = Scaffold(positions, {})
    assert grid_order(scaffold, "golgi").tolist() == [1, 0]
    assert grid_order(scaffold, "granule").tolist() == [0, 1]


def test_communication_remap_is_a_permutation_and_keeps_total_load(scaffold):
    order = cell_order(scaffold, "grid")
    for pop, new_id in order.items():
        assert sorted(new_id.tolist()) == list(range(scaffold.n_cells(pop)))
    permuted = permute_scaffold(scaffold, order)
    for name, conn in scaffold.connections.items():
        assert len(permuted.connections[name]) == len(conn)
    spikes = {"glomerulus": PopulationSpikes(np.arange(8), np.full(8, 1.0), 8),
              "granule": PopulationSpikes(np.arange(6), np.full(6, 2.0), 6)}
    total = {}
    for remap in (None, "grid"):
        profile = core_load(spikes, scaffold, block_assignment(scaffold, 2, remap), 0.1, 3.0)
        total[remap] = profile.events.sum()
    n_events = sum(len(c) for n, c in scaffold.connections.items()
                           if n.split("_")[0] in ("glom", "aa", "pf"))
    assert total[None] == total["grid"] == n_events
    with pytest.raises(InputError, match="id_remap"):
        cell_order(scaffold, "hilbert")


def test_communication_compare_orderings_reduction(scaffold):
    spikes = {"glomerulus": PopulationSpikes(np.arange(8), np.full(8, 1.0), 8)}
    rows, reductions, core_peaks = compare_orderings(spikes, scaffold, 0.1, 2.0,
                                                     neurons_per_core=2)
    peaks = {(r["ordering"], r["population"]): r["packets_peak"] for r in rows}
    by = {(r["baseline"], r["population"]): r for r in reductions}
    for baseline in ("file", "random"):
        assert by[(baseline, "all")]["packets_peak_reduction"] == pytest.approx(
            1 - peaks[("grid", "all")] / peaks[(baseline, "all")])
    assert {r["ordering"] for r in rows} == {"file", "random", "grid"}


def test_random_ordering_is_seeded_and_differs_per_population(scaffold):
    a, b = cell_order(scaffold, "random"), cell_order(scaffold, "random")
    for pop in a:
        np.testing.assert_array_equal(a[pop], b[pop])
        assert sorted(a[pop].tolist()) == list(range(scaffold.n_cells(pop)))
    assert not np.array_equal(cell_order(scaffold, "random", seed=2)["granule"], a["granule"])


def test_communication_assignment_round_trip(tmp_path, scaffold):
    a = block_assignment(scaffold, 3, "grid")
    a.save(tmp_path / "a.npz", extra={"routing_entries": np.array([1, 2])})
    b = load_assignment(tmp_path / "a.npz")
    assert b.meta["id_remap"] == "grid"
    for pop in a.core_of:
        np.testing.assert_array_equal(a.core_of[pop], b.core_of[pop])
    with pytest.raises(InputError):
        load_assignment(tmp_path / "missing.npz")


def test_read_mappings_routes_only_mappings_with_routing_tables(tmp_path, scaffold):
    tables = dict(source_xyp=[[0, 0, 1]], source_kind=["neuron"], source_population=["granule"],
                  source_lo_atom=[0], source_hi_atom=[3], source_key=[0x10000],
                  source_mask=[0xFFFFFFC0], source_delay_stages=[0], source_delay_per_stage=[0],
                  route_xy=[[0, 0]], route_key=[0x10000], route_mask=[0xFFFFFFC0],
                  route_processors=[4])
    a = block_assignment(scaffold, 3, "grid")
    a.save(tmp_path / "blocks.npz")
    a.save(tmp_path / "routed.npz", extra=tables)
    assignments, routings = read_mappings([f"b={tmp_path / 'blocks.npz'}",
                                           f"r={tmp_path / 'routed.npz'}"])
    assert sorted(assignments) == ["b", "r"] and list(routings) == ["r"]
    assert assignments["r"].meta["id_remap"] == "grid"
    np.testing.assert_array_equal(assignments["b"].core_of["granule"], a.core_of["granule"])
    assert routings["r"].route_processors.tolist() == [4]
    for bad in (str(tmp_path / "blocks.npz"), f"x={tmp_path / 'missing.npz'}"):
        with pytest.raises(InputError):
            read_mappings([bad])


def test_fan_out_summary_counts_cores_per_slice_key_and_per_neuron():
    scaffold = two_core_scaffold()
    rows = fan_out_summary(scaffold, block_assignment(scaffold, neurons_per_core=2), "x")
    # the glomerulus slice reaches both granule cores; glomerulus 0 reaches 2, glomerulus 1 one
    assert rows == [dict(ordering="x", population="glomerulus", cores_per_slice_key=2.0,
                         cores_per_neuron=1.5)]
