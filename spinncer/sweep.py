"""Names of sweep points and the table of a whole sweep.

A run lives at ``results/<scaffold>/<stimulus>/seed<seed>/<backend>/`` where ``<stimulus>`` is
``f<f_peak>_r<stim_radius>_<type>`` (generated), ``file-<stem>`` (a given stimulus file) or a
protocol name (:data:`spinncer.stimulus.PROTOCOLS`, e.g. ``gold-casali2019``), so any point can
be asked for by its path.

A study is a set of named sweeps (:func:`plan_sweeps`), each the product of its value lists;
the study's two one-dimensional sweeps and its variance run are three such sweeps whose runs
overlap at f_peak 150 Hz / 140 µm and are run once.
"""
import itertools
import re
from pathlib import Path

import pandas as pd

from .errors import InputError
from .options import STIMULUS_TYPES, alternatives_regex
from .stimulus import PROTOCOLS

STIMULUS_PATTERN = (r"f(?P<f_peak>[0-9.]+)_r(?P<stim_radius>[0-9.]+)_(?P<type>"
                    + alternatives_regex(STIMULUS_TYPES) + ")")
#: Name of a run driven by a given stimulus file.
FILE_STIMULUS_PATTERN = r"file-[A-Za-z0-9_.-]+"
#: Name of a run of a named protocol (spinncer.stimulus.PROTOCOLS).
PROTOCOL_PATTERN = alternatives_regex(PROTOCOLS)
#: Any stimulus run name, without named groups (the workflow's ``stim`` wildcard).
STIMULUS_NAME_REGEX = (re.sub(r"\?P<\w+>", "?:", STIMULUS_PATTERN) + "|"
                       + FILE_STIMULUS_PATTERN + "|" + PROTOCOL_PATTERN)
RUN_PATTERN = (r"(?P<scaffold>[^/]+)/(?P<stimulus>" + STIMULUS_PATTERN.replace("?P<", "?P<s_")
               + "|" + FILE_STIMULUS_PATTERN + "|" + PROTOCOL_PATTERN
               + r")/seed(?P<seed>[0-9]+)/(?P<backend>[^/]+)")
#: What a named sweep may list; a value it does not list comes from the stimulus section
#: (``seeds`` from ``simulation.seeds``).
SWEEP_KEYS = ("f_peak", "stim_radius", "type", "seeds")
#: Parameters whose effect a sweep summary plots (type and seed are repeats, not axes).
AXES = ("f_peak", "stim_radius")


def _num(value):
    return f"{float(value):g}"


def stimulus_name(f_peak, stim_radius, kind):
    return f"f{_num(f_peak)}_r{_num(stim_radius)}_{kind}"


def parse_stimulus_name(name):
    """(f_peak Hz, stim_radius µm, type) of a generated stimulus name."""
    match = re.fullmatch(STIMULUS_PATTERN, name)
    if match is None:
        raise InputError(f"stimulus name '{name}'",
                         f"f<f_peak>_r<stim_radius>_<{'|'.join(STIMULUS_TYPES)}>")
    return float(match["f_peak"]), float(match["stim_radius"]), match["type"]


def parse_run_path(path):
    """Sweep parameters of a file inside a run folder (see module docstring)."""
    match = re.search(RUN_PATTERN, Path(path).as_posix())
    if match is None:
        raise InputError(path, "a path results/<scaffold>/<stimulus>/seed<seed>/<backend>/...")
    point = {"scaffold": match["scaffold"], "stimulus": match["stimulus"],
             "seed": int(match["seed"]), "backend": match["backend"]}
    if match["s_f_peak"] is not None:
        point.update(f_peak=float(match["s_f_peak"]), stim_radius=float(match["s_stim_radius"]),
                     type=match["s_type"])
    return point


def _tagged(path):
    """The CSV at `path` with its sweep parameters as columns."""
    frame = pd.read_csv(path)
    for key, value in parse_run_path(path).items():
        frame[key] = value
    return frame


def sweep_table(stats_paths, communication_paths=()):
    """One table of per-population statistics over sweep points, with the swept parameters
    as columns; the peak communication load per ordering is joined where given."""
    table = pd.concat([_tagged(p) for p in stats_paths], ignore_index=True)
    if communication_paths:
        load = pd.concat([_tagged(p) for p in communication_paths], ignore_index=True)
        keys = ["stimulus", "seed", "backend", "population"]
        peaks = load.pivot_table(index=keys, columns="ordering", values="events_peak")
        table = table.merge(peaks.add_prefix("peak_events_").reset_index(), on=keys, how="left")
    return table


def plan_sweeps(stimulus, seeds, sweeps=None):
    """{sweep name: [(stimulus name, seed), ...]} of a configuration.

    `stimulus` is the config's stimulus section, `seeds` ``simulation.seeds`` and `sweeps` the
    ``sweeps`` section ({name: {f_peak, stim_radius, type, seeds}}, lists). A given stimulus
    file or named protocol is one sweep (named after it) over the seeds; no named sweeps is one
    sweep ``default`` of the stimulus lists.
    """
    if stimulus.get("file"):
        return {"file": [(f"file-{Path(stimulus['file']).stem}", s) for s in seeds]}
    if stimulus.get("protocol"):
        return {stimulus["protocol"]: [(stimulus["protocol"], s) for s in seeds]}
    plan = {}
    for name, spec in (sweeps or {"default": {}}).items():
        values = sweep_values(stimulus, seeds, spec)
        plan[name] = [(stimulus_name(f, r, t), s) for f, r, t, s in itertools.product(
            values["f_peak"], values["stim_radius"], values["type"], values["seeds"])]
    return plan


def sweep_values(stimulus, seeds, spec):
    """{key: list} of one named sweep, unlisted keys from the stimulus section and seeds."""
    defaults = {**{key: stimulus[key] for key in SWEEP_KEYS[:3]}, "seeds": seeds}
    return {key: list(spec.get(key, defaults[key])) for key in SWEEP_KEYS}


def swept_axes(stimulus, seeds, spec):
    """The parameters of :data:`AXES` a named sweep varies, else ``["seed"]`` when it only
    repeats seeds (a variance run), else none."""
    values = sweep_values(stimulus, seeds, spec)
    axes = [key for key in AXES if len(set(values[key])) > 1]
    return axes or (["seed"] if len(set(values["seeds"])) > 1 else [])


def unique_points(plan):
    """Every (stimulus name, seed) of a plan once, in first-seen order."""
    return list(dict.fromkeys(point for points in plan.values() for point in points))


# Cost of one run (1 s of model time at 0.1 ms, 2 NEST threads) on the 400 x 400 µm scaffold,
# measured in benchmarks/README.md (2026-11-25): build 10.7 s + simulate 91.2 s wall on 2
# threads, plus the per-run steps (analysis, figures, numerics, compare, communication:
# ~20 s on one core).
RUN_CPU_SECONDS_400 = (10.67 + 91.24) * 2 + 20.0
RUN_AREA_UM2 = 400.0 * 400.0


def cost_estimate(n_runs, area_um2, timestep, simtime_ms=1000.0):
    """CPU-hours of `n_runs` runs, scaled from :data:`RUN_CPU_SECONDS_400` by scaffold area
    (build and simulate grow about with the synapse count, i.e. the area), 0.1 ms / timestep
    and simulated time. NEST figures; other simulators are assumed to cost the same."""
    scale = (area_um2 / RUN_AREA_UM2) * (0.1 / timestep) * (simtime_ms / 1000.0)
    return n_runs * RUN_CPU_SECONDS_400 * scale / 3600.0
