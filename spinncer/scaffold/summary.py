"""Per-population and per-connection summary of a scaffold, beside the published counts.

Expected counts at another volume scale the published 400x400 µm counts by the patch area
(x * z); this ignores edge effects (parallel fibres span the whole patch, so small patches fall
well short), so it is a guide away from 400x400 and a specification only there: a row passes
(:func:`fidelity`) within 3% of the published count, or within ±2 cells for a population of
under 100 cells (issue 4 acceptance; Casali 2019 / Bogdan 2021 counts in :mod:`spinncer.params`).

Degree distributions (in and out, per connection type): the published counts imply only the mean
degrees (``published_mean_in_degree``/``_out_``: published synapses over published cells); the
published file itself is not available offline, and the gold-standard run stores no connectivity
(its ``initial_connectivity`` is empty), so the spread is compared with the 2019 algorithms in
``spinncer/scaffold/ALGORITHMS.md``, not with those files.
"""
import numpy as np
import pandas as pd

from ..params import (CONNECTION_TYPES, POPULATION_IDS, PUBLISHED_AREA_UM2, PUBLISHED_CELLS,
                      PUBLISHED_SYNAPSES)


def patch_area(scaffold):
    """Patch area in µm²: the built volume when recorded, else the x/z extent of all cells."""
    if "volume_x_um" in scaffold.attrs and "volume_z_um" in scaffold.attrs:
        return float(scaffold.attrs["volume_x_um"]) * float(scaffold.attrs["volume_z_um"])
    xyz = np.concatenate(list(scaffold.positions.values()))
    return float(np.ptp(xyz[:, 0]) * np.ptp(xyz[:, 2]))


REL_TOLERANCE = 0.03
SMALL_POPULATION = 100  # populations under this many published cells ...
SMALL_POPULATION_TOLERANCE = 2  # ... pass within this many cells


def _with_expectation(frame, count_column, published, scale):
    frame["published_400x400"] = frame.index.map(published)
    frame["expected_for_area"] = frame["published_400x400"] * scale
    frame["rel_diff"] = frame[count_column] / frame["expected_for_area"] - 1.0
    small = (frame["published_400x400"] < SMALL_POPULATION) & (count_column == "n_cells")
    within_cells = (frame[count_column] - frame["expected_for_area"]).abs() \
        <= SMALL_POPULATION_TOLERANCE
    frame["within_tolerance"] = (frame["rel_diff"].abs() <= REL_TOLERANCE) | (small & within_cells)
    return frame


def population_table(scaffold):
    scale = patch_area(scaffold) / PUBLISHED_AREA_UM2
    rows = {name: {"type_id": POPULATION_IDS[name], "n_cells": scaffold.n_cells(name)}
            for name in scaffold.positions}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "population"
    return _with_expectation(frame, "n_cells", PUBLISHED_CELLS, scale).reset_index()


def in_degrees(scaffold, name):
    """Synapses received by every cell of the post population of connection `name`."""
    kind = CONNECTION_TYPES[name]
    conn = scaffold.connections[name]
    return np.bincount(conn.post, minlength=scaffold.n_cells(kind.post))


def out_degrees(scaffold, name):
    """Synapses sent by every cell of the pre population of connection `name`."""
    kind = CONNECTION_TYPES[name]
    return np.bincount(scaffold.connections[name].pre, minlength=scaffold.n_cells(kind.pre))


DEGREE_PERCENTILES = (5, 50, 95)


def degree_spread(degrees, side):
    """Spread of one side's degrees: sd, min, percentiles, max and the fraction of cells with
    none (nan when the population has no cells)."""
    keys = ["sd", "min", *(f"p{q}" for q in DEGREE_PERCENTILES), "max", "zero_frac"]
    if not len(degrees):
        return {f"{side}_degree_{key}": np.nan for key in keys}
    values = [degrees.std(), degrees.min(), *np.percentile(degrees, DEGREE_PERCENTILES),
              degrees.max(), np.mean(degrees == 0)]
    return {f"{side}_degree_{key}": float(value) for key, value in zip(keys, values)}


def connection_table(scaffold):
    """All 16 connection types (absent ones with 0 synapses): counts, in- and out-degree
    distributions (:func:`degree_spread`), the mean degrees the published counts imply, and the
    mean distance."""
    scale = patch_area(scaffold) / PUBLISHED_AREA_UM2
    rows = {}
    for name, kind in sorted(CONNECTION_TYPES.items()):
        conn = scaffold.connections.get(name)
        n = len(conn) if conn is not None else 0
        n_pre = scaffold.n_cells(kind.pre) if kind.pre in scaffold.positions else 0
        n_post = scaffold.n_cells(kind.post) if kind.post in scaffold.positions else 0
        distance = conn.distance if conn is not None else None
        rows[name] = {
            "pre": kind.pre, "post": kind.post, "n_synapses": n,
            "mean_in_degree": n / n_post if n_post else np.nan,
            "mean_out_degree": n / n_pre if n_pre else np.nan,
            "mean_distance_um": float(np.nanmean(distance)) if n and distance is not None
            else np.nan,
            "published_mean_in_degree": PUBLISHED_SYNAPSES[name] / PUBLISHED_CELLS[kind.post],
            "published_mean_out_degree": PUBLISHED_SYNAPSES[name] / PUBLISHED_CELLS[kind.pre],
        }
        rows[name].update(degree_spread(in_degrees(scaffold, name) if conn is not None
                                        else np.zeros(n_post, dtype=int), "in"))
        rows[name].update(degree_spread(out_degrees(scaffold, name) if conn is not None
                                        else np.zeros(n_pre, dtype=int), "out"))
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "connection"
    return _with_expectation(frame, "n_synapses", PUBLISHED_SYNAPSES, scale).reset_index()
