"""The mapping step on sPyNNaker's virtual board: the shortened run (only as far as routing
tables) against the full one, the contract arrays, the configured timestep, scratch files.

Needs sPyNNaker (skipped with a reason when it cannot be imported). The scaffold is the tiny
hand-made one with 300 granule cells and 256 of them per core, so that the granule cores
accept no delay of 4 ms (14 ring-buffer bits - 9 atom bits - 1 synapse-type bit = 16 slots,
``PopulationVertex.__update_max_delay``) and sPyNNaker adds delay extensions for the
glomeruli: the delay-extension rows of the contract are exercised too.
"""
import numpy as np
import pytest

from spinncer.cli import main
from spinncer.mapping import MAPPING_LAYOUT, map_virtual, mapping_meta
from spinncer.scaffold import write_scaffold

NPC = {"glomerulus": 4, "granule": 256}


@pytest.fixture(scope="module")
def spynnaker():
    return pytest.importorskip("spynnaker", reason="sPyNNaker is not installed "
                               "(pip install 'sPyNNaker==1!7.4.1' beside envs/spinncer.txt)")


@pytest.fixture(scope="module")
def delayed_scaffold():
    from conftest import tiny_scaffold
    return tiny_scaffold(n_grc=300)


@pytest.fixture(scope="module")
def both_modes(spynnaker, delayed_scaffold, tmp_path_factory):
    out = {}
    for mode in ("routing", "full"):
        scratch = tmp_path_factory.mktemp(f"scratch_{mode}")
        path = tmp_path_factory.mktemp(f"map_{mode}") / "mapping.npz"
        assignment, arrays, seconds = map_virtual(delayed_scaffold, path, mode=mode,
                                                  neurons_per_core=NPC, scratch=scratch)
        out[mode] = {"assignment": assignment, "arrays": arrays, "path": path,
                     "scratch": scratch}
    return out


def test_mapping_routing_only_equals_full_virtual_run(both_modes):
    short, full = both_modes["routing"], both_modes["full"]
    assert short["assignment"].meta["mapping_mode"] == "routing"
    assert full["assignment"].meta["mapping_mode"] == "full"
    # every placement (population, synapse, delay-extension and system cores), every key and
    # every uncompressed routing entry
    assert short["arrays"].keys() == full["arrays"].keys()
    for name, value in short["arrays"].items():
        np.testing.assert_array_equal(value, full["arrays"][name], err_msg=name)
    for pop, cores in short["assignment"].core_of.items():
        np.testing.assert_array_equal(cores, full["assignment"].core_of[pop], err_msg=pop)
    np.testing.assert_array_equal(short["assignment"].core_xyp, full["assignment"].core_xyp)
    assert len(short["arrays"]["route_key"]) > 0


def test_mapping_file_holds_the_contract_arrays(both_modes, delayed_scaffold):
    with np.load(both_modes["routing"]["path"], allow_pickle=False) as data:
        files = set(data.files)
        documented = [name for line in MAPPING_LAYOUT.splitlines()
                      if line[:2] == "  " and line[2:3].isalpha()
                      for name in line[2:].split("  ")[0].split(", ")]
        assert len(documented) > 20
        for name in documented:
            prefix = name.split("<")[0]
            assert any(f == name or (prefix.endswith("/") and f.startswith(prefix))
                       for f in files), name
        kind, pop = data["source_kind"], data["source_population"]
        delay = kind == "delay"
        # glomerulus -> granule needs delay extensions, one per glomerulus core
        assert set(pop[delay]) == {"glomerulus"}
        assert delay.sum() == (kind[pop == "glomerulus"] == "neuron").sum() == 2
        assert (data["source_delay_stages"][delay] >= 1).all()
        assert (data["source_delay_per_stage"][delay] >= 1).all()
        assert (data["source_delay_stages"][~delay] == 0).all()
        n_atoms = data["source_hi_atom"] - data["source_lo_atom"] + 1
        colours = 2 ** data["source_colour_bits"]
        stages = np.maximum(data["source_delay_stages"], 1)
        np.testing.assert_array_equal(data["source_n_keys"], n_atoms * stages * colours)
        # each partition's keys lie inside its mask, and some routing entry on some chip
        # matches its base key
        key, mask = data["source_key"], data["source_mask"]
        assert ((key & mask) == key).all()
        rkey, rmask = data["route_key"], data["route_mask"]
        matched = (key[:, None] & rmask[None, :]) == rkey[None, :]
        sends = np.isin(pop, ["glomerulus", "granule", "golgi", "purkinje", "basket",
                              "stellate"])
        assert matched[sends].any(axis=1).all()
        assert (data["route_links"] < 64).all()
        assert ((data["route_processors"] > 0) | (data["route_links"] > 0)).all()
        for name in delayed_scaffold.positions:
            assert len(data[f"pynn_index/{name}"]) == delayed_scaffold.n_cells(name)
    meta = mapping_meta(both_modes["routing"]["path"])
    assert meta["timestep_ms"] == 0.1 and meta["machine_width"] > 0


def test_mapping_leaves_no_spynnaker_files_behind(both_modes):
    for mode in ("routing", "full"):
        assert list(both_modes[mode]["scratch"].iterdir()) == [], mode
        assert [p.name for p in both_modes[mode]["path"].parent.iterdir()] == ["mapping.npz"]


def test_mapping_records_configured_timestep(spynnaker, scaffold, tmp_path):
    path = tmp_path / "scaffold.hdf5"
    write_scaffold(scaffold, path)
    out = tmp_path / "mapping" / "grid.npz"
    assert main(["spinnaker-map", str(path), "--ordering", "grid", "--timestep", "0.05",
                 "--scratch", str(tmp_path / "scratch"), "-o", str(out)]) == 0
    meta = mapping_meta(out)
    assert meta["timestep_ms"] == 0.05
    assert meta["mapping_mode"] == "routing" and meta["id_remap"] == "grid"
    assert list((tmp_path / "scratch").iterdir()) == []
