"""Sweep fits and load figures (median, 5th-95th percentiles, fits with R²)."""
import numpy as np
import pandas as pd
import pytest

from spinncer.plots.communication import chip_heatmaps
from spinncer.plots.sweep import sweep_load
from spinncer.sweep import fit_curves, percentile_summary


def test_fits_recover_their_own_curves():
    x = np.array([10.0, 20, 40, 80, 150])
    assert fit_curves(x, 3 + 2 * x)["linear"]["r2"] == pytest.approx(1.0)
    quad = fit_curves(x, 1 + 0.5 * x + 0.01 * x * x)["quadratic"]
    assert quad["r2"] == pytest.approx(1.0) and quad["params"][2] == pytest.approx(0.01, rel=1e-3)
    exp = fit_curves(x, 2 * np.exp(0.02 * x) + 1)["exponential"]
    assert exp["r2"] == pytest.approx(1.0, abs=1e-6)
    assert exp["params"][1] == pytest.approx(0.02, rel=1e-3)
    # a linear law is not fitted as well by a straight line as by nothing: R² < 1 on noise
    noisy = fit_curves(x, np.array([5.0, 1, 7, 2, 6]))["linear"]["r2"]
    assert noisy < 0.5


def test_too_few_sweep_values_say_so():
    fits = fit_curves([1.0, 2.0, 2.0], [1.0, 2.0, 2.5])
    assert "too few sweep values (n=2)" in fits["quadratic"]["error"]
    assert "r2" in fits["linear"] or "error" in fits["linear"]


def test_percentiles_over_seeds():
    t = pd.DataFrame({"f": [1] * 5, "v": [1.0, 2, 3, 4, 100]})
    s = percentile_summary(t, ["f"], "v").iloc[0]
    assert s["median"] == 3 and s["p95"] == pytest.approx(80.8) and s["n"] == 5


def test_sweep_load_figure_and_fits(tmp_path):
    rows = []
    for f in (50.0, 100, 150, 200):
        for seed in range(3):
            for ordering, k in (("file", 1.0), ("grid", 0.6)):
                rows.append(dict(population="granule", ordering=ordering, f_peak=f, seed=seed,
                                 packets_peak=k * (10 + 0.1 * f) + seed))
    fits = sweep_load(pd.DataFrame(rows), tmp_path / "load.png", "f_peak")
    assert (tmp_path / "load.png").stat().st_size > 1000
    linear = {r["ordering"]: r for r in fits if r["model"] == "linear"}
    assert linear["grid"]["r2"] == pytest.approx(1.0)
    assert linear["grid"]["params"][1] == pytest.approx(0.06)


def test_chip_heatmap_takes_the_max_over_a_chips_cores(tmp_path):
    xyp = np.array([[0, 0, 1], [0, 0, 2], [1, 1, 1]])
    chip_heatmaps(xyp, {"packets peak": [3, 7, 1], "events peak": [1, 1, 5]},
                  tmp_path / "heat.png")
    assert (tmp_path / "heat.png").stat().st_size > 1000


def test_sweep_summary_reads_each_table_once_and_joins_the_peaks(tmp_path, monkeypatch):
    from spinncer.cli import main
    stats, communication = [], []
    for f_peak in (100.0, 150.0):
        run = tmp_path / f"results/tiny/f{f_peak:g}_r140_poisson/seed1/nest"
        run.mkdir(parents=True)
        pd.DataFrame({"population": ["granule"] * 2, "window": ["baseline", "stimulus"],
                      "mean_rate_hz": [1.0, f_peak / 10]}).to_csv(run / "stats.csv", index=False)
        pd.DataFrame({"population": ["granule"] * 2, "ordering": ["file", "grid"],
                      "packets_peak": [f_peak, f_peak / 2],
                      "packets_mean_core_peak": [1.0, 0.5]}).to_csv(run / "communication.csv",
                                                                    index=False)
        stats.append(str(run / "stats.csv"))
        communication.append(str(run / "communication.csv"))
    reads = []
    read_csv = pd.read_csv
    monkeypatch.setattr(pd, "read_csv", lambda path, *a, **k: reads.append(str(path)) or
                        read_csv(path, *a, **k))
    out = tmp_path / "summary.csv"
    assert main(["sweep-summary", "--stats", *stats, "--communication", *communication,
                 "--parameters", "f_peak", "-o", str(out),
                 "--figure-prefix", str(tmp_path / "sweep_")]) == 0
    assert sorted(reads) == sorted(stats + communication)
    monkeypatch.undo()
    table = pd.read_csv(out)
    stimulus = table[table["window"] == "stimulus"].set_index("f_peak")
    assert stimulus["peak_packets_file"].to_dict() == {100.0: 100.0, 150.0: 150.0}
    assert stimulus["peak_packets_grid"].to_dict() == {100.0: 50.0, 150.0: 75.0}
    assert (tmp_path / "sweep_f_peak_packets_peak.png").is_file()
