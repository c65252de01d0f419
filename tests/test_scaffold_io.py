import h5py
import numpy as np
import pytest

from spinncer.errors import InputError
from spinncer.params import GLOBAL_ID_ORDER, POPULATION_IDS
from spinncer.scaffold import read_scaffold, write_scaffold
from spinncer.scaffold.build import convert


def assert_same_scaffold(a, b):
    assert list(a.positions) == list(b.positions)
    for name in a.positions:
        np.testing.assert_allclose(a.positions[name], b.positions[name])
    assert sorted(a.connections) == sorted(b.connections)
    for name, conn in a.connections.items():
        np.testing.assert_array_equal(conn.pre, b.connections[name].pre)
        np.testing.assert_array_equal(conn.post, b.connections[name].post)


def test_v3_round_trip(scaffold, scaffold_file):
    back = read_scaffold(scaffold_file)
    assert back.attrs["layout"] == "v3"
    assert_same_scaffold(scaffold, back)
    np.testing.assert_allclose(back.connections["glom_grc"].distance,
                               scaffold.connections["glom_grc"].distance)


def test_v3_global_ids_follow_published_order(scaffold_file, scaffold):
    with h5py.File(scaffold_file) as f:
        table = f["positions"][()]
        glom_grc = f["connections/glom_grc"][()]
    types = table[:, 1].astype(int)
    expected = np.concatenate([np.full(scaffold.n_cells(p), POPULATION_IDS[p])
                               for p in GLOBAL_ID_ORDER])
    np.testing.assert_array_equal(types, expected)
    np.testing.assert_array_equal(table[:, 0], np.arange(len(table)))
    # glomeruli come after the 2 golgi cells, granule cells after the 8 glomeruli
    assert glom_grc[:, 0].min() == 2 and glom_grc[:, 1].min() == 2 + 8


def _copy_as_cells_layout(src, dst):
    with h5py.File(src) as f, h5py.File(dst, "w") as g:
        g.create_dataset("cells/positions", data=f["positions"][()])
        for name, data in f["connections"].items():
            g.create_dataset(f"cells/connections/{name}", data=data[()])
        table = f["positions"][()]
        for pop, type_id in POPULATION_IDS.items():
            g.create_dataset(f"cells/type_maps/{pop}_map", data=table[table[:, 1] == type_id, 0])


def test_v3_cells_layout_reads_the_same(tmp_path, scaffold, scaffold_file):
    path = tmp_path / "cells.hdf5"
    _copy_as_cells_layout(scaffold_file, path)
    back = read_scaffold(path)
    assert back.attrs["layout"] == "v3-cells"
    assert_same_scaffold(scaffold, back)


def test_bsb3_layout_reads_and_converts(tmp_path, scaffold):
    # BSB 3 stores [start, count] id runs per type, in its own placement order, and long names
    path = tmp_path / "bsb.hdf5"
    bsb_names = {"dcn": "dcn_cell", "golgi": "golgi_cell", "purkinje": "purkinje_cell",
                 "basket": "basket_cell", "stellate": "stellate_cell",
                 "glomerulus": "glomerulus", "granule": "granule_cell"}
    long_names = {"glom_grc": "glomerulus_to_granule", "goc_grc": "golgi_to_granule",
                  "pf_pc": "parallel_fiber_to_purkinje", "pc_dcn": "purkinje_to_dcn"}
    offsets, start = {}, 0
    with h5py.File(path, "w") as f:
        for pop, bsb in bsb_names.items():
            n = scaffold.n_cells(pop)
            f.create_dataset(f"cells/placement/{bsb}/identifiers", data=np.array([start, n]))
            f.create_dataset(f"cells/placement/{bsb}/positions", data=scaffold.positions[pop])
            offsets[pop] = start
            start += n
        f.create_dataset("cells/placement/mossy_fibers/identifiers", data=np.array([start, 3]))
        for short, tag in long_names.items():
            conn = scaffold.connections[short]
            from spinncer.params import CONNECTION_TYPES
            kind = CONNECTION_TYPES[short]
            table = np.column_stack([conn.pre + offsets[kind.pre], conn.post + offsets[kind.post]])
            f.create_dataset(f"cells/connections/{tag}", data=table.astype(float))
        f.create_dataset("cells/connections/granule_to_golgi", data=np.empty((0, 2)))
    back = read_scaffold(path)
    assert back.attrs["layout"] == "bsb3"
    assert sorted(back.connections) == sorted(long_names)
    for short in long_names:
        np.testing.assert_array_equal(back.connections[short].pre, scaffold.connections[short].pre)
        np.testing.assert_allclose(back.connections[short].distance,
                                   scaffold.connections[short].distance)
    out = tmp_path / "converted.hdf5"
    convert(path, out)
    again = read_scaffold(out)
    assert again.attrs["layout"] == "v3"
    np.testing.assert_array_equal(again.connections["pf_pc"].post,
                                  scaffold.connections["pf_pc"].post)


def _rewrite(src, dst, edit):
    with h5py.File(src) as f, h5py.File(dst, "w") as g:
        for key in ("positions",):
            g.create_dataset(key, data=f[key][()])
        for name, data in f["connections"].items():
            g.create_dataset(f"connections/{name}", data=data[()])
        edit(g)


@pytest.mark.parametrize("edit, message", [
    (lambda g: g.__delitem__("positions"), "'positions'"),
    (lambda g: (g.__delitem__("positions"), g.create_dataset("positions", data=np.zeros((4, 3)))),
     "shape (N, 5)"),
    (lambda g: g.create_dataset("connections/mf_grc", data=np.zeros((1, 3))), "'mf_grc'"),
    (lambda g: (g.__delitem__("connections/pc_dcn"),
                g.create_dataset("connections/pc_dcn", data=np.array([[0.0, 1e6, 1.0]]))),
     "connections/pc_dcn"),
    (lambda g: (g.__delitem__("connections/aa_pc"),
                g.create_dataset("connections/aa_pc", data=np.zeros(5))), "shape (N, 2)"),
])
def test_bad_files_name_the_dataset(tmp_path, scaffold_file, edit, message):
    bad = tmp_path / "bad.hdf5"
    _rewrite(scaffold_file, bad, edit)
    with pytest.raises(InputError) as info:
        read_scaffold(bad)
    assert str(bad) in str(info.value) and message in str(info.value)


def test_missing_and_non_hdf5_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_scaffold(tmp_path / "absent.hdf5")
    junk = tmp_path / "junk.hdf5"
    junk.write_bytes(b"not an hdf5 file at all")
    with pytest.raises(InputError, match="readable HDF5"):
        read_scaffold(junk)


def test_truncated_file_is_one_clear_error(tmp_path, scaffold_file):
    data = scaffold_file.read_bytes()
    cut = tmp_path / "cut.hdf5"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cut.hdf5"):
        read_scaffold(cut)


def test_write_is_atomic_on_failure(tmp_path, scaffold):
    scaffold.connections["glom_grc"].pre = None  # makes the writer fail half-way
    out = tmp_path / "out.hdf5"
    with pytest.raises(TypeError):
        write_scaffold(scaffold, out)
    assert list(tmp_path.iterdir()) == []


def test_file_attributes_are_read_back(tmp_path, scaffold):
    out = tmp_path / "built.hdf5"
    write_scaffold(scaffold, out, attrs={"volume_x_um": 100.0, "volume_z_um": 50.0, "seed": 3})
    back = read_scaffold(out)
    assert back.attrs["volume_x_um"] == 100.0 and back.attrs["seed"] == 3


def test_population_without_cells_round_trips(tmp_path, scaffold):
    # a small patch can hold no DCN cell: its connection types are empty
    del scaffold.positions["dcn"]
    for name in ("pc_dcn", "glom_dcn"):
        conn = scaffold.connections[name]
        conn.pre, conn.post, conn.distance = conn.pre[:0], conn.post[:0], conn.distance[:0]
    out = tmp_path / "no_dcn.hdf5"
    write_scaffold(scaffold, out)
    back = read_scaffold(out)
    assert "dcn" not in back.positions and "pc_dcn" not in back.connections
    assert len(back.connections["glom_grc"]) == 24
