import numpy as np
import pytest

from spinncer import stimulus
from spinncer.errors import InputError
from spinncer.params import ALL_POPULATIONS
from spinncer.results import read_run
from spinncer.scaffold import Connectivity, Scaffold, write_scaffold
from spinncer.simulate import run_simulation


def make_stimulus(scaffold, path, seed):
    stim = stimulus.generate(scaffold.positions["glomerulus"], f_base=20.0, f_peak=150.0,
                             stim_radius=30.0, stim_times=(100.0, 50.0, 100.0),
                             percentage_active_fibers=1.0, kind="poisson", seed=seed,
                             timestep=0.1)
    stimulus.save(stim, path)
    return path


def run(scaffold_file, stim_path, out):
    return run_simulation(scaffold_file, stim_path, out, timestep=0.1, simtime=250.0, seed=1,
                          config={"note": "test"})


def test_run_writes_every_population_and_metadata(tmp_path, scaffold, scaffold_file):
    out = tmp_path / "spikes.h5"
    run(scaffold_file, make_stimulus(scaffold, tmp_path / "s.npz", 1), out)
    result = read_run(out)
    assert list(result.spikes) == list(ALL_POPULATIONS)
    for name, pop in result.spikes.items():
        assert pop.n_cells == scaffold.n_cells(name)
        assert ((pop.cell >= 0) & (pop.cell < pop.n_cells)).all()
        assert ((pop.time >= 0) & (pop.time <= 250.0)).all()
    assert len(result.spikes["granule"]) > 0 and len(result.spikes["purkinje"]) > 0
    meta = result.metadata
    assert meta["versions"]["nest"].startswith("3.10")
    assert meta["versions"]["pyNN"] == "0.13.0"
    assert {"read", "build", "connect", "simulate"} <= set(meta["wall_clock_s"])
    assert meta["config"] == {"note": "test"} and len(meta["inputs"]["scaffold"]["sha256"]) == 64


def test_same_seed_identical_spikes_other_seed_differs(tmp_path, scaffold, scaffold_file):
    runs = []
    for k, seed in enumerate([1, 1, 2]):
        stim = make_stimulus(scaffold, tmp_path / f"s{k}.npz", seed)
        runs.append(read_run(run(scaffold_file, stim, tmp_path / f"r{k}.h5") and
                             tmp_path / f"r{k}.h5"))
    for name in ALL_POPULATIONS:
        np.testing.assert_array_equal(runs[0].spikes[name].time, runs[1].spikes[name].time)
        np.testing.assert_array_equal(runs[0].spikes[name].cell, runs[1].spikes[name].cell)
    assert not np.array_equal(runs[0].spikes["granule"].time, runs[2].spikes["granule"].time)


def test_stimulus_size_mismatch_is_bad_input_and_writes_nothing(tmp_path, scaffold_file):
    stim = tmp_path / "short.npz"
    stimulus.save(stimulus.Stimulus.from_trains([[10.0]] * 5), stim)
    out = tmp_path / "spikes.h5"
    with pytest.raises(InputError, match=r"short.npz.*\(8,.*found 5 trains"):
        run(scaffold_file, stim, out)
    assert not out.exists()


def test_reference_stimulus_file_drives_a_run(tmp_path, real_stimulus_file):
    # 7073 glomeruli as in the published scaffold; 100 granule cells, each fed by 4 of them
    n_glom, n_grc = 7073, 100
    glom_pos = np.column_stack([np.arange(n_glom) % 100 * 4.0, np.full(n_glom, 650.0),
                                np.arange(n_glom) // 100 * 4.0])
    pre = (np.arange(n_grc)[:, None] * 70 + np.arange(4)).ravel()
    post = np.repeat(np.arange(n_grc), 4)
    grc_pos = np.column_stack([np.arange(n_grc) * 4.0, np.full(n_grc, 700.0), np.zeros(n_grc)])
    scaffold = Scaffold({"glomerulus": glom_pos, "granule": grc_pos},
                        {"glom_grc": Connectivity(pre, post)}, source="fixture")
    path = tmp_path / "glom7073.hdf5"
    write_scaffold(scaffold, path)
    out = tmp_path / "spikes.h5"
    run_simulation(path, real_stimulus_file, out, simtime=1000.0, allow_pickle=True)
    result = read_run(out)
    stim = stimulus.load(real_stimulus_file, allow_pickle=True)
    assert len(result.spikes["glomerulus"]) == len(stim.times)
    grc = result.spikes["granule"]
    in_stim = ((grc.time >= 300) & (grc.time < 360)).sum() / 0.06
    in_base = ((grc.time < 300)).sum() / 0.3
    assert in_stim > 3 * in_base > 0


def test_stimulus_made_for_another_timestep_is_bad_input(tmp_path, scaffold, scaffold_file):
    stim = stimulus.Stimulus.from_trains([[10.0]] * scaffold.n_cells("glomerulus"),
                                         params={"timestep": 1.0})
    path = tmp_path / "coarse.npz"
    stimulus.save(stim, path)
    out = tmp_path / "spikes.h5"
    with pytest.raises(InputError, match=r"coarse.npz: expected a stimulus made for timestep 0.1"):
        run(scaffold_file, path, out)
    assert not out.exists()


def test_metadata_records_config_hash(tmp_path, scaffold, scaffold_file):
    out = tmp_path / "spikes.h5"
    run(scaffold_file, make_stimulus(scaffold, tmp_path / "s.npz", 1), out)
    import hashlib
    import json
    meta = read_run(out).metadata
    assert meta["config_sha256"] == hashlib.sha256(
        json.dumps({"note": "test"}, sort_keys=True).encode()).hexdigest()


def test_numerics_run_uses_quantised_weights(tmp_path, scaffold, scaffold_file):
    from spinncer.numerics import quantised_connection_types
    stim = make_stimulus(scaffold, tmp_path / "s.npz", 1)
    ref = run_simulation(scaffold_file, stim, tmp_path / "ref.h5", simtime=250.0)
    fixed = run_simulation(scaffold_file, stim, tmp_path / "fixed.h5", simtime=250.0,
                           backend="nest-numerics")
    expected = {n: k.weight for n, k in quantised_connection_types().items()}
    assert fixed.metadata["weights_uS"] == expected
    assert ref.metadata["weights_uS"] is None
    assert read_run(tmp_path / "fixed.h5").backend == "nest-numerics"
    # quantisation changes some weights
    from spinncer.params import CONNECTION_TYPES
    assert any(expected[n] != kind.weight for n, kind in CONNECTION_TYPES.items())


def test_earliest_spikes_run_and_earlier_ones_are_bad_input(tmp_path, scaffold, scaffold_file):
    n = scaffold.n_cells("glomerulus")
    ok = tmp_path / "ok.npz"
    stimulus.save(stimulus.Stimulus.from_trains([[0.2, 5.0]] * n, params={"timestep": 0.1}), ok)
    result = run(scaffold_file, ok, tmp_path / "ok.h5")
    assert result.spikes["glomerulus"].time.min() == pytest.approx(0.2)
    early = tmp_path / "early.npz"
    stimulus.save(stimulus.Stimulus.from_trains([[0.1]] * n), early)
    with pytest.raises(InputError, match=r"early.npz: expected spike times from 0.2 ms"):
        run(scaffold_file, early, tmp_path / "early.h5")
    assert not (tmp_path / "early.h5").exists()


def test_numerics_weights_reach_nest(scaffold):
    """The quantised weights are the ones NEST holds (nS = 1000 x µS, inhibitory negative)."""
    import nest

    from spinncer.backends import open_session
    session = open_session("nest-numerics", timestep=0.1)
    stim = stimulus.Stimulus.from_trains([[]] * scaffold.n_cells("glomerulus"))
    session.build(scaffold, stim)
    session.connect(scaffold)
    for name, proj in session.projections.items():
        held = nest.GetConnections(synapse_label=proj.nest_synapse_label).get("weight")
        np.testing.assert_allclose(held, session.weights[name] * 1000.0, rtol=1e-12)
    session.end()


def test_stimulus_made_for_another_protocol_is_bad_input(scaffold, tmp_path):
    from spinncer.simulate import check_stimulus_matches
    stim = stimulus.Stimulus.from_trains([[10.0]] * scaffold.n_cells("glomerulus"),
                                         params={"timestep": 0.1, "stim_times": [300, 100, 600]})
    check_stimulus_matches(stim, scaffold, tmp_path / "s.npz", 0.1, [300.0, 100.0, 600.0])
    with pytest.raises(InputError, match=r"s.npz: expected a stimulus made for stim_times "
                                         r"\[300.0, 50.0, 650.0\] ms, found stim_times"):
        check_stimulus_matches(stim, scaffold, tmp_path / "s.npz", 0.1, [300.0, 50.0, 650.0])


def test_run_records_the_signal_sample_unless_switched_off(tmp_path, scaffold, scaffold_file):
    from spinncer.cli import main
    from spinncer.recording import signal_sample
    stim = make_stimulus(scaffold, tmp_path / "s.npz", 1)
    result = run(scaffold_file, stim, tmp_path / "with.h5")
    sample = signal_sample({p: scaffold.n_cells(p) for p in scaffold.positions})
    assert sorted(result.signals) == sorted(sample) and "glomerulus" not in sample
    for name, cells in sample.items():
        signals = result.signals[name]
        np.testing.assert_array_equal(signals.cells, cells)
        # the time base: t = 0 first, simtime / dt samples
        assert signals.t_start == 0.0 and signals.v.shape == (2500, len(cells))
        assert signals.dt == 0.1
        assert signals.gsyn_inh.dtype == np.float32
    assert result.metadata["n_signal_cells"] == {n: len(c) for n, c in sample.items()}
    assert main(["simulate", "--scaffold", str(scaffold_file), "--stimulus", str(stim),
                 "--simtime", "250", "--no-signals", "-o", str(tmp_path / "without.h5")]) == 0
    without, written = read_run(tmp_path / "without.h5"), read_run(tmp_path / "with.h5")
    assert without.metadata["n_signal_cells"] == {}
    for name in ALL_POPULATIONS:  # recording signals does not change the network
        np.testing.assert_array_equal(without.spikes[name].time, written.spikes[name].time)
