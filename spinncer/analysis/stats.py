"""Per-population and per-cell firing statistics in the protocol windows.

Definitions (times in ms, rates in Hz), for a window :math:`[t_0, t_1)`:

.. math::

    r_i = \\frac{n_i}{(t_1 - t_0) / 1000}, \\qquad
    \\bar r = \\frac{1}{N} \\sum_{i=1}^{N} r_i, \\qquad
    a = \\frac{|\\{i : n_i \\geq 1\\}|}{N}

where :math:`n_i` is the number of spikes of cell :math:`i` in the window and :math:`N` the number
of cells in the population (silent cells included). :math:`a` is the active-cell fraction.
Windows follow the protocol `stim_times` = (before, stimulus, after) [Bogdan2021 Methods].
"""
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

WINDOW_NAMES = ("baseline", "stimulus", "post")


def protocol_windows(stim_times):
    """{name: (start, stop)} in ms for the baseline, stimulus and post-stimulus windows."""
    edges = np.concatenate([[0.0], np.cumsum(np.asarray(stim_times, dtype=float))])
    return {name: (edges[i], edges[i + 1]) for i, name in enumerate(WINDOW_NAMES)}


def spike_counts(cells, times, n_cells, start, stop):
    """Spikes per cell in [start, stop)."""
    inside = (times >= start) & (times < stop)
    return np.bincount(cells[inside], minlength=n_cells)


def cell_rates(run, windows):
    """Long table: population, cell, and the rate (Hz) of every cell in every window."""
    frames = []
    for name, pop in run.spikes.items():
        frame = pd.DataFrame({"population": name, "cell": np.arange(pop.n_cells)})
        for window, (start, stop) in windows.items():
            counts = spike_counts(pop.cell, pop.time, pop.n_cells, start, stop)
            frame[window] = counts / ((stop - start) / 1000.0)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def population_stats(rates, windows):
    """Per population and window: cells, mean/std/median rate (Hz), active fraction, spikes."""
    rows = []
    for name, frame in rates.groupby("population", sort=False):
        for window, (start, stop) in windows.items():
            r = frame[window].to_numpy()
            rows.append({
                "population": name, "window": window, "start_ms": start, "stop_ms": stop,
                "n_cells": len(r), "mean_rate_hz": r.mean() if len(r) else np.nan,
                "std_rate_hz": r.std() if len(r) else np.nan,
                "median_rate_hz": np.median(r) if len(r) else np.nan,
                "active_fraction": float((r > 0).mean()) if len(r) else np.nan,
                "n_spikes": int(round(r.sum() * (stop - start) / 1000.0)),
            })
    return pd.DataFrame(rows)


def read_cell_rates(path):
    """Read a per-cell rate table written from :func:`cell_rates`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "an existing per-cell rate CSV", "no such file")
    rates = pd.read_csv(path)
    missing = {"population", "cell", *WINDOW_NAMES} - set(rates.columns)
    if missing:
        raise InputError(path, f"columns population, cell, {', '.join(WINDOW_NAMES)}",
                         f"missing {sorted(missing)}")
    return rates
