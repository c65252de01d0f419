"""Communication load of a run on SpiNNaker cores, computed from spikes and connectivity.

Why SpiNNaker is slow on this model: every spike becomes a multicast packet to each core that
holds one of its targets, and the receiving core processes one synaptic row per packet, one
*synaptic event* per synapse. The busiest core in the busiest timestep sets the real-time limit.

This module needs no simulator:

- cell orderings and cell -> core assignments: contiguous blocks of N cells per core in the
  scaffold order (``id_remap=None``) or after SpiNNCer's spatial grid ordering
  (``id_remap="grid"``), or the assignment sPyNNaker made (read from a mapping file written by
  :func:`spinncer.mapping.map_virtual`);
- the load per core per timestep, from any run's spikes (NEST or SpiNNaker): synaptic events
  (synapses activated) and packets (distinct (pre-synaptic spike, target core) pairs), counted
  in the timestep of the spike, when the core receives and processes it (the synaptic delay
  is applied later, inside the core's ring buffer);
- its peak and distribution per population, and the comparison of two orderings.
"""
import json
from dataclasses import dataclass, field

import numpy as np

from .atomic import atomic_path
from .errors import InputError
from .timegrid import step_index
from .params import CONNECTION_TYPES, INPUT_POPULATION
from .scaffold import Connectivity, Scaffold

#: SpiNNCer's grid for ``id_remap="grid"``: 9 columns along x, 23 rows along the horizontal
#: axis it calls "y" (our z) [SpiNNCer cerebellum.py].
GRID_COLUMNS = 9
GRID_ROWS = 23
#: Populations sorted inside a grid cell by (x, z, y) instead of (z, x, y) [SpiNNCer].
GRID_X_FIRST = ("golgi", "purkinje", "stellate", "basket")
ORDERINGS = (None, "grid")

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


def cell_order(scaffold, id_remap=None):
    """{population: new_id} for an ordering (None = scaffold order, "grid")."""
    if id_remap not in ORDERINGS:
        raise InputError("id_remap", f"one of {ORDERINGS}", repr(id_remap))
    if id_remap is None:
        return {p: np.arange(scaffold.n_cells(p), dtype=np.int64) for p in scaffold.positions}
    return {p: grid_order(scaffold, p) for p in scaffold.positions}


def permute_scaffold(scaffold, new_ids):
    """The scaffold with cells renumbered: cell `old` of population p becomes new_ids[p][old]."""
    positions = {}
    for pop, pos in scaffold.positions.items():
        out = np.empty_like(pos)
        out[new_ids[pop]] = pos
        positions[pop] = out
    connections = {}
    for name, conn in scaffold.connections.items():
        kind = CONNECTION_TYPES[name]
        connections[name] = Connectivity(new_ids[kind.pre][conn.pre],
                                         new_ids[kind.post][conn.post], conn.distance)
    return Scaffold(positions, connections, source=scaffold.source, attrs=dict(scaffold.attrs))


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
    try:
        with np.load(path, allow_pickle=False) as data:
            core_of = {k.split("/", 1)[1]: data[k] for k in data.files if k.startswith("core_of/")}
            xyp = data["core_xyp"] if "core_xyp" in data.files else None
            return CoreAssignment(core_of, data["core_population"], xyp,
                                  json.loads(str(data["meta"])))
    except (OSError, KeyError, ValueError) as err:
        raise InputError(path, "a core-assignment .npz (core_of/<pop>, core_population)",
                         f"a read error ({err})") from None


def block_assignment(scaffold, neurons_per_core=None, id_remap=None, include_input=True):
    """Contiguous blocks of N cells per core, after an optional ordering.

    This is how sPyNNaker partitions a population (equal slices of at most N atoms in index
    order); it needs no sPyNNaker. `neurons_per_core` is an int or {population: int}
    (default: :data:`REFERENCE_NEURONS_PER_CORE`). Cores are numbered population by population.
    """
    npc = _neurons_per_core(neurons_per_core, scaffold.positions)
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


def _neurons_per_core(value, populations):
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

def _distinct(keys):
    """Distinct values of an int array by an in-place sort (numpy 2's hash-based np.unique
    took 12 of 16 s on the 4.2M-synapse model)."""
    keys.sort()
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def _fan_out(conn, cells, n_pre):
    """For spikes of cells `cells`: (spike index, synapse index) of every synapse they reach."""
    by_pre = np.argsort(conn.pre, kind="stable")
    degree = np.bincount(conn.pre, minlength=n_pre)
    start = np.concatenate([[0], np.cumsum(degree)[:-1]])
    fan = degree[cells]
    total = int(fan.sum())
    spike = np.repeat(np.arange(len(cells)), fan)
    offset = np.arange(total) - np.repeat(np.cumsum(fan) - fan, fan)
    return spike, by_pre[np.repeat(start[cells], fan) + offset]


def arrival_events(conn, pre_spikes, delay, timestep):
    """(post cell, arrival timestep) of every synaptic event caused by `pre_spikes`."""
    n_pre = max(int(conn.pre.max()) + 1 if len(conn) else 0,
                int(getattr(pre_spikes, "n_cells", 0)))
    spike, syn = _fan_out(conn, np.asarray(pre_spikes.cell, np.int64), n_pre)
    steps = step_index(pre_spikes.time, timestep)[spike] + int(round(delay / timestep))
    return conn.post[syn], steps


@dataclass
class LoadProfile:
    """Load per core per timestep: ``events`` and ``packets``, each (n_cores, n_steps)."""

    events: np.ndarray
    packets: np.ndarray
    assignment: CoreAssignment
    timestep: float


def core_load(spikes, scaffold, assignment, timestep, simtime=None,
              connection_types=CONNECTION_TYPES):
    """Incoming synaptic events and packets per core per timestep.

    `spikes`: population -> object with ``cell`` and ``time`` arrays (and ``n_cells``), as in
    :class:`spinncer.results.PopulationSpikes`. Events and packets are counted in the
    timestep of the pre-synaptic spike on the core holding the post-synaptic cell; a packet is
    one (spike, target core) pair, however many synapses and projections it serves there.
    """
    if simtime is None:
        last = [np.max(s.time) for s in spikes.values() if len(s.cell)]
        simtime = (max(last) if last else 0.0) + timestep
    n_steps = int(round(simtime / timestep)) + 1
    n_cores = assignment.n_cores
    events = np.zeros(n_cores * n_steps, dtype=np.int64)
    packets = np.zeros(n_cores * n_steps, dtype=np.int64)
    by_pre = {}
    for name, conn in scaffold.connections.items():
        kind = connection_types[name]
        if len(conn) and kind.post in assignment.core_of:
            by_pre.setdefault(kind.pre, []).append((kind, conn))
    for pre, projections in by_pre.items():
        if pre not in spikes or len(spikes[pre].cell) == 0:
            continue
        cells = np.asarray(spikes[pre].cell, np.int64)
        steps = step_index(spikes[pre].time, timestep)
        if steps.min() < 0 or steps.max() >= n_steps:
            raise InputError(f"spikes of '{pre}'", f"times in [0, {simtime}] ms",
                             f"[{spikes[pre].time.min()}, {spikes[pre].time.max()}]")
        n_pre = max(int(spikes[pre].n_cells), int(cells.max()) + 1)
        pair_keys = []
        for kind, conn in projections:
            spike, syn = _fan_out(conn, cells, n_pre)
            core = assignment.core_of[kind.post][conn.post[syn]]
            events += np.bincount(core * n_steps + steps[spike], minlength=n_cores * n_steps)
            pair_keys.append(spike * n_cores + core)
        pairs = _distinct(np.concatenate(pair_keys))
        spike, core = pairs // n_cores, pairs % n_cores
        packets += np.bincount(core * n_steps + steps[spike], minlength=n_cores * n_steps)
    return LoadProfile(events.reshape(n_cores, n_steps), packets.reshape(n_cores, n_steps),
                       assignment, timestep)


def load_summary(profile, label=""):
    """Rows per population (and 'all'): peak and distribution of the per-core load.

    For each measure (events, packets): ``peak`` = max over its cores and timesteps;
    ``p50/p95/p99_core_peak`` = percentiles over cores of each core's peak;
    ``mean_per_step`` = mean over cores and timesteps.
    """
    rows = []
    populations = list(dict.fromkeys(profile.assignment.core_population.tolist()))
    for pop in populations + ["all"]:
        idx = (np.arange(profile.assignment.n_cores) if pop == "all"
               else profile.assignment.cores_of(pop))
        row = dict(ordering=label, population=pop, n_cores=len(idx))
        for measure in ("events", "packets"):
            load = getattr(profile, measure)[idx]
            core_peak = load.max(axis=1) if load.size else np.zeros(1)
            row[f"{measure}_peak"] = int(core_peak.max())
            for q in (50, 95, 99):
                row[f"{measure}_p{q}_core_peak"] = float(np.percentile(core_peak, q))
            row[f"{measure}_mean_per_step"] = float(load.mean()) if load.size else 0.0
        rows.append(row)
    return rows


def compare_orderings(spikes, scaffold, timestep, simtime=None, neurons_per_core=None,
                      assignments=None):
    """Load summaries for the default and the grid ordering, and the peak reductions.

    `assignments` ({label: CoreAssignment}) overrides the block assignments (e.g. two
    sPyNNaker mappings). Returns (rows, reduction) where ``reduction[population][measure]`` is
    ``1 - peak(grid) / peak(default)`` (the study reports 0.41 for the whole network).
    """
    if assignments is None:
        assignments = {label: block_assignment(scaffold, neurons_per_core, remap)
                       for label, remap in (("default", None), ("grid", "grid"))}
    summaries = {label: load_summary(core_load(spikes, scaffold, a, timestep, simtime), label)
                 for label, a in assignments.items()}
    rows = [row for label in summaries for row in summaries[label]]
    labels = list(summaries)
    reduction = {}
    if len(labels) == 2:
        base = {r["population"]: r for r in summaries[labels[0]]}
        other = {r["population"]: r for r in summaries[labels[1]]}
        for pop in base:
            if pop not in other:
                continue
            reduction[pop] = {
                m: (1.0 - other[pop][f"{m}_peak"] / base[pop][f"{m}_peak"]
                    if base[pop][f"{m}_peak"] else float("nan"))
                for m in ("events", "packets")}
    return rows, reduction


def write_rows_csv(rows, path):
    """Write dict rows as CSV (atomically)."""
    import pandas as pd
    with atomic_path(path) as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False)
