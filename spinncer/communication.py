"""Communication load of a run on SpiNNaker cores, computed from spikes and connectivity.

Why SpiNNaker is slow on this model: every spike becomes a multicast packet whose key names its
source slice (one core's neurons); the routers deliver it to every core that the slice's key is
routed to, whether or not that neuron has a synapse there, and the receiving core processes
one synaptic row per packet, one *synaptic event* per synapse. The busiest core in the busiest
timestep sets the real-time limit.

This module needs no simulator. Cell orderings and cell -> core assignments (contiguous
blocks of N cells per core in the scaffold or the grid order, or the assignment sPyNNaker made,
read from a mapping file) are :mod:`spinncer.partition`'s; here:

- the load per core per timestep, from any run's spikes (NEST or SpiNNaker): packets routed by
  source slice (through sPyNNaker's routing tables, :mod:`spinncer.routing`, when the mapping
  has them), the old per-neuron count as a named lower bound, and synaptic events, counted in
  the timestep of the spike, when the core receives and processes it (the synaptic delay is
  applied later, inside the core's ring buffer);
- its per-core peak summarised per population, and the reductions of ``grid`` against the
  ``file`` and ``random`` orderings.
"""
from dataclasses import dataclass

import numpy as np

from .arrays import distinct, distinct_counts, expand_ranges
from .errors import InputError
from .npz import npz_arrays
from .options import ORDERINGS
from .params import CONNECTION_TYPES
from .partition import CoreAssignment, block_assignment, id_remap_of
from .routing import ROUTE_ARRAYS, RoutingMap, packet_load
from .timegrid import step_index


@dataclass
class LoadProfile:
    """Load per core per timestep, each (n_cores, n_steps), cores as in ``assignment``.

    - ``packets``: multicast packets received, routed by *source slice* as sPyNNaker routes
      them (a spike of any neuron of a slice reaches every core its slice's key is routed to):
      the prediction of sPyNNaker's ``Max_spikes_received_in_time_step`` (see
      :mod:`spinncer.routing`); from the mapping's routing tables when it has them, else from
      slice-to-core reachability of the connectivity (what sPyNNaker routes for a
      ``FromListConnector``);
    - ``packets_lower_bound``: (spike, core) pairs where the spiking neuron itself has a
      synapse on the core: a lower bound of ``packets``, blind to the slice's shared key;
    - ``rows``: synaptic rows processed, one per (spike, core, projection) with a synapse
      there (each projection is its own synaptic matrix and population-table address): per
      timestep the prediction of ``Max_spikes_processed_in_time_step``, summed over the run
      that of ``How many spikes were processed`` (when the core keeps up);
    - ``events``: synaptic events (synapses activated; summed, ``Total_pre_synaptic_events``).
    """

    events: np.ndarray
    packets: np.ndarray
    packets_lower_bound: np.ndarray
    rows: np.ndarray
    assignment: CoreAssignment
    timestep: float
    source: str = "slice reachability"

    MEASURES = ("packets", "packets_lower_bound", "rows", "events")


def _n_steps(spikes, timestep, simtime):
    if simtime is None:
        last = [np.max(s.time) for s in spikes.values() if len(s.cell)]
        simtime = (max(last) if last else 0.0) + timestep
    return simtime, int(round(simtime / timestep)) + 1


def _cell_core(kind, conn, assignment, source_core=False):
    """``pre * n_cores + core`` per synapse of a projection, the core holding its target;
    ``pre`` the source cell, or with `source_core` the core holding it."""
    pre = assignment.core_of[kind.pre][conn.pre] if source_core else conn.pre
    post_core = assignment.core_of[kind.post][conn.post]
    return np.asarray(pre, np.int64) * assignment.n_cores + post_core


def _spike_cores(cell_core, cells, steps, n_pre, n_cores, n_steps):
    """For spikes of `cells` in `steps`: flat ``core * n_steps + step`` of every (spike, core)
    pair with a sorted table of distinct ``cell * n_cores + core`` (`cell_core`), and the table
    entry of each pair."""
    cell, core = np.divmod(cell_core, n_cores)
    degree = np.bincount(cell, minlength=n_pre)
    fan = degree[cells]
    entry = expand_ranges((np.cumsum(degree) - degree)[cells], fan)
    return core[entry] * n_steps + np.repeat(steps, fan), entry


def core_load(spikes, scaffold, assignment, timestep, simtime=None,
              connection_types=CONNECTION_TYPES, routing=None):
    """Packets, its lower bound and synaptic events per core per timestep (:class:`LoadProfile`).

    `spikes`: population -> object with ``cell`` and ``time`` arrays (and ``n_cells``), as in
    :class:`spinncer.results.PopulationSpikes`. Everything is counted in the timestep of the
    pre-synaptic spike (delay-extension re-sends, known only from routing tables, later).
    `routing`: a :class:`spinncer.routing.RoutingMap` of the same mapping as `assignment`
    (cores matched by chip and processor), else packets follow slice reachability.
    """
    from scipy import sparse
    simtime, n_steps = _n_steps(spikes, timestep, simtime)
    n_cores = assignment.n_cores
    by_pre = {}
    for name, conn in scaffold.connections.items():
        kind = connection_types[name]
        if len(conn) and kind.post in assignment.core_of:
            by_pre.setdefault(kind.pre, []).append((kind, conn))
    slice_spikes = []
    # flat (core * n_steps + step) indices, gathered and counted once per measure
    row_flat, row_events, lower_flat = [], [], []
    for pre, projections in by_pre.items():
        if pre not in spikes or len(spikes[pre].cell) == 0:
            continue
        cells = np.asarray(spikes[pre].cell, np.int64)
        steps = step_index(spikes[pre].time, timestep)
        if steps.min() < 0 or steps.max() >= n_steps:
            raise InputError(f"spikes of '{pre}'", f"times in [0, {simtime}] ms",
                             f"[{spikes[pre].time.min()}, {spikes[pre].time.max()}]")
        n_pre = max(int(spikes[pre].n_cells), int(cells.max()) + 1)
        cell_cores = []
        for kind, conn in projections:
            # (cell, core) pairs of the projection with the cell's synapses on the core: each
            # spike of the cell is one synaptic row on each of its cores, with that many events
            pairs, n_syn = distinct_counts(_cell_core(kind, conn, assignment))
            flat, entry = _spike_cores(pairs, cells, steps, n_pre, n_cores, n_steps)
            row_flat.append(flat)
            row_events.append(n_syn[entry])
            cell_cores.append(pairs)
        lower_flat.append(_spike_cores(distinct(np.concatenate(cell_cores)), cells, steps,
                                       n_pre, n_cores, n_steps)[0])
        if pre in assignment.core_of:
            slice_spikes.append((assignment.core_of[pre][cells], steps))
    size = n_cores * n_steps

    def count(flat, weights=None):
        if not flat:
            return np.zeros(size, np.int32)
        w = np.concatenate(weights) if weights else None
        return np.bincount(np.concatenate(flat), w, minlength=size).astype(np.int32)

    events, rows, lower = count(row_flat, row_events), count(row_flat), count(lower_flat)
    if routing is not None:
        packets = _on_assignment_cores(packet_load(spikes, routing, timestep, n_steps),
                                       assignment)
        source = "routing tables"
    else:
        packets = np.zeros((n_cores, n_steps), np.int32)
        if slice_spikes:
            reach = slice_reach(scaffold, assignment, connection_types)
            a = sparse.csr_matrix((np.ones(len(reach), np.int32),
                                   (reach // n_cores, reach % n_cores)), (n_cores, n_cores))
            src = np.concatenate([c for c, _ in slice_spikes])
            stp = np.concatenate([t for _, t in slice_spikes])
            c = sparse.csr_matrix((np.ones(len(src), np.int32), (src, stp)), (n_cores, n_steps))
            packets = (a.T.tocsr() @ c).toarray().astype(np.int32)
        source = "slice reachability"
    return LoadProfile(events.reshape(n_cores, n_steps), packets,
                       lower.reshape(n_cores, n_steps), rows.reshape(n_cores, n_steps),
                       assignment, timestep, source)


def slice_reach(scaffold, assignment, connection_types=CONNECTION_TYPES):
    """Distinct ``source core * n_cores + target core`` pairs: every core holding a target of
    any neuron of the source core's slice, which is where sPyNNaker routes the slice's key."""
    keys = [_cell_core(kind, conn, assignment, source_core=True)
            for kind, conn in ((connection_types[name], conn)
                               for name, conn in scaffold.connections.items())
            if len(conn) and kind.pre in assignment.core_of and kind.post in assignment.core_of]
    return distinct(np.concatenate(keys)) if keys else np.zeros(0, np.int64)


def fan_out_summary(scaffold, assignment, label="", connection_types=CONNECTION_TYPES):
    """Per source population: mean number of cores a slice's key reaches (every spike of the
    slice is one packet to each) beside the mean number of cores holding a target of one
    neuron (the per-neuron lower bound): the spike-independent cost of an ordering."""
    n_cores = assignment.n_cores
    reach = slice_reach(scaffold, assignment, connection_types)
    per_slice = np.bincount(reach // n_cores, minlength=n_cores)
    rows = []
    for pop in assignment.core_of:
        conns = [(kind, conn) for name, conn in scaffold.connections.items()
                 for kind in [connection_types[name]] if kind.pre == pop and len(conn)
                 and kind.post in assignment.core_of]
        if not conns:
            continue
        pairs = distinct(np.concatenate([_cell_core(kind, conn, assignment)
                                         for kind, conn in conns]))
        per_neuron = np.bincount(pairs // n_cores, minlength=scaffold.n_cells(pop))
        rows.append(dict(ordering=label, population=pop,
                         cores_per_slice_key=float(per_slice[assignment.cores_of(pop)].mean()),
                         cores_per_neuron=float(per_neuron.mean())))
    return rows


def _on_assignment_cores(load, assignment):
    """Rows of a routed :class:`spinncer.routing.PacketLoad` in the assignment's core order."""
    if assignment.core_xyp is None:
        raise InputError("mapping", "core_xyp (placements) beside the routing tables", "none")
    index = {tuple(v): k for k, v in enumerate(load.receivers.tolist())}
    out = np.zeros((assignment.n_cores, load.packets.shape[1]), np.int64)
    for k, xyp in enumerate(np.asarray(assignment.core_xyp).tolist()):
        row = index.get(tuple(xyp))
        if row is not None:
            out[k] = load.packets[row]
    return out


def per_core(profile):
    """{measure: (per-core peak (max over timesteps), per-core mean over timesteps)}."""
    out = {}
    for measure in profile.MEASURES:
        load = getattr(profile, measure)
        out[measure] = ((load.max(axis=1), load.mean(axis=1)) if load.size
                        else (np.zeros(load.shape[0]), np.zeros(load.shape[0])))
    return out


def load_summary(profile, label="", stats=None):
    """Rows per population (and 'all'): the per-core peak of each measure summarised over the
    population's cores, as the study's provenance analysis did.

    For each measure m of :attr:`LoadProfile.MEASURES`: ``m_peak`` = max over cores of the
    per-core peak (max over timesteps); ``m_mean_core_peak`` = mean over cores of it;
    ``m_p50/p95/p99_core_peak`` = percentiles over cores; ``m_mean_per_step`` = mean over
    cores and timesteps. `stats`: :func:`per_core` of the profile, if the caller has it.
    """
    rows = []
    populations = list(dict.fromkeys(profile.assignment.core_population.tolist()))
    stats = stats or per_core(profile)
    for pop in populations + ["all"]:
        idx = (np.arange(profile.assignment.n_cores) if pop == "all"
               else profile.assignment.cores_of(pop))
        row = dict(ordering=label, population=pop, n_cores=len(idx),
                   packets_source=profile.source)
        for measure in profile.MEASURES:
            peak, mean = stats[measure]
            core_peak = peak[idx] if len(idx) else np.zeros(1)
            row[f"{measure}_peak"] = int(core_peak.max())
            row[f"{measure}_mean_core_peak"] = float(core_peak.mean())
            for q in (50, 95, 99):
                row[f"{measure}_p{q}_core_peak"] = float(np.percentile(core_peak, q))
            row[f"{measure}_mean_per_step"] = float(mean[idx].mean()) if len(idx) else 0.0
        rows.append(row)
    return rows


def read_mappings(items):
    """Core assignments and routing maps of ``LABEL=PATH`` mapping files (``spinnaker-map``
    output), each file read once: ({label: CoreAssignment}, {label: RoutingMap} of those that
    hold routing tables; packets of the others follow slice reachability)."""
    assignments, routings = {}, {}
    for item in items:
        if "=" not in item:
            raise InputError("--mapping", "LABEL=PATH", repr(item))
        label, path = item.split("=", 1)
        arrays = npz_arrays(path, "SpiNNaker mapping")
        assignments[label] = CoreAssignment.from_arrays(arrays, path)
        if set(ROUTE_ARRAYS) <= set(arrays):
            routings[label] = RoutingMap.from_arrays(arrays, path)
    return assignments, routings


#: The ordering whose reduction the study reports, and the baselines it is compared with.
TARGET_ORDERING = "grid"


def compare_orderings(spikes, scaffold, timestep, simtime=None, neurons_per_core=None,
                      assignments=None, routings=None):
    """Load summaries per ordering and the peak reductions of ``grid`` against the others.

    Default: block assignments for every ordering of :data:`spinncer.options.ORDERINGS`.
    `assignments` ({label: CoreAssignment}) overrides them (e.g. sPyNNaker mappings) and
    `routings` ({label: RoutingMap}) routes packets through those mappings' tables. Returns
    (rows, reductions, core_peaks): ``reductions`` rows have baseline, population and for each
    measure m ``m_peak_reduction`` = 1 - peak(grid) / peak(baseline) and
    ``m_mean_core_peak_reduction`` (the study reports 0.41 network-wide, grid against its
    scaffold-file order); ``core_peaks[label]`` = (assignment, {measure: per-core peak}).
    """
    if assignments is None:
        assignments = {label: block_assignment(scaffold, neurons_per_core, id_remap_of(label))
                       for label in ORDERINGS}
    routings = routings or {}
    summaries, core_peaks = {}, {}
    for label, assignment in assignments.items():
        profile = core_load(spikes, scaffold, assignment, timestep, simtime,
                            routing=routings.get(label))
        stats = per_core(profile)
        summaries[label] = load_summary(profile, label, stats)
        core_peaks[label] = (assignment, {m: peak for m, (peak, _) in stats.items()})
        del profile
    rows = [row for label in summaries for row in summaries[label]]
    reductions = []
    if TARGET_ORDERING in summaries:
        target = {r["population"]: r for r in summaries[TARGET_ORDERING]}
        for baseline in summaries:
            if baseline == TARGET_ORDERING:
                continue
            for row in summaries[baseline]:
                other = target.get(row["population"])
                if other is None:
                    continue
                out = dict(baseline=baseline, target=TARGET_ORDERING,
                           population=row["population"])
                for m in LoadProfile.MEASURES:
                    for stat in ("peak", "mean_core_peak"):
                        base = row[f"{m}_{stat}"]
                        out[f"{m}_{stat}_reduction"] = (1.0 - other[f"{m}_{stat}"] / base
                                                        if base else None)
                reductions.append(out)
    return rows, reductions, core_peaks


def display_xyp(assignment, cores_per_chip=16):
    """Chip x, y and processor of each core: the mapping's placements, or for a block
    assignment (no placements) 16 application cores per chip on a square grid of chips, for
    display only."""
    if assignment.core_xyp is not None:
        return np.asarray(assignment.core_xyp)
    k = np.arange(assignment.n_cores)
    chip = k // cores_per_chip
    width = int(np.ceil(np.sqrt(chip.max() + 1))) if len(k) else 1
    return np.column_stack([chip % width, chip // width, k % cores_per_chip + 1])
