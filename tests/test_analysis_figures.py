"""Every analysis figure is written as a PNG of the expected shape."""
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from spinncer.analysis.activity import psth
from spinncer.analysis.compare import compare_timing
from spinncer.analysis.stats import cell_rates, population_windows
from spinncer.plots import comparison, figures, sweep
from spinncer.results import PopulationSpikes, RunResult

STIM = [300, 50, 650]


def make_run(seed, shift=0.0):
    rng = np.random.default_rng(seed)
    pops = {}
    for name, n in (("granule", 40), ("golgi", 3), ("dcn", 1)):
        cells = rng.integers(0, n, 30 * n)
        pops[name] = PopulationSpikes(cells, rng.uniform(0, 990, len(cells)) + shift, n)
    return RunResult(pops, "nest", 0.1, 1000.0, seed)


def check_png(path, min_width=300):
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] >= min_width


def test_psth_and_rate_distribution_figures(tmp_path):
    run = make_run(1)
    windows = population_windows(STIM, run.spikes)
    figures.psth(psth(run, 5.0), windows, tmp_path / "psth.png", title="(test)")
    figures.rate_distributions(cell_rates(run, windows), tmp_path / "dist.png")
    check_png(tmp_path / "psth.png")
    check_png(tmp_path / "dist.png")


def test_comparison_figures(tmp_path):
    a, b = make_run(1), make_run(1, shift=1.0)
    windows = population_windows(STIM, a.spikes)
    comparison.rate_scatter(cell_rates(a, windows), cell_rates(b, windows),
                            tmp_path / "scatter.png", labels=("NEST", "SpiNNaker"))
    _, cells = compare_timing(a, b)
    comparison.shift_histograms(cells, tmp_path / "shift.png")
    check_png(tmp_path / "scatter.png")
    check_png(tmp_path / "shift.png")


@pytest.mark.parametrize("with_window", [True, False])
def test_sweep_curves(tmp_path, with_window):
    rows = [{"f_peak": f, "population": pop, "window": w, "seed": s,
             "mean_rate_hz": f / 10 + s + (w == "stimulus") * 5}
            for f in (100, 150, 200) for pop in ("granule", "golgi")
            for w in ("baseline", "stimulus") for s in (1, 2)]
    table = pd.DataFrame(rows)
    if not with_window:
        table = table[table.window == "stimulus"].drop(columns="window")
    sweep.sweep_curves(table, tmp_path / "sweep.png", parameter="f_peak")
    check_png(tmp_path / "sweep.png")


def test_raster_marker_follows_the_cell_count():
    from spinncer.plots.figures import raster_marker
    marker, size, _ = raster_marker(1, 190.0)   # one dcn cell: a full-size tick
    assert marker == "|" and size == 12.0 ** 2
    marker, size, _ = raster_marker(13, 190.0)  # 13 golgi cells: ticks filling 80 % of a row
    assert marker == "|" and size == pytest.approx((0.8 * 190.0 / 13) ** 2)
    assert raster_marker(5258, 190.0)[0] == "."  # granule: dots
