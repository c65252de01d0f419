"""SpiNNaker backend: configuration, and real sPyNNaker mapping on a virtual board (no hardware).

The virtual-board tests need sPyNNaker (its own requirement on top of envs/spinncer.txt) and are
skipped with a reason when it cannot be imported.
"""
import numpy as np
import pytest

from spinncer import numerics as nm
from spinncer.backends import open_session
from spinncer.backends import spinnaker as sp
from spinncer.errors import InputError
from spinncer.mapping import map_virtual
from spinncer.params import CONNECTION_TYPES
from spinncer.partition import block_assignment, load_assignment

NPC = {"glomerulus": 4, "granule": 3}


def test_spinnaker_setup_without_machine_is_one_line_input_error(tmp_path):
    with pytest.raises(InputError) as err:
        open_session("spinnaker", timestep=0.1, workdir=tmp_path)
    assert "\n" not in str(err.value)
    assert str(err.value).startswith("spinnaker.machine: expected a board address")
    assert "spalloc_server" in str(err.value) and "virtual board" in str(err.value)
    with pytest.raises(InputError, match="exactly one"):
        sp.machine_section(machine="10.0.0.1", virtual_board=True)
    with pytest.raises(InputError, match="spalloc_user"):
        sp.machine_section(spalloc_server="https://spalloc.example")
    with pytest.raises(InputError, match="spinnaker options: expected keys among .* found "
                                         "neurons_per_cor$"):
        open_session("spinnaker", timestep=0.1, workdir=tmp_path,
                     options={"virtual_board": True, "neurons_per_cor": 3})


def test_spinnaker_config_file_is_written_in_the_run_directory(tmp_path):
    path = sp.write_config(tmp_path, sp.machine_section(machine="10.11.12.13", board_version=5))
    text = path.read_text()
    assert path == tmp_path.resolve() / "spynnaker.cfg"
    assert "machine_name = 10.11.12.13" in text and "virtual_board = False" in text
    assert f"default_report_file_path = {tmp_path.resolve() / 'reports'}" in text


@pytest.fixture(scope="module")
def spynnaker():
    return pytest.importorskip("spynnaker", reason="sPyNNaker is not installed "
                               "(pip install 'sPyNNaker==1!7.4.1' beside envs/spinncer.txt)")


@pytest.fixture(scope="module")
def virtual_mappings(spynnaker, tmp_path_factory):
    from conftest import tiny_scaffold
    home_files = [p for p in sp.user_cfg_locations() if p.is_file()]
    out = {}
    for remap in (None, "grid"):
        work = tmp_path_factory.mktemp(f"map_{remap}")
        out[remap] = map_virtual(tiny_scaffold(), work / "mapping.npz", workdir=work,
                                 neurons_per_core=NPC, id_remap=remap)
        out[remap] += (work / "mapping.npz",)
    out["home_files"] = (home_files, [p for p in sp.user_cfg_locations() if p.is_file()])
    return out


def test_spinnaker_virtual_mapping_partitions_tiny_network(virtual_mappings, scaffold):
    assignment, arrays, seconds, path = virtual_mappings[None]
    npc = {"glomerulus": 4, "granule": 3, "golgi": 64, "purkinje": 1, "basket": 64,
           "stellate": 64, "dcn": 64}
    expected_cores = {pop: -(-scaffold.n_cells(pop) // npc[pop]) for pop in scaffold.positions}
    for pop, n in expected_cores.items():
        assert len(assignment.cores_of(pop)) == n, pop
        assert (assignment.core_of[pop] >= 0).all()
        assert set(assignment.core_population[assignment.core_of[pop]]) == {pop}
    assert assignment.n_cores == sum(expected_cores.values()) == 10
    # each core holds the contiguous slice it reports, and every core has a distinct place
    for k in range(assignment.n_cores):
        pop = assignment.core_population[k]
        cells = np.flatnonzero(assignment.core_of[pop] == k)
        assert cells.tolist() == list(range(arrays["core_lo_atom"][k],
                                            arrays["core_hi_atom"][k] + 1))
    assert len({tuple(x) for x in assignment.core_xyp}) == assignment.n_cores
    assert arrays["routing_entries"].sum() > 0 and len(arrays["routing_xy"]) >= 1
    assert seconds["total"] > 0 and load_assignment(path).n_cores == 10
    assert "routing_entries" in np.load(path).files


def test_spinnaker_virtual_grid_mapping_matches_block_model(virtual_mappings, scaffold):
    # sPyNNaker's partition after the grid remap is the contiguous-block model of
    # spinncer.communication, up to core numbering
    assignment = virtual_mappings["grid"][0]
    blocks = block_assignment(scaffold, NPC | {"purkinje": 1}, id_remap="grid")
    for pop in scaffold.positions:
        got, want = assignment.core_of[pop], blocks.core_of[pop]
        pairs = set(zip(got.tolist(), want.tolist()))
        assert len(pairs) == len(set(got.tolist())) == len(set(want.tolist())), pop


def test_spinnaker_leaves_user_config_locations_alone(virtual_mappings):
    before, after = virtual_mappings["home_files"]
    assert before == after


def test_spinnaker_numerics_weights_equal_spynnaker_loaded_weights(spynnaker, tmp_path,
                                                                   scaffold):
    """Weights read back from sPyNNaker's synaptic matrices equal numerics.quantise."""
    from spinncer.stimulus import Stimulus
    shifts = {p: (s[0] + 1, s[1] + 1) for p, s in nm.REFERENCE_RB_LEFT_SHIFTS.items()}
    session = open_session("spinnaker", timestep=0.1, workdir=tmp_path, options=dict(
        virtual_board=True, rb_left_shifts=shifts, neurons_per_core=NPC))
    try:
        trains = [np.array([1.0])] + [np.empty(0)] * 7
        # signals of a sample are recorded on SpiNNaker too (PopulationView.record)
        session.build(scaffold, Stimulus.from_trains(trains), {"granule": [0, 5], "dcn": [0]})
        session.connect(scaffold)
        pops = session.populations
        session.sim.run(0.1)
        for name, proj in session.projections.items():
            kind = CONNECTION_TYPES[name]
            got = np.asarray(proj.get("weight", format="list"))[:, 2]
            shift = shifts[kind.post][nm.RECEPTORS.index(kind.receptor)]
            want = abs(float(nm.quantise(kind.weight, shift)))
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-15, err_msg=name)
            assert pops[kind.post]._vertex.get_ring_buffer_shifts() == list(shifts[kind.post])
    finally:
        session.end()


def test_r_mem_is_refused_on_stock_spinnaker_and_numerics(tmp_path):
    with pytest.raises(InputError, match="spinnaker.r_mem: expected false"):
        open_session("spinnaker", timestep=0.1, workdir=tmp_path,
                     options={"virtual_board": True, "r_mem": True})
    with pytest.raises(InputError, match="spinnaker.r_mem"):
        open_session("nest-numerics", timestep=0.1, options={"r_mem": True})


def test_packets_through_spynnakers_routing_tables_equal_slice_reachability(virtual_mappings,
                                                                             scaffold):
    """Issue 14: sPyNNaker routes a FromListConnector projection by source slice; packets
    routed through its own tables equal the slice-reachability count of communication.py."""
    from spinncer.communication import core_load
    from spinncer.results import PopulationSpikes
    from spinncer.routing import ROUTE_ARRAYS, load_routing
    for remap in (None, "grid"):
        path = virtual_mappings[remap][3]
        if not set(ROUTE_ARRAYS) <= set(np.load(path).files):
            pytest.skip("mapping without routing tables (issue 17 exports them)")
        assignment = load_assignment(path)
        spikes = {p: PopulationSpikes(np.arange(scaffold.n_cells(p)),
                                      np.arange(scaffold.n_cells(p)) % 7 * 0.1,
                                      scaffold.n_cells(p)) for p in scaffold.positions}
        routed = core_load(spikes, scaffold, assignment, 0.1, 1.0, routing=load_routing(path))
        by_slice = core_load(spikes, scaffold, assignment, 0.1, 1.0)
        np.testing.assert_array_equal(routed.packets, by_slice.packets)
        assert (routed.packets >= routed.packets_lower_bound).all()
        assert routed.packets.sum() > routed.packets_lower_bound.sum()


def test_each_spinnaker_run_works_in_its_own_directory(spynnaker, tmp_path, scaffold_file,
                                                       monkeypatch):
    """sPyNNaker's configuration and reports go to a directory of the run under `scratch`
    (removed afterwards) or to the kept `workdir`; never to a folder shared by all runs."""
    from spinncer import stimulus
    from spinncer.simulate import run_simulation
    monkeypatch.chdir(tmp_path)
    stim = tmp_path / "stimulus.npz"
    stimulus.save(stimulus.Stimulus.from_trains([[1.0]] + [[]] * 7), stim)
    options = {"virtual_board": True, "neurons_per_core": NPC}
    for where in ({"scratch": tmp_path / "scratch"}, {"workdir": tmp_path / "kept"}):
        # a virtual board maps and "runs" (no spikes come back)
        run_simulation(scaffold_file, stim, tmp_path / "spikes.h5", backend="spinnaker",
                       simtime=1.0, backend_options=options, record_signals=False, **where)
    assert list((tmp_path / "scratch").iterdir()) == []
    assert (tmp_path / "kept" / "spynnaker.cfg").is_file()
    assert not (tmp_path / "spinnaker_run").exists()
