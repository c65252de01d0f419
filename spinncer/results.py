"""The one on-disk format of a simulation run (HDF5): a SONATA spike report plus metadata.

Layout of ``spikes.h5`` (format ``spinncer-run/2``), the spike part being the SONATA spike-report
layout [SONATA] that SONATA readers (libsonata, bmtk, NEST's SONATA tools) open by these paths::

    /spikes/<population>/node_ids    uint64  population-local cell index of each spike
    /spikes/<population>/timestamps  float64 spike time; attribute units = "ms"
    /spikes/<population>.attrs       sorting = by_id (HDF5 enum none=0, by_id=1, by_time=2, as
                                     libsonata reads it: sorted by cell, then time),
                                     n_cells (int, spinncer: the population's size)
    /signals/<population>/node_ids   int64  population-local index of each recorded cell
    /signals/<population>/v, gsyn_exc, gsyn_inh
                                     float32 (n_t, n_cells), gzip + shuffle, chunked by time
    /signals/<population>.attrs      t_start (ms), dt (ms), units (JSON: v mV, gsyn µS)
    /.attrs                          magic = 0x0A7A, version = [0, 1] (SONATA file header);
                                     format = "spinncer-run/2", backend, timestep (ms),
                                     simtime (ms), seed, metadata (JSON string: config, versions,
                                     inputs with sha256, wall-clock seconds per phase, peak RSS)

Every population of the network is present, including those that did not spike. The
``signals`` group (analog recordings of :func:`spinncer.recording.signal_sample`) is optional:
a file without it reads with empty ``RunResult.signals``. Files of the previous layout
(``spinncer-run/1``: ``/spikes/<population>/{cell,time}``) are still read.

[SONATA] Dai et al. 2020, PLoS Comput Biol 16:e1007696; spike reports: SONATA developer guide,
"Spike file"; the enum of ``sorting``: libsonata ``report_reader.cpp``.
"""
import json
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from .atomic import atomic_path
from .errors import InputError
from .params import in_pathway_order

FORMAT = "spinncer-run/2"
READABLE_FORMATS = (FORMAT, "spinncer-run/1")
SONATA_MAGIC = 0x0A7A
SONATA_VERSION = (0, 1)
SORTING = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype=np.int8)
# dataset names per format: (cell index, spike time)
_SPIKE_DATASETS = {"spinncer-run/2": ("node_ids", "timestamps"),
                   "spinncer-run/1": ("cell", "time")}
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
    (population-local index). v in mV, gsyn_exc/gsyn_inh in µS; stored as float32."""
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


def write_run(result, path):
    """Write `result` atomically to `path`."""
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
    group.attrs.update(t_start=float(sig.t_start), dt=float(sig.dt),
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


def _read_signals(f):
    """{population: Signals} of an open run file; {} without a ``signals`` group."""
    if "signals" not in f:
        return {}
    return {name: Signals(group["node_ids"][()], float(group.attrs["t_start"]),
                          float(group.attrs["dt"]),
                          *(group[key][()] for key in SIGNAL_UNITS))
            for name, group in f["signals"].items()}


def read_run(path):
    """Read a run written by :func:`write_run`."""
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
            signals = _read_signals(f)
            attrs = dict(f.attrs)
    except InputError:
        raise
    except Exception as err:  # damaged HDF5 or metadata
        raise InputError(path, "an intact spinncer run file",
                         f"a read error ({type(err).__name__}: {err})") from None
    try:
        metadata = json.loads(attrs["metadata"])
        return RunResult(in_pathway_order(spikes), str(attrs["backend"]),
                         float(attrs["timestep"]), float(attrs["simtime"]), int(attrs["seed"]),
                         metadata, in_pathway_order(signals))
    except (KeyError, ValueError, TypeError) as err:
        raise InputError(path, "run attributes backend, timestep, simtime, seed, metadata",
                         f"{type(err).__name__}: {err}") from None
