"""Names of sweep points and the table of a whole sweep.

A run lives at ``results/<scaffold>/<stimulus>/seed<seed>/<backend>/`` where ``<stimulus>`` is
``f<f_peak>_r<stim_radius>_<type>`` (generated) or ``file-<stem>`` (a given stimulus file), so
any point can be asked for by its path.
"""
import re
from pathlib import Path

import pandas as pd

from .errors import InputError
from .options import STIMULUS_TYPES, alternatives_regex

STIMULUS_PATTERN = (r"f(?P<f_peak>[0-9.]+)_r(?P<stim_radius>[0-9.]+)_(?P<type>"
                    + alternatives_regex(STIMULUS_TYPES) + ")")
#: Name of a run driven by a given stimulus file.
FILE_STIMULUS_PATTERN = r"file-[A-Za-z0-9_.-]+"
#: Any stimulus run name, without named groups (the workflow's ``stim`` wildcard).
STIMULUS_NAME_REGEX = (re.sub(r"\?P<\w+>", "?:", STIMULUS_PATTERN) + "|"
                       + FILE_STIMULUS_PATTERN)
RUN_PATTERN = (r"(?P<scaffold>[^/]+)/(?P<stimulus>" + STIMULUS_PATTERN.replace("?P<", "?P<s_")
               + "|" + FILE_STIMULUS_PATTERN + r")/seed(?P<seed>[0-9]+)/(?P<backend>[^/]+)")


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


def load_table(communication_paths):
    """The communication tables of sweep points (one row per ordering and population), with
    the swept parameters as columns."""
    return pd.concat([_tagged(p) for p in communication_paths], ignore_index=True)


def sweep_table(stats_paths, communication_paths=()):
    """One table of per-population statistics over sweep points, with the swept parameters
    as columns; the max over cores of the per-core packet peak per ordering is joined where
    given (``peak_packets_<ordering>``)."""
    table = pd.concat([_tagged(p) for p in stats_paths], ignore_index=True)
    if communication_paths:
        load = load_table(communication_paths)
        keys = ["stimulus", "seed", "backend", "population"]
        peaks = load.pivot_table(index=keys, columns="ordering", values="packets_peak")
        table = table.merge(peaks.add_prefix("peak_packets_").reset_index(), on=keys,
                            how="left")
    return table


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
