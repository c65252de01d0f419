"""SpiNNaker's partition vocabulary, needing no simulator: cell orderings, cell -> core
assignments and the expansion of spikes into synaptic events.

sPyNNaker partitions a population into contiguous slices of at most N atoms (neurons per
core) in PyNN index order; SpiNNCer renumbered cells first (``id_remap="grid"``) so that each
slice is spatially compact. This module states those rules once for the SpiNNaker backend
(:mod:`spinncer.backends.spinnaker`), the communication-load analysis
(:mod:`spinncer.communication`) and the fixed-point report (:mod:`spinncer.numerics`), which
all import it from below.
"""
import json
from dataclasses import dataclass, field

import numpy as np

from .arrays import expand_ranges
from .atomic import atomic_path
from .errors import InputError
from .npz import npz_arrays
from .options import DEFAULT_ORDERING, ID_REMAPS, ORDERINGS
from .params import INPUT_POPULATION
from .timegrid import step_index

#: Seed of the ``random`` ordering (a baseline with ids in no spatial order; issue 14).
RANDOM_ORDER_SEED = 1

#: SpiNNCer's grid for ``id_remap="grid"``: 9 columns along x, 23 rows along the horizontal
#: axis it calls "y" (our z) [SpiNNCer cerebellum.py].
GRID_COLUMNS = 9
GRID_ROWS = 23
#: Populations sorted inside a grid cell by (x, z, y) instead of (z, x, y) [SpiNNCer].
GRID_X_FIRST = ("golgi", "purkinje", "stellate", "basket")

#: Neurons per core of the reference run [SpiNNCer cerebellum_experiment.py]: 64 for the spike
#: sources and every cell population except purkinje, which had one cell per core.
REFERENCE_NEURONS_PER_CORE = {
    "glomerulus": 64, "granule": 64, "golgi": 64, "purkinje": 1, "basket": 64,
    "stellate": 64, "dcn": 64,
}


# ---------------------------------------------------------------- orderings

def grid_order(scaffold, population, n_columns=GRID_COLUMNS, n_rows=GRID_ROWS):
    """New index of every cell of `population` under SpiNNCer's grid ordering.

    Grid-cell boundaries span the extent of *all* cells of the scaffold (half-open bins, the
    last edge 0.01 µm past the maximum); grid cells are visited column by column (x), row by
    row (horizontal z) inside a column, and inside one grid cell the cells are sorted by
    (x, z, y) for golgi, purkinje, stellate and basket and by (z, x, y) otherwise.
    Returns ``new_id`` with ``new_id[old] = position in the new order``.
    """
    everything = np.concatenate([np.asarray(p, float).reshape(-1, 3)
                                 for p in scaffold.positions.values()])
    pos = np.asarray(scaffold.positions[population], float).reshape(-1, 3)
    if len(pos) == 0:
        return np.zeros(0, dtype=np.int64)
    x, y, z = pos[:, 0], pos[:, 1], pos[:, 2]
    col_edges = np.linspace(everything[:, 0].min(), everything[:, 0].max() + 0.01, n_columns + 1)
    row_edges = np.linspace(everything[:, 2].min(), everything[:, 2].max() + 0.01, n_rows + 1)
    col = np.clip(np.searchsorted(col_edges, x, side="right") - 1, 0, n_columns - 1)
    row = np.clip(np.searchsorted(row_edges, z, side="right") - 1, 0, n_rows - 1)
    inner = (y, z, x) if population in GRID_X_FIRST else (y, x, z)  # lexsort: last key first
    order = np.lexsort((np.arange(len(pos)),) + inner + (row, col))
    new_id = np.empty(len(pos), dtype=np.int64)
    new_id[order] = np.arange(len(pos))
    return new_id


def check_id_remap(id_remap):
    """`id_remap` if it is one of :data:`ID_REMAPS`, else InputError."""
    if id_remap not in ID_REMAPS:
        raise InputError("id_remap", f"one of {ID_REMAPS}", repr(id_remap))
    return id_remap


def id_remap_of(ordering):
    """The ``id_remap`` of a workflow ordering name (:data:`spinncer.options.ORDERINGS`)."""
    if ordering not in ORDERINGS:
        raise InputError("ordering", f"one of {ORDERINGS}", repr(ordering))
    return None if ordering == DEFAULT_ORDERING else ordering


def random_order(n_cells, population, seed=RANDOM_ORDER_SEED):
    """A seeded random permutation ``new_id`` of `n_cells` cells of `population` (one stream
    per population, so adding a population changes no other's order)."""
    key = int.from_bytes(population.encode(), "little") % (2 ** 32)
    return np.random.default_rng([int(seed), key]).permutation(n_cells).astype(np.int64)


def cell_order(scaffold, id_remap=None, seed=RANDOM_ORDER_SEED):
    """{population: new_id} for an ordering (None = scaffold file order, "random", "grid")."""
    if check_id_remap(id_remap) is None:
        return {p: np.arange(scaffold.n_cells(p), dtype=np.int64) for p in scaffold.positions}
    if id_remap == "random":
        return {p: random_order(scaffold.n_cells(p), p, seed) for p in scaffold.positions}
    return {p: grid_order(scaffold, p) for p in scaffold.positions}


# ---------------------------------------------------------------- core assignment

@dataclass
class CoreAssignment:
    """Which core holds each cell.

    ``core_of[pop][cell]`` is a global core index (0 .. n_cores-1) for every cell in scaffold
    order. ``core_population[k]`` names the population core k serves. ``core_xyp`` (n_cores x 3,
    chip x, chip y, processor) is known only for a sPyNNaker mapping, else None.
    """

    core_of: dict
    core_population: np.ndarray
    core_xyp: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    @property
    def n_cores(self):
        return len(self.core_population)

    def cores_of(self, population):
        return np.flatnonzero(self.core_population == population)

    @classmethod
    def from_arrays(cls, arrays, where="core assignment"):
        """Build from the arrays of an ``.npz`` written by :meth:`save` (layout:
        :func:`load_assignment`)."""
        expected = "a core-assignment .npz (core_of/<pop>, core_population, meta)"
        missing = [k for k in ("core_population", "meta") if k not in arrays]
        if missing:
            raise InputError(where, expected, f"no {', '.join(missing)}")
        try:
            meta = json.loads(str(arrays["meta"]))
        except ValueError as err:
            raise InputError(where, expected, f"unreadable meta ({err})") from None
        core_of = {k.split("/", 1)[1]: arrays[k] for k in arrays if k.startswith("core_of/")}
        return cls(core_of, arrays["core_population"], arrays.get("core_xyp"), meta)

    def save(self, path, extra=None):
        """Write to an ``.npz`` (see :func:`load_assignment` for the layout)."""
        arrays = {f"core_of/{p}": np.asarray(c, np.int64) for p, c in self.core_of.items()}
        arrays["core_population"] = np.asarray(self.core_population, dtype=str)
        if self.core_xyp is not None:
            arrays["core_xyp"] = np.asarray(self.core_xyp, np.int64)
        for key, value in (extra or {}).items():
            arrays[key] = np.asarray(value)
        arrays["meta"] = np.asarray(json.dumps(self.meta, sort_keys=True, default=str))
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **arrays)


def load_assignment(path):
    """Read a :class:`CoreAssignment` from an ``.npz`` written by :meth:`CoreAssignment.save`.

    Layout: ``core_of/<population>`` int64 core index per cell (scaffold order);
    ``core_population`` str per core; optional ``core_xyp`` int64 (n_cores, 3); ``meta`` JSON;
    a sPyNNaker mapping adds the arrays described in ``spinncer.mapping.MAPPING_LAYOUT``.
    """
    return CoreAssignment.from_arrays(npz_arrays(path, "core assignment"), path)


def block_assignment(scaffold, neurons_per_core=None, id_remap=None, include_input=True):
    """Contiguous blocks of N cells per core, after an optional ordering.

    This is how sPyNNaker partitions a population (equal slices of at most N atoms in index
    order); it needs no sPyNNaker. `neurons_per_core` is an int or {population: int}
    (default: :data:`REFERENCE_NEURONS_PER_CORE`). Cores are numbered population by population.
    """
    npc = neurons_per_core_of(neurons_per_core, scaffold.positions)
    order = cell_order(scaffold, id_remap)
    core_of, core_population, first = {}, [], 0
    for pop in scaffold.positions:
        if pop == INPUT_POPULATION and not include_input:
            continue
        n = scaffold.n_cells(pop)
        n_cores = -(-n // npc[pop])
        core_of[pop] = first + order[pop] // npc[pop]
        core_population += [pop] * n_cores
        first += n_cores
    return CoreAssignment(core_of, np.asarray(core_population, dtype=str), None,
                          {"source": "blocks", "id_remap": id_remap, "neurons_per_core": npc})


def neurons_per_core_of(value, populations):
    """{population: neurons per core} for `populations` from an int, a {population: int} map
    (populations it leaves out keep :data:`REFERENCE_NEURONS_PER_CORE`) or None (the reference).
    """
    if value is None:
        value = REFERENCE_NEURONS_PER_CORE
    if isinstance(value, (int, np.integer)):
        value = {p: int(value) for p in populations}
    out = {}
    for pop in populations:
        n = value.get(pop, REFERENCE_NEURONS_PER_CORE.get(pop))
        if n is None or int(n) < 1:
            raise InputError(f"neurons_per_core.{pop}", "an integer >= 1", n)
        out[pop] = int(n)
    return out


# ---------------------------------------------------------------- events

def fan_out(conn, cells, n_pre):
    """For spikes of cells `cells`: (spike index, synapse index) of every synapse they reach."""
    by_pre = np.argsort(conn.pre, kind="stable")
    degree = np.bincount(conn.pre, minlength=n_pre)
    start = np.concatenate([[0], np.cumsum(degree)[:-1]])
    fan = degree[cells]
    return np.repeat(np.arange(len(cells)), fan), by_pre[expand_ranges(start[cells], fan)]


def arrival_events(conn, pre_spikes, delay, timestep):
    """(post cell, arrival timestep) of every synaptic event caused by `pre_spikes`."""
    n_pre = max(int(conn.pre.max()) + 1 if len(conn) else 0,
                int(getattr(pre_spikes, "n_cells", 0)))
    spike, syn = fan_out(conn, np.asarray(pre_spikes.cell, np.int64), n_pre)
    steps = step_index(pre_spikes.time, timestep)[spike] + int(round(delay / timestep))
    return conn.post[syn], steps
