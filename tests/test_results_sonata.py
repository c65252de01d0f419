"""Run files are SONATA spike reports (read here with plain h5py by the SONATA paths); files of
the previous layouts stay readable; signals have one time base."""
import json

import h5py
import numpy as np
import pytest

from spinncer.errors import InputError
from spinncer.params import model_variant
from spinncer.results import (SAMPLING, PopulationSpikes, RunResult, Signals, on_time_base,
                              read_run, write_run)


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
        assert f.attrs["format"] == "spinncer-run/3" and granule.attrs["n_cells"] == 4


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


def signals(t_start, rows, cells=(0, 7)):
    """Signals whose v at row k is 100 + t (t = t_start + k * 0.1 ms), gsyn_exc 0.5 + t."""
    t = (t_start + 0.1 * np.arange(rows))[:, None] + np.zeros((1, len(cells)))
    return Signals(np.array(cells), t_start, 0.1, (100 + t).astype(np.float32),
                   (0.5 + t).astype(np.float32), np.zeros_like(t, np.float32))


def written_with_signals(path):
    """a_run() for 5 ms with granule signals on the time base, written to `path`."""
    run = a_run()
    run.simtime = 5.0
    run.signals = {"granule": signals(0.0, 50)}
    write_run(run, path)
    return run


def test_signals_are_written_on_the_one_time_base(tmp_path):
    path = tmp_path / "spikes.h5"
    run = written_with_signals(path)
    with h5py.File(path, "r") as f:
        group = f["/signals/granule"]
        assert group.attrs["t_start"] == 0.0 and group.attrs["dt"] == 0.1
        assert group.attrs["sampling"] == SAMPLING == "step start"
        assert group["v"].shape == (50, 2)
    # NEST's extra sample at simtime, or Brian2's old start one step in, are refused
    for wrong in (signals(0.0, 51), signals(0.1, 50)):
        run.signals = {"granule": wrong}
        with pytest.raises(ValueError, match="time base"):
            write_run(run, tmp_path / "wrong.h5")
    assert not (tmp_path / "wrong.h5").exists()


def test_spike_analyses_read_a_run_without_its_signals(tmp_path):
    path = tmp_path / "spikes.h5"
    written_with_signals(path)
    full, spikes_only = read_run(path), read_run(path, signals=False)
    assert list(full.signals) == ["granule"] and spikes_only.signals == {}
    assert spikes_only.spikes["granule"].time.tolist() == full.spikes["granule"].time.tolist()
    assert (spikes_only.backend, spikes_only.simtime) == (full.backend, full.simtime)


def test_on_time_base_cuts_pynn_nests_last_sample():
    arrays = {"v": np.arange(51.0)[:, None]}
    assert on_time_base(0.0, 0.1, arrays, 5.0)["v"][:, 0].tolist() == list(range(50))
    with pytest.raises(ValueError, match="t_start 0"):
        on_time_base(0.1, 0.1, arrays, 5.0)
    with pytest.raises(ValueError, match="at least 50"):
        on_time_base(0.0, 0.1, {"v": np.zeros((49, 1))}, 5.0)


def write_v2(path, sig, variant="casali2019"):
    """A spinncer-run/2 file as written before the one time base (same layout, no
    ``sampling`` attribute)."""
    with h5py.File(path, "w") as f:
        f.attrs.update(format="spinncer-run/2", backend="x", timestep=0.1, simtime=5.0, seed=1,
                       metadata=json.dumps({"model_variant": variant}))
        f.create_group("spikes/golgi").attrs["n_cells"] = 8
        f["spikes/golgi"].create_dataset("node_ids", data=np.zeros(0, np.uint64))
        f["spikes/golgi"].create_dataset("timestamps", data=np.zeros(0))
        group = f.create_group("signals/golgi")
        group.attrs.update(t_start=sig.t_start, dt=sig.dt, units="{}")
        group.create_dataset("node_ids", data=sig.cells)
        for key in ("v", "gsyn_exc", "gsyn_inh"):
            group.create_dataset(key, data=getattr(sig, key))


def test_v2_signals_are_read_on_the_one_time_base(tmp_path):
    # NEST's: t = 0 .. simtime, 51 samples: the last is dropped
    write_v2(tmp_path / "nest.h5", signals(0.0, 51))
    nest = read_run(tmp_path / "nest.h5").signals["golgi"]
    assert nest.t_start == 0.0 and nest.v.shape == (50, 2)
    np.testing.assert_allclose(nest.times, np.arange(50) * 0.1)
    np.testing.assert_allclose(nest.v[:, 0], 100 + nest.times, rtol=1e-6)
    # Brian2's: the state after each step, t = dt .. simtime: the initial state comes first
    # (v = the model variant's initial v, no conductance) and the sample at simtime goes
    write_v2(tmp_path / "brian2.h5", signals(0.1, 50))
    brian2 = read_run(tmp_path / "brian2.h5").signals["golgi"]
    assert brian2.t_start == 0.0 and brian2.v.shape == (50, 2)
    assert brian2.v[0].tolist() == [model_variant("casali2019").v_init("golgi")] * 2 == [-70.0] * 2
    assert brian2.gsyn_exc[0].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(brian2.v[1:, 1], 100 + brian2.times[1:], rtol=1e-6)
    np.testing.assert_allclose(brian2.gsyn_exc[1:, 0], 0.5 + brian2.times[1:], rtol=1e-6)
    # the two now subtract sample by sample (the same times)
    np.testing.assert_allclose(brian2.v[1:] - nest.v[1:], 0, atol=1e-4)
    # a recording of another shape is one clear error naming file and population
    write_v2(tmp_path / "odd.h5", signals(0.3, 20))
    with pytest.raises(InputError, match=r"odd.h5: signals/golgi: expected a spinncer-run/2"):
        read_run(tmp_path / "odd.h5")


def test_v3_signals_of_another_sampling_are_refused(tmp_path):
    path = tmp_path / "spikes.h5"
    written_with_signals(path)
    with h5py.File(path, "a") as f:
        f["/signals/granule"].attrs["sampling"] = "step end"
    with pytest.raises(InputError, match="attribute sampling 'step start'"):
        read_run(path)
