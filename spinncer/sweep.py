"""Names of sweep points and the table of a whole sweep.

A run lives at ``results/<scaffold>/<stimulus>/seed<seed>/<backend>/`` where ``<stimulus>`` is
``f<f_peak>_r<stim_radius>_<type>`` (generated), ``file-<stem>`` (a given stimulus file) or a
protocol name (:data:`spinncer.stimulus.PROTOCOLS`, e.g. ``gold-casali2019``), so any point can
be asked for by its path. Each point has one spelling (:func:`check_point_name`): numbers
without leading zeros, trailing ``.0`` or exponent (``f100``, not ``f100.0`` or ``f0100``), seeds
without leading zeros (``seed1``, not ``seed01``), so that a point is never simulated twice under
two names.

A study is a set of named sweeps (:func:`plan_sweeps`), each the product of its value lists;
the study's two one-dimensional sweeps and its variance run are three such sweeps whose runs
overlap at f_peak 150 Hz / 140 µm and are run once.
"""
import itertools
import re
from pathlib import Path

import numpy as np
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
    """The one spelling of a number in a point name: positional, shortest, no trailing '.'."""
    return np.format_float_positional(float(value), trim="-")


def stimulus_name(f_peak, stim_radius, kind):
    return f"f{_num(f_peak)}_r{_num(stim_radius)}_{kind}"


def parse_stimulus_name(name):
    """(f_peak Hz, stim_radius µm, type) of a generated stimulus name."""
    match = re.fullmatch(STIMULUS_PATTERN, name)
    try:
        if match is None:
            raise ValueError
        return float(match["f_peak"]), float(match["stim_radius"]), match["type"]
    except ValueError:
        raise InputError(f"stimulus name '{name}'", f"f<f_peak>_r<stim_radius>_<{'|'.join(STIMULUS_TYPES)}> "
                         "with numbers such as 150 or 12.5", "a malformed name") from None


def check_point_name(stim, seed, stimulus_file=None):
    """Check the stimulus and seed parts of a run path are the point's one spelling.

    Returns (f_peak Hz, stim_radius µm, type) of a generated stimulus, or None for a file point
    (``file-<stem>`` of the configured `stimulus_file`) or a protocol name. Raises
    :class:`InputError` naming the canonical spelling otherwise.
    """
    if str(seed) != str(int(seed)):
        raise InputError(f"run path part 'seed{seed}'", f"the canonical spelling 'seed{int(seed)}'",
                         f"'seed{seed}'")
    if stim in PROTOCOLS:
        return None
    if stim.startswith("file-"):
        expected = f"file-{Path(stimulus_file).stem}" if stimulus_file else None
        if stim != expected:
            raise InputError(f"run path part '{stim}'", f"'{expected}' (stimulus.file)"
                             if expected else "a generated stimulus f<f_peak>_r<stim_radius>_"
                             "<type> (stimulus.file is not set)", f"'{stim}'")
        return None
    point = parse_stimulus_name(stim)
    canonical = stimulus_name(*point)
    if stim != canonical:
        raise InputError(f"run path part '{stim}'", f"the canonical spelling '{canonical}'",
                         f"'{stim}'")
    return point


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


def load_table(communication_paths):
    """The communication tables of sweep points (one row per ordering and population), with
    the swept parameters as columns."""
    return pd.concat([_tagged(p) for p in communication_paths], ignore_index=True)


def sweep_table(stats_paths, load=None):
    """One table of per-population statistics over sweep points, with the swept parameters
    as columns; with the points' communication tables (`load`, :func:`load_table`), the max
    over cores of the per-core packet peak per ordering is joined
    (``peak_packets_<ordering>``)."""
    table = pd.concat([_tagged(p) for p in stats_paths], ignore_index=True)
    if load is not None:
        keys = ["stimulus", "seed", "backend", "population"]
        peaks = load.pivot_table(index=keys, columns="ordering", values="packets_peak")
        table = table.merge(peaks.add_prefix("peak_packets_").reset_index(), on=keys,
                            how="left")
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
def percentile_summary(table, keys, value, low=5, high=95):
    """Median and `low`-`high` percentiles of `value` per group of `keys` (e.g. over seeds)."""
    grouped = table.groupby(keys, sort=True)[value]
    out = grouped.median().rename("median").to_frame()
    out[f"p{low}"] = grouped.quantile(low / 100)
    out[f"p{high}"] = grouped.quantile(high / 100)
    out["n"] = grouped.count()
    return out.reset_index()


def _linear(t, a, b):
    return a + b * t


def _quadratic(t, a, b, c):
    return a + b * t + c * t * t


def _exponential(t, a, b, c):
    import numpy as np
    return a * np.exp(b * t) + c


#: Curve families fitted to a load against a swept parameter: (function, number of parameters).
FIT_MODELS = {"linear": (_linear, 2), "quadratic": (_quadratic, 3),
              "exponential": (_exponential, 3)}


def fit_curves(x, y):
    """Least-squares fits of y(x): linear a + b x, quadratic a + b x + c x², exponential
    a exp(b x) + c. Returns {model: {"params": [...], "r2": float} or {"error": reason}}; a fit
    needs more distinct x values than parameters."""
    import numpy as np
    from scipy.optimize import curve_fit
    x, y = np.asarray(x, float), np.asarray(y, float)
    out = {}
    n_distinct = len(np.unique(x))
    for name, (f, n_params) in FIT_MODELS.items():
        if n_distinct <= n_params:
            out[name] = {"error": f"too few sweep values (n={n_distinct}) for {n_params} "
                                  "parameters"}
            continue
        span = max(np.ptp(x), 1e-12)
        p0 = [1.0] * n_params if name != "exponential" else [max(np.ptp(y), 1e-9), 1.0 / span,
                                                              float(y.min())]
        try:
            params, _ = curve_fit(f, x, y, p0=p0, maxfev=20000)
        except (RuntimeError, ValueError) as err:
            out[name] = {"error": f"fit failed ({err})"}
            continue
        residual = ((y - f(x, *params)) ** 2).sum()
        total = ((y - y.mean()) ** 2).sum()
        out[name] = {"params": [float(v) for v in params],
                     "r2": float(1 - residual / total) if total > 0 else float("nan")}
    return out
