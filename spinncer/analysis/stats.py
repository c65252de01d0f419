r"""Per-population and per-cell firing statistics in the protocol windows.

Provides
--------
Windows
    :func:`protocol_windows` (one set for every population), :func:`population_windows`
    (shifted per population by its latency from the mossy fibres, ``consider_delays``),
    :data:`MOSSY_FIBRE_LATENCY_MS`, :func:`mossy_fibre_latencies`, :func:`windows_table`.
Rates
    :func:`spike_counts`, :func:`cell_rates`, :func:`population_stats`, :func:`read_cell_rates`.
Responses
    :func:`classify_cells` (excited / inhibited / unchanged / silent per cell) and
    :func:`response_fractions` (per population).

Definitions (times in ms, rates in Hz), for a window :math:`[t_0, t_1)`:

.. math::

    r_i = \frac{n_i}{(t_1 - t_0) / 1000}, \qquad
    \bar r = \frac{1}{N} \sum_{i=1}^{N} r_i, \qquad
    a = \frac{|\{i : n_i \geq 1\}|}{N}

where :math:`n_i` is the number of spikes of cell :math:`i` in the window and :math:`N` the number
of cells in the population (silent cells included). :math:`a` is the active-cell fraction.
Windows follow the protocol `stim_times` = (before, stimulus, after) [Bogdan2021 Methods].

A `windows` argument is either one mapping ``{window: (start, stop)}`` used for every population
(:func:`protocol_windows`) or a mapping ``{population: {window: (start, stop)}}``
(:func:`population_windows`).

Sources
-------
- [Bogdan2021] Bogdan et al. (2021) Front. Cell. Neurosci. 15:622870, Methods.
- [Casali2019] Casali et al. (2019) Front. Neuroinform. 13:37 ("excited" cells).
- [SpiNNCer] `spinncer/cerebellum_analysis.py` of the SpiNNCer repository: the latency table
  ``DELAY_IN_EXCITATION``, how windows move with ``consider_delays``, and the excited /
  inhibited rule of ``filtered_spike_rates``.
"""
import heapq
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..params import ALL_POPULATIONS, CONNECTION_TYPES, INPUT_POPULATION

WINDOW_NAMES = ("baseline", "stimulus", "post")

# Factor of the excited / inhibited rule [Casali2019 via SpiNNCer filtered_spike_rates].
RESPONSE_FACTOR = 2.0
# Granule cells count as excited only with more than this many spikes in the stimulus window
# [SpiNNCer filtered_spike_rates].
GRANULE_MIN_STIMULUS_SPIKES = 1
# The population whose inhibition the DCN waits for (pc_dcn) [SpiNNCer DELAY_IN_EXCITATION:
# "delays for both excitation and inhibition ... in the case of DCN"].
_WAITS_FOR_INHIBITION = {"dcn": "pc_dcn"}


def mossy_fibre_latencies(connection_types=CONNECTION_TYPES, source=INPUT_POPULATION):
    r"""Latency (ms) of each population from the mossy fibres, derived from connection delays.

    The latency of a population is the shortest sum of delays along excitatory connections
    (weight > 0) from `source`:

    .. math::

        L_{\mathrm{source}} = 0, \qquad
        L_p = \min_{c:\, \mathrm{pre}(c) \to p,\; w_c > 0} \left( L_{\mathrm{pre}(c)} + d_c \right)

    except for the DCN, which also waits for its Purkinje inhibition,
    :math:`L_{dcn} = \max(L_{dcn}^{exc}, L_{purkinje} + d_{pc\_dcn})` [SpiNNCer
    DELAY_IN_EXCITATION]. With :data:`spinncer.params.CONNECTION_TYPES` this gives
    granule 4 (glom_grc), golgi 4 (glom_goc), purkinje 6 (glom_grc + aa_pc), basket and stellate
    9 (glom_grc + pf_bc / pf_sc), dcn max(4, 6 + 4) = 10: the values SpiNNCer tabulates.

    Parameters
    ----------
    connection_types : dict of str to params.ConnectionType
        Typed connections with `pre`, `post`, `weight` (µS, negative = inhibitory), `delay` (ms).
    source : str
        Population the latency is measured from (the glomeruli, i.e. mossy-fibre terminals).

    Returns
    -------
    dict of str to float
        Latency in ms of every population reachable from `source`.
    """
    edges = {}
    for conn in connection_types.values():
        if conn.weight > 0 and conn.pre != conn.post:
            edges.setdefault(conn.pre, []).append((conn.post, float(conn.delay)))
    latency = {source: 0.0}
    queue = [(0.0, source)]
    while queue:  # Dijkstra over a handful of populations
        t, pop = heapq.heappop(queue)
        if t > latency.get(pop, np.inf):
            continue
        for post, delay in edges.get(pop, ()):
            if t + delay < latency.get(post, np.inf):
                latency[post] = t + delay
                heapq.heappush(queue, (t + delay, post))
    for pop, conn_name in _WAITS_FOR_INHIBITION.items():
        conn = connection_types.get(conn_name)
        if pop in latency and conn is not None and conn.pre in latency:
            latency[pop] = max(latency[pop], latency[conn.pre] + float(conn.delay))
    return latency


# Latency (ms) of each population from the mossy fibres, used when `consider_delays` is set.
# Derived from params.CONNECTION_TYPES by mossy_fibre_latencies(); equals SpiNNCer's
# DELAY_IN_EXCITATION table: glomerulus 0, granule 4, golgi 4, purkinje 6, basket 9,
# stellate 9, dcn 10 (checked in tests/test_analysis_windows.py).
MOSSY_FIBRE_LATENCY_MS = mossy_fibre_latencies()


def protocol_windows(stim_times):
    """{name: (start, stop)} in ms for the baseline, stimulus and post-stimulus windows."""
    edges = np.concatenate([[0.0], np.cumsum(np.asarray(stim_times, dtype=float))])
    return {name: (edges[i], edges[i + 1]) for i, name in enumerate(WINDOW_NAMES)}


def population_windows(stim_times, populations, consider_delays=True, latencies=None):
    r"""Protocol windows per population, shifted by each population's latency.

    With a latency :math:`L` and protocol boundaries :math:`0 < b_1 < b_2 < T`
    (`stim_times` = :math:`(b_1, b_2 - b_1, T - b_2)`), the windows of the population are

    .. math::

        \mathrm{baseline} = [0, b_1 + L), \quad
        \mathrm{stimulus} = [b_1 + L, b_2 + L), \quad
        \mathrm{post} = [b_2 + L, T)

    so the stimulus window keeps its length and moves by :math:`L`, while the run's first and
    last instants stay fixed [SpiNNCer cerebellum_analysis.py, ``delay_sensitive``].

    Parameters
    ----------
    stim_times : sequence of 3 float
        Durations (ms) of the baseline, stimulus and post windows.
    populations : iterable of str
        Population names to give windows to.
    consider_delays : bool, optional
        Shift by the latency; when False every population gets :func:`protocol_windows`.
        Default: True.
    latencies : dict of str to float, optional
        Latency (ms) per population. Default: :data:`MOSSY_FIBRE_LATENCY_MS`; a population
        missing from it is not shifted.

    Returns
    -------
    dict of str to dict of str to (float, float)
        ``{population: {window: (start_ms, stop_ms)}}``.

    Raises
    ------
    InputError
        When a shift leaves a window empty (latency longer than the post window).
    """
    base = protocol_windows(stim_times)
    latencies = MOSSY_FIBRE_LATENCY_MS if latencies is None else latencies
    out = {}
    for pop in populations:
        shift = float(latencies.get(pop, 0.0)) if consider_delays else 0.0
        (b0, b1), (_, b2), (_, end) = ((float(a), float(b)) for a, b in base.values())
        windows = {"baseline": (b0, b1 + shift), "stimulus": (b1 + shift, b2 + shift),
                   "post": (b2 + shift, end)}
        if windows["post"][0] >= windows["post"][1]:
            raise InputError(f"stim_times {list(stim_times)}",
                             f"a post window longer than the {shift} ms latency of {pop}",
                             f"{end - b2} ms")
        out[pop] = windows
    return out


def windows_for(windows, population):
    """The ``{window: (start, stop)}`` mapping that applies to `population`."""
    first = next(iter(windows.values()), None)
    if isinstance(first, dict):
        if population not in windows:
            raise InputError("windows", f"an entry for population '{population}'",
                             f"entries for {sorted(windows)}")
        return windows[population]
    return windows


def raster_windows(windows, stim_times, present, populations=ALL_POPULATIONS):
    """{population: windows} shaded on the raster of each of `populations`: its own windows
    when `present` (in the run), else the protocol's (a population absent from a small patch
    still gets its, empty, raster)."""
    return {name: windows_for(windows, name) if name in present else protocol_windows(stim_times)
            for name in populations}


def windows_table(windows, populations=None):
    """Long table of the windows: population, window, start_ms, stop_ms, duration_ms.

    `populations` is required when `windows` is one mapping for every population.
    """
    first = next(iter(windows.values()), None)
    names = list(windows) if isinstance(first, dict) else list(populations or [])
    rows = [{"population": pop, "window": w, "start_ms": start, "stop_ms": stop,
             "duration_ms": stop - start}
            for pop in names for w, (start, stop) in windows_for(windows, pop).items()]
    return pd.DataFrame(rows, columns=["population", "window", "start_ms", "stop_ms",
                                       "duration_ms"])


def spike_counts(cells, times, n_cells, start, stop):
    """Spikes per cell in [start, stop)."""
    inside = (times >= start) & (times < stop)
    return np.bincount(cells[inside], minlength=n_cells)


def window_counts(pop, windows, name):
    """{window: spikes per cell in it (:func:`spike_counts`)} of `pop`
    (:class:`spinncer.results.PopulationSpikes`), the population `name`, in its `windows`."""
    return {window: spike_counts(pop.cell, pop.time, pop.n_cells, start, stop)
            for window, (start, stop) in windows_for(windows, name).items()}


def cell_rates(run, windows):
    """Long table: population, cell, and the rate (Hz) of every cell in every window.

    `windows` is one mapping for all populations or one per population (see module docstring).
    """
    frames = []
    for name, pop in run.spikes.items():
        frame = pd.DataFrame({"population": name, "cell": np.arange(pop.n_cells)})
        bounds = windows_for(windows, name)
        for window, counts in window_counts(pop, windows, name).items():
            frame[window] = counts / ((bounds[window][1] - bounds[window][0]) / 1000.0)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def population_stats(rates, windows):
    """Per population and window: cells, mean/std/median rate (Hz), active fraction, spikes.

    `rates` is a :func:`cell_rates` table; `windows` the mapping it was computed with.
    """
    rows = []
    for name, frame in rates.groupby("population", sort=False):
        for window, (start, stop) in windows_for(windows, name).items():
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


def excited_cells(baseline_hz, stimulus_hz, fired, granule, stimulus_spikes,
                  factor=RESPONSE_FACTOR):
    """Boolean mask of excited cells (the rule of :func:`classify_cells`, elementwise)."""
    excited = (np.asarray(stimulus_hz) > factor * np.asarray(baseline_hz)) & fired
    return excited & (~np.asarray(granule) | (np.asarray(stimulus_spikes)
                                              > GRANULE_MIN_STIMULUS_SPIKES))


def classify_cells(rates, windows, factor=RESPONSE_FACTOR):
    r"""Label every cell's response to the stimulus from its baseline and stimulus rates.

    With :math:`b_i` and :math:`s_i` the baseline and stimulus-window rates (Hz) of cell
    :math:`i` and :math:`n_i^{s}` its spike count in the stimulus window:

    .. math::

        \mathrm{excited}_i = s_i > f\, b_i \;\wedge\; (\text{granule} \Rightarrow n_i^{s} > 1),
        \qquad
        \mathrm{inhibited}_i = b_i > f\, s_i

    with :math:`f` = `factor` = 2 [Casali2019; SpiNNCer filtered_spike_rates, which also
    requires a cell to fire in some window, a condition both inequalities already imply].
    A cell with no spike in any window is "silent"; any other cell is "unchanged".

    Parameters
    ----------
    rates : pandas.DataFrame
        A :func:`cell_rates` table (columns population, cell, baseline, stimulus, post in Hz).
    windows : dict
        The windows `rates` was computed with (to turn the stimulus rate back into a count).
    factor : float, optional
        Ratio between stimulus and baseline rates. Default: 2.

    Returns
    -------
    pandas.DataFrame
        `rates` plus ``stimulus_spikes`` (int) and ``response`` (one of excited, inhibited,
        unchanged, silent).
    """
    out = rates.copy()
    stim_ms = {pop: np.subtract(*windows_for(windows, pop)["stimulus"][::-1])
               for pop in out["population"].unique()}
    stim_s = out["population"].map(stim_ms).to_numpy(dtype=float) / 1000.0
    out["stimulus_spikes"] = np.rint(out["stimulus"].to_numpy() * stim_s).astype(np.int64)
    b, s = out["baseline"].to_numpy(), out["stimulus"].to_numpy()
    fired = out[list(WINDOW_NAMES)].to_numpy().sum(axis=1) > 0
    excited = excited_cells(b, s, fired, out["population"].to_numpy() == "granule",
                            out["stimulus_spikes"].to_numpy(), factor)
    inhibited = (b > factor * s) & fired
    response = np.where(excited, "excited", np.where(inhibited, "inhibited", "unchanged"))
    out["response"] = np.where(fired, response, "silent")
    return out


def response_fractions(classified):
    """Per population: counts and fractions of excited / inhibited / silent cells.

    `classified` is a :func:`classify_cells` table. Columns: population, n_cells, n_excited,
    n_inhibited, n_unchanged, n_silent, fraction_excited, fraction_inhibited, fraction_silent
    (each over all cells of the population), and the mean rate (Hz) in each window of the
    excited and of the inhibited cells (``excited_<window>_hz``, ``inhibited_<window>_hz``;
    NaN when there are none), as SpiNNCer reports them.
    """
    rows = []
    for name, frame in classified.groupby("population", sort=False):
        n = len(frame)
        kinds = frame["response"].value_counts()
        row = {"population": name, "n_cells": n}
        for kind in ("excited", "inhibited", "unchanged", "silent"):
            row[f"n_{kind}"] = int(kinds.get(kind, 0))
        for kind in ("excited", "inhibited", "silent"):
            row[f"fraction_{kind}"] = row[f"n_{kind}"] / n if n else np.nan
        for kind in ("excited", "inhibited"):
            chosen = frame[frame["response"] == kind]
            for window in WINDOW_NAMES:
                row[f"{kind}_{window}_hz"] = chosen[window].mean() if len(chosen) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
