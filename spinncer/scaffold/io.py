"""Read and write scaffold HDF5 files.

Layouts read (detected from the datasets present):

- ``v3`` (published files, older): ``positions`` N x 5 ``[global id, type id, x, y, z]`` (the
  original SpiNNCer code names the columns x, z, y; y here is the vertical axis) and
  ``connections/<name>`` M x 3 ``[pre global id, post global id, distance µm]``.
- ``v3-cells`` (published files, newer): the same datasets under ``cells/``
  (``cells/positions``, ``cells/connections/<name>``), plus ``cells/type_maps/<pop>_map``.
- ``bsb3``: the output of BSB 3 ``compile`` (``cells/placement/<type>/...``, long connection
  names); see :mod:`spinncer.scaffold.bsb_layout`.

Global ids are made population-local by subtracting each population's smallest id. The project
writes scaffolds in the ``v3`` layout, global ids in :data:`spinncer.params.GLOBAL_ID_ORDER`, so
its files are readable by the original study's code too.
"""
from pathlib import Path

import h5py
import numpy as np

from ..atomic import atomic_path
from ..errors import InputError
from ..params import CONNECTION_TYPES, GLOBAL_ID_ORDER, IGNORED_CONNECTIONS, POPULATION_IDS, \
    POPULATION_NAMES
from .model import Connectivity, Scaffold


def read_scaffold(path):
    """Read a scaffold file in any supported layout into a validated :class:`Scaffold`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "an existing scaffold HDF5 file", "no such file")
    try:
        handle = h5py.File(path, "r")
    except Exception as err:
        raise InputError(path, "a readable HDF5 file", f"unreadable ({err})") from None
    try:
        with handle as f:
            layout = detect_layout(f, path)
            if layout == "bsb3":
                from .bsb_layout import read_bsb3
                scaffold = read_bsb3(f, path)
            else:
                prefix = "cells/" if layout == "v3-cells" else ""
                scaffold = _read_v3(f, path, prefix)
    except InputError:
        raise
    except Exception as err:  # h5py/HDF5 fail in many ways on truncated or damaged files
        raise InputError(path, "an intact HDF5 file",
                         f"a read error ({type(err).__name__}: {err})") from None
    scaffold.attrs["layout"] = layout
    return scaffold.validate()


def detect_layout(f, path):
    if "positions" in f:
        return "v3"
    if "cells" in f and "positions" in f["cells"]:
        return "v3-cells"
    if "cells" in f and "placement" in f["cells"]:
        return "bsb3"
    raise InputError(path, "dataset 'positions' (v3), 'cells/positions' (v3-cells) or group "
                     "'cells/placement' (BSB 3)", f"top-level keys {sorted(f.keys())}")


def _dataset(f, key, path, ncols):
    if key not in f or not isinstance(f[key], h5py.Dataset):
        raise InputError(path, f"dataset '{key}'", "none")
    data = f[key][()]
    if data.ndim != 2 or data.shape[1] < ncols:
        raise InputError(f"{path}: dataset '{key}'", f"shape (N, {ncols})", f"shape {data.shape}")
    return data


def _read_v3(f, path, prefix):
    table = _dataset(f, prefix + "positions", path, 5)
    gids = table[:, 0].astype(np.int64)
    types = table[:, 1].astype(np.int64)
    unknown = np.setdiff1d(np.unique(types), list(POPULATION_NAMES))
    if unknown.size:
        raise InputError(f"{path}: dataset '{prefix}positions' column 1",
                         f"cell type ids in {sorted(POPULATION_NAMES)}", f"{unknown.tolist()}")
    positions, offsets = {}, {}
    for type_id in np.unique(types):
        name = POPULATION_NAMES[int(type_id)]
        rows = np.flatnonzero(types == type_id)
        rows = rows[np.argsort(gids[rows], kind="stable")]
        first = gids[rows[0]]
        if not np.array_equal(gids[rows], np.arange(first, first + len(rows))):
            raise InputError(f"{path}: dataset '{prefix}positions'",
                             f"contiguous global ids for population '{name}'", "gaps or repeats")
        positions[name] = table[rows, 2:5].astype(np.float64)
        offsets[name] = first

    connections = {}
    group_key = prefix + "connections"
    group = f.get(group_key, {})
    for name in group:
        if name in IGNORED_CONNECTIONS:
            continue
        key = f"{group_key}/{name}"
        if name not in CONNECTION_TYPES:
            raise InputError(f"{path}: dataset '{key}'",
                             f"a connection name in {sorted(CONNECTION_TYPES) + list(IGNORED_CONNECTIONS)}",
                             f"'{name}'")
        data = _dataset(f, key, path, 2)
        kind = CONNECTION_TYPES[name]
        if len(data) == 0 and not {kind.pre, kind.post} <= set(offsets):
            continue  # no synapses of a population that has no cells in this patch
        local = []
        for col, pop in ((0, kind.pre), (1, kind.post)):
            if pop not in offsets:
                raise InputError(f"{path}: dataset '{key}'", f"cells of population '{pop}'", "none")
            ids = data[:, col].astype(np.int64) - offsets[pop]
            n = len(positions[pop])
            if ids.size and (ids.min() < 0 or ids.max() >= n):
                raise InputError(f"{path}: dataset '{key}' column {col}",
                                 f"global ids of '{pop}' in [{offsets[pop]}, {offsets[pop] + n})",
                                 f"range [{ids.min() + offsets[pop]}, {ids.max() + offsets[pop]}]")
            local.append(ids)
        distance = data[:, 2].astype(np.float64) if data.shape[1] > 2 else None
        connections[name] = Connectivity(local[0], local[1], distance)
    attrs = {key: (value.item() if hasattr(value, "item") else value)
             for key, value in f.attrs.items()}
    return Scaffold(positions, connections, source=str(path), attrs=attrs)


def write_scaffold(scaffold, path, attrs=None):
    """Write `scaffold` atomically in the ``v3`` layout (see module docstring)."""
    offsets, rows, start = {}, [], 0
    for name in GLOBAL_ID_ORDER:
        if name not in scaffold.positions:
            continue
        xyz = np.asarray(scaffold.positions[name], dtype=np.float64).reshape(-1, 3)
        n = len(xyz)
        offsets[name] = start
        block = np.empty((n, 5))
        block[:, 0] = np.arange(start, start + n)
        block[:, 1] = POPULATION_IDS[name]
        block[:, 2:] = xyz
        rows.append(block)
        start += n
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.create_dataset("positions", data=np.concatenate(rows), compression="gzip")
            group = f.create_group("connections")
            for name, conn in scaffold.connections.items():
                kind = CONNECTION_TYPES[name]
                table = np.empty((len(conn), 3))
                # an empty type may name a population without cells in this patch
                table[:, 0] = conn.pre + offsets.get(kind.pre, 0)
                table[:, 1] = conn.post + offsets.get(kind.post, 0)
                table[:, 2] = conn.distance if conn.distance is not None else np.nan
                group.create_dataset(name, data=table, compression="gzip")
            for key, value in {**scaffold.attrs, **(attrs or {})}.items():
                f.attrs[key] = value
