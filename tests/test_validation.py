"""Validation: statistics against Elephant, scores, small-sample rule, signals storage,
membrane comparison, stimulus perturbation and jitter, and on real NEST runs of a small network
that the seed envelope passes NEST against itself and fails a backend with one projection's
weight x 1.5, also when a one-seed envelope pools the reference's realisations."""
import numpy as np
import pandas as pd
import pytest
from elephant import statistics as es

from spinncer import stimulus as stimulus_io
from spinncer.analysis.stats import population_windows, protocol_windows
from spinncer.errors import InputError
from spinncer.params import CONNECTION_TYPES
from spinncer.results import PopulationSpikes, RunResult, Signals, read_run, write_run
from spinncer.scaffold import Connectivity, Scaffold, write_scaffold
from spinncer.validation import validate
from spinncer.validation.envelope import seed_splits
from spinncer.validation.membrane import compare_signals, divergence_time
from spinncer.validation.paired import perturb_stimulus
from spinncer.validation.realisations import jitter_stimulus
from spinncer.validation.scores import cohen_d, too_few
from spinncer.validation.statistics import _isi_statistics, pair_correlations, sample_pairs

STIM = [200.0, 50.0, 250.0]


def poisson_pop(rng, n, rate_hz, simtime=500.0):
    counts = rng.poisson(rate_hz * simtime / 1000.0, n)
    cells = np.repeat(np.arange(n), counts)
    return PopulationSpikes(cells, np.round(rng.uniform(0, simtime, len(cells)), 1), n)


def test_isi_statistics_equal_elephant_per_cell():
    rng = np.random.default_rng(3)
    pop = poisson_pop(rng, 40, 30.0)
    got = _isi_statistics(pop.cell, pop.time, 0.0, 500.0, 3)
    cv, lv = [], []
    for cell in range(40):  # the per-cell loop the grouped computation replaces
        t = np.sort(pop.time[pop.cell == cell])
        if len(t) >= 3:
            cv.append(es.cv(np.diff(t)))
            lv.append(es.lv(np.diff(t)))
    assert sorted(got["cv"]) == pytest.approx(sorted(cv))
    assert sorted(got["lv"]) == pytest.approx(sorted(lv))
    # three spikes in one step: LV is 0/0 for that cell, which is left out, never a NaN
    stacked = PopulationSpikes(np.array([0, 0, 0, 0, 1, 1, 1]),
                               np.array([5.0, 5.0, 5.0, 9.0, 1.0, 4.0, 8.0]), 2)
    with np.errstate(all="raise"):
        lvs = _isi_statistics(stacked.cell, stacked.time, 0.0, 10.0, 3)["lv"]
    assert len(lvs) == 1 and np.isfinite(lvs).all()


def test_statistics_rates_are_the_analysis_cell_rates():
    """validation's rate and the analysis' per-cell rate are one count: spikes in
    [start, stop), a spike on a window's end belonging to the next window."""
    from spinncer.analysis.stats import cell_rates
    from spinncer.validation.statistics import run_statistics
    rng = np.random.default_rng(5)
    pop = poisson_pop(rng, 20, 25.0)
    on_bounds = np.array([0.0, 200.0, 250.0, 250.0, 499.9])  # the protocol's window bounds
    pop = PopulationSpikes(np.concatenate([pop.cell, [0, 1, 2, 3, 4]]),
                           np.concatenate([pop.time, on_bounds]), 20)
    run = RunResult({"golgi": pop}, "x", 0.1, 500.0, 1)
    windows = protocol_windows(STIM)
    stats = run_statistics(run, windows, statistics=("rate",))
    rates = cell_rates(run, windows)
    for window in windows:
        got = stats[stats["window"] == window]["value"].to_numpy()
        np.testing.assert_array_equal(got, rates[window].to_numpy())
    assert rates.loc[1, "stimulus"] > 0 and rates.loc[2, "post"] > 0  # 200 and 250 ms


def test_pair_correlations_equal_corrcoef_and_pairs_are_fixed():
    rng = np.random.default_rng(4)
    pop = poisson_pop(rng, 12, 40.0)
    i, j = sample_pairs(12)
    assert len(i) == 66 and (i < j).all()
    got = pair_correlations(pop.cell, pop.time, 12, 0.0, 500.0)
    counts = np.array([np.histogram(pop.time[pop.cell == c], bins=np.arange(0, 501, 5.0))[0]
                       for c in range(12)])
    expected = [np.corrcoef(counts[a], counts[b])[0, 1] for a, b in zip(i, j)
                if counts[a].std() > 0 and counts[b].std() > 0]
    assert got == pytest.approx(expected)
    big = sample_pairs(5000)
    assert len(big[0]) == 500 and len(set(zip(*big))) == 500
    assert all((a == b).all() for a, b in zip(big, sample_pairs(5000)))  # same pairs every run


def test_cohen_d_and_small_sample_rule():
    d, low, high = cohen_d([1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 2.0, 3.0])
    assert d == pytest.approx(1 / np.std([1, 2, 3, 4], ddof=1)) and low < d < high
    assert too_few(4, 100, 100) == "too few cells (n=4 < 10)"
    assert too_few(40, 8, 100) == "too few values (n=8 < 10)"
    assert too_few(12, 12, 60) == ""  # one seed of the 12 DCN cells at full size
    assert too_few(40, 30, 30) == ""
    assert len(seed_splits(10)) == 50 and len(seed_splits(5)) == 30


def test_two_seeds_make_no_envelope():
    runs = {"nest": synthetic_runs([1, 2]), "other": synthetic_runs([1, 2], 1.0, 50)}
    result = validate(runs, "nest", population_windows(STIM, ["granule", "purkinje", "dcn"]))
    assert result.verdicts["agrees"].isna().all()
    granule = result.verdicts.set_index("population").loc["granule"]
    assert granule["verdict"].iloc[0].startswith("rate: too few seeds (n=2 < 6)")


def synthetic_runs(seeds, scale=1.0, offset=0):
    out = {}
    for seed in seeds:
        rng = np.random.default_rng(seed + offset)
        out[seed] = RunResult({"granule": poisson_pop(rng, 300, 10.0 * scale),
                               "purkinje": poisson_pop(rng, 4, 40.0),
                               "dcn": poisson_pop(rng, 1, 30.0)}, "x", 0.1, 500.0, seed)
    return out


def test_small_populations_say_too_few_cells_never_nan():
    runs = {"nest": synthetic_runs(range(1, 7)), "other": synthetic_runs(range(1, 7), 1.0, 50)}
    windows = population_windows(STIM, ["granule", "purkinje", "dcn"])
    # the perturbed reference: other draws of the same sizes (the paired envelope's rows)
    result = validate(runs, "nest", windows, perturbed=synthetic_runs(range(1, 7), 1.0, 90))
    verdicts = result.verdicts.set_index(["population", "statistic"])
    assert verdicts.loc[("purkinje", "rate"), "verdict"].startswith(
        "rate: too few cells (n=4 < 10)")
    paired = result.paired[result.paired["backend"] == "other"].set_index("population")
    assert paired.loc["purkinje", "status"].eq("too few cells (n=4 < 10)").all()
    assert paired.loc["dcn", "inside"].isna().all()
    assert paired.loc["granule", "status"].str.match("within|outside").all()
    assert result.paired["rule"].str.contains(">= 10 cells").all()
    assert "too few cells (n=1 < 10)" in verdicts.loc[("dcn", "rate"), "verdict"]
    assert not result.verdicts["verdict"].str.contains("nan|inf").any()
    assert result.scores["rule"].str.contains(">= 10 cells").all()  # the rule is in the CSV
    assert verdicts.loc[("granule", "rate"), "agrees"]


def test_signals_round_trip_and_files_without_signals(tmp_path):
    rng = np.random.default_rng(1)
    sig = Signals(np.array([0, 64, 128]), 0.0, 0.1, *(rng.normal(size=(500, 3)).astype(
        np.float32) for _ in range(3)))
    spikes = {"granule": PopulationSpikes(np.array([0]), np.array([1.0]), 200)}
    write_run(RunResult(spikes, "nest", 0.1, 50.0, 1, {}, {"granule": sig}), tmp_path / "a.h5")
    back = read_run(tmp_path / "a.h5").signals["granule"]
    assert (back.cells == sig.cells).all() and back.dt == 0.1 and back.t_start == 0.0
    for key in ("v", "gsyn_exc", "gsyn_inh"):
        assert getattr(back, key).dtype == np.float32
        assert (getattr(back, key) == getattr(sig, key)).all()
    write_run(RunResult(spikes, "nest", 0.1, 50.0, 1), tmp_path / "b.h5")
    assert read_run(tmp_path / "b.h5").signals == {}


def test_membrane_comparison_recovers_a_known_lag():
    t = np.arange(0, 2000.0, 0.1)
    rng = np.random.default_rng(2)
    base = np.convolve(rng.normal(size=len(t) + 400), np.ones(200) / 20, "valid")[:len(t)]
    lag_steps = 20  # 2 ms
    a = (-65 + base).astype(np.float32)[:, None]
    b = (-65 + np.roll(base, lag_steps)).astype(np.float32)[:, None]
    zeros = np.zeros_like(a)
    run = lambda v: RunResult({}, "x", 0.1, 2000.0, 1, {}, {  # noqa: E731
        "golgi": Signals(np.array([5]), 0.0, 0.1, v, zeros, zeros)})
    same = compare_signals(run(a), run(a)).iloc[0]
    assert same["rms_v_mv"] == 0 and same["corr_v"] == pytest.approx(1.0)
    assert same["coherence_v"] == pytest.approx(1.0)
    assert same["phase_lag_ms"] == pytest.approx(0.0, abs=1e-9)
    moved = compare_signals(run(a), run(b)).iloc[0]
    assert moved["phase_lag_ms"] == pytest.approx(2.0, abs=0.3)
    flat = compare_signals(run(np.full_like(a, -65)), run(a)).iloc[0]
    assert flat["note"].startswith("constant trace") and pd.isna(flat["corr_v"])


def test_membrane_measures_of_many_cells_at_once_equal_one_cell_at_a_time():
    """compare_signals estimates the spectra of all cells in one call: each cell's measures
    equal those of its traces alone (compare_traces), a constant cell among them included."""
    from spinncer.validation.membrane import compare_trace_columns, compare_traces
    rng = np.random.default_rng(3)
    a = np.cumsum(rng.normal(size=(4000, 4)), axis=0)
    b = a + rng.normal(scale=0.5, size=a.shape)
    b[:, 2] = -65.0  # constant on one backend
    together = compare_trace_columns(a, b, 10000.0)
    for k in range(4):
        alone = compare_traces(a[:, k], b[:, k], 10000.0)
        assert together[k] == pytest.approx(alone, rel=1e-12), k
    assert together[2]["note"].startswith("constant trace") and together[2]["corr_v"] is None
    assert together[0]["phase_lag_ms"] is not None


def test_membrane_floor_before_the_first_differing_spike():
    """Until the first spike one run has and the other has not (here a golgi spike one step
    later at 30.1 ms), the traces are compared as the integrators' difference alone."""
    t = np.arange(0, 100.0, 0.1)
    v = (-65 + np.sin(2 * np.pi * t / 20.0))[:, None].astype(np.float32)
    g = np.full_like(v, 0.01)
    spikes = {"granule": PopulationSpikes(np.array([3, 1]), np.array([12.0, 40.0]), 8)}
    b_spikes = {"granule": spikes["granule"],
                "golgi": PopulationSpikes(np.array([0]), np.array([30.1]), 2)}
    a_spikes = {**spikes, "golgi": PopulationSpikes(np.array([0]), np.array([30.0]), 2)}
    moved = v.copy()
    moved[300:] += 1.0  # from 30.0 ms: after the divergence, 1 mV apart
    moved[:300] += 0.001  # before it: a 1 µV integrator difference
    a = RunResult(a_spikes, "x", 0.1, 100.0, 1, {}, {"golgi": Signals(np.array([0]), 0.0, 0.1,
                                                                         v, g, g)})
    b = RunResult(b_spikes, "y", 0.1, 100.0, 1, {}, {"golgi": Signals(np.array([0]), 0.0, 0.1,
                                                                         moved, g, g)})
    assert divergence_time(a, b) == pytest.approx(30.0)
    assert divergence_time(a, a) == 100.0  # no spike differs: the whole run
    row = compare_signals(a, b).iloc[0]
    assert row["t_diverge_ms"] == pytest.approx(30.0) and row["n_before"] == 300
    assert row["rms_v_before_mv"] == pytest.approx(0.001, rel=1e-3)
    assert row["rms_v_mv"] > 0.5 and row["rms_gsyn_exc_before_us"] == 0
    # a first spike at 0 ms leaves no sample before it: no value, and the note says why
    b.spikes["golgi"] = PopulationSpikes(np.array([1]), np.array([0.0]), 2)
    early = compare_signals(a, b).iloc[0]
    assert pd.isna(early["rms_v_before_mv"]) and "no sample before" in early["note"]


def test_perturbation_moves_one_spike_by_one_timestep():
    rng = np.random.default_rng(0)
    stim = stimulus_io.generate(rng.uniform(0, 100, (30, 3)), f_base=5.0, f_peak=100.0,
                                stim_radius=50.0, stim_times=STIM, percentage_active_fibers=1.0,
                                kind="poisson", seed=3, timestep=0.1)
    moved = perturb_stimulus(stim, 0.1, protocol_windows(STIM)["stimulus"], seed=3)
    diff = np.sort(moved.times) - np.sort(stim.times)
    assert np.count_nonzero(np.abs(np.sort(moved.times) - np.sort(stim.times)) > 1e-9) <= 2
    assert (moved.counts == stim.counts).all()
    info = moved.params["perturbation"]
    assert abs(info["to_ms"] - info["from_ms"]) == pytest.approx(0.1)
    assert STIM[0] <= info["from_ms"] < STIM[0] + STIM[1]
    assert np.abs(diff).sum() == pytest.approx(0.1)
    again = perturb_stimulus(stim, 0.1, protocol_windows(STIM)["stimulus"], seed=3)
    assert (again.times == moved.times).all()


def test_jitter_moves_spikes_by_one_timestep_and_keeps_each_train_in_order():
    rng = np.random.default_rng(0)
    stim = stimulus_io.generate(rng.uniform(0, 100, (30, 3)), f_base=20.0, f_peak=200.0,
                                stim_radius=50.0, stim_times=STIM, percentage_active_fibers=1.0,
                                kind="poisson", seed=3, timestep=0.1)
    # a train on consecutive steps from its first allowed one: only moves that keep it in order
    trains = stim.spike_trains() + [np.array([0.2, 0.3, 0.4, 0.5])]
    stim = stimulus_io.Stimulus.from_trains(trains, np.append(stim.stimulated, False))
    jittered = jitter_stimulus(stim, 0.1, seed=1, draw=1)
    assert (jittered.counts == stim.counts).all()
    shift = np.round((jittered.times - stim.times) / 0.1)
    assert set(np.unique(shift)) <= {-1.0, 0.0, 1.0}
    assert np.mean(shift != 0) > 0.9  # a conflict with a neighbour is rare at these rates
    assert jittered.params["realisation"] == {"seed": 1, "draw": 1,
                                              "moved": int(np.count_nonzero(shift))}
    for train, original in zip(jittered.spike_trains(), stim.spike_trains()):
        # in order where the input was (spikes sharing a step in the input stay together)
        assert ((np.diff(train) > 0.05) | (np.diff(original) < 0.05)).all()
        assert (train >= 0.2 - 1e-9).all()
    last = jittered.spike_trains()[-1]
    assert last[0] >= 0.2 - 1e-9 and (np.diff(last) > 0.05).all()
    again = jitter_stimulus(stim, 0.1, seed=1, draw=1)
    assert (again.times == jittered.times).all()
    assert (jitter_stimulus(stim, 0.1, seed=1, draw=2).times != jittered.times).any()
    with pytest.raises(InputError, match="draw number"):
        jitter_stimulus(stim, 0.1, seed=1, draw=0)


def test_jitter_never_swaps_spikes_that_share_a_step():
    # two spikes on one step may share a step again, never swap: a swap would leave the sorted
    # times with fewer moved spikes than the jitter reports
    shared = np.repeat(np.arange(5, 40, 1) / 10, 2)
    stim = stimulus_io.Stimulus.from_trains([shared, shared + 5.0], np.array([True, False]))
    for draw in range(1, 21):
        jittered = jitter_stimulus(stim, 0.1, seed=2, draw=draw)
        shift = np.round((jittered.times - stim.times) / 0.1)
        assert set(np.unique(shift)) <= {-1.0, 0.0, 1.0}
        assert jittered.params["realisation"]["moved"] == np.count_nonzero(shift), draw


# --- real NEST runs of a small random network -------------------------------------------

SIZES = {"glomerulus": 60, "granule": 240, "golgi": 12, "purkinje": 12, "basket": 12,
         "stellate": 12, "dcn": 10}
FAN_IN = {"glom_grc": 4, "goc_grc": 3, "glom_goc": 10, "aa_goc": 20, "aa_pc": 20, "pf_pc": 60,
          "pf_bc": 40, "pf_sc": 40, "bc_pc": 4, "sc_pc": 4, "pc_dcn": 6, "glom_dcn": 10}


def small_network(seed=0):
    """Casali cell types, random wiring with each post cell drawing FAN_IN pre cells."""
    rng = np.random.default_rng(seed)
    positions = {pop: rng.uniform(0, 100, (n, 3)) for pop, n in SIZES.items()}
    connections = {}
    for name, k in FAN_IN.items():
        kind = CONNECTION_TYPES[name]
        n_post = SIZES[kind.post]
        post = np.repeat(np.arange(n_post), k)
        pre = rng.integers(0, SIZES[kind.pre], len(post))
        connections[name] = Connectivity(pre, post, np.full(len(post), 10.0))
    return Scaffold(positions, connections, source="test-random")


@pytest.fixture(scope="module")
def nest_runs(tmp_path_factory):
    """NEST seeds 1-20, weight-scaled NEST (glom_grc x 1.5, and x 1.2) seeds 1-10, NEST
    on the perturbed stimulus seeds 1-5 and on seed 1's jittered stimulus (draws 1-4), all of
    500 ms, spikes only (about 1.3 s per run)."""
    from spinncer.simulate import run_simulation
    work = tmp_path_factory.mktemp("validation")
    scaffold = small_network()
    write_scaffold(scaffold, work / "net.hdf5")
    runs = {"nest": {}, "scaled": {}, "scaled12": {}, "perturbed": {}}
    for seed in range(1, 21):
        stim = stimulus_io.generate(scaffold.positions["glomerulus"], f_base=10.0, f_peak=60.0,
                                    stim_radius=60.0, stim_times=STIM,
                                    percentage_active_fibers=1.0, kind="poisson", seed=seed,
                                    timestep=0.1)
        stimulus_io.save(stim, work / f"stim{seed}.npz")
        jobs = [("nest", work / f"stim{seed}.npz", None)]
        if seed <= 10:
            jobs.append(("scaled", work / f"stim{seed}.npz", {"glom_grc": 1.5}))
            jobs.append(("scaled12", work / f"stim{seed}.npz", {"glom_grc": 1.2}))
        if seed <= 5:
            window = protocol_windows(STIM)["stimulus"]
            stimulus_io.save(perturb_stimulus(stim, 0.1, window, seed),
                             work / f"moved{seed}.npz")
            jobs.append(("perturbed", work / f"moved{seed}.npz", None))
        if seed == 1:
            for draw in range(1, 5):
                stimulus_io.save(jitter_stimulus(stim, 0.1, seed, draw),
                                 work / f"jittered{draw}.npz")
                jobs.append((f"jittered{draw}", work / f"jittered{draw}.npz", None))
        for label, path, scale in jobs:
            runs.setdefault(label, {})[seed] = run_simulation(work / "net.hdf5", path,
                                               work / f"{label}{seed}.h5", simtime=sum(STIM),
                                               seed=seed, weight_scale=scale,
                                               record_signals=False)
    return runs


def test_nest_against_nest_with_other_seeds_is_inside(nest_runs):
    # envelope: halves of NEST seeds 1-10 (e.g. 1-5 vs 6-10); candidate: NEST seeds 11-20;
    # 20 of the 252 splits keep the test short (the workflow uses N_SPLITS = 50)
    nest = nest_runs["nest"]
    runs = {"nest": {s: nest[s] for s in range(1, 11)},
            "nest-11-20": {s: nest[s] for s in range(11, 21)}}
    result = validate(runs, "nest", population_windows(STIM, SIZES), n_splits=20)
    summary = result.summary.iloc[0]
    assert summary["tests_scored"] >= 60
    # a 95th percentile: about 1 test in 20 of an equivalent backend falls outside
    assert summary["fraction_outside"] <= 0.1, result.scores["status"].to_string()
    # and the summary says so: no test outside, or as many as seed noise gives
    assert summary["p_if_equivalent"] >= 0.05, summary.to_string()
    verdict = summary["verdict"]
    if summary["tests_outside"]:
        assert "cannot tell this from seed noise" in verdict, verdict
    else:
        assert verdict.startswith("no test outside the seed envelope"), verdict
    assert "differs" not in verdict
    scored = result.verdicts[result.verdicts["agrees"].notna()]
    assert scored["agrees"].mean() >= 0.75, scored["verdict"].to_string()


def test_weight_scaled_backend_is_outside_the_envelope(nest_runs):
    nest = nest_runs["nest"]
    runs = {"nest": {s: nest[s] for s in range(1, 11)}, "scaled": nest_runs["scaled"]}
    result = validate(runs, "nest", population_windows(STIM, SIZES),
                      perturbed=nest_runs["perturbed"], n_splits=20)
    verdicts = result.verdicts.set_index(["population", "statistic"])
    # glom_grc x 1.5: granule cells and the populations they drive move; glomeruli do not
    for pop in ("granule", "golgi", "purkinje", "basket", "stellate"):
        line = verdicts.loc[(pop, "rate")]
        assert line["agrees"] == False, line  # noqa: E712
        assert "OUT" in line["verdict"]
    assert verdicts.loc[("glomerulus", "rate"), "agrees"] == True  # noqa: E712
    assert result.summary.iloc[0]["fraction_outside"] > 0.3
    paired = result.paired
    env = paired[paired["backend"] == "nest+perturbation"]
    assert len(env) and env["status"].eq("envelope").any()
    scaled = paired[(paired["backend"] == "scaled") & (paired["population"] == "granule")]
    assert (scaled["inside"] == False).any(), paired.to_string()  # noqa: E712


def test_one_seed_candidate_is_judged_against_the_reference_run_of_its_seed(nest_runs):
    """An expensive backend on one seed inside the envelope of ten (validation.backend_seeds):
    H2 never holds the reference's run of the candidate's own seed (same stimulus); the
    envelope is that run against the same H2 (seed-matched), so the reference's own run of the
    seed agrees on every test whatever its stimulus, and glom_grc x 1.5 is outside. A seed the
    reference did not run is read against sets of the same sizes."""
    from spinncer.validation.envelope import candidate_splits, envelope_splits
    splits = candidate_splits(list(range(1, 11)), [1])
    assert len(splits) == 50 and all(h1 == (0,) and 0 not in h2 and len(h2) == 5
                                     for h1, h2 in splits)
    label, env = envelope_splits(list(range(1, 11)), [1])
    assert label == "seed 1 vs 5" and [h2 for _, h2 in env] == [h2 for _, h2 in splits]
    assert envelope_splits(list(range(1, 11)), [11])[0] == "1 vs 5"
    nest = nest_runs["nest"]
    runs = {"nest": {s: nest[s] for s in range(1, 11)}, "nest-seed1": {1: nest[1]},
            "scaled-seed1": {1: nest_runs["scaled"][1]}, "nest-seed11": {11: nest[11]}}
    result = validate(runs, "nest", population_windows(STIM, SIZES), n_splits=20)
    assert set(result.envelope["seeds"]) == {"5 vs 5", "seed 1 vs 5", "1 vs 5"}
    scores = result.scores.set_index(["backend", "population", "window", "statistic"])
    own = scores.loc["nest-seed1"]
    assert own["status"].isin(["agrees"]).sum() == own["status"].str.match("agrees|outside").sum()
    for window in ("baseline", "post"):  # the 50 ms stimulus window of one seed is noisier
        assert scores.loc[("scaled-seed1", "granule", window, "rate"), "status"].startswith(
            "outside")
    summary = result.summary.set_index("backend")
    assert summary.loc["nest-seed1", "tests_outside"] == 0
    assert summary.loc["nest-seed11", "fraction_outside"] <= 0.15, result.scores.to_string()
    assert "granule" in summary.loc["scaled-seed1", "populations_outside"].split()
    with pytest.raises(Exception, match="at most as many as the reference"):
        validate({"nest": {s: nest[s] for s in range(1, 6)},
                  "more": {s: nest[s] for s in range(1, 8)}},
                 "nest", population_windows(STIM, SIZES))


def test_summary_of_a_fifth_more_weight_names_the_population_and_never_equivalence(
        nest_runs):
    """glom_grc x 1.2 (issue 26): the summary leads with the populations outside; however
    few tests they are, it never reads as equivalent."""
    nest = nest_runs["nest"]
    runs = {"nest": {s: nest[s] for s in range(1, 11)}, "scaled12": nest_runs["scaled12"]}
    result = validate(runs, "nest", population_windows(STIM, SIZES), n_splits=20)
    summary = result.summary.iloc[0]
    assert "granule" in summary["populations_outside"].split(), result.scores.to_string()
    verdict = summary["verdict"]
    assert verdict.startswith("OUTSIDE the seed envelope in "), verdict
    assert "granule (" in verdict.split(".")[0]
    assert "equivalent" not in verdict.replace("NOT shown equivalent", "").replace(
        "an equivalent backend has", ""), verdict
    assert 0 < summary["p_if_equivalent"] <= 1
    assert "cannot tell this from seed noise" in verdict or "differs from" in verdict


def test_summary_count_against_seed_noise_and_power_statements():
    from spinncer.validation.power import population_power, seeds_for_power
    from spinncer.validation.summary import false_alarm_probability
    # the "1 of 58": an equivalent backend has one or more with P = 1 - 0.95^58
    assert false_alarm_probability(1, 58, 0.05) == pytest.approx(1 - 0.95 ** 58)
    assert false_alarm_probability(0, 58, 0.05) == pytest.approx(1.0)
    assert false_alarm_probability(10, 58, 0.05) < 1e-3
    # twice the effect needs a quarter of the seeds; an envelope as wide as the effect needs
    # ((1.645 + 0.842) / 1.645)^2 = 2.29 times them
    assert seeds_for_power(1.0, 1.0, 5) == 12 and seeds_for_power(2.0, 1.0, 5) == 3
    assert seeds_for_power(0.0, 1.0, 5) is None
    table = pd.DataFrame({
        "connection": ["goc_grc", "goc_grc", "glom_grc", "glom_grc", "glom_grc"],
        "factor": [0.8, 1.2, 0.8, 1.2, 1.2], "target": "granule", "population": "granule",
        "window": "stimulus", "statistic": ["rate", "rate", "rate", "rate", "cv"],
        "n_cells": 240, "seeds_per_half": 5, "n_splits": 252, "d": 0.5, "ks_median": 0.1,
        "ks_envelope": 0.1, "d_envelope": 0.5, "power": [0.9, 0.95, 0.3, 0.5, 0.7],
        "detected": True})
    pops = population_power(table).set_index("population")
    # weakest change into granule: glom_grc x 0.8 (0.3); x 1.2's best test is cv (0.7)
    assert pops.loc["granule", "power"] == pytest.approx(0.3)
    assert pops.loc["granule", "weakest"] == "glom_grc*0.8"
    assert pops.loc["granule", "seeds_needed"] == 12


def test_summary_with_a_power_table_says_what_it_cannot_detect():
    from spinncer.validation.envelope import PERCENTILE
    from spinncer.validation.summary import outside_summary
    runs = {"nest": synthetic_runs(range(1, 7)), "other": synthetic_runs(range(1, 7), 1.0, 50)}
    result = validate(runs, "nest", population_windows(STIM, ["granule", "purkinje", "dcn"]))
    power = pd.DataFrame({
        "connection": "glom_grc", "factor": [0.8, 1.2], "target": "granule",
        "population": "granule", "window": "stimulus", "statistic": "rate", "n_cells": 300,
        "seeds_per_half": 3, "n_splits": 20, "d": 0.2, "ks_median": 0.1, "ks_envelope": 0.1,
        "d_envelope": 0.3, "power": [0.4, 0.6], "detected": False})
    summary = outside_summary(result.scores, PERCENTILE, power).iloc[0]
    verdict = summary["verdict"]
    assert "granule (cannot detect a 20 % weight change here: power 40% against " \
           "glom_grc*0.8 (rate, stimulus), n = 300 cells x 3 seeds per half too small" in verdict
    assert "purkinje (too few cells (n=4 < 10): no test scored)" in verdict
    assert summary["populations_blind"].split() == ["purkinje", "dcn", "granule"]
    assert "seeds per half would reach 80%" in verdict
    # without the table the rule of the envelope itself: only the too-few populations here
    plain = result.summary.iloc[0]
    assert plain["populations_blind"].split()[:2] == ["purkinje", "dcn"]


def test_cli_validate_writes_tables_and_figures(tmp_path, capsys):
    from spinncer.cli import main
    args = []
    for backend, offset in (("nest", 0), ("nest-numerics", 50)):
        for seed, run in synthetic_runs(range(1, 7), 1.0, offset).items():
            path = tmp_path / f"{backend}{seed}.h5"
            write_run(run, path)
            args += ["--run", f"{backend}={path}"]
    out = tmp_path / "validation"
    assert main(["validate", *args, "--reference", "nest", "--stim-times", *map(str, STIM),
                 "--outdir", str(out)]) == 0
    for name in ("envelope", "scores", "verdicts", "distributions", "paired", "summary"):
        assert (out / f"{name}.csv").is_file(), name
    verdicts = pd.read_csv(out / "verdicts.csv")
    assert verdicts["verdict"].str.contains("too few cells").any()
    assert (out / "score_envelope_ks.png").is_file() and (out / "distributions_dcn.png").is_file()
    printed = capsys.readouterr().out
    assert "nest-numerics: " in printed and "the seed envelope" in printed
    # a seed given twice for one backend is one error line
    assert main(["validate", *args, "--run", args[1], "--outdir", str(out)]) == 2
    assert capsys.readouterr().err.startswith("spinncer: error:")


def test_cli_validate_signals_and_stimulus_perturb(tmp_path):
    from spinncer.cli import main
    t = np.arange(0, 500.0, 0.1)
    v = (-65 + np.sin(2 * np.pi * t / 50.0))[:, None].astype(np.float32)
    sig = Signals(np.array([0]), 0.0, 0.1, v, v * 0, v * 0)
    spikes = {"golgi": PopulationSpikes(np.array([0]), np.array([1.0]), 12)}
    for name, shift in (("a", 0), ("b", 5)):
        sig_b = Signals(sig.cells, 0.0, 0.1, np.roll(v, shift, axis=0), v * 0, v * 0)
        write_run(RunResult(spikes, name, 0.1, 500.0, 1, {}, {"golgi": sig_b}),
                  tmp_path / f"{name}.h5")
    assert main(["validate-signals", str(tmp_path / "a.h5"), str(tmp_path / "b.h5"),
                 "--cells", str(tmp_path / "cells.csv"), "-o", str(tmp_path / "summary.csv"),
                 "--figure", str(tmp_path / "traces.png")]) == 0
    cells = pd.read_csv(tmp_path / "cells.csv")
    assert cells.loc[0, "phase_lag_ms"] == pytest.approx(0.5, abs=0.1)
    assert (tmp_path / "traces.png").is_file()
    stim = stimulus_io.generate(np.random.default_rng(0).uniform(0, 100, (20, 3)), f_base=5.0,
                                f_peak=100.0, stim_radius=50.0, stim_times=STIM,
                                percentage_active_fibers=1.0, kind="poisson", seed=2,
                                timestep=0.1)
    stimulus_io.save(stim, tmp_path / "stim.npz")
    assert main(["stimulus-perturb", str(tmp_path / "stim.npz"), "--seed", "2",
                 "--stim-times", *map(str, STIM), "-o", str(tmp_path / "moved.npz")]) == 0
    moved = stimulus_io.load(tmp_path / "moved.npz")
    assert moved.params["perturbation"]["glomerulus"] >= 0
    assert np.abs(np.sort(moved.times) - np.sort(stim.times)).sum() == pytest.approx(0.1)


def test_one_seed_envelope_pools_the_reference_realisations(nest_runs):
    """With realisations of seed 1 (NEST on its jittered stimulus) the one-seed envelope is
    the 95th percentile of the split scores of the run and of each realisation standing in for
    it (computed here from split_distances), the candidate's scores are unchanged, the
    reference's own run of the seed still agrees and glom_grc x 1.5 is still outside."""
    from spinncer.validation.envelope import candidate_splits, value_groups
    from spinncer.validation.scores import split_distances
    from spinncer.validation.statistics import run_statistics
    nest = nest_runs["nest"]
    windows = population_windows(STIM, SIZES)
    realisations = {1: [nest_runs[f"jittered{draw}"][1] for draw in (1, 2, 3)]}
    runs = {"nest": {s: nest[s] for s in range(1, 11)}, "nest-seed1": {1: nest[1]},
            "scaled-seed1": {1: nest_runs["scaled"][1]}}
    plain = validate(runs, "nest", windows, n_splits=20)
    pooled = validate(runs, "nest", windows, n_splits=20, realisations=realisations)
    label = "seed 1 + 3 realisations vs 5"
    assert set(pooled.envelope["seeds"]) == {"5 vs 5", label}
    key = ("granule", "post", "rate")
    groups = {s: value_groups(run_statistics(nest[s], windows)) for s in range(1, 11)}
    ref = [groups[s][key] for s in range(1, 11)]
    splits = candidate_splits(list(range(1, 11)), [1], 20)
    stand_ins = [ref[0]] + [value_groups(run_statistics(r, windows))[key]
                            for r in realisations[1]]
    pooled_ks = np.concatenate([split_distances([x] + ref[1:], ref, splits)["ks"]
                                for x in stand_ins])
    env = pooled.envelope.set_index(["seeds", "population", "window", "statistic"])
    assert env.loc[(label, *key), "ks_p95"] == pytest.approx(np.percentile(pooled_ks, 95))
    assert len(set(pooled_ks[:20]) ^ set(pooled_ks[20:])) > 0  # the realisations differ
    # ... and widen the envelope: the run-fixed one ("seed 1 vs 5") is narrower somewhere
    fixed = plain.envelope.set_index(["seeds", "population", "window", "statistic"])
    wider = (env.sort_index().loc[label, "ks_p95"]
             - fixed.sort_index().loc["seed 1 vs 5", "ks_p95"]).dropna()
    assert (wider >= -1e-12).mean() > 0.5 and (wider > 1e-9).any()
    columns = ["backend", "population", "window", "statistic", "ks_median"]
    pd.testing.assert_frame_equal(plain.scores[columns], pooled.scores[columns])
    summary = pooled.summary.set_index("backend")
    assert summary.loc["nest-seed1", "tests_outside"] == 0
    scores = pooled.scores.set_index(["backend", "population", "window", "statistic"])
    assert scores.loc[("scaled-seed1", *key), "status"].startswith("outside")
    assert "granule" in summary.loc["scaled-seed1", "populations_outside"].split()
    # a held-out realisation of the seed is no more outside than seed noise allows
    held_out = validate({"nest": runs["nest"], "jittered": {1: nest_runs["jittered4"][1]}},
                        "nest", windows, n_splits=20, realisations=realisations)
    assert held_out.summary.iloc[0]["p_if_equivalent"] >= 0.05, held_out.scores.to_string()
    with pytest.raises(InputError, match="as many realisations"):
        validate({"nest": runs["nest"], "two": {1: nest[1], 2: nest[2]}}, "nest", windows,
                 realisations={1: realisations[1], 2: realisations[1][:1]})
    # a seed of the candidate without realisations is an error, not a run-fixed envelope
    with pytest.raises(InputError, match="as many realisations"):
        validate({"nest": runs["nest"], "two": {1: nest[1], 2: nest[2]}}, "nest", windows,
                 realisations=realisations)


def test_only_realisations_of_the_reference_seeds_are_pooled(nest_runs, tmp_path):
    from spinncer.validation.report import read_realisations
    nest = nest_runs["nest"]
    paths = {}
    for label, run in (("jittered1", nest_runs["jittered1"][1]),
                       ("jittered2", nest_runs["jittered2"][1]), ("plain", nest[1]),
                       ("seed2", nest[2])):
        paths[label] = str(tmp_path / f"{label}.h5")
        write_run(run, paths[label])
    own = {1: nest[1]}
    read = read_realisations([paths["jittered1"], paths["jittered2"]], own, "nest")
    assert list(read) == [1] and len(read[1]) == 2
    for given, reference, found in (([paths["plain"]], "nest", "without 'realisation'"),
                                    ([paths["seed2"]], "nest", "seed 2, not run by nest"),
                                    ([paths["jittered1"]], "brian2", "backend nest"),
                                    ([paths["jittered1"]] * 2, "nest", "twice")):
        with pytest.raises(InputError, match=found) as error:
            read_realisations(given, own if reference == "nest" else {1: nest[1]}, reference)
        assert str(error.value).startswith(given[-1])
