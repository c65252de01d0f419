"""Delay-aware windows, rates in shifted windows, and the excited / inhibited classification."""
import dataclasses

import numpy as np
import pytest

from spinncer.analysis.stats import (MOSSY_FIBRE_LATENCY_MS, cell_rates, classify_cells,
                                     mossy_fibre_latencies, population_stats, population_windows,
                                     protocol_windows, response_fractions, windows_table)
from spinncer.errors import InputError
from spinncer.params import CONNECTION_TYPES
from spinncer.results import PopulationSpikes, RunResult

STIM = [300, 50, 650]


def test_latencies_match_spinncer_table():
    # SpiNNCer cerebellum_analysis.py DELAY_IN_EXCITATION, typed in by hand.
    assert MOSSY_FIBRE_LATENCY_MS == {"glomerulus": 0, "granule": 4, "golgi": 4, "purkinje": 6,
                                      "basket": 9, "stellate": 9, "dcn": 10}


def test_latencies_follow_connection_delays():
    # aa_pc 2 -> 3 ms: purkinje = 4 + 3 = 7; dcn waits for purkinje inhibition: 7 + 4 = 11.
    changed = dict(CONNECTION_TYPES, aa_pc=dataclasses.replace(CONNECTION_TYPES["aa_pc"], delay=3))
    lat = mossy_fibre_latencies(changed)
    assert lat["purkinje"] == 7 and lat["dcn"] == 11 and lat["granule"] == 4
    # glom_goc 4 -> 9: golgi is then reached faster through granule (4 + aa_goc 2 = 6).
    slow = dict(CONNECTION_TYPES, glom_goc=dataclasses.replace(CONNECTION_TYPES["glom_goc"],
                                                              delay=9))
    assert mossy_fibre_latencies(slow)["golgi"] == 6


def test_population_windows_shift_inner_boundaries():
    w = population_windows(STIM, ["purkinje", "dcn", "glomerulus"])
    assert w["purkinje"] == {"baseline": (0, 306), "stimulus": (306, 356), "post": (356, 1000)}
    assert w["dcn"] == {"baseline": (0, 310), "stimulus": (310, 360), "post": (360, 1000)}
    assert w["glomerulus"] == protocol_windows(STIM)
    flat = population_windows(STIM, ["purkinje"], consider_delays=False)
    assert flat["purkinje"] == protocol_windows(STIM)


def test_population_windows_reject_latency_beyond_run():
    with pytest.raises(InputError, match="latency"):
        population_windows([300, 50, 5], ["dcn"])


def shifted_run():
    # purkinje cell 0: 303 (baseline when shifted by 6 ms, stimulus otherwise) and
    # 355 (stimulus when shifted, post otherwise); cell 1: 500.
    pc = PopulationSpikes(np.array([0, 0, 1]), np.array([303.0, 355.0, 500.0]), 2)
    return RunResult({"purkinje": pc}, "nest", 0.1, 1000.0, 1)


def test_cell_rates_in_shifted_windows():
    run = shifted_run()
    shifted = cell_rates(run, population_windows(STIM, run.spikes)).set_index("cell")
    assert shifted.loc[0, "baseline"] == pytest.approx(1 / 0.306)
    assert shifted.loc[0, "stimulus"] == pytest.approx(1 / 0.050)
    assert shifted.loc[0, "post"] == 0
    assert shifted.loc[1, "post"] == pytest.approx(1 / 0.644)
    plain = cell_rates(run, protocol_windows(STIM)).set_index("cell")
    assert plain.loc[0, "baseline"] == 0
    assert plain.loc[0, "stimulus"] == pytest.approx(20.0)  # 303 only; 355 is post
    assert plain.loc[0, "post"] == pytest.approx(1 / 0.65)


def test_population_stats_with_shifted_windows():
    run = shifted_run()
    windows = population_windows(STIM, run.spikes)
    stats = population_stats(cell_rates(run, windows), windows).set_index("window")
    assert stats.loc["stimulus", "start_ms"] == 306 and stats.loc["stimulus", "stop_ms"] == 356
    assert stats.loc["stimulus", "n_spikes"] == 1 and stats.loc["baseline", "n_spikes"] == 1
    assert stats.loc["post", "n_spikes"] == 1
    assert stats.loc["stimulus", "mean_rate_hz"] == pytest.approx(10.0)


def test_windows_table():
    table = windows_table(population_windows(STIM, ["granule"]))
    assert table.to_dict("list") == {
        "population": ["granule"] * 3, "window": ["baseline", "stimulus", "post"],
        "start_ms": [0, 304, 354], "stop_ms": [304, 354, 1000], "duration_ms": [304, 50, 646]}
    assert len(windows_table(protocol_windows(STIM), ["a", "b"])) == 6


def response_run():
    """Granule: c0 10 -> 40 Hz (2 spikes), c1 0 -> 20 Hz (1 spike), c2 silent,
    c3 100 -> 20 Hz, c4 10 -> 20 Hz (exactly twice, not more), c5 40 -> 20 Hz (exactly half,
    not less). Golgi c0: 0 -> 20 Hz (1 spike), c1 20 -> 40 Hz (exactly twice)."""
    cells = [0, 0, 0, 0, 0, 1, 4, 4, 4, 4, 3]
    times = [10, 20, 30, 310, 320, 305, 10, 20, 30, 310, 320]
    cells += [3] * 30
    times += list(np.arange(30) * 10.0 + 1.0)
    cells += [5] * 13
    times += list(np.arange(12) * 20.0 + 2.0) + [340.0]
    grc = PopulationSpikes(np.array(cells), np.array(times, float), 6)
    goc = PopulationSpikes(np.array([0] + [1] * 8),
                           np.array([330.0, 10, 60, 110, 160, 210, 260, 310, 320]), 2)
    return RunResult({"granule": grc, "golgi": goc}, "nest", 0.1, 1000.0, 1)


def test_classify_cells_rule():
    windows = protocol_windows(STIM)
    classified = classify_cells(cell_rates(response_run(), windows), windows)
    grc = classified[classified.population == "granule"].set_index("cell")
    assert grc["response"].tolist() == ["excited", "unchanged", "silent", "inhibited",
                                        "unchanged", "unchanged"]
    assert grc["stimulus_spikes"].tolist() == [2, 1, 0, 1, 1, 1]
    # A golgi cell needs only the factor 2: one spike in the window is enough.
    assert classified[classified.population == "golgi"]["response"].tolist() == [
        "excited", "unchanged"]


def test_classify_cells_with_delays_uses_shifted_counts():
    run = response_run()
    windows = population_windows(STIM, run.spikes)  # granule stimulus window 304..354
    grc = classify_cells(cell_rates(run, windows), windows).query("population == 'granule'")
    assert grc["stimulus_spikes"].tolist() == [2, 1, 0, 1, 1, 1]
    assert grc["response"].iloc[0] == "excited"


def test_response_fractions():
    windows = protocol_windows(STIM)
    fr = response_fractions(classify_cells(cell_rates(response_run(), windows), windows))
    row = fr.set_index("population").loc["granule"]
    assert (row["n_excited"], row["n_inhibited"], row["n_unchanged"], row["n_silent"]) == \
        (1, 1, 3, 1)
    assert row["fraction_excited"] == pytest.approx(1 / 6)
    assert row["fraction_inhibited"] == pytest.approx(1 / 6)
    assert row["fraction_silent"] == pytest.approx(1 / 6)
    assert row["excited_stimulus_hz"] == pytest.approx(40.0)
    assert row["excited_baseline_hz"] == pytest.approx(10.0)
    assert row["inhibited_baseline_hz"] == pytest.approx(100.0)
    goc = fr.set_index("population").loc["golgi"]
    assert goc["fraction_excited"] == 0.5 and np.isnan(goc["inhibited_stimulus_hz"])


def test_analyse_run_tables_use_shifted_windows():
    from spinncer.analysis.summary import analyse_run

    tables = analyse_run(shifted_run(), STIM, consider_delays=True, psth_bin_ms=50.0)
    assert set(tables) == {"windows", "cell_rates", "stats", "responses", "worst_case",
                           "isi_cells", "isi", "psth"}
    stats = tables["stats"].set_index("window")
    assert stats.loc["stimulus", "start_ms"] == 306 and stats.loc["stimulus", "n_spikes"] == 1
    assert tables["cell_rates"]["stimulus_spikes"].tolist() == [1, 0]
    assert tables["psth"]["spikes"].sum() == 3 and len(tables["psth"]) == 20
    unshifted = analyse_run(shifted_run(), STIM, consider_delays=False)["stats"]
    assert unshifted.set_index("window").loc["stimulus", "start_ms"] == 300
