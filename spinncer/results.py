"""The one on-disk format of a simulation run (HDF5): a SONATA spike report plus metadata.

Layout of ``spikes.h5`` (format ``spinncer-run/3``), the spike part being the SONATA spike-report
layout [SONATA] that SONATA readers (libsonata, bmtk, NEST's SONATA tools) open by these paths::

    /spikes/<population>/node_ids    uint64  population-local cell index of each spike
    /spikes/<population>/timestamps  float64 spike time; attribute units = "ms"
    /spikes/<population>.attrs       sorting = by_id (HDF5 enum none=0, by_id=1, by_time=2, as
                                     libsonata reads it: sorted by cell, then time),
                                     n_cells (int, spinncer: the population's size)
    /signals/<population>/node_ids   int64  population-local index of each recorded cell
    /signals/<population>/v, gsyn_exc, gsyn_inh
                                     float32 (n_t, n_cells), gzip + shuffle, chunked by time
    /signals/<population>.attrs      t_start (ms, 0), dt (ms), sampling (the time base below,
                                     "step start"), units (JSON: v mV, gsyn µS)
    /.attrs                          magic = 0x0A7A, version = [0, 1] (SONATA file header);
                                     format = "spinncer-run/3", backend, timestep (ms),
                                     simtime (ms), seed, metadata (JSON string: config, versions,
                                     inputs with sha256, wall-clock seconds per phase, peak RSS)

Every population of the network is present, including those that did not spike. The
``signals`` group (analog recordings of :func:`spinncer.recording.signal_sample`) is optional:
a file without it reads with empty ``RunResult.signals``.

One time base for the signals of every backend (:data:`SAMPLING`): sample k is the cell's state
at t = k dt, before the update of step k (the step from k dt to (k + 1) dt), so t_start = 0 and
a run of simtime ms holds simtime / dt samples, the last at simtime - dt. It is sPyNNaker's
(v and gsyn recorded at the start of each timer tick, t = 0 first) and PyNN's
(``AnalogSignal`` with t_start 0 and sampling_period dt); pyNN.nest's multimeter adds a sample
at t = simtime, which :func:`on_time_base` leaves out. Two runs' signals then subtract
sample by sample in Neo (which refuses signals of different t_start).

Files of earlier layouts are still read: ``spinncer-run/2`` (same layout, each backend's own
time base: NEST t_start 0 with simtime / dt + 1 samples, Brian2 t_start = dt with simtime / dt
samples, the state after each step) are converted to the one above on read
(:func:`_signals_from_v2`); ``spinncer-run/1`` has ``/spikes/<population>/{cell,time}``.

[SONATA] Dai et al. 2020, PLoS Comput Biol 16:e1007696; spike reports: SONATA developer guide,
"Spike file"; the enum of ``sorting``: libsonata ``report_reader.cpp``.
"""
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import h5py
import numpy as np

from .atomic import atomic_path
from .errors import InputError
from .params import in_pathway_order, model_variant

FORMAT = "spinncer-run/3"
READABLE_FORMATS = (FORMAT, "spinncer-run/2", "spinncer-run/1")
SONATA_MAGIC = 0x0A7A
SONATA_VERSION = (0, 1)
SORTING = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype=np.int8)
# dataset names per format: (cell index, spike time)
_SPIKE_DATASETS = {FORMAT: ("node_ids", "timestamps"),
                   "spinncer-run/2": ("node_ids", "timestamps"),
                   "spinncer-run/1": ("cell", "time")}
#: The time base of stored signals (module docstring): sample k = state at k dt, before step k.
SAMPLING = "step start"
#: Units of the stored analog signals (PyNN's).
SIGNAL_UNITS = {"v": "mV", "gsyn_exc": "uS", "gsyn_inh": "uS"}
# Time rows per HDF5 chunk of a signal (x all recorded cells of the population): a chunk of
# 1000 steps x 64 cells is 256 kB, and reading a few cells' traces touches few chunks.
_SIGNAL_CHUNK_ROWS = 1000
_SIGNAL_CHUNK_CELLS = 64


@dataclass
class PopulationSpikes:
    cell: np.ndarray
    time: np.ndarray
    n_cells: int

    def __len__(self):
        return len(self.cell)


@dataclass
class Signals:
    """Analog recordings of a sample of one population's cells, sampled every `dt` ms from
    `t_start`: row t of each array is time ``t_start + t * dt``, column k is cell `cells[k]`
    (population-local index). v in mV, gsyn_exc/gsyn_inh in µS; stored as float32. A run's
    signals are on the time base of :data:`SAMPLING` (t_start 0, simtime / dt rows;
    :func:`on_time_base`)."""
    cells: np.ndarray
    t_start: float
    dt: float
    v: np.ndarray
    gsyn_exc: np.ndarray
    gsyn_inh: np.ndarray

    @property
    def times(self):
        return self.t_start + self.dt * np.arange(self.v.shape[0])


@dataclass
class RunResult:
    spikes: dict[str, PopulationSpikes]
    backend: str
    timestep: float
    simtime: float
    seed: int
    metadata: dict = field(default_factory=dict)
    signals: dict[str, Signals] = field(default_factory=dict)


def n_samples(simtime, dt):
    """Samples of a `simtime` ms run's signals on the time base of :data:`SAMPLING`."""
    return int(round(simtime / dt))


def on_time_base(t_start, dt, arrays, simtime):
    """{signal: (n_t, n_cells) array} sampled every `dt` ms from `t_start` ms, as a simulator
    gives them, cut to the time base of :data:`SAMPLING`: the rows of t = 0, dt, ...,
    simtime - dt (pyNN.nest's extra sample at t = simtime is left out). Raises ValueError for a
    recording that starts elsewhere than 0 or has fewer rows."""
    n = n_samples(simtime, dt)
    rows = sorted({len(a) for a in arrays.values()})
    if abs(t_start) > 1e-9 or (rows and rows[0] < n):
        raise ValueError(f"signals from t = {t_start} ms with {rows} samples: expected "
                         f"t_start 0 and at least {n} samples (simtime {simtime} / dt {dt})")
    return {key: a[:n] for key, a in arrays.items()}


def _check_time_base(name, sig, simtime):
    n = n_samples(simtime, sig.dt)
    if sig.t_start != 0.0 or sig.v.shape[0] != n:
        raise ValueError(f"signals of {name}: expected the time base '{SAMPLING}' (t_start 0 "
                         f"ms, {n} samples for {simtime} ms at dt {sig.dt} ms), found t_start "
                         f"{sig.t_start} ms, {sig.v.shape[0]} samples")


def write_run(result, path):
    """Write `result` atomically to `path`. Its signals must be on the time base of
    :data:`SAMPLING` (ValueError otherwise, before anything is written)."""
    for name, sig in result.signals.items():
        _check_time_base(name, sig, result.simtime)
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs.update(format=FORMAT, backend=result.backend, timestep=result.timestep,
                           simtime=result.simtime, seed=result.seed,
                           metadata=json.dumps(result.metadata, sort_keys=True, default=str))
            f.attrs.create("magic", SONATA_MAGIC, dtype=np.uint32)
            f.attrs.create("version", SONATA_VERSION, dtype=np.uint32)
            for name, pop in result.spikes.items():
                order = np.lexsort((pop.time, pop.cell))
                group = f.create_group(f"spikes/{name}")
                group.attrs.create("sorting", 1, dtype=SORTING)  # by_id
                group.attrs["n_cells"] = int(pop.n_cells)
                group.create_dataset("node_ids", data=np.asarray(pop.cell, np.uint64)[order],
                                     compression="gzip")
                times = group.create_dataset(
                    "timestamps", data=np.asarray(pop.time, np.float64)[order],
                    compression="gzip")
                times.attrs["units"] = "ms"
            for name, sig in result.signals.items():
                _write_signals(f.create_group(f"signals/{name}"), sig)


def _write_signals(group, sig):
    """One population's :class:`Signals`: float32 traces, gzip + shuffle, chunked in time."""
    group.attrs.update(t_start=float(sig.t_start), dt=float(sig.dt), sampling=SAMPLING,
                       units=json.dumps(SIGNAL_UNITS))
    group.create_dataset("node_ids", data=np.asarray(sig.cells, np.int64))
    for key in SIGNAL_UNITS:
        data = np.asarray(getattr(sig, key), np.float32)
        if data.ndim != 2 or data.shape[1] != len(sig.cells):
            raise ValueError(f"signal {key}: expected (n_t, {len(sig.cells)}), "
                             f"found {data.shape}")
        chunks = (max(1, min(_SIGNAL_CHUNK_ROWS, data.shape[0])),
                  max(1, min(_SIGNAL_CHUNK_CELLS, data.shape[1])))
        group.create_dataset(key, data=data, compression="gzip", shuffle=True,
                             chunks=chunks if data.size else None)


def _read_signals(f, layout, path):
    """{population: Signals} of an open run file, as stored; {} without a ``signals`` group."""
    if "signals" not in f:
        return {}
    signals = {}
    for name, group in f["signals"].items():
        sampling = group.attrs.get("sampling", None)
        if layout == FORMAT and sampling != SAMPLING:
            raise InputError(f"{path}: signals/{name}", f"attribute sampling '{SAMPLING}'",
                             repr(sampling))
        signals[name] = Signals(group["node_ids"][()], float(group.attrs["t_start"]),
                                float(group.attrs["dt"]),
                                *(group[key][()] for key in SIGNAL_UNITS))
    return signals


def _signals_from_v2(name, sig, simtime, model):
    """A ``spinncer-run/2`` population's signals on the time base of :data:`SAMPLING`.

    Those files kept each backend's own: NEST's (and sPyNNaker's) start at t = 0, NEST with a
    last sample at t = simtime, which is cut; Brian2's are the state after each step, t = dt
    to simtime: they get the state at t = 0, which Brian2 started from (v = the model's initial
    v of the population, `model` (:class:`spinncer.params.Model`), no conductance), and lose the
    sample at simtime.
    """
    n = n_samples(simtime, sig.dt)
    rows = sig.v.shape[0]
    keys = list(SIGNAL_UNITS)
    if abs(sig.t_start) < 1e-9 and rows in (n, n + 1):
        return replace(sig, t_start=0.0, **{key: getattr(sig, key)[:n] for key in keys})
    if abs(sig.t_start - sig.dt) < 1e-9 and rows == n:
        first = {"v": model.v_init(name), "gsyn_exc": 0.0, "gsyn_inh": 0.0}
        return replace(sig, t_start=0.0, **{
            key: np.vstack([np.full((1, len(sig.cells)), first[key], np.float32),
                            getattr(sig, key)[:n - 1]]) for key in keys})
    raise InputError(f"signals/{name}", f"a spinncer-run/2 recording from t = 0 with {n} or "
                     f"{n + 1} samples, or from t = dt with {n}",
                     f"t_start {sig.t_start} ms, {rows} samples")


def read_run(path, signals=True):
    """Read a run written by :func:`write_run`. ``signals=False`` leaves out the v/gsyn sample
    (``RunResult.signals`` is then empty): the spike analyses never read it, and at 400 x 400 µm
    it is 1.6 s of a run's 2.0 s read."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "an existing run file (spikes.h5)", "no such file")
    try:
        with h5py.File(path, "r") as f:
            layout = f.attrs.get("format")
            if layout not in READABLE_FORMATS:
                raise InputError(path, f"attribute format, one of {list(READABLE_FORMATS)}",
                                 repr(layout))
            cell, time = _SPIKE_DATASETS[layout]
            spikes = {name: PopulationSpikes(group[cell][()].astype(np.int64), group[time][()],
                                             int(group.attrs["n_cells"]))
                      for name, group in f["spikes"].items()}
            signals = _read_signals(f, layout, path) if signals else {}
            attrs = dict(f.attrs)
    except InputError:
        raise
    except Exception as err:  # damaged HDF5 or metadata
        raise InputError(path, "an intact spinncer run file",
                         f"a read error ({type(err).__name__}: {err})") from None
    try:
        metadata = json.loads(attrs["metadata"])
        result = RunResult(in_pathway_order(spikes), str(attrs["backend"]),
                           float(attrs["timestep"]), float(attrs["simtime"]),
                           int(attrs["seed"]), metadata, in_pathway_order(signals))
    except (KeyError, ValueError, TypeError) as err:
        raise InputError(path, "run attributes backend, timestep, simtime, seed, metadata",
                         f"{type(err).__name__}: {err}") from None
    if layout != FORMAT and signals:
        if "model_variant" not in metadata:
            raise InputError(path, "metadata model_variant (the initial v of its signals)",
                             "none")
        model = model_variant(metadata["model_variant"])
        try:
            result.signals = {name: _signals_from_v2(name, sig, result.simtime, model)
                              for name, sig in result.signals.items()}
        except InputError as err:
            raise InputError(f"{path}: {err.where}", err.expected, err.found) from None
    return result
