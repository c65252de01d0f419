r"""Spike-timing statistics of one run: worst-case activity, PSTH, ISI variability.

Provides
--------
:func:`step_index`          timestep index of spike times (the binning every function here uses)
:func:`worst_case_activity` peak spikes per timestep per population and when it happens
:func:`psth`                peri-stimulus time histogram per population, chosen bin
:func:`isi_cv`              ISI coefficient of variation (CV) and CV2 of every cell
:func:`population_isi_cv`   CV / CV2 summarised per population

Times are in ms, rates in Hz. Inputs are :class:`spinncer.results.RunResult` objects; outputs
are pandas DataFrames ready to be written as CSV. No function loops over spikes in Python.

Sources
-------
- [Bogdan2021] Bogdan et al. (2021) Front. Cell. Neurosci. 15:622870: worst-case spikes per
  timestep as the communication load SpiNNaker must carry.
- [Holt1996] Holt GR, Softky WR, Koch C, Douglas RJ (1996) J. Neurophysiol. 75(5):1806-1814 (CV2).
- Elephant ``elephant.statistics.cv`` (= ``scipy.stats.variation``, ddof 0) and ``cv2``, which
  :func:`isi_cv` reproduces per cell without a loop over cells (tested against both).
"""
import numpy as np
import pandas as pd

from ..errors import InputError
from ..timegrid import GRID_TOLERANCE, step_index  # step_index re-exported: the binning

# Spike times closer than this fraction of a timestep below a grid point are counted in that
# grid point's step: times written as k * dt in floating point (0.7 / 0.1 = 6.999...) must not
# fall into step k - 1.
def worst_case_activity(run):
    r"""Peak number of spikes emitted in one timestep by each population.

    For population :math:`p` with spike counts per timestep
    :math:`c_k = |\{\text{spikes with } \lfloor t/\Delta t \rfloor = k\}|`:

    .. math::

        c^{\max} = \max_k c_k, \qquad k^{\ast} = \min \arg\max_k c_k, \qquad
        \bar c = \frac{1}{K} \sum_{k=0}^{K-1} c_k, \quad K = \lceil T / \Delta t \rceil

    Returns
    -------
    pandas.DataFrame
        One row per population: population, n_cells, n_spikes, peak_spikes_per_step
        (:math:`c^{\max}`), peak_step (:math:`k^\ast`, first one on ties; -1 without spikes),
        peak_time_ms (:math:`k^\ast \Delta t`), peak_fraction_of_cells (:math:`c^{\max}/N`),
        mean_spikes_per_step (:math:`\bar c`), timestep_ms.
    """
    n_steps = int(np.ceil(run.simtime / run.timestep - GRID_TOLERANCE))
    rows = []
    for name, pop in run.spikes.items():
        steps = step_index(pop.time, run.timestep)
        per_step = np.bincount(steps, minlength=n_steps) if len(steps) else np.zeros(n_steps, int)
        peak_step = int(np.argmax(per_step)) if len(steps) else -1
        peak = int(per_step[peak_step]) if len(steps) else 0
        rows.append({
            "population": name, "n_cells": pop.n_cells, "n_spikes": len(pop),
            "peak_spikes_per_step": peak, "peak_step": peak_step,
            "peak_time_ms": peak_step * run.timestep if peak_step >= 0 else np.nan,
            "peak_fraction_of_cells": peak / pop.n_cells if pop.n_cells else np.nan,
            "mean_spikes_per_step": len(pop) / n_steps if n_steps else np.nan,
            "timestep_ms": run.timestep,
        })
    return pd.DataFrame(rows)


def psth(run, bin_ms, t_start=0.0, t_stop=None):
    r"""Peri-stimulus time histogram of every population, in spikes and in Hz per cell.

    Bins are :math:`[t_0 + j w, t_0 + (j+1) w)` for :math:`j = 0 .. J-1`, the last one cut at
    `t_stop`; a spike is in bin :math:`j` when its timestep index falls in it. For bin width
    :math:`w_j` (ms), :math:`N` cells and :math:`c_j` spikes:

    .. math::

        \nu_j = \frac{c_j}{N \, w_j / 1000} \quad \text{(Hz per cell)}

    Parameters
    ----------
    run : RunResult
    bin_ms : float
        Bin width, ms. Bin edges are rounded to the timestep grid (use a multiple of the
        timestep for equal bins).
    t_start, t_stop : float, optional
        Span (ms). Default: the whole run, 0 to ``run.simtime``.

    Returns
    -------
    pandas.DataFrame
        Long table: population, bin_start_ms, bin_stop_ms, spikes, rate_hz.
    """
    t_stop = run.simtime if t_stop is None else float(t_stop)
    if not bin_ms > 0:
        raise InputError("bin_ms", "a positive PSTH bin width in ms", bin_ms)
    if not t_stop > t_start:
        raise InputError("t_stop", f"a time after t_start = {t_start} ms", t_stop)
    # Edges on the timestep grid, so that every timestep (and its spikes) is in one bin.
    grid = np.unique(np.rint(np.append(np.arange(t_start, t_stop, bin_ms), t_stop)
                             / run.timestep).astype(np.int64))
    edges = grid * run.timestep
    width_s = np.diff(edges) / 1000.0
    frames = []
    for name, pop in run.spikes.items():
        spikes = np.histogram(step_index(pop.time, run.timestep), bins=grid - 0.5)[0]
        frames.append(pd.DataFrame({
            "population": name, "bin_start_ms": edges[:-1], "bin_stop_ms": edges[1:],
            "spikes": spikes,
            "rate_hz": spikes / (pop.n_cells * width_s) if pop.n_cells else np.nan}))
    return pd.concat(frames, ignore_index=True)


def _sorted_spikes(pop, window):
    cell, time = np.asarray(pop.cell, np.int64), np.asarray(pop.time, float)
    if window is not None:
        inside = (time >= window[0]) & (time < window[1])
        cell, time = cell[inside], time[inside]
    order = np.lexsort((time, cell))
    return cell[order], time[order]


def isi_cv(run, window=None, min_isis=2):
    r"""Inter-spike-interval variability of every cell: CV and CV2.

    For the :math:`m` ISIs :math:`I_1 .. I_m` (ms) of a cell (spikes sorted in time, within
    `window` if given):

    .. math::

        \mathrm{CV} = \frac{\sqrt{\frac{1}{m}\sum_k (I_k - \bar I)^2}}{\bar I}, \qquad
        \mathrm{CV2} = \frac{1}{m-1} \sum_{k=1}^{m-1} \frac{2\,|I_{k+1} - I_k|}{I_{k+1} + I_k}

    CV uses the population standard deviation (ddof 0), as ``elephant.statistics.cv`` /
    ``scipy.stats.variation``; CV2 is [Holt1996] as ``elephant.statistics.cv2``. CV is NaN with
    fewer than `min_isis` ISIs (one ISI always gives 0, which says nothing); CV2 is NaN with
    fewer than 2.

    Parameters
    ----------
    run : RunResult
    window : (float, float), optional
        Only spikes with start <= t < stop (ms). Default: all spikes.
    min_isis : int, optional
        Fewest ISIs for a defined CV. Default: 2.

    Returns
    -------
    pandas.DataFrame
        One row per cell: population, cell, n_spikes, n_isi, mean_isi_ms, cv, cv2.
    """
    frames = []
    for name, pop in run.spikes.items():
        n = pop.n_cells
        cell, time = _sorted_spikes(pop, window)
        same = cell[1:] == cell[:-1]
        isi, isi_cell = np.diff(time)[same], cell[1:][same]
        n_isi = np.bincount(isi_cell, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.bincount(isi_cell, weights=isi, minlength=n) / n_isi
            dev2 = (isi - mean[isi_cell]) ** 2
            std = np.sqrt(np.bincount(isi_cell, weights=dev2, minlength=n) / n_isi)
            cv = np.where(n_isi >= max(min_isis, 1), std / mean, np.nan)
            pair = isi_cell[1:] == isi_cell[:-1]
            term = 2 * np.abs(isi[1:] - isi[:-1]) / (isi[1:] + isi[:-1])
            n_pair = np.bincount(isi_cell[1:][pair], minlength=n)
            cv2 = np.bincount(isi_cell[1:][pair], weights=term[pair], minlength=n) / n_pair
        frames.append(pd.DataFrame({
            "population": name, "cell": np.arange(n),
            "n_spikes": np.bincount(cell, minlength=n), "n_isi": n_isi,
            "mean_isi_ms": mean, "cv": cv, "cv2": np.where(n_pair >= 1, cv2, np.nan)}))
    return pd.concat(frames, ignore_index=True)


def population_isi_cv(cells):
    r"""Per population: mean, s.d. and median of the cells' CV and mean CV2, over defined cells.

    .. math::

        \overline{\mathrm{CV}} = \frac{1}{|D|}\sum_{i \in D} \mathrm{CV}_i,
        \quad D = \{i : \mathrm{CV}_i \text{ defined}\}

    `cells` is an :func:`isi_cv` table. Columns: population, n_cells, n_cells_with_cv, mean_cv,
    std_cv, median_cv, n_cells_with_cv2, mean_cv2.
    """
    grouped = cells.groupby("population", sort=False)
    out = pd.DataFrame({
        "n_cells": grouped.size(),
        "n_cells_with_cv": grouped["cv"].count(),
        "mean_cv": grouped["cv"].mean(),
        "std_cv": grouped["cv"].std(ddof=0),
        "median_cv": grouped["cv"].median(),
        "n_cells_with_cv2": grouped["cv2"].count(),
        "mean_cv2": grouped["cv2"].mean(),
    })
    return out.reset_index()
