"""Run files are SONATA spike reports (read here with plain h5py by the SONATA paths); files of
the previous layout stay readable."""
import json

import h5py
import numpy as np

from spinncer.results import PopulationSpikes, RunResult, read_run, write_run


def a_run():
    spikes = {"granule": PopulationSpikes(np.array([2, 0, 0]), np.array([5.0, 320.0, 310.0]), 4),
              "dcn": PopulationSpikes(np.zeros(0, int), np.zeros(0), 1)}
    return RunResult(spikes, "nest", 0.1, 1000.0, 3, {"config": {"seed": 3}})


def test_spikes_are_a_sonata_spike_report(tmp_path):
    path = tmp_path / "spikes.h5"
    write_run(a_run(), path)
    with h5py.File(path, "r") as f:
        assert f.attrs["magic"] == 0x0A7A and list(f.attrs["version"]) == [0, 1]
        granule = f["/spikes/granule"]
        assert granule["node_ids"].dtype == np.uint64
        assert granule["node_ids"][()].tolist() == [0, 0, 2]
        assert granule["timestamps"][()].tolist() == [310.0, 320.0, 5.0]
        assert granule["timestamps"].attrs["units"] == "ms"
        sorting = h5py.check_enum_dtype(granule.attrs.get_id("sorting").dtype)
        assert sorting == {"none": 0, "by_id": 1, "by_time": 2}
        assert granule.attrs["sorting"] == sorting["by_id"]
        assert len(f["/spikes/dcn/node_ids"]) == 0  # every population, spiking or not
        # the run's metadata beside the report
        assert json.loads(f.attrs["metadata"])["config"] == {"seed": 3}
        assert f.attrs["format"] == "spinncer-run/2" and granule.attrs["n_cells"] == 4


def test_round_trip_and_previous_layout_still_read(tmp_path):
    path = tmp_path / "spikes.h5"
    write_run(a_run(), path)
    back = read_run(path)
    assert back.spikes["granule"].cell.dtype == np.int64
    assert back.spikes["granule"].time.tolist() == [310.0, 320.0, 5.0]
    old = tmp_path / "old.h5"
    with h5py.File(old, "w") as f:  # spinncer-run/1, as written before the SONATA layout
        f.attrs.update(format="spinncer-run/1", backend="nest", timestep=0.1, simtime=1000.0,
                       seed=3, metadata=json.dumps({"versions": {}}))
        group = f.create_group("spikes/granule")
        group.attrs["n_cells"] = 4
        group.create_dataset("cell", data=np.array([0, 2], np.int64))
        group.create_dataset("time", data=np.array([1.5, 2.5]))
    run = read_run(old)
    assert run.spikes["granule"].cell.tolist() == [0, 2]
    assert run.spikes["granule"].time.tolist() == [1.5, 2.5] and run.seed == 3
