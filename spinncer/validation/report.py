"""File-level entry points of validation (what the CLI and the workflow rules call).

Tables written by :func:`validate_files` into `outdir`:

``envelope.csv``      reference seed envelope per population, window, statistic and score
``scores.csv``        every candidate's scores and their judgement against the envelope
``verdicts.csv``      one line per candidate, population and statistic, with the numbers
``distributions.csv`` per backend, seed, population, window, statistic: n, mean, median, p10, p90
``summary.csv``       per candidate: populations outside, tests scored and outside against
                      seed noise, what it cannot see, the verdict (:mod:`.summary`)
``paired.csv``        paired (same-input) envelope and each candidate within it, when
                      perturbed reference runs are given (empty otherwise)
"""
import pandas as pd

from ..analysis.stats import population_windows
from ..atomic import write_csv
from ..errors import InputError
from ..results import read_run
from . import validate
from .membrane import compare_signals, summarise_signals
from .power import COLUMNS


def read_runs(paths_by_backend):
    """{backend: {seed: RunResult}} from {backend: [spikes.h5 paths]}; a seed given twice for
    one backend is an input error."""
    runs = {}
    for backend, paths in paths_by_backend.items():
        for path in paths:
            run = read_run(path, signals=False)
            if run.seed in runs.setdefault(backend, {}):
                raise InputError(path, f"one run per seed of backend '{backend}'",
                                 f"seed {run.seed} twice")
            runs[backend][run.seed] = run
    return runs


def _not_a_realisation(run, reference_runs, reference):
    """What makes `run` no realisation of a run in `reference_runs` ("" if nothing)."""
    own = reference_runs.get(run.seed)
    if run.backend != reference:
        return f"backend {run.backend}"
    if own is None:
        return f"seed {run.seed}, not run by {reference}"
    if run.timestep != own.timestep:
        return f"timestep {run.timestep} ms against {own.timestep}"
    params = run.metadata.get("inputs", {}).get("stimulus", {}).get("params", {})
    if "realisation" not in params:
        return "a stimulus without 'realisation' (not from stimulus-jitter)"
    return ""


def read_realisations(paths, reference_runs, reference):
    """{seed: [RunResult]} of the reference's realisations (:mod:`.realisations`), in the
    order of `paths`; several runs per seed. Each must be a run of backend `reference` on a
    jittered stimulus of a seed in `reference_runs` ({seed: RunResult}) with its timestep;
    anything else (or a path given twice) is an input error naming the file."""
    by_seed, seen = {}, set()
    for path in paths:
        if path in seen:
            raise InputError(path, "each realisation once", "the same file twice")
        seen.add(path)
        run = read_run(path, signals=False)
        found = _not_a_realisation(run, reference_runs, reference)
        if found:
            raise InputError(path, f"a realisation: a {reference} run of one of seeds "
                             f"{sorted(reference_runs)} on a jittered stimulus", found)
        by_seed.setdefault(run.seed, []).append(run)
    return by_seed


def read_power(path):
    """A power table (:func:`spinncer.validation.power.measure_power`, the CSV of
    benchmarks/validation_power.py); a file without its columns is an input error."""
    table = pd.read_csv(path)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise InputError(path, f"a power table with columns {COLUMNS}", f"no {missing}")
    return table


def validate_files(paths_by_backend, reference, stim_times, consider_delays, outdir,
                   perturbed_paths=(), power_path=None, realisation_paths=()):
    """Read the runs, :func:`spinncer.validation.validate` them, write the tables above;
    return the :class:`~spinncer.validation.Validation`. `power_path`: a power table of the
    same network and seeds (:func:`read_power`) for the summary's power statements;
    `realisation_paths`: the reference's runs on jittered stimuli (:func:`read_realisations`)."""
    power = read_power(power_path) if power_path else None
    runs = read_runs(paths_by_backend)
    perturbed = read_runs({"perturbed": list(perturbed_paths)}).get("perturbed") \
        if perturbed_paths else None
    first = next(iter(runs.get(reference, {}).values()), None)
    populations = first.spikes if first is not None else []
    windows = population_windows(stim_times, populations, consider_delays=consider_delays)
    realisations = read_realisations(realisation_paths, runs.get(reference, {}), reference)
    result = validate(runs, reference, windows, perturbed, power=power,
                      realisations=realisations)
    for name in ("envelope", "scores", "verdicts", "distributions", "paired", "summary"):
        write_csv(getattr(result, name), f"{outdir}/{name}.csv")
    return result


def compare_signal_files(path_a, path_b, cells_csv, summary_csv):
    """Per-cell and per-population membrane comparison of two runs (:mod:`.membrane`);
    returns the two runs (for figures). Runs without signals give empty tables with a note."""
    a, b = read_run(path_a), read_run(path_b)
    cells = compare_signals(a, b)
    write_csv(cells, cells_csv)
    summary = summarise_signals(cells)
    if not len(summary):
        summary = pd.DataFrame([{"population": "", "n_cells": 0,
                                 "note": "no analog signals recorded in both runs"}])
    write_csv(summary, summary_csv)
    return a, b
