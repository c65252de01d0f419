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
