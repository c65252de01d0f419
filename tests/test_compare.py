"""Comparison of two runs: rate differences and tests, lead/lag, verdicts, provenance."""
import warnings

import numpy as np
import pytest
from scipy import stats

from spinncer.analysis.compare import (ProvenanceWarning, compare_rates, compare_runs,
                                       compare_timing, matched_spike_shifts, population_lag,
                                       provenance_differences)
from spinncer.analysis.stats import population_windows, protocol_windows
from spinncer.errors import InputError
from spinncer.results import PopulationSpikes, RunResult

STIM = [300, 50, 650]
META = {"versions": {"nest-simulator": "3.8", "numpy": "2.4"},
        "inputs": {"stimulus": {"path": "s.npz", "sha256": "aa"},
                   "scaffold": {"path": "x.hdf5", "sha256": "bb"}}}


def run_of(pops, metadata=None):
    return RunResult(pops, "nest", 0.1, 1000.0, 1, dict(META if metadata is None else metadata))


def poisson_population(rng, n_cells, rate_hz, simtime=1000.0, timestep=0.1):
    counts = rng.poisson(rate_hz * simtime / 1000.0, n_cells)
    cells = np.repeat(np.arange(n_cells), counts)
    times = np.round(rng.uniform(0, simtime - 30, len(cells)) / timestep) * timestep
    return PopulationSpikes(cells, times, n_cells)


def test_compare_rates_by_hand():
    # Baseline counts per cell A [3, 6, 9, 0], B [6, 6, 12, 3] in 300 ms:
    # A rates [10, 20, 30, 0] (mean 15), B [20, 20, 40, 10] (mean 22.5); d = [10, 0, 10, 10].
    def pop(counts):
        cells = np.repeat(np.arange(4), counts)
        return PopulationSpikes(cells, np.linspace(1, 290, len(cells)), 4)
    a, b = run_of({"golgi": pop([3, 6, 9, 0])}), run_of({"golgi": pop([6, 6, 12, 3])})
    row = compare_rates(a, b, protocol_windows(STIM), min_cells=2).set_index("window").loc[
        "baseline"]
    assert (row["mean_a_hz"], row["mean_b_hz"]) == pytest.approx((15.0, 22.5))
    assert row["diff_hz"] == pytest.approx(7.5) and row["rel_diff"] == pytest.approx(0.5)
    assert (row["spikes_a"], row["spikes_b"], row["spike_diff"]) == (18, 27, 9)
    assert row["std_cell_diff_hz"] == pytest.approx(5.0)
    assert row["cohen_dz"] == pytest.approx(1.5)  # 7.5 / 5
    assert row["paired_t"] == pytest.approx(3.0)  # 7.5 / (5 / sqrt 4)
    assert row["paired_t_pvalue"] == pytest.approx(2 * stats.t.sf(3.0, df=3))


def test_identical_runs_are_same_and_silent():
    pop = poisson_population(np.random.default_rng(1), 30, 20.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # identical metadata: no provenance warning
        result = compare_runs(run_of({"granule": pop}), run_of({"granule": pop}),
                              protocol_windows(STIM))
    assert (result.rates["diff_hz"] == 0).all() and (result.rates["paired_t_pvalue"] == 1).all()
    assert result.timing.loc[0, "xcorr_lag_ms"] == 0.0
    assert result.verdicts.loc[0, "verdict"].startswith("same")
    assert len(result.provenance) == 0


@pytest.mark.parametrize("shift_ms", [2.0, -1.5, 0.3])
def test_known_shift_is_recovered(shift_ms):
    pop = poisson_population(np.random.default_rng(2), 40, 30.0)
    shifted = PopulationSpikes(pop.cell, np.round((pop.time + shift_ms) * 10) / 10, 40)
    timing, cells = compare_timing(run_of({"granule": pop}), run_of({"granule": shifted}))
    row = timing.iloc[0]
    assert row["xcorr_lag_ms"] == pytest.approx(shift_ms)
    assert row["mean_shift_ms"] == pytest.approx(shift_ms)
    assert row["nth_shift_mean_ms"] == pytest.approx(shift_ms)
    assert row["n_cells_matched"] == (np.bincount(pop.cell, minlength=40) > 0).sum()
    assert row["spike_diff"] == 0 and row["fraction_cells_equal_count"] == 1.0


def test_population_lag_on_hand_made_counts():
    # A fires at 10 and 50 ms, B 3 ms later; 1 ms bins.
    a = np.array([10.0, 10.0, 50.0])
    lag, peak = population_lag(a, a + 3.0, bin_ms=1.0, max_lag_ms=10.0, t_stop=100.0)
    # 100 bins, mean 0.03: sum of squares 5 - 100 * 0.03**2 = 4.91; at lag 3 the last three
    # bins (each 0.03**2 after the mean is removed) fall off the overlap.
    assert lag == 3.0 and peak == pytest.approx((4.91 - 3 * 0.03 ** 2) / 4.91)
    lag, _ = population_lag(a + 3.0, a, bin_ms=1.0, max_lag_ms=10.0, t_stop=100.0)
    assert lag == -3.0
    # A shift beyond max_lag_ms is not found.
    lag, _ = population_lag(a, a + 30.0, bin_ms=1.0, max_lag_ms=10.0, t_stop=100.0)
    assert lag != 30.0
    assert np.isnan(population_lag(a, np.zeros(0), 1.0, 10.0, t_stop=100.0)[0])


def test_matched_spike_shifts_by_hand():
    # cell 0: A [10, 20], B [11, 23] -> mean shift 2, 2nd (last) spike shift 3.
    # cell 1: A [5], B [5, 6] -> unmatched. cell 2: silent in both.
    # cell 3: 12 spikes, B = A + 0.5 except its 10th spike + 1.5.
    t3 = np.arange(12) * 10.0 + 100
    s3 = t3 + 0.5
    s3[9] = t3[9] + 1.5
    a = PopulationSpikes(np.array([0, 0, 1] + [3] * 12), np.r_[10, 20, 5, t3], 4)
    b = PopulationSpikes(np.array([3] * 12 + [0, 0, 1, 1]), np.r_[s3, 11, 23, 5, 6], 4)
    table = matched_spike_shifts(a, b).set_index("cell")
    assert table["matched"].tolist() == [True, False, False, True]
    assert table.loc[0, "mean_shift_ms"] == pytest.approx(2.0)
    assert table.loc[0, "nth_shift_ms"] == pytest.approx(3.0)
    assert table.loc[1, "count_diff"] == 1 and np.isnan(table.loc[1, "mean_shift_ms"])
    assert table.loc[3, "mean_shift_ms"] == pytest.approx((11 * 0.5 + 1.5) / 12)
    assert table.loc[3, "nth_shift_ms"] == pytest.approx(1.5)


def test_seed_to_seed_runs_are_same():
    a = poisson_population(np.random.default_rng(10), 500, 10.0)
    b = poisson_population(np.random.default_rng(11), 500, 10.0)
    meta_b = {**META, "inputs": {**META["inputs"], "stimulus": {"path": "s.npz",
                                                                 "sha256": "cc"}}}
    with pytest.warns(ProvenanceWarning, match="inputs.stimulus.sha256"):
        result = compare_runs(run_of({"granule": a}), run_of({"granule": b}, meta_b),
                              protocol_windows(STIM), bin_ms=1.0, max_lag_ms=5.0)
    assert not result.verdicts.loc[0, "rate_differs"], result.verdicts.loc[0, "verdict"]
    assert (result.rates["rel_diff"].abs() < 0.1).all()


def test_rate_change_in_stimulus_window_differs():
    rng = np.random.default_rng(5)
    a = poisson_population(rng, 300, 10.0)
    extra = np.arange(300)  # one more spike per cell at 320 ms: +20 Hz in the stimulus window
    b = PopulationSpikes(np.r_[a.cell, extra], np.r_[a.time, np.full(300, 320.0)], 300)
    result = compare_runs(run_of({"purkinje": a}), run_of({"purkinje": b}),
                          population_windows(STIM, ["purkinje"]))
    verdict = result.verdicts.iloc[0]
    assert verdict["rate_differs"] and not verdict["timing_differs"]
    assert verdict["verdict"].startswith("differs: stimulus +")
    assert "baseline" not in verdict["verdict"].split("[")[0]


def test_shift_gives_timing_verdict():
    pop = poisson_population(np.random.default_rng(6), 100, 20.0)
    late = PopulationSpikes(pop.cell, pop.time + 2.0, 100)
    result = compare_runs(run_of({"granule": pop}), run_of({"granule": late}),
                          protocol_windows(STIM))
    assert result.verdicts.iloc[0]["timing_differs"]
    assert "lag +2 ms" in result.verdicts.iloc[0]["verdict"]


def test_provenance_differences_and_warning():
    other = {"versions": {"nest-simulator": "3.9", "numpy": "2.4"},
             "inputs": {"stimulus": {"path": "elsewhere.npz", "sha256": "aa"}}}
    with pytest.warns(ProvenanceWarning, match="nest-simulator"):
        table = provenance_differences(run_of({}), run_of({}, other))
    assert table.set_index("item").to_dict("index") == {
        "versions.nest-simulator": {"a": "3.8", "b": "3.9"},
        "inputs.scaffold.sha256": {"a": "bb", "b": "<missing>"}}  # paths alone do not count


def test_different_cell_counts_are_rejected():
    a = run_of({"granule": PopulationSpikes(np.zeros(0, int), np.zeros(0), 3)})
    b = run_of({"granule": PopulationSpikes(np.zeros(0, int), np.zeros(0), 4)})
    with pytest.raises(InputError, match="granule"):
        compare_rates(a, b, protocol_windows(STIM))


def test_bonferroni_adjustment_over_all_tests():
    rng = np.random.default_rng(8)
    a = {name: poisson_population(rng, 60, 20.0) for name in ("golgi", "basket")}
    b = {name: poisson_population(rng, 60, 20.0) for name in ("golgi", "basket")}
    rates = compare_rates(run_of(a), run_of(b), protocol_windows(STIM))
    assert len(rates) == 6  # 2 populations x 3 windows
    expected = np.minimum(rates["paired_t_pvalue"] * 6, 1.0)
    assert rates["paired_t_pvalue_adj"].tolist() == pytest.approx(expected.tolist())


def test_lag_of_uncorrelated_sparse_populations_is_not_a_verdict():
    # Two independent runs of a few irregular cells: the cross-correlation peak is noise.
    a = poisson_population(np.random.default_rng(20), 5, 5.0)
    b = poisson_population(np.random.default_rng(21), 5, 5.0)
    result = compare_runs(run_of({"dcn": a}), run_of({"dcn": b}), protocol_windows(STIM))
    row = result.timing.iloc[0]
    assert row["xcorr_peak"] < 0.2
    assert not result.verdicts.iloc[0]["timing_differs"]
    assert "lag undefined" in result.verdicts.iloc[0]["verdict"]


def test_one_dcn_cell_and_four_purkinje_cells_are_too_few_not_nan():
    # the cases of issue 13: one DCN cell that fired one spike less in the stimulus window,
    # and four Purkinje cells that all fired one more spike (d_z was +inf, p_adj 0)
    dcn_a = PopulationSpikes(np.zeros(2, int), np.array([310.0, 330.0]), 1)
    dcn_b = PopulationSpikes(np.zeros(1, int), np.array([310.0]), 1)
    cells = np.arange(4)
    pc_a = PopulationSpikes(cells, np.full(4, 100.0), 4)
    pc_b = PopulationSpikes(np.r_[cells, cells], np.r_[np.full(4, 100.0), np.full(4, 320.0)], 4)
    a, b = run_of({"purkinje": pc_a, "dcn": dcn_a}), run_of({"purkinje": pc_b, "dcn": dcn_b})
    result = compare_runs(a, b, population_windows(STIM, ["purkinje", "dcn"]))
    verdicts = result.verdicts.set_index("population")
    assert verdicts.loc["dcn", "verdict"].startswith(
        "rates not tested, too few cells (n=1 < 10)")
    assert verdicts.loc["purkinje", "verdict"].startswith(
        "rates not tested, too few cells (n=4 < 10)")
    assert verdicts["rate_differs"].isna().all()
    text = " ".join(verdicts["verdict"])
    assert "nan" not in text and "inf" not in text and "p_adj" not in text
    assert (result.rates["test_note"].str.startswith("too few cells")).all()
    assert verdicts["rule"].str.contains("tested only with >= 10 cells").all()
