"""Reading and writing result files in the layout of the original SpiNNCer experiment script,
and the original analysis' reads and two-run comparison on exports of real runs."""
import warnings
from pathlib import Path

import neo
import numpy as np
import pytest
import quantities as pq

from spinncer.analysis.spinncer_io import read_spinncer, write_spinncer
from spinncer.analysis.stats import cell_rates, protocol_windows
from spinncer.errors import InputError
from spinncer.results import PopulationSpikes, RunResult

REPO = Path(__file__).resolve().parents[1]
BRIAN2_ENV = REPO / "resources" / "envs" / "brian2"
# Keys written by SpiNNCer cerebellum_experiment.py's final np.savez_compressed call.
ORIGINAL_KEYS = {"simulation_parameters", "all_spikes", "other_recordings", "all_neurons",
                 "final_connectivity", "initial_connectivity", "stimulus_params", "simtime",
                 "json_data", "conn_params", "cell_params",
                 "per_pop_neurons_per_core_constraint", "r_mem", "expected_max_spikes",
                 "implicit_shift"}


def neo_block(trains, t_stop=1000.0):
    """A PyNN-like neo.Block: one SpikeTrain per cell with its source_index."""
    segment = neo.Segment()
    for i, times in enumerate(trains):
        train = neo.SpikeTrain(times, units=pq.ms, t_stop=t_stop * pq.ms)
        train.annotate(source_index=i)
        segment.spiketrains.append(train)
    block = neo.Block()
    block.segments.append(segment)
    return block


def write_original(path, **overrides):
    """A results file written the way SpiNNCer's experiment script writes one."""
    entries = dict(
        simulation_parameters={"argparser": {"timestep": 0.1, "simulator": "spinnaker",
                                             "stim_times": [300, 50, 650], "spike_seed": 7,
                                             "simtime": 1000},
                               "git_hash": "abc123", "run_end_time": "12:00:00_01/01/2020"},
        # glomerulus as an N x 2 [cell, time] array, granule as a neo.Block (PyNN get_data)
        all_spikes={"glomerulus": np.array([[1, 305.0], [0, 12.5], [1, 2.0]]),
                    "granule": neo_block([[310.0, 320.0], [], [5.0]])},
        other_recordings=None, all_neurons={"glomerulus": 3, "granule": 3},
        final_connectivity={}, initial_connectivity={},
        stimulus_params={"f_base": 1, "f_peak": 150, "stim_times": [300, 50, 650],
                         "stim_radius": 140, "periodic_stimulus": False,
                         "percentage_active_fibers": 0.8},
        simtime=1000, json_data=None)
    entries.update(overrides)
    np.savez_compressed(path, **entries)
    return path


def test_read_original_file(tmp_path):
    run = read_spinncer(write_original(tmp_path / "orig.npz"), allow_pickle=True)
    assert list(run.spikes) == ["glomerulus", "granule"]
    glom, grc = run.spikes["glomerulus"], run.spikes["granule"]
    assert glom.cell.tolist() == [0, 1, 1] and glom.time.tolist() == [12.5, 2.0, 305.0]
    assert grc.cell.tolist() == [0, 0, 2] and grc.time.tolist() == [310.0, 320.0, 5.0]
    assert (glom.n_cells, grc.n_cells) == (3, 3)
    assert (run.backend, run.timestep, run.simtime, run.seed) == ("spinnaker", 0.1, 1000.0, 7)
    assert run.metadata["config"]["stim_times"] == [300, 50, 650]
    assert run.metadata["spinncer_original"]["simulation_parameters"]["git_hash"] == "abc123"
    assert len(run.metadata["inputs"]["results"]["sha256"]) == 64
    rates = cell_rates(run, protocol_windows([300, 50, 650])).set_index(["population", "cell"])
    assert rates.loc[("granule", 0), "stimulus"] == pytest.approx(40.0)


def test_read_requires_allow_pickle(tmp_path):
    path = write_original(tmp_path / "orig.npz")
    with pytest.raises(InputError, match="allow_pickle=True"):
        read_spinncer(path)


@pytest.mark.parametrize("overrides, message", [
    ({"all_spikes": {"granule": np.array([[0.5, 10.0]])}}, "integer cell ids"),
    ({"all_spikes": {"granule": np.array([[5, 10.0]])}}, r"cell ids in \[0, 3\)"),
    ({"all_spikes": {"granule": np.zeros((2, 3))}}, "N x 2"),
])
def test_read_rejects_bad_spikes(tmp_path, overrides, message):
    path = write_original(tmp_path / "bad.npz", **overrides)
    with pytest.raises(InputError, match=message):
        read_spinncer(path, allow_pickle=True)


def test_read_rejects_missing_file_and_other_npz(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_spinncer(tmp_path / "none.npz", allow_pickle=True)
    np.savez_compressed(tmp_path / "other.npz", times=np.zeros(3))
    with pytest.raises(InputError, match="all_spikes"):
        read_spinncer(tmp_path / "other.npz", allow_pickle=True)


def our_run():
    grc = PopulationSpikes(np.array([2, 0, 0]), np.array([5.0, 320.0, 310.0]), 4)
    glom = PopulationSpikes(np.array([0]), np.array([301.0]), 2)
    meta = {"inputs": {"stimulus": {"params": {"f_base": 1.0, "f_peak": 100.0,
                                               "stim_times": [300.0, 50.0, 650.0],
                                               "stim_radius": 140.0, "type": "periodic"}}},
            "wall_clock_s": {"build": 1.0, "simulate": 2.5}}
    return RunResult({"glomerulus": glom, "granule": grc}, "nest", 0.1, 1000.0, 3, meta)


def test_export_reads_like_the_original_analysis(tmp_path):
    path = tmp_path / "export.npz"
    write_spinncer(our_run(), path)
    data = np.load(path, allow_pickle=True)
    assert set(data.files) == ORIGINAL_KEYS
    # The accesses cerebellum_analysis.spike_analysis makes:
    all_spikes = data["all_spikes"].ravel()[0]
    all_neurons = data["all_neurons"].ravel()[0]
    sim_params = data["simulation_parameters"].ravel()[0]
    stimulus_params = data["stimulus_params"].ravel()[0]
    # a dict, never None: --worst_case_spikes calls other_recordings.keys()
    assert data["other_recordings"].ravel()[0] == {}
    assert list(data["final_connectivity"].ravel()[0]) == []
    assert all_neurons == {"glomerulus": 2, "granule": 4}
    assert sim_params["argparser"]["timestep"] == 0.1
    assert sim_params["argparser"]["simulator"] == "nest"
    assert float(data["simtime"]) == 1000.0
    assert stimulus_params["stim_times"] == [300.0, 50.0, 650.0]
    assert stimulus_params["periodic_stimulus"] is True and stimulus_params["f_peak"] == 100.0
    cell_params = data["cell_params"].ravel()[0]
    conn_params = data["conn_params"].ravel()[0]
    assert set(all_spikes) <= set(cell_params) and conn_params["pc_dcn"]["delay"] == 4.0
    grc = all_spikes["granule"]
    assert grc.shape == (3, 2) and grc.tolist() == [[0, 310.0], [0, 320.0], [2, 5.0]]
    # Its spikes-per-timestep count: bincount of time / timestep.
    per_step = np.bincount((grc[:, 1] * (1 / 0.1)).astype(int), minlength=10000)
    assert per_step.sum() == 3 and per_step[3100] == 1


@pytest.mark.parametrize("spike_format", ["array", "neo"])
def test_round_trip(tmp_path, spike_format):
    run = our_run()
    path = tmp_path / f"{spike_format}.npz"
    write_spinncer(run, path, spike_format=spike_format)
    back = read_spinncer(path, allow_pickle=True)
    assert list(back.spikes) == list(run.spikes)
    for name, pop in run.spikes.items():
        order = np.lexsort((pop.time, pop.cell))
        assert back.spikes[name].cell.tolist() == pop.cell[order].tolist()
        assert back.spikes[name].time.tolist() == pop.time[order].tolist()
        assert back.spikes[name].n_cells == pop.n_cells
    assert (back.backend, back.timestep, back.simtime, back.seed) == ("nest", 0.1, 1000.0, 3)
    if spike_format == "neo":
        block = np.load(path, allow_pickle=True)["all_spikes"].ravel()[0]["granule"]
        trains = block.segments[0].spiketrains
        assert [t.annotations["source_index"] for t in trains] == [0, 1, 2, 3]
        assert [len(t) for t in trains] == [2, 0, 1, 0]


def test_export_rejects_unknown_format(tmp_path):
    with pytest.raises(InputError, match="spike_format"):
        write_spinncer(our_run(), tmp_path / "x.npz", spike_format="csv")


def test_export_with_signals_and_scaffold_runs_the_originals_worst_case_reads(tmp_path,
                                                                             scaffold):
    """The keys and types cerebellum_analysis.py --worst_case_spikes and --compare read, in the
    way they read them (SpiNNCer spinncer/cerebellum_analysis.py, spike_analysis lines 312-331,
    647-705, 741-800, 858-870, 1223-1228; compare_results lines 1616-1617, 2161-2176)."""
    from spinncer.params import CONNECTION_TYPES
    from spinncer.results import Signals
    spikes = {"glomerulus": PopulationSpikes(np.array([0, 2, 3]), np.array([301.0, 302.0, 5.0]),
                                             8),
              "granule": PopulationSpikes(np.array([0, 1]), np.array([303.0, 304.0]), 6)}
    for name, n in scaffold.positions.items():
        spikes.setdefault(name, PopulationSpikes(np.zeros(0, int), np.zeros(0), len(n)))
    v = np.full((20, 2), -65.0, np.float32)
    signals = {"purkinje": Signals(np.array([0, 1]), 0.0, 0.1, v, v * 0 + 0.01, v * 0)}
    run = RunResult(spikes, "nest-numerics", 0.1, 1000.0, 1,
                    {"weights_uS": {"pf_pc": 2.0 ** -15}}, signals)
    path = tmp_path / "export.npz"
    write_spinncer(run, path, scaffold=scaffold)
    data = np.load(path, allow_pickle=True)
    all_spikes = data["all_spikes"].ravel()[0]
    final_connectivity = data["final_connectivity"].ravel()[0]
    all_neurons = data["all_neurons"].ravel()[0]
    other_recordings = data["other_recordings"].ravel()[0]
    conn_params = data["conn_params"].ravel()[0]
    assert set(final_connectivity) == set(scaffold.connections)
    for key in final_connectivity:  # weight and delay report
        conn = np.asarray(final_connectivity[key])
        assert conn.ndim == 2 and conn.shape[1] == 4 and conn.size > 0
        assert np.mean(conn[:, 3]) == conn_params[key]["delay"]
    assert np.mean(final_connectivity["pf_pc"][:, 2]) == 2.0 ** -15  # the run's weight
    initial = data["initial_connectivity"].ravel()[0]
    assert np.mean(initial["pf_pc"][:, 2]) == abs(CONNECTION_TYPES["pf_pc"].weight)
    no_timesteps = int(1000.0 / 0.1)
    inc_spike_count = {k: np.zeros((all_neurons[k], no_timesteps + 1)) for k in all_neurons}
    for key, conn in final_connectivity.items():  # incoming spikes per cell and timestep
        post_pop, pre_pop = conn_params[key]["post"], conn_params[key]["pre"]
        for nid, t in all_spikes[pre_pop]:
            targets = conn[conn[:, 0] == int(nid)][:, 1].astype(int)
            inc_spike_count[post_pop][targets, int(t * 10)] += 1
    # granule g receives glomeruli g..g+3 mod 8 (conftest): glomerulus 0 reaches granule 0 and
    # 5 at step 3010, glomerulus 2 granule 0-2 at 3020, glomerulus 3 granule 0-3 at step 50
    assert inc_spike_count["granule"][:, 3010].tolist() == [1, 0, 0, 0, 0, 1]
    assert inc_spike_count["granule"][:, 3020].sum() == 3
    assert inc_spike_count["granule"].sum() == 9
    assert "dcn" not in other_recordings.keys()  # line 1223: a dict, skipping what is absent
    for signal in ("v", "gsyn_exc", "gsyn_inh"):
        block = other_recordings["purkinje"][signal]
        trace = np.array(block.segments[0].filter(name=signal)[0]).T
        assert trace.shape == (2, 20)
        assert len(block.segments[0].analogsignals) == 1
    assert np.array(other_recordings["purkinje"]["v"].segments[0].filter(name="v")[0])[0, 0] \
        == -65.0


# ---- The original's two-run comparison on exports of real runs of every backend ----------------
# SpiNNCer spinncer/cerebellum_analysis.py, compare_results (lines 1571-2215): it loads two
# exports, checks that their timestep and simtime agree, and combines their spike trains and
# their analogue signals with Neo and Elephant. Replayed here with Elephant 1.2.1's names
# (binsize -> bin_size, num_bins -> n_bins, cross_corr_coef -> cross_correlation_coefficient,
# van_rossum_dist(tau) -> van_rossum_distance(time_constant), welch_cohere -> welch_coherence,
# the renames the run of the original patched).
COMPARED_STIM_TIMES = [300.0, 50.0, 650.0]
COMPARED_SIMTIME = 1000.0


def original_compare(file_1, file_2):
    """The reads and the two-run arithmetic of compare_results; {signal: {population: the
    difference of the two runs' signals}} (its all_diff_error)."""
    import elephant
    data_1, data_2 = (np.load(f, allow_pickle=True) for f in (file_1, file_2))
    all_spikes_1 = data_1["all_spikes"].ravel()[0]
    all_spikes_2 = data_2["all_spikes"].ravel()[0]
    other_recordings_1 = data_1["other_recordings"].ravel()[0]
    other_recordings_2 = data_2["other_recordings"].ravel()[0]
    sim_params_1 = data_1["simulation_parameters"].ravel()[0]
    sim_params_2 = data_2["simulation_parameters"].ravel()[0]
    timestep_1 = sim_params_1["argparser"]["timestep"] * pq.ms
    same_sampling_rate = timestep_1 == sim_params_2["argparser"]["timestep"] * pq.ms
    simtime = data_1["simtime"] * pq.ms
    assert simtime == data_2["simtime"] * pq.ms  # the original asserts this
    stimulus_params = data_1["stimulus_params"].ravel()[0]
    starts = np.cumsum(np.concatenate(([0], stimulus_params["stim_times"]))) * pq.ms
    bin_size, np_bin_size = 5 * pq.ms, 0.5 * pq.ms
    no_bins, np_no_bins = int(simtime / bin_size), int(simtime / np_bin_size)
    stimulus_no_bins = int((starts[2] - starts[1]) / bin_size)
    no_timesteps = int(simtime / timestep_1)
    for pop in all_spikes_1:
        trains_1 = all_spikes_1[pop].segments[0].spiketrains
        trains_2 = all_spikes_2[pop].segments[0].spiketrains
        for trains in (trains_1, trains_2):  # convert_spikes, then spikes per timestep
            ids, times = trains.multiplexed
            np.bincount((np.asarray(times) * (1 / timestep_1.magnitude)).astype(int),
                        minlength=no_timesteps)
        try:  # the original catches a ValueError here
            rates = [elephant.statistics.instantaneous_rate(
                trains, sampling_period=timestep_1, t_start=0 * pq.ms, t_stop=simtime)
                for trains in (trains_1, trains_2)]
            np.squeeze(rates[0] - rates[1])
        except ValueError:
            pass
        for p1, p2 in zip(trains_1, trains_2):  # per neuron
            np.histogram(p1, bins=np.arange(np_no_bins) * np_bin_size)[0] - np.histogram(
                p2, bins=np.arange(np_no_bins) * np_bin_size)[0]
            window = dict(bin_size=bin_size, n_bins=stimulus_no_bins, t_start=starts[1],
                          t_stop=starts[2])
            bin_p1 = elephant.conversion.BinnedSpikeTrain(p1, **window)
            bin_p2 = elephant.conversion.BinnedSpikeTrain(p2, **window)
            combined = elephant.conversion.BinnedSpikeTrain([p1, p2], **window)
            full = elephant.conversion.BinnedSpikeTrain([p1, p2], bin_size=bin_size,
                                                        n_bins=no_bins, t_start=0 * pq.ms,
                                                        t_stop=simtime)
            with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # silent cells: nan, as the original reports
                elephant.spike_train_correlation.correlation_coefficient(combined)
                elephant.spike_train_correlation.correlation_coefficient(full)
                elephant.spike_train_correlation.covariance(combined)
                elephant.spike_train_correlation.spike_time_tiling_coefficient(p1, p2,
                                                                               dt=bin_size)
                elephant.spike_train_dissimilarity.van_rossum_distance(
                    [p1, p2], time_constant=bin_size)
                elephant.spike_train_correlation.cross_correlation_histogram(
                    bin_p1, bin_p2, border_correction=False, binary=False, kernel=None,
                    method="speed", cross_correlation_coefficient=True)
                for p in (p1, p2):
                    elephant.statistics.isi(p / pq.ms)
                    elephant.statistics.cv(p)
                    elephant.statistics.cv2(p, with_nan=True)
    all_diff_error = {}
    for signal in ("v", "gsyn_exc", "gsyn_inh"):  # analogue value analysis
        all_diff_error[signal] = {}
        for pop in all_spikes_1:
            if pop not in other_recordings_1.keys():
                continue
            pop_1_v = other_recordings_1[pop][signal].segments[0].analogsignals
            pop_2_v = other_recordings_2[pop][signal].segments[0].analogsignals
            diff_per_neuron = []
            for p1, p2 in zip(pop_1_v, pop_2_v):
                if len(p1) != len(p2):
                    min_len = min(len(p1), len(p2))
                    p1, p2 = p1[:min_len], p2[:min_len]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # constant traces: nan coherence
                    elephant.spectral.welch_coherence(p1, p2)
                if same_sampling_rate:
                    diff_per_neuron.append(p1 - p2)
            all_diff_error[signal][pop] = diff_per_neuron
    return all_diff_error


@pytest.fixture(scope="module")
def compared_inputs(tmp_path_factory):
    """The tiny scaffold (conftest) and a Poisson stimulus of the paper protocol on it."""
    from conftest import tiny_scaffold
    from spinncer import stimulus as stimulus_io
    from spinncer.scaffold import write_scaffold
    folder = tmp_path_factory.mktemp("compared")
    scaffold = tiny_scaffold()
    write_scaffold(scaffold, folder / "tiny.hdf5")
    stimulus = stimulus_io.generate(scaffold.positions["glomerulus"], f_base=20.0,
                                    f_peak=150.0, stim_radius=140.0,
                                    stim_times=COMPARED_STIM_TIMES,
                                    percentage_active_fibers=1.0, kind="poisson", seed=4,
                                    timestep=0.1)
    stimulus_io.save(stimulus, folder / "stimulus.npz")
    return folder, scaffold


def simulated_export(backend, compared_inputs, brian2_python=None):
    """Simulate the tiny network on `backend` (Brian2 in its environment, through the CLI),
    export it with neo spikes; (run, export path)."""
    import os
    import subprocess

    from spinncer.results import read_run
    from spinncer.simulate import run_simulation
    folder, scaffold = compared_inputs
    out = folder / backend / "spikes.h5"
    args = dict(scaffold_path=folder / "tiny.hdf5", stimulus_path=folder / "stimulus.npz")
    if backend == "brian2":
        env = dict(os.environ, SPINNCER_BRIAN2_CACHE=str(BRIAN2_ENV / "builds"))
        done = subprocess.run([str(brian2_python), "-m", "spinncer", "simulate", "--backend",
                               "brian2", "--scaffold", str(args["scaffold_path"]),
                               "--stimulus", str(args["stimulus_path"]), "--simtime",
                               str(COMPARED_SIMTIME), "-o", str(out)],
                              capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        run = read_run(out)
    else:
        run = run_simulation(**args, out_path=out, backend=backend, simtime=COMPARED_SIMTIME)
    export = folder / f"{backend}.npz"
    write_spinncer(run, export, stim_times=COMPARED_STIM_TIMES, spike_format="neo",
                   scaffold=scaffold)
    return run, export


@pytest.fixture(scope="module")
def nest_export(compared_inputs):
    return simulated_export("nest", compared_inputs)


@pytest.fixture(scope="module")
def brian2_python():
    from spinncer.envs import ensure_env
    return ensure_env("brian2", BRIAN2_ENV)


@pytest.mark.parametrize("backend", ["brian2", "nest-numerics", "spinnaker-emulated"])
def test_original_compare_runs_on_nest_against_each_backend(backend, compared_inputs,
                                                            nest_export, request):
    """compare_results of the original on the NEST export against the other backend's: it
    subtracts the two runs' signals sample by sample, which Neo allows only on one time base."""
    python = request.getfixturevalue("brian2_python") if backend == "brian2" else None
    nest_run, nest_file = nest_export
    other_run, other_file = simulated_export(backend, compared_inputs, python)
    assert sum(len(p) for name, p in nest_run.spikes.items() if name != "glomerulus") > 0
    diff = original_compare(nest_file, other_file)
    n = int(COMPARED_SIMTIME / 0.1)
    for signal in ("v", "gsyn_exc", "gsyn_inh"):
        assert sorted(diff[signal]) == sorted(nest_run.signals)
        for pop, (d,) in diff[signal].items():
            assert d.t_start == 0 * pq.ms and d.shape == (n, len(nest_run.signals[pop].cells))
    # the two runs start from the same state: the first sample's difference is zero
    assert all(float(np.abs(d[0].magnitude).max()) == 0.0 for (d,) in diff["v"].values())
    if backend == "spinnaker-emulated":
        return  # a new backend: no run file of it was ever written on the old time bases
    # the same on the time bases the run files had before (spinncer-run/2): NEST from 0 with
    # simtime / dt + 1 samples, Brian2 from dt with simtime / dt; nest-numerics like NEST
    old_nest, old_other = (old_time_base(run, backend=name) for run, name in
                           ((nest_run, "nest"), (other_run, backend)))
    folder = compared_inputs[0]
    write_spinncer(old_nest, folder / "old_nest.npz", stim_times=COMPARED_STIM_TIMES,
                   spike_format="neo")
    write_spinncer(old_other, folder / "old_other.npz", stim_times=COMPARED_STIM_TIMES,
                   spike_format="neo")
    if backend == "brian2":
        with pytest.raises(ValueError, match="Inconsistent values of t_start"):
            original_compare(folder / "old_nest.npz", folder / "old_other.npz")
    else:  # both from 0 with one sample too many: the original trims nothing and subtracts
        original_compare(folder / "old_nest.npz", folder / "old_other.npz")


def old_time_base(run, backend):
    """`run` with its signals as spinncer-run/2 stored them for `backend` (the values of the
    missing sample at either end do not matter here: the trace's end state repeated)."""
    import dataclasses
    keys = ("v", "gsyn_exc", "gsyn_inh")
    signals = {}
    for name, sig in run.signals.items():
        if backend == "brian2":  # the state after each step: t = dt .. simtime
            signals[name] = dataclasses.replace(sig, t_start=sig.dt, **{
                k: np.vstack([getattr(sig, k)[1:], getattr(sig, k)[-1:]]) for k in keys})
        else:  # pyNN.nest: t = 0 .. simtime
            signals[name] = dataclasses.replace(sig, **{
                k: np.vstack([getattr(sig, k), getattr(sig, k)[-1:]]) for k in keys})
    return dataclasses.replace(run, signals=signals)
