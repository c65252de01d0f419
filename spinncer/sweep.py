"""Names of sweep points and the table of a whole sweep.

A run lives at ``results/<scaffold>/<stimulus>/seed<seed>/<backend>/`` where ``<stimulus>`` is
``f<f_peak>_r<stim_radius>_<type>`` (generated) or ``file-<stem>`` (a given stimulus file), so
any point can be asked for by its path. Each point has one spelling (:func:`check_point_name`):
numbers without leading zeros, trailing ``.0`` or exponent (``f100``, not ``f100.0`` or
``f0100``), seeds without leading zeros (``seed1``, not ``seed01``), so that a point is never
simulated twice under two names.
"""
import re
from pathlib import Path

import numpy as np
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
    (``file-<stem>`` of the configured `stimulus_file`). Raises :class:`InputError` naming the
    canonical spelling otherwise.
    """
    if str(seed) != str(int(seed)):
        raise InputError(f"run path part 'seed{seed}'", f"the canonical spelling 'seed{int(seed)}'",
                         f"'seed{seed}'")
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
