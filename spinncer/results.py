"""The one on-disk format of a simulation run (HDF5).

Layout of ``spikes.h5``::

    /spikes/<population>/cell   int64  population-local cell index of each spike
    /spikes/<population>/time   float64 spike time, ms (sorted by cell, then time)
    /spikes/<population>.attrs  n_cells (int)
    /signals/<population>/node_ids  int64 population-local index of each recorded cell
    /signals/<population>/v, gsyn_exc, gsyn_inh
                                float32 (n_t, n_cells), gzip + shuffle, chunked by time
    /signals/<population>.attrs t_start (ms), dt (ms), units (JSON: v mV, gsyn µS)
    /.attrs                     format = "spinncer-run/1", backend, timestep (ms), simtime (ms),
                                seed, metadata (JSON string: config, versions, inputs with
                                sha256, wall-clock seconds per phase, peak RSS)

Every population of the network is present, including those that did not spike. The
``signals`` group (analog recordings of :func:`spinncer.recording.signal_sample`) is optional:
a file without it reads with empty ``RunResult.signals``.
"""
import json
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from .atomic import atomic_path
from .errors import InputError
from .params import in_pathway_order

FORMAT = "spinncer-run/1"
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
            for name, pop in result.spikes.items():
                order = np.lexsort((pop.time, pop.cell))
                group = f.create_group(f"spikes/{name}")
                group.attrs["n_cells"] = int(pop.n_cells)
                group.create_dataset("cell", data=np.asarray(pop.cell, np.int64)[order],
                                     compression="gzip")
                group.create_dataset("time", data=np.asarray(pop.time, np.float64)[order],
                                     compression="gzip")
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
            if f.attrs.get("format") != FORMAT:
                raise InputError(path, f"attribute format = '{FORMAT}'",
                                 repr(f.attrs.get("format")))
            spikes = {name: PopulationSpikes(group["cell"][()], group["time"][()],
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
