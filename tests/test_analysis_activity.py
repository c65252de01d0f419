"""Worst-case activity, PSTH and ISI variability against hand-computed values."""
import numpy as np
import pytest
import quantities as pq
import scipy.stats

from spinncer.analysis.activity import (isi_cv, population_isi_cv, psth, step_index,
                                        worst_case_activity)
from spinncer.errors import InputError
from spinncer.results import PopulationSpikes, RunResult


def run_of(pops, simtime=1000.0, timestep=0.1):
    return RunResult(pops, "nest", timestep, simtime, 1)


def test_step_index_on_grid_and_between():
    # 0.7 / 0.1 is 6.999... in floating point: still step 7. 0.25 is inside step 2.
    assert step_index([0.7, 0.3, 0.25, 0.0, 999.9], 0.1).tolist() == [7, 3, 2, 0, 9999]
    with pytest.raises(InputError):
        step_index([1.0], 0.0)


def test_worst_case_activity_by_hand():
    # 3 spikes at 10.0 ms (step 100), 3 at 20.3 ms (step 203, a later tie), 2 at 0.7 ms.
    times = np.array([10.0, 10.0, 10.0, 20.3, 20.3, 20.3, 0.7, 0.7])
    grc = PopulationSpikes(np.array([0, 1, 2, 3, 4, 5, 6, 7]), times, 10)
    silent = PopulationSpikes(np.zeros(0, int), np.zeros(0), 4)
    table = worst_case_activity(run_of({"granule": grc, "dcn": silent})).set_index("population")
    row = table.loc["granule"]
    assert row["peak_spikes_per_step"] == 3 and row["peak_step"] == 100
    assert row["peak_time_ms"] == pytest.approx(10.0)
    assert row["peak_fraction_of_cells"] == pytest.approx(0.3)
    assert row["mean_spikes_per_step"] == pytest.approx(8 / 10000)
    assert table.loc["dcn", "peak_spikes_per_step"] == 0 and table.loc["dcn", "peak_step"] == -1


def test_psth_by_hand():
    pop = PopulationSpikes(np.array([0, 1, 0, 1]), np.array([5.0, 9.9, 10.0, 55.0]), 2)
    table = psth(run_of({"golgi": pop}, simtime=100.0), bin_ms=10.0)
    assert table["bin_start_ms"].tolist() == pytest.approx(np.arange(0, 100, 10.0))
    assert table["spikes"].tolist() == [2, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    # 2 spikes / (2 cells x 0.01 s) = 100 Hz per cell
    assert table["rate_hz"].tolist()[:2] == pytest.approx([100.0, 50.0])


def test_psth_partial_last_bin():
    pop = PopulationSpikes(np.array([0, 0]), np.array([29.9, 95.0]), 1)
    table = psth(run_of({"golgi": pop}, simtime=100.0), bin_ms=30.0)
    assert table["bin_stop_ms"].tolist() == pytest.approx([30, 60, 90, 100])
    assert table["spikes"].tolist() == [1, 0, 0, 1]
    assert table["rate_hz"].iloc[-1] == pytest.approx(1 / 0.010)  # 10 ms last bin


def cv_run():
    # cell 0: ISIs 10, 20, 30; cell 1: every 5 ms; cell 2: one ISI; cell 3: silent.
    cells = np.array([0, 0, 0, 0] + [1] * 20 + [2, 2])
    times = np.concatenate([[0, 10, 30, 60], np.arange(20) * 5.0, [3.0, 8.0]])
    order = np.random.default_rng(0).permutation(len(cells))  # unsorted input
    return run_of({"golgi": PopulationSpikes(cells[order], times[order], 4)})


def test_isi_cv_by_hand():
    table = isi_cv(cv_run()).set_index("cell")
    # mean 20, sd (ddof 0) sqrt(200 / 3)
    assert table.loc[0, "cv"] == pytest.approx(np.sqrt(200 / 3) / 20)
    assert table.loc[0, "cv2"] == pytest.approx((2 * 10 / 30 + 2 * 10 / 50) / 2)
    assert table.loc[0, "mean_isi_ms"] == pytest.approx(20.0)
    assert table.loc[1, "cv"] == pytest.approx(0.0) and table.loc[1, "cv2"] == pytest.approx(0.0)
    assert np.isnan(table.loc[2, "cv"]) and np.isnan(table.loc[2, "cv2"])  # one ISI
    assert np.isnan(table.loc[3, "cv"]) and table.loc[3, "n_spikes"] == 0
    assert table["n_isi"].tolist() == [3, 19, 1, 0]


def random_cells(seed=3, n_cells=7, n_spikes=400):
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, n_cells, n_spikes)
    times = rng.uniform(0, 1000, n_spikes)
    table = isi_cv(run_of({"granule": PopulationSpikes(cells, times, n_cells)}))
    return table, [np.sort(times[cells == cell]) for cell in range(n_cells)]


def test_isi_cv_agrees_with_scipy_and_holt_formula():
    table, trains = random_cells()
    for cell, t in enumerate(trains):
        isi = np.diff(t)
        assert table.loc[cell, "cv"] == pytest.approx(scipy.stats.variation(isi))
        cv2 = np.mean(2 * np.abs(np.diff(isi)) / (isi[1:] + isi[:-1]))
        assert table.loc[cell, "cv2"] == pytest.approx(cv2)


def test_isi_cv_agrees_with_elephant():
    statistics = pytest.importorskip("elephant.statistics")
    table, trains = random_cells()
    for cell, t in enumerate(trains):
        assert table.loc[cell, "cv"] == pytest.approx(statistics.cv(statistics.isi(t)))
        assert table.loc[cell, "cv2"] == pytest.approx(statistics.cv2(np.diff(t) * pq.ms))


def test_isi_cv_window_and_population_summary():
    windowed = isi_cv(cv_run(), window=(0.0, 35.0)).set_index("cell")
    assert windowed.loc[0, "cv"] == pytest.approx(5 / 15)  # ISIs 10, 20
    summary = population_isi_cv(isi_cv(cv_run())).set_index("population").loc["golgi"]
    assert summary["n_cells"] == 4 and summary["n_cells_with_cv"] == 2
    assert summary["mean_cv"] == pytest.approx(np.sqrt(200 / 3) / 20 / 2)
    assert summary["n_cells_with_cv2"] == 2
