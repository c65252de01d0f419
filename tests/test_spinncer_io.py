"""Reading and writing result files in the layout of the original SpiNNCer experiment script."""
import neo
import numpy as np
import pytest
import quantities as pq

from spinncer.analysis.spinncer_io import read_spinncer, write_spinncer
from spinncer.analysis.stats import cell_rates, protocol_windows
from spinncer.errors import InputError
from spinncer.results import PopulationSpikes, RunResult

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
