"""The smoke workflow end to end through Snakemake (builds a real BSB scaffold: ~1 min)."""
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import SHARED_DATA, readme_snakemake_lines, run_readme_line
from spinncer import stimulus
from spinncer.params import ALL_POPULATIONS, CELL_POPULATIONS

REPO = Path(__file__).resolve().parents[1]
POINT = "results/smoke_100x100/f150_r140_poisson/seed1/nest"
pytestmark = pytest.mark.workflow


def snakemake(workdir, *targets, flags=(), configs=(), check=True):
    """Run snakemake on the smoke config, plus any extra config files (later ones win)."""
    command = [sys.executable, "-m", "snakemake", *targets, *flags, "--cores", "2",
               "--configfile", "config/smoke.yaml", *map(str, configs)]
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{command} failed:\n{done.stdout}\n{done.stderr}")
    return done


def planned_jobs(workdir, *targets, configs=()):
    """{rule: count} that a dry run would execute."""
    out = snakemake(workdir, *targets, flags=("-n", "--quiet", "rules"), configs=configs).stdout
    jobs = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            jobs[parts[0]] = int(parts[1])
    return jobs


def config_errors(workdir, tmp_path, text, *targets):
    """The `spinncer: error` lines of a dry run with `text` as an extra config file (which
    must fail)."""
    extra = tmp_path / "extra.yaml"
    extra.write_text(text)
    done = snakemake(workdir, *targets, flags=("-n",), configs=[extra], check=False)
    assert done.returncode != 0
    return [line for line in done.stderr.splitlines() if line.startswith("spinncer: error")]


@pytest.fixture(scope="module")
def workdir(smoke_study):
    """The README's smoke run (conftest.smoke_study); the tests below also change it."""
    return smoke_study


def test_every_readme_snakemake_line_plans(workdir):
    """Each line as written parses and plans (dry run); the smoke and sweep-point lines also run
    for real in the fixture and below, and the report line (which has no dry run) below."""
    lines = readme_snakemake_lines()
    assert len(lines) >= 5, lines
    for line in (line for line in lines if "--report" not in line):
        done = subprocess.run(f"{line} -n", shell=True, cwd=workdir, capture_output=True,
                              text=True)
        if done.returncode != 0:  # allowed only: a data file outside the checkout is absent
            errors = [e for e in done.stderr.splitlines() if e.startswith("spinncer: error:")]
            assert len(errors) == 1 and "expected an existing file" in errors[0], \
                f"{line}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


def test_smoke_run_produces_statistics_and_figures(workdir):
    stats = pd.read_csv(workdir / POINT / "stats.csv")
    assert set(stats.population) == set(ALL_POPULATIONS)
    base = stats[stats.window == "baseline"].set_index("population")["mean_rate_hz"]
    for pop in CELL_POPULATIONS:
        assert 0.1 < base[pop] < 300.0, (pop, base[pop])
    during = stats[stats.window == "stimulus"].set_index("population")["mean_rate_hz"]
    assert during["granule"] > 3 * base["granule"]
    assert during["glomerulus"] > 10 * base["glomerulus"]
    figures = workdir / POINT / "figures"
    for pop in ALL_POPULATIONS:
        assert (figures / f"raster_{pop}.png").stat().st_size > 1000
    assert (figures / "rates.png").stat().st_size > 1000


def test_smoke_run_compares_the_emulated_core_and_profiles_communication(workdir):
    point = workdir / POINT.rsplit("/", 1)[0]
    verdicts = pd.read_csv(point / "compare/nest_vs_spinnaker-emulated/verdicts.csv")
    assert set(verdicts.population) == set(ALL_POPULATIONS)
    assert verdicts.verdict.str.len().min() > 0
    emulated = pd.read_csv(point / "spinnaker-emulated/stats.csv")
    assert set(emulated.population) == set(ALL_POPULATIONS)
    load = pd.read_csv(point / "nest/communication.csv")
    assert set(load.ordering) == {"file", "random", "grid"}
    assert (load[load.population == "all"].events_peak > 0).all()
    all_rows = load[load.population == "all"]
    assert (all_rows.packets_peak >= all_rows.packets_lower_bound_peak).all()
    assert (point / "nest/figures/communication.png").stat().st_size > 1000
    mappings = workdir / "results/smoke_100x100/mapping"
    # only the mapping files: sPyNNaker's scratch went to Snakemake's tmpdir and is gone
    from spinncer.mapping import mapping_meta
    from spinncer.options import ORDERINGS
    assert sorted(p.name for p in mappings.iterdir()) == sorted(f"{o}.npz" for o in ORDERINGS)
    assert mapping_meta(mappings / "grid.npz")["timestep_ms"] == 0.1
    assert (point / "nest/figures/communication_heatmap_grid.png").stat().st_size > 1000
    weights = pd.read_csv(workdir / "results/smoke_100x100/numerics/weights.csv")
    assert {"requested_uS", "represented_uS", "rel_error"} <= set(weights.columns)


def test_smoke_sweep_summary_and_report(workdir):
    table = pd.read_csv(workdir / "results/smoke_100x100/sweep/f_peak/summary.csv")
    assert sorted(table.f_peak.unique()) == [100.0, 150.0]
    sweep = workdir / "results/smoke_100x100/sweep/f_peak"
    assert (sweep / "f_peak.png").stat().st_size > 1000
    assert (sweep / "f_peak_packets_peak.png").stat().st_size > 1000
    fits = pd.read_csv(sweep / "load_fits.csv")
    # two f_peak values: too few for any fit, and the table says so
    assert fits.error.str.contains("too few sweep values").all()
    run_readme_line(workdir, "--report report.html")
    html = (workdir / "report.html").read_text(errors="replace")
    assert len(html) > 100_000 and "mossy" in html


def test_smoke_validation_verdicts_and_membrane_comparison(workdir):
    # validation.seeds (10) of the reference and each candidate's seeds at the first point
    out = workdir / "results/smoke_100x100/f100_r140_poisson/validation"
    validation = yaml.safe_load((REPO / "config/smoke.yaml").read_text())["validation"]
    reference = validation["reference"]
    candidates = [b for b in validation["backends"] if b != reference]
    assert {"nest", "spinnaker-emulated"} <= set(candidates)
    verdicts = pd.read_csv(out / "verdicts.csv")
    assert set(verdicts["backend"]) == set(candidates)
    assert len(verdicts) == len(candidates) * len(ALL_POPULATIONS) * 4  # rate, cv, lv, corr
    assert not verdicts["verdict"].str.contains("nan").any()
    small = verdicts[verdicts["population"] == "dcn"]
    assert small["verdict"].str.contains("too few cells").all()
    summary = pd.read_csv(out / "summary.csv").set_index("backend")
    assert (summary.loc[candidates, "tests_scored"] > 20).all()
    # a candidate on fewer seeds is read against the reference's run of the same seed, pooled
    # with the reference's realisations of it (the jittered stimulus)
    scores = pd.read_csv(out / "scores.csv")
    assert validation["realisations"] > 0  # else the label is "seed 1 vs 5"
    one_seed = f"seed 1 + {validation['realisations']} realisations vs 5"
    for backend in candidates:
        n = len(validation.get("backend_seeds", {}).get(backend, validation["seeds"]))
        sizes = set(scores.loc[scores["backend"] == backend, "seeds"])
        assert sizes == ({"5 vs 5"} if n == 10 else {one_seed}), (backend, sizes)
    jittered = out.parent / f"seed1/realisation{validation['realisations']}/stimulus.npz"
    assert stimulus.load(jittered).params["realisation"]["moved"] > 0
    paired = pd.read_csv(out / "paired.csv")
    assert (paired["backend"] == f"{reference}+perturbation").any()
    assert set(candidates) <= set(paired["backend"])
    for backend in candidates:
        membrane = pd.read_csv(out / f"membrane/{reference}_vs_{backend}/cells.csv")
        assert set(membrane["population"]) == set(CELL_POPULATIONS)
        assert (membrane["corr_v"].dropna() > 0.5).mean() > 0.9
    assert (out / "score_envelope_ks.png").stat().st_size > 1000
    assert (out / f"membrane/{reference}_vs_nest/traces.png").stat().st_size > 1000


#: NEST vs Brian2, same input (first validation seed): until the first spike the two runs do
#: not share, every cell had the same input, and v differs by the integrators alone. Measured
#: (2026-11-25, smoke seed 1, the first 308.2 ms): largest per-cell RMS granule 4.5e-4 mV,
#: golgi 6e-6, purkinje 2e-6, basket and stellate 4e-7, dcn 0. Brian2's earlier exponential
#: Euler with step-mean conductances: granule p95 1.8e-3, golgi 6e-4 mV, first differing
#: spike at 19.5 ms; nest-numerics (other weights): golgi 1.1e-2, purkinje 1.4e-2 mV.
B2_V_BEFORE_MV = {"granule": 2e-3, "golgi": 1e-4, "purkinje": 1e-4, "basket": 1e-4,
                  "stellate": 1e-4, "dcn": 1e-4}
#: ... while the conductances, integrated exactly by both, differ by float32 rounding only
#: (measured at most 2e-8 µS; nest-numerics 8e-5).
B2_G_BEFORE_US = 1e-6
#: Same spikes for at least this long (ms), so that the bound above covers spikes, resets and
#: refractory periods of many cells (a time base one step off differs by ~1 mV at once;
#: measured 308.2 ms: the stimulus onset).
B2_MIN_SHARED_MS = 100.0


def test_smoke_membrane_nest_and_brian2_agree_until_the_first_differing_spike(workdir):
    out = workdir / "results/smoke_100x100/f100_r140_poisson/validation/membrane"
    cells = pd.read_csv(out / "brian2_vs_nest/cells.csv")  # the validation's reference first
    assert set(cells["population"]) == set(CELL_POPULATIONS)
    assert cells["t_diverge_ms"].min() >= B2_MIN_SHARED_MS, cells["t_diverge_ms"].iloc[0]
    worst = cells.groupby("population")["rms_v_before_mv"].max()
    assert (worst < pd.Series(B2_V_BEFORE_MV)[worst.index]).all(), worst
    conductances = cells[["rms_gsyn_exc_before_us", "rms_gsyn_inh_before_us"]]
    assert (conductances.max() < B2_G_BEFORE_US).all(), conductances.max()
    summary = pd.read_csv(out / "brian2_vs_nest/summary.csv")
    assert set(summary["population"]) == set(CELL_POPULATIONS)


def test_rerun_is_a_no_op_and_deleting_stats_reruns_only_that(workdir):
    assert planned_jobs(workdir) == {}
    (workdir / POINT / "stats.csv").unlink()
    # the statistics table, and the sweep summary that reads it
    assert planned_jobs(workdir) == {"analyse_populations": 1, "sweep_summary_f_peak": 1,
                                     "all": 1}
    snakemake(workdir)
    assert planned_jobs(workdir) == {}


def test_moved_copy_of_the_finished_project_plans_nothing(workdir, tmp_path):
    """The project copied elsewhere with its results and file times plans no job (every rule
    file is relative to it: tests/test_relocation.py). Of the side environments only their
    markers are copied: a dry run reads nothing else of them."""
    assert planned_jobs(workdir) == {}
    envs = workdir / "resources" / "envs"

    def env_contents(directory, names):
        return [name for name in names if Path(directory).parent == envs and name != ".installed"]

    moved = tmp_path / "elsewhere" / "project"
    shutil.copytree(workdir, moved, symlinks=True, ignore=env_contents)
    done = snakemake(moved, flags=("-n",))
    assert "Nothing to be done" in done.stdout + done.stderr, done.stdout[-3000:]


def test_changing_a_protocol_value_reruns_what_depends_on_it(workdir, tmp_path):
    changed = tmp_path / "f_base.yaml"
    changed.write_text("stimulus:\n  f_base: 2.0\n")
    jobs = planned_jobs(workdir, f"{POINT}/stats.csv", configs=[changed])
    assert jobs["stimulus_generate"] == 1 and jobs["simulate"] == 1
    assert "scaffold_build" not in jobs


def test_switching_model_variant_reruns_only_what_depends_on_it(workdir, tmp_path):
    variant = tmp_path / "variant.yaml"
    # (validation seeds off: they would rerun too, and are counted by their own test)
    variant.write_text("model:\n  variant: casali2019\nvalidation:\n  seeds: []\n")
    jobs = planned_jobs(workdir, configs=[variant])
    # 2 sweep points x the smoke backends simulate again, with everything that reads their spikes
    n_runs = 2 * len(yaml.safe_load((REPO / "config/smoke.yaml").read_text())
                     ["simulation"]["backends"])
    assert jobs["simulate"] == n_runs and jobs["analyse_cells"] == n_runs
    assert jobs["figure_run"] == n_runs
    assert jobs["sweep_summary_f_peak"] == 1
    # the scaffold, the stimuli and the per-scaffold mapping do not depend on the variant
    assert not {"scaffold_build", "scaffold_summary", "stimulus_generate", "spinnaker_map",
                "numerics_weights"} & set(jobs)
    errors = config_errors(workdir, tmp_path, "model:\n  variant: casali2018\n")
    assert len(errors) == 1 and "model.variant" in errors[0] and "casali2019" in errors[0]


def test_one_sweep_point_by_its_path(workdir):
    target = "results/smoke_100x100/f60_r50_periodic/seed2/nest/stats.csv"
    assert planned_jobs(workdir, target) == {
        "stimulus_generate": 1, "simulate": 1, "analyse_cells": 1,
        "analyse_populations": 1}
    run_readme_line(workdir, target)  # the README's line for it, as written
    point = pd.read_csv(workdir / target).set_index(["population", "window"])
    reference = pd.read_csv(workdir / POINT / "stats.csv").set_index(["population", "window"])
    assert point.loc[("glomerulus", "stimulus"), "mean_rate_hz"] < \
        reference.loc[("glomerulus", "stimulus"), "mean_rate_hz"]


def test_the_gold_is_judged_against_each_backend_with_enough_seeds(workdir, tmp_path):
    # the gold-standard protocol at the validated point: the reference's and the emulation's
    # ten validation seeds make an envelope each, NEST's one seed none; no validation, one
    # seed: a reference check and no envelope
    gold = SHARED_DATA / "gold_standard_results_400_casali_nest.npz"
    extra = tmp_path / "gold.yaml"
    extra.write_text(f"stimulus: {{protocol: gold-casali2019}}\n"
                     f"reference_check: {{gold_standard: '{gold}'}}\n")
    jobs = planned_jobs(workdir, configs=[extra])
    assert jobs["reference_envelope"] == 2 and jobs["reference_check"] == 3  # 3 backends
    plan = snakemake(workdir, flags=("-n",), configs=[extra]).stdout
    assert "gold-casali2019/reference_envelope/brian2.csv" in plan
    assert "gold-casali2019/reference_envelope/spinnaker-emulated.csv" in plan
    alone = tmp_path / "alone.yaml"
    alone.write_text("validation: {seeds: []}\n")
    jobs = planned_jobs(workdir, configs=[extra, alone])
    assert "reference_envelope" not in jobs and jobs["reference_check"] == 3


def test_bad_config_stops_with_one_line_and_no_output(workdir, tmp_path):
    errors = config_errors(workdir, tmp_path, "simulation:\n  timestep: -0.1\n",
                           "results/x/stats.csv")
    assert len(errors) == 1
    assert "simulation.timestep" in errors[0] and "> 0" in errors[0]
    missing = tmp_path / "missing.yaml"
    missing.write_text("scaffold:\n  name: other\n  source: file\n  file: /nonexistent.hdf5\n")
    done = snakemake(workdir, configs=[missing], check=False)
    assert done.returncode != 0 and "scaffold.file" in done.stderr
    assert "/nonexistent.hdf5" in done.stderr
    assert not (workdir / "results" / "other").exists()


def console_errors(done):
    """The `spinncer: error:` lines Snakemake's console showed."""
    return [line for line in (done.stdout + done.stderr).splitlines()
            if line.startswith("spinncer: error:")]


def test_stimulus_file_of_wrong_size_fails_cleanly(workdir, tmp_path):
    given = tmp_path / "given.npz"
    stimulus.save(stimulus.Stimulus.from_trains([np.array([10.0])] * 7), given)
    config = tmp_path / "given.yaml"
    # one seed, so one failing job (each validation seed would fail alike, in parallel)
    config.write_text(f"stimulus:\n  file: {given}\nvalidation:\n  seeds: []\n")
    done = snakemake(workdir, configs=[config], check=False)
    assert done.returncode != 0
    (line,) = console_errors(done)
    assert "given.npz" in line and "7 trains" in line
    run = workdir / "results/smoke_100x100/file-given/seed1"
    assert not (run / "stimulus.npz").exists()
    log = (workdir / "logs/stimulus/smoke_100x100/file-given/seed1.log").read_text()
    assert "spinncer: error:" in log and "7 trains" in log and "given.npz" in log


def test_scaffold_from_a_given_file_is_checksum_verified(workdir, tmp_path):
    built = workdir / "resources/scaffolds/smoke_100x100.hdf5"
    from spinncer.provenance import sha256
    target = "resources/scaffolds/given_copy.hdf5"
    for digest, ok in (("f" * 64, False), (sha256(built), True)):
        config = tmp_path / "file.yaml"
        config.write_text(f"scaffold:\n  name: given_copy\n  source: file\n  file: {built}\n"
                          f"  sha256: '{digest}'\n")
        done = snakemake(workdir, target, configs=[config], check=False)
        assert (done.returncode == 0) == ok
        assert (workdir / target).exists() == ok
    log = (workdir / "logs/scaffold/given_copy.log").read_text()
    assert "spinncer: error:" not in log  # the log of the successful rerun


def test_scaffold_summary_lists_every_connection_type(workdir):
    table = pd.read_csv(workdir / "resources/scaffolds/smoke_100x100_summary_connections.csv")
    from spinncer.params import CONNECTION_TYPES
    assert sorted(table.connection) == sorted(CONNECTION_TYPES)
    assert (table.n_synapses > 0).all(), table[table.n_synapses == 0]
    pops = pd.read_csv(workdir / "resources/scaffolds/smoke_100x100_summary_populations.csv")
    assert set(pops.population) == set(ALL_POPULATIONS)
    assert (workdir / "resources/scaffolds/smoke_100x100_summary.png").stat().st_size > 1000


def _start(workdir, target):
    command = [sys.executable, "-m", "snakemake", target, "--cores", "2",
               "--configfile", "config/smoke.yaml"]
    return subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _wait_for_simulate(workdir, log, proc, timeout=120):
    import time
    start = time.time()
    while time.time() - start < timeout:
        if log.exists() and "simulate:" in log.read_text():
            return
        assert proc.poll() is None, "snakemake ended before the kill"
        time.sleep(0.2)
    raise AssertionError("simulate did not start")


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_killed_simulate_leaves_nothing_and_rerun_matches(workdir, signal_name):
    import os
    import signal as signals
    stim = f"f{120 if signal_name == 'SIGTERM' else 130}_r140_poisson"
    point = f"results/smoke_100x100/{stim}/seed1/nest"
    target = f"{point}/stats.csv"
    log = workdir / f"logs/simulate/smoke_100x100/{stim}/seed1/nest.log"
    proc = _start(workdir, target)
    _wait_for_simulate(workdir, log, proc)
    os.killpg(proc.pid, getattr(signals, signal_name))
    proc.wait(timeout=60)
    spikes = workdir / point / "spikes.h5"
    assert not spikes.exists()
    if signal_name == "SIGKILL":  # no chance to clean up: the lock stays until --unlock
        snakemake(workdir, flags=("--unlock",))
    snakemake(workdir, target)
    first = read_spikes(spikes)
    first_stats = (workdir / target).read_bytes()
    assert not list((workdir / point).glob(".*part*"))
    # an uninterrupted rerun from the same inputs is bit-identical
    for name in ("spikes.h5", "cell_rates.csv", "stats.csv"):
        (workdir / point / name).unlink()
    snakemake(workdir, target)
    second = read_spikes(spikes)
    assert (workdir / target).read_bytes() == first_stats
    for pop in first:
        np.testing.assert_array_equal(first[pop].time, second[pop].time)
        np.testing.assert_array_equal(first[pop].cell, second[pop].cell)


def read_spikes(path):
    from spinncer.results import read_run
    return read_run(path).spikes


def test_spinnaker_without_machine_fails_alone(workdir, tmp_path):
    config = tmp_path / "spinnaker.yaml"
    config.write_text("simulation:\n  backends: [nest, spinnaker]\n")
    point = POINT.rsplit("/", 1)[0]
    # the mapping and the NEST communication profile need no machine
    done = snakemake(workdir, "results/smoke_100x100/mapping/grid.npz",
                     f"{point}/nest/communication.csv", configs=[config], check=False)
    assert done.returncode == 0, done.stderr
    done = snakemake(workdir, f"{point}/spinnaker/spikes.h5", configs=[config], check=False)
    assert done.returncode != 0
    log = (workdir / "logs/simulate/smoke_100x100/f150_r140_poisson/seed1/spinnaker.log")
    errors = [line for line in log.read_text().splitlines() if "spinncer: error" in line]
    assert len(errors) == 1 and "spinnaker.machine" in errors[0]
    assert not (workdir / point / "spinnaker/spikes.h5").exists()


def test_two_seeds_compared_by_name_differ_little(workdir, tmp_path):
    config = tmp_path / "seeds.yaml"
    base = "results/smoke_100x100/f150_r140_poisson"
    config.write_text("analysis:\n  compare_runs:\n"
                      f"    seeds: [{base}/seed1/nest, {base}/seed2/nest]\n")
    snakemake(workdir, "results/compare/seeds/verdicts.csv", configs=[config])
    rates = pd.read_csv(workdir / "results/compare/seeds/rates.csv")
    verdicts = pd.read_csv(workdir / "results/compare/seeds/verdicts.csv")
    assert set(verdicts.population) == set(ALL_POPULATIONS)
    # a different stimulus draw: granule rates move by a few percent, not more
    granule = rates[(rates.population == "granule") & (rates.window != "post")]
    assert (granule.rel_diff.abs() < 0.25).all(), granule[["window", "rel_diff"]]
    assert (rates.spikes_a != rates.spikes_b).any()


def test_truncated_scaffold_file_fails_with_one_console_line(workdir, tmp_path):
    built = (workdir / "resources/scaffolds/smoke_100x100.hdf5").read_bytes()
    truncated = tmp_path / "truncated.hdf5"
    truncated.write_bytes(built[: len(built) // 2])
    config = tmp_path / "truncated.yaml"
    config.write_text(f"scaffold:\n  name: truncated\n  source: file\n  file: {truncated}\n")
    done = snakemake(workdir, configs=[config], check=False)
    assert done.returncode != 0
    (line,) = console_errors(done)
    assert str(truncated) in line
    assert not (workdir / "resources/scaffolds/truncated.hdf5").exists()
    assert not (workdir / "results/truncated").exists()


@pytest.mark.parametrize("stim, seed, expected", [
    ("f1.2.3_r140_poisson", "1", "f1.2.3_r140_poisson"),
    ("f100.0_r140_poisson", "1", "canonical spelling 'f100_r140_poisson'"),
    ("f0100_r140_poisson", "1", "canonical spelling 'f100_r140_poisson'"),
    ("f100_r140_poisson", "01", "canonical spelling 'seed1'"),
])
def test_malformed_or_noncanonical_point_path_is_one_line(workdir, stim, seed, expected):
    target = f"results/smoke_100x100/{stim}/seed{seed}/nest/stats.csv"
    done = snakemake(workdir, target, check=False)
    assert done.returncode != 0
    (line,) = console_errors(done)
    assert expected in line
    # nothing under the refused spelling (f100_r140_poisson itself is a smoke point)
    assert not (workdir / f"results/smoke_100x100/{stim}/seed{seed}").exists()


def test_smoke_run_compares_nest_and_brian2(workdir):
    point = workdir / POINT.rsplit("/", 1)[0]
    stats = pd.read_csv(point / "brian2/stats.csv")
    assert set(stats.population) == set(ALL_POPULATIONS)
    rates = pd.read_csv(point / "compare/nest_vs_brian2/rates.csv")
    assert set(rates.population) == set(ALL_POPULATIONS)
    verdicts = pd.read_csv(point / "compare/nest_vs_brian2/verdicts.csv")
    assert set(verdicts.population) == set(ALL_POPULATIONS)


def test_validate_at_the_smoke_point_reports_a_fifth_more_weight(smoke_study, tmp_path):
    """Issue 26, acceptance 3: `spinncer validate` at the smoke point (the smoke study's
    scaffold and Brian2 environment, its f100_r140 protocol, ten seeds) on a backend whose
    glom_grc weights are x 1.2 prints a summary that reports the difference and names the
    population first (the wording on an unperturbed backend: tests/test_validation.py)."""
    python = smoke_study / "resources" / "envs" / "brian2" / "bin" / "python"
    seeds = [str(s) for s in range(1, 11)]
    done = subprocess.run(
        [str(python), str(REPO / "benchmarks" / "validation_power.py"), "simulate",
         "--scaffold", str(smoke_study / "resources" / "scaffolds" / "smoke_100x100.hdf5"),
         "--out", str(tmp_path), "--connections", "glom_grc", "--factors", "1.2",
         "--seeds", *seeds], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]

    def validate(*labels):
        runs = [f"--run={name}={tmp_path / label / f'seed{s}.h5'}"
                for name, label in zip(("brian2", "candidate"), labels) for s in seeds]
        done = subprocess.run([sys.executable, "-m", "spinncer.cli", "validate", *runs,
                               "--reference", "brian2", "--stim-times", "300", "50", "650",
                               "--outdir", str(tmp_path / "validation" / labels[1])],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip().splitlines()[-1]

    scaled = validate("reference", "glom_grc*1.2")
    assert scaled.startswith("candidate: OUTSIDE the seed envelope in "), scaled
    assert "granule (" in scaled.split(".")[0], scaled
    assert "backend differs from the reference" in scaled, scaled
