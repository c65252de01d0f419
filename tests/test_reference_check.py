"""Reference check: our rates against a gold standard in the SpiNNCer result layout, through
the same analysis; a gold file whose ids overrun all_neurons (as the real one does) is read."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from spinncer.analysis.reference import TOLERANCE, read_gold_standard, reference_table
from spinncer.analysis.spinncer_io import write_spinncer
from spinncer.errors import InputError
from spinncer.results import PopulationSpikes, RunResult, write_run

STIM_TIMES = (300.0, 100.0, 600.0)


def periodic_run(rates, n_cells=10):
    """Every cell fires regularly at rates[pop] = (baseline Hz, stimulus Hz, post Hz)."""
    spikes = {}
    for pop, (r0, r1, r2) in rates.items():
        times = np.concatenate([np.arange(0, 300, 1000 / r0), 300 + np.arange(0, 100, 1000 / r1),
                                400 + np.arange(0, 600, 1000 / r2)]) + 0.5
        cells = np.repeat(np.arange(n_cells), len(times))
        spikes[pop] = PopulationSpikes(cells, np.tile(times, n_cells), n_cells)
    return RunResult(spikes, "nest", 0.1, 1000.0, 1,
                     {"config": {"stim_times": list(STIM_TIMES)}})


def gold_file(tmp_path, rates):
    path = tmp_path / "gold.npz"
    write_spinncer(periodic_run(rates), path, stim_times=STIM_TIMES)
    return path


def test_rates_and_differences_per_population_and_window(tmp_path):
    gold = read_gold_standard(gold_file(tmp_path, {"golgi": (80, 120, 80), "dcn": (20, 10, 20)}),
                              allow_pickle=True)
    ours = periodic_run({"golgi": (80, 100, 80), "dcn": (20, 10, 25)})
    table = reference_table(ours, gold, STIM_TIMES).set_index(["population", "window"])
    assert table.loc[("golgi", "baseline"), "gold_hz"] == pytest.approx(80, rel=0.02)
    assert table.loc[("golgi", "stimulus"), "ours_hz"] == pytest.approx(100, rel=0.02)
    assert table.loc[("golgi", "stimulus"), "difference_hz"] == pytest.approx(-20, rel=0.05)
    assert table.loc[("golgi", "stimulus"), "relative_difference"] < -TOLERANCE
    assert not table.loc[("golgi", "stimulus"), "within"]
    assert table.loc[("golgi", "baseline"), "within"] and table.loc[("dcn", "stimulus"), "within"]
    assert not table.loc[("dcn", "post"), "within"]  # 25 vs 20 Hz


def test_gold_ids_beyond_all_neurons_widen_the_population(tmp_path):
    path = gold_file(tmp_path, {"glomerulus": (1, 10, 1)})
    data = dict(np.load(path, allow_pickle=True))
    data["all_neurons"] = np.array({"glomerulus": 9}, dtype=object)  # ids run 0..9
    np.savez(path, **data)
    gold = read_gold_standard(path, allow_pickle=True)
    assert gold.spikes["glomerulus"].n_cells == 10
    with pytest.raises(InputError, match="allow"):
        read_gold_standard(path)


def test_missing_population_in_our_run_is_bad_input(tmp_path):
    gold = read_gold_standard(gold_file(tmp_path, {"golgi": (80, 120, 80), "dcn": (20, 10, 20)}),
                              allow_pickle=True)
    with pytest.raises(InputError, match="dcn"):
        reference_table(periodic_run({"golgi": (80, 100, 80)}), gold, STIM_TIMES)


def test_cli_writes_table_and_figure_and_a_missing_gold_file_is_one_line(tmp_path):
    run = tmp_path / "spikes.h5"
    write_run(periodic_run({"golgi": (80, 100, 80), "purkinje": (40, 60, 40)}), run)
    gold = gold_file(tmp_path, {"golgi": (80, 120, 80), "purkinje": (44, 70, 44)})
    base = [sys.executable, "-m", "spinncer", "reference-check", str(run), "--allow-pickle",
            "--stim-times", "300", "100", "600", "--figure", str(tmp_path / "f.png"),
            "-o", str(tmp_path / "t.csv")]
    done = subprocess.run(base + ["--gold", str(gold)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "t.csv")
    assert len(table) == 6 and (tmp_path / "f.png").stat().st_size > 1000
    done = subprocess.run(base + ["--gold", str(tmp_path / "none.npz")], capture_output=True,
                          text=True)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1
    assert lines[0].startswith("spinncer: error: reference_check.gold_standard")


def test_distributions_tell_a_silent_majority_from_a_uniform_population(tmp_path):
    # same mean (10 Hz at baseline): gold has every cell at 10 Hz, ours 8 of 10 cells silent
    # and 2 at 50 Hz, so the means agree but KS, EMD, silent fraction and percentiles do not
    rates = {"golgi": (10, 100, 10)}
    gold = read_gold_standard(gold_file(tmp_path, rates), allow_pickle=True)
    ours = periodic_run(rates)
    loud = periodic_run({"golgi": (50, 100, 10)}, n_cells=2).spikes["golgi"]
    ours.spikes["golgi"] = PopulationSpikes(
        loud.cell, loud.time, 10)  # cells 0-1 at 50 Hz, cells 2-9 silent in every window
    table = reference_table(ours, gold, STIM_TIMES).set_index(["population", "window"])
    row = table.loc[("golgi", "baseline")]
    assert row["ours_hz"] == pytest.approx(row["gold_hz"], rel=0.05) and row["within"]
    assert row["ours_silent_fraction"] == pytest.approx(0.8)
    assert row["gold_silent_fraction"] == 0.0
    assert row["ks_statistic"] == pytest.approx(0.8) and row["ks_pvalue"] < 0.01
    assert row["emd_hz"] == pytest.approx(0.8 * 10 + 0.2 * 40, rel=0.05)
    assert row["ours_p50_hz"] == 0.0 and row["gold_p50_hz"] == pytest.approx(10, rel=0.05)
    assert row["distribution_note"] == ""
    # identical runs: no distance
    same = reference_table(periodic_run(rates), gold, STIM_TIMES).set_index(
        ["population", "window"]).loc[("golgi", "stimulus")]
    assert same["ks_statistic"] == 0.0 and same["emd_hz"] == pytest.approx(0.0, abs=1e-9)


def test_too_few_cells_for_ks_is_said(tmp_path):
    gold = read_gold_standard(gold_file(tmp_path, {"dcn": (20, 10, 20)}), allow_pickle=True)
    few = RunResult({"dcn": periodic_run({"dcn": (20, 10, 20)}, n_cells=3).spikes["dcn"]},
                    "nest", 0.1, 1000.0, 1, {})
    row = reference_table(few, gold, STIM_TIMES).iloc[0]
    assert np.isnan(row["ks_statistic"]) and "too few cells" in row["distribution_note"]
    assert row["ours_p50_hz"] == pytest.approx(20, rel=0.05)


def noisy_run(seed, scale=1.0, n_cells=40):
    """Poisson cells: baseline 10 Hz, stimulus 50 Hz (both times `scale`); one seed each."""
    rng = np.random.default_rng(seed)
    cells, times = [], []
    for start, stop, rate in ((0, 300, 10 * scale), (300, 400, 50 * scale), (400, 1000, 10)):
        n = rng.poisson(rate * (stop - start) / 1000, n_cells)
        cells.append(np.repeat(np.arange(n_cells), n))
        times.append(rng.uniform(start, stop, n.sum()))
    spikes = {"golgi": PopulationSpikes(np.concatenate(cells), np.concatenate(times), n_cells),
              "dcn": PopulationSpikes(np.zeros(0, int), np.zeros(0), 4)}
    return RunResult(spikes, "nest", 0.1, 1000.0, seed, {})


def test_gold_inside_or_outside_our_seed_envelope():
    from spinncer.analysis.reference import gold_in_seed_envelope

    ours = [noisy_run(seed) for seed in range(1, 9)]
    table = gold_in_seed_envelope(ours, noisy_run(99), STIM_TIMES).set_index(
        ["population", "window"])
    assert table.loc[("golgi", "stimulus"), "inside"]
    assert table.loc[("golgi", "baseline"), "envelope_ks_p95"] > 0
    assert "too few cells" in table.loc[("dcn", "stimulus"), "note"]
    far = gold_in_seed_envelope(ours, noisy_run(99, scale=2.0), STIM_TIMES).set_index(
        ["population", "window"])
    assert not far.loc[("golgi", "stimulus"), "inside"]
    assert not far.loc[("golgi", "stimulus"), "inside_emd"]
    assert far.loc[("golgi", "stimulus"), "gold_mean_hz"] > far.loc[
        ("golgi", "stimulus"), "seeds_mean_max_hz"]


def test_an_envelope_over_builds_is_wider_than_over_seeds():
    # builds (network realisations) differ in cell count and in how strongly the stimulus
    # drives the population; the gold is another build: outside the seeds' envelope of one
    # build, inside the envelope over builds
    from spinncer.analysis.reference import gold_in_seed_envelope
    seeds = [noisy_run(seed, n_cells=400) for seed in range(1, 11)]
    builds = [noisy_run(seed, scale=scale, n_cells=n)
              for seed, scale, n in zip(range(1, 11), np.linspace(0.7, 1.3, 10),
                                        range(380, 430, 5))]
    gold = noisy_run(99, scale=1.25, n_cells=410)
    one_build = gold_in_seed_envelope(seeds, gold, STIM_TIMES).set_index(["population", "window"])
    over_builds = gold_in_seed_envelope(builds, gold, STIM_TIMES).set_index(
        ["population", "window"])
    for window in ("baseline", "stimulus"):
        assert not one_build.loc[("golgi", window), "inside"]
        assert over_builds.loc[("golgi", window), "inside"]
        assert over_builds.loc[("golgi", window), "envelope_ks_p95"] > \
            2 * one_build.loc[("golgi", window), "envelope_ks_p95"]
    assert over_builds.loc[("golgi", "stimulus"), "seeds_mean_min_hz"] < 40


def test_cli_envelope_table_and_summary_and_a_missing_gold_is_one_line(tmp_path):
    # the workflow's reference_envelope rule: our seeds as spikes.h5, the gold as SpiNNCer .npz
    runs = []
    for seed in range(1, 6):
        runs.append(str(tmp_path / f"seed{seed}.h5"))
        write_run(noisy_run(seed), runs[-1])
    gold = tmp_path / "gold.npz"
    write_spinncer(noisy_run(99, scale=2.0), gold, stim_times=STIM_TIMES)
    base = [sys.executable, "-m", "spinncer", "reference-envelope", *runs, "--allow-pickle",
            "--stim-times", "300", "100", "600", "-o", str(tmp_path / "e.csv")]
    done = subprocess.run(base + ["--gold", str(gold)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "e.csv", keep_default_na=False).set_index(
        ["population", "window"])
    assert table.loc[("golgi", "stimulus"), "inside"] in (False, "False")
    assert (table["n_seeds"] == 5).all()
    assert "too few cells" in table.loc[("dcn", "baseline"), "note"]
    assert ("inside our 5-run envelope (KS): 0 of 2 population-windows; by cell population "
            "(both windows inside): 0 of 1; not judged: dcn baseline (too few cells"
            in done.stdout), done.stdout
    (tmp_path / "e.csv").unlink()
    done = subprocess.run(base + ["--gold", str(tmp_path / "none.npz")], capture_output=True,
                          text=True)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and not (tmp_path / "e.csv").exists()
    assert lines[0].startswith("spinncer: error: reference_check.gold_standard")
