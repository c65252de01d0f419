r"""Membrane-potential (and conductance) traces of the same cells on two backends.

For each cell recorded in both runs (:attr:`spinncer.results.RunResult.signals`, the sample of
:func:`spinncer.recording.signal_sample`) and the common time span, with traces :math:`a(t)`
(reference) and :math:`b(t)`:

``rms_v_mv``
    :math:`\sqrt{\overline{(b - a)^2}}` of v (mV); likewise ``rms_gsyn_exc_us``,
    ``rms_gsyn_inh_us`` (µS).
``corr_v``
    Pearson correlation of the two v traces.
``coherence_v``
    mean magnitude-squared coherence of v over :data:`COHERENCE_BAND_HZ`
    (``scipy.signal.coherence``, Welch, Hann windows of :data:`NPERSEG_MS`, 50 % overlap).
``peak_frequency_hz``, ``phase_lag_ms``
    the frequency of largest cross-spectral magnitude :math:`|P_{ab}(f)|` in the band
    (``scipy.signal.csd``, same Welch settings), and the lag of the phase spectrum: the
    :math:`|P_{ab}|`-weighted least-squares slope through the origin of the unwrapped phase
    :math:`\varphi(f) = \arg P_{ab}(f) = -2\pi f\tau` over the band,
    :math:`\tau = -\sum_f w_f f \varphi_f / (2\pi \sum_f w_f f^2)`. scipy's
    :math:`P_{ab} = \overline{A}B`, so a positive lag means B follows A (the convention of
    :mod:`spinncer.analysis.compare`).

``t_diverge_ms``, ``rms_v_before_mv``, ``rms_gsyn_exc_before_us``, ``rms_gsyn_inh_before_us``
    the integrator floor inside the network. Two simulators of the same equations on the same
    input give the same spikes until one spike lands in another step (a cell near threshold);
    from then on the recurrent network amplifies the difference and whole-run measures say
    more about the network's sensitivity than about the integrators. ``t_diverge_ms``
    (:func:`divergence_time`) is the time of the first spike, in any population, that the other
    run does not have at the same cell and step; until then every cell received the same input
    on both backends, and the RMS differences over the samples before it (``*_before``) are
    the two integrators' difference alone (the conductances then differ only by float32
    rounding). ``n_before`` counts those samples.

A trace that is constant on either backend has no correlation or coherence: those columns are
empty and ``note`` says why (never a silent nan).
"""
import numpy as np
import pandas as pd
from scipy import signal

#: Frequency band (Hz) of the mean coherence and of the phase-lag peak.
COHERENCE_BAND_HZ = (1.0, 100.0)
#: Welch segment length, ms (about 10 Hz resolution).
NPERSEG_MS = 100.0
#: Traces compared (attribute of Signals, column suffix with unit).
TRACES = {"v": "v_mv", "gsyn_exc": "gsyn_exc_us", "gsyn_inh": "gsyn_inh_us"}
#: The same, for the samples before the first differing spike (:func:`divergence_time`).
TRACES_BEFORE = {"v": "v_before_mv", "gsyn_exc": "gsyn_exc_before_us",
                 "gsyn_inh": "gsyn_inh_before_us"}
#: Note of a cell whose trace is constant on either backend (:func:`compare_traces`), which
#: other notes may follow.
CONSTANT_NOTE = "constant trace: no correlation or coherence"


def _common(sa, sb):
    """Column indices of the cells both recorded and the common rows (same dt required)."""
    cells, ia, ib = np.intersect1d(sa.cells, sb.cells, return_indices=True)
    if not np.isclose(sa.dt, sb.dt):
        raise ValueError(f"signals sampled at {sa.dt} and {sb.dt} ms")
    offset_a = int(round((max(sa.t_start, sb.t_start) - sa.t_start) / sa.dt))
    offset_b = int(round((max(sa.t_start, sb.t_start) - sb.t_start) / sb.dt))
    n = min(sa.v.shape[0] - offset_a, sb.v.shape[0] - offset_b)
    return cells, ia, ib, slice(offset_a, offset_a + n), slice(offset_b, offset_b + n)


def divergence_time(a, b):
    """Time (ms) of the first spike of run `a` or `b` that the other run does not have at the
    same cell and timestep, over the populations of both; the end of the shorter run when
    they agree on every spike."""
    from ..timegrid import step_index
    first = min(a.simtime, b.simtime)
    dt = a.timestep
    for name in [p for p in a.spikes if p in b.spikes]:
        keys = [np.unique(step_index(s.time, dt) * (s.n_cells + 1) + s.cell)
                for s in (a.spikes[name], b.spikes[name])]
        only = np.setxor1d(*keys, assume_unique=True)
        if len(only):
            first = min(first, float(only.min() // (a.spikes[name].n_cells + 1)) * dt)
    return first


def compare_traces(a, b, fs_hz, band=COHERENCE_BAND_HZ, nperseg_ms=NPERSEG_MS):
    """Correlation, coherence and phase lag of two v traces (1-D) sampled at `fs_hz`."""
    return compare_trace_columns(a[:, None], b[:, None], fs_hz, band, nperseg_ms)[0]


def compare_trace_columns(a, b, fs_hz, band=COHERENCE_BAND_HZ, nperseg_ms=NPERSEG_MS):
    """:func:`compare_traces` of every column (cell) of two (samples x cells) arrays: one
    Welch estimate over all columns at once instead of one per cell. A list of dicts."""
    n_cells = a.shape[1]
    out = [{"corr_v": None, "coherence_v": None, "peak_frequency_hz": None,
            "phase_lag_ms": None, "note": ""} for _ in range(n_cells)]
    is_varying = (np.ptp(a, axis=0) != 0) & (np.ptp(b, axis=0) != 0)
    for k in np.flatnonzero(~is_varying).tolist():
        out[k]["note"] = CONSTANT_NOTE
    varying = np.flatnonzero(is_varying)
    if not len(varying):
        return out
    a, b = a[:, varying], b[:, varying]
    for k, column in enumerate(varying.tolist()):
        out[column]["corr_v"] = float(np.corrcoef(a[:, k], b[:, k])[0, 1])
    nperseg = min(a.shape[0], int(round(nperseg_ms * fs_hz / 1000.0)))
    f, coh = signal.coherence(a, b, fs=fs_hz, nperseg=nperseg, axis=0)
    _, pab = signal.csd(a, b, fs=fs_hz, nperseg=nperseg, axis=0)
    in_band = (f >= band[0]) & (f <= band[1])
    if not in_band.any():
        for column in varying.tolist():
            out[column]["note"] = f"trace too short for the {band[0]}-{band[1]} Hz band"
        return out
    fb, pb = f[in_band], pab[in_band]
    weight, phase = np.abs(pb), np.unwrap(np.angle(pb), axis=0)
    coherence = coh[in_band].mean(axis=0)
    peak = fb[np.argmax(weight, axis=0)]
    lag = (-np.sum(weight * fb[:, None] * phase, axis=0)
           / (2 * np.pi * np.sum(weight * fb[:, None] ** 2, axis=0)) * 1000.0)
    for k, column in enumerate(varying.tolist()):
        out[column].update(coherence_v=float(coherence[k]), peak_frequency_hz=float(peak[k]),
                           phase_lag_ms=float(lag[k]))
    return out


def compare_signals(a, b):
    """Per cell recorded in both runs `a` (reference) and `b`: the measures of the module
    docstring.

    Returns
    -------
    pandas.DataFrame
        population, cell, n_samples, rms_v_mv, rms_gsyn_exc_us, rms_gsyn_inh_us, corr_v,
        coherence_v, peak_frequency_hz, phase_lag_ms, note.
    """
    rows = []
    t_diverge = divergence_time(a, b)
    for pop in [p for p in a.signals if p in b.signals]:
        sa, sb = a.signals[pop], b.signals[pop]
        cells, ia, ib, ra, rb = _common(sa, sb)
        fs = 1000.0 / sa.dt
        traces = {key: (np.asarray(getattr(sa, key)[ra][:, ia], float),
                        np.asarray(getattr(sb, key)[rb][:, ib], float)) for key in TRACES}
        rms = {key: np.sqrt(np.mean((tb - ta) ** 2, axis=0)) for key, (ta, tb) in
               traces.items()}
        before = np.rint(sa.times[ra] / sa.dt) < np.rint(t_diverge / sa.dt)
        rms_before = {key: np.sqrt(np.mean((tb[before] - ta[before]) ** 2, axis=0))
                      for key, (ta, tb) in traces.items()} if before.any() else None
        va, vb = traces["v"]
        spectral = compare_trace_columns(va, vb, fs)
        for k, cell in enumerate(cells.tolist()):
            row = {"population": pop, "cell": cell, "n_samples": va.shape[0],
                   **{f"rms_{suffix}": float(rms[key][k]) for key, suffix in TRACES.items()},
                   "t_diverge_ms": t_diverge, "n_before": int(before.sum()),
                   **{f"rms_{suffix}": float(rms_before[key][k]) if rms_before else None
                      for key, suffix in TRACES_BEFORE.items()},
                   **spectral[k]}
            if not rms_before:
                row["note"] = "; ".join(filter(None, [
                    row["note"], "no sample before the first differing spike"]))
            rows.append(row)
    return pd.DataFrame(rows, columns=["population", "cell", "n_samples", "rms_v_mv",
                                       "rms_gsyn_exc_us", "rms_gsyn_inh_us", "t_diverge_ms",
                                       "n_before", "rms_v_before_mv",
                                       "rms_gsyn_exc_before_us", "rms_gsyn_inh_before_us",
                                       "corr_v", "coherence_v", "peak_frequency_hz",
                                       "phase_lag_ms", "note"])


def summarise_signals(cells):
    """Per population: cells compared and the median and 95th percentile of each measure
    over cells (cells without a value for a measure are left out of it)."""
    rows = []
    measures = ["rms_v_mv", "rms_gsyn_exc_us", "rms_gsyn_inh_us", "rms_v_before_mv",
                "rms_gsyn_exc_before_us", "rms_gsyn_inh_before_us", "corr_v", "coherence_v",
                "phase_lag_ms"]
    for pop, frame in cells.groupby("population", sort=False):
        row = {"population": pop, "n_cells": len(frame),
               "t_diverge_ms": frame["t_diverge_ms"].iloc[0],
               "n_before": int(frame["n_before"].iloc[0])}
        for m in measures:
            values = pd.to_numeric(frame[m], errors="coerce").dropna()
            row[f"{m}_median"] = values.median() if len(values) else None
            row[f"{m}_p95"] = values.quantile(0.95) if len(values) else None
        row["n_constant"] = int(frame["note"].str.startswith(CONSTANT_NOTE).sum())
        rows.append(row)
    return pd.DataFrame(rows)
