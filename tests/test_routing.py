"""Packets per core from hand-made mappings whose counts are known by hand."""
import numpy as np
import pytest

from spinncer.errors import InputError
from spinncer.results import PopulationSpikes
from spinncer.routing import RoutingMap, fan_out, load_routing, packet_load

DT = 0.1


def _mapping(sources, routes, **extra):
    """sources: (xyp, kind, population, lo, hi, key, mask, stages, per_stage);
    routes: (x, y, key, mask, processors-bitmask)."""
    cols = list(zip(*sources))
    arrays = dict(
        source_xyp=np.array(cols[0]), source_kind=np.array(cols[1]),
        source_population=np.array(cols[2]), source_lo_atom=np.array(cols[3]),
        source_hi_atom=np.array(cols[4]), source_key=np.array(cols[5], np.uint32),
        source_mask=np.array(cols[6], np.uint32), source_delay_stages=np.array(cols[7]),
        source_delay_per_stage=np.array(cols[8]),
        route_xy=np.array([r[:2] for r in routes]),
        route_key=np.array([r[2] for r in routes], np.uint32),
        route_mask=np.array([r[3] for r in routes], np.uint32),
        route_processors=np.array([r[4] for r in routes], np.uint32),
        route_links=np.zeros(len(routes), np.uint8),
        **{f"pynn_index/{k}": v for k, v in extra.get("pynn", {}).items()})
    arrays.update(extra.get("arrays", {}))
    return arrays


def _spikes(cells, times, n):
    return PopulationSpikes(np.array(cells), np.array(times, float), n)


# a slice of 4 atoms (keys 0x10000 + (j << 4) + colour: 64 keys, mask 0xFFFFFFC0)
SLICE = ((0, 0, 1), "neuron", "pre", 0, 3, 0x10000, 0xFFFFFFC0, 0, 0)


def test_one_slice_to_two_cores_every_neuron_of_the_slice_counts():
    # chip (0,0) delivers to p2 and forwards east; chip (1,0) delivers to p3
    arrays = _mapping([SLICE], [(0, 0, 0x10000, 0xFFFFFFC0, 1 << 2),
                                (1, 0, 0x10000, 0xFFFFFFC0, 1 << 3)],
                      pynn={"pre": np.arange(4)})
    # cell 3 might have no synapse on either core: its packet still arrives (key per slice)
    spikes = {"pre": _spikes([0, 1, 3, 0], [0.0, 0.0, 0.1, 0.2], 4)}
    load = packet_load(spikes, RoutingMap.from_arrays(arrays), DT, n_steps=4)
    assert load.receivers.tolist() == [[0, 0, 2], [1, 0, 3]]
    assert load.packets.tolist() == [[2, 1, 1, 0], [2, 1, 1, 0]]
    assert load.peak().tolist() == [2, 2]


def test_two_slices_route_to_different_cores_by_key():
    second = ((0, 0, 5), "neuron", "pre", 4, 7, 0x10040, 0xFFFFFFC0, 0, 0)
    arrays = _mapping([SLICE, second], [(0, 0, 0x10000, 0xFFFFFFC0, 1 << 2),
                                        (0, 0, 0x10040, 0xFFFFFFC0, 1 << 3)],
                      pynn={"pre": np.arange(8)})
    spikes = {"pre": _spikes([0, 4, 5, 7], [0.0, 0.0, 0.0, 0.0], 8)}
    load = packet_load(spikes, RoutingMap.from_arrays(arrays), DT)
    assert load.packets[:, 0].tolist() == [1, 3]


def test_ordering_maps_cells_to_slices_through_pynn_index():
    second = ((0, 0, 5), "neuron", "pre", 4, 7, 0x10040, 0xFFFFFFC0, 0, 0)
    routes = [(0, 0, 0x10000, 0xFFFFFFC0, 1 << 2), (0, 0, 0x10040, 0xFFFFFFC0, 1 << 3)]
    spikes = {"pre": _spikes([0, 1, 2, 3], [0.0] * 4, 8)}
    identity = _mapping([SLICE, second], routes, pynn={"pre": np.arange(8)})
    reversed_ = _mapping([SLICE, second], routes, pynn={"pre": np.arange(8)[::-1]})
    assert packet_load(spikes, RoutingMap.from_arrays(identity), DT).packets[:, 0].tolist() \
        == [4, 0]
    assert packet_load(spikes, RoutingMap.from_arrays(reversed_), DT).packets[:, 0].tolist() \
        == [0, 4]


def test_delay_above_the_core_maximum_is_resent_at_each_stage():
    # 2 stages of 16 ticks: keys 0x20000 + ((d*4 + j) << 4), 128 keys, mask 0xFFFFFF80
    delay = ((0, 0, 4), "delay", "pre", 0, 3, 0x20000, 0xFFFFFF80, 2, 16)
    arrays = _mapping([SLICE, delay], [
        (0, 0, 0x10000, 0xFFFFFFC0, (1 << 2) | (1 << 4)),  # neuron -> post p2 and delay p4
        (0, 0, 0x20000, 0xFFFFFF80, 1 << 2)],              # delay stages -> post p2
        pynn={"pre": np.arange(4)})
    spikes = {"pre": _spikes([1, 2], [0.0, 0.1], 4)}
    load = packet_load(spikes, RoutingMap.from_arrays(arrays), DT, n_steps=40)
    post = load.packets[load.receivers.tolist().index([0, 0, 2])]
    assert np.flatnonzero(post).tolist() == [0, 1, 16, 17, 32, 33]
    assert post.sum() == 6
    delay_core = load.packets[load.receivers.tolist().index([0, 0, 4])]
    assert np.flatnonzero(delay_core).tolist() == [0, 1]
    assert dict(zip(map(tuple, load.receivers.tolist()), load.role))[(0, 0, 4)] == "delay"
    # a re-send after the end of the run is never sent
    short = packet_load(spikes, RoutingMap.from_arrays(arrays), DT, n_steps=20)
    assert short.packets.sum() == 2 + 2 + 2


def test_a_delay_stage_routed_elsewhere_reaches_only_its_core():
    # stage 1 keys (d=1: 0x20040..0x2007F) go to p6 only, stage 0 keys to p2 only
    delay = ((0, 0, 4), "delay", "pre", 0, 3, 0x20000, 0xFFFFFF80, 2, 16)
    arrays = _mapping([SLICE, delay], [
        (0, 0, 0x10000, 0xFFFFFFC0, 1 << 4),
        (0, 0, 0x20000, 0xFFFFFFC0, 1 << 2),
        (0, 0, 0x20040, 0xFFFFFFC0, 1 << 6)], pynn={"pre": np.arange(4)})
    load = packet_load({"pre": _spikes([0], [0.0], 4)}, RoutingMap.from_arrays(arrays), DT,
                       n_steps=40)
    got = {tuple(r): np.flatnonzero(p).tolist() for r, p in zip(load.receivers.tolist(),
                                                               load.packets)}
    assert got == {(0, 0, 2): [16], (0, 0, 4): [0], (0, 0, 6): [32]}


def test_non_prefix_mask_matches_like_the_router():
    # mask ignores bit 5 only: atoms j=0 (0x10000) and j=2 (0x10020) match, j=1, j=3 do not
    arrays = _mapping([SLICE], [(0, 0, 0x10000, 0xFFFFFFD0 | 0xF, 1 << 2)],
                      pynn={"pre": np.arange(4)})
    fan = fan_out(RoutingMap.from_arrays(arrays))
    assert np.diff(fan.indptr).tolist() == [1, 0, 1, 0]


def test_without_pynn_index_slices_are_found_through_core_of():
    arrays = _mapping([SLICE], [(0, 0, 0x10000, 0xFFFFFFC0, 1 << 2)],
                      arrays={"core_of/pre": np.zeros(4, np.int64),
                              "core_xyp": np.array([[0, 0, 1]]),
                              "core_population": np.array(["pre"])})
    load = packet_load({"pre": _spikes([0, 3], [0.0, 0.0], 4)}, RoutingMap.from_arrays(arrays),
                       DT)
    assert load.packets.tolist() == [[2]]


def test_mapping_without_routing_tables_is_one_input_error(tmp_path):
    path = tmp_path / "old.npz"
    np.savez(path, core_population=np.array(["pre"]))
    with pytest.raises(InputError, match="route_key"):
        load_routing(path)


def test_delay_extension_resends_through_spynnakers_own_tables(tmp_path):
    """A real sPyNNaker 7.4.1 virtual mapping with a delay extension: 300 granule cells at 256
    per core hold delays of at most min(2**6, 2**(14-8-1)) = 32 ticks, so glom_grc's 40 ticks
    go through a delay core (1 stage of 32). A glomerulus spike at step 10 reaches both granule
    cores at 10 (the undelayed edge is routed although it holds no synapse) and again at 42."""
    pytest.importorskip("spynnaker", reason="sPyNNaker is not installed")
    mapping = pytest.importorskip("spinncer.mapping", reason="needs issue 17's mapping step")
    from spinncer.scaffold import Connectivity, Scaffold
    rng = np.random.default_rng(0)
    positions = {"glomerulus": rng.uniform(0, 100, (20, 3)),
                 "granule": rng.uniform(0, 100, (300, 3))}
    scaffold = Scaffold(positions, {"glom_grc": Connectivity(np.repeat(np.arange(20), 15),
                                                             rng.permutation(300))})
    out = tmp_path / "mapping.npz"
    mapping.map_virtual(scaffold, out, neurons_per_core={"granule": 256}, scratch=tmp_path)
    rmap = load_routing(out)
    assert sorted(rmap.source_kind.tolist()) == ["delay", "neuron"]
    assert rmap.source_per_stage.max() == 32 and rmap.source_stages.max() == 1
    load = packet_load({"glomerulus": _spikes([3], [1.0], 20)}, rmap, DT, n_steps=100)
    got = sorted((role, np.flatnonzero(p).tolist()) for role, p in zip(load.role, load.packets))
    assert got == [("combined", [10, 42]), ("combined", [10, 42]), ("delay", [10])]
