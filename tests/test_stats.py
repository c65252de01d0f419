import numpy as np
import pytest

from spinncer.analysis.stats import cell_rates, population_stats, protocol_windows
from spinncer.results import PopulationSpikes, RunResult


def hand_run():
    # granule: cell 0 fires at 10, 20 (baseline) and 305 (stimulus); cell 1 at 340, 345;
    # cell 2 silent. golgi: one cell firing every 10 ms from 5 ms to 995 ms.
    grc = PopulationSpikes(np.array([0, 0, 0, 1, 1]),
                           np.array([10.0, 20.0, 305.0, 340.0, 345.0]), 3)
    t = np.arange(5.0, 1000.0, 10.0)
    goc = PopulationSpikes(np.zeros(len(t), int), t, 1)
    return RunResult({"granule": grc, "golgi": goc}, "nest", 0.1, 1000.0, 1)


def test_protocol_windows():
    assert protocol_windows([300, 50, 650]) == {
        "baseline": (0.0, 300.0), "stimulus": (300.0, 350.0), "post": (350.0, 1000.0)}


def test_cell_rates_by_hand():
    windows = protocol_windows([300, 50, 650])
    rates = cell_rates(hand_run(), windows)
    grc = rates[rates.population == "granule"].set_index("cell")
    # 2 spikes / 0.3 s, 1 spike / 0.05 s
    assert grc.loc[0, "baseline"] == pytest.approx(2 / 0.3)
    assert grc.loc[0, "stimulus"] == pytest.approx(20.0)
    assert grc.loc[1, "stimulus"] == pytest.approx(40.0)
    assert (grc.loc[2, ["baseline", "stimulus", "post"]] == 0).all()
    goc = rates[rates.population == "golgi"].iloc[0]
    assert goc["baseline"] == pytest.approx(100.0) and goc["post"] == pytest.approx(100.0)


def test_population_stats_by_hand():
    windows = protocol_windows([300, 50, 650])
    stats = population_stats(cell_rates(hand_run(), windows), windows)
    row = stats.set_index(["population", "window"]).loc[("granule", "stimulus")]
    assert row["mean_rate_hz"] == pytest.approx((20.0 + 40.0 + 0.0) / 3)
    assert row["active_fraction"] == pytest.approx(2 / 3)
    assert row["n_spikes"] == 3 and row["n_cells"] == 3
    base = stats.set_index(["population", "window"]).loc[("granule", "baseline")]
    assert base["active_fraction"] == pytest.approx(1 / 3)
    assert base["median_rate_hz"] == 0.0
