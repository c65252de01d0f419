"""Communication load of a run on SpiNNaker cores, computed from spikes and connectivity.

Why SpiNNaker is slow on this model: every spike becomes a multicast packet to each core that
holds one of its targets, and the receiving core processes one synaptic row per packet, one
*synaptic event* per synapse. The busiest core in the busiest timestep sets the real-time limit.

This module needs no simulator. Cell orderings and cell -> core assignments (contiguous
blocks of N cells per core in the scaffold or the grid order, or the assignment sPyNNaker made,
read from a mapping file) are :mod:`spinncer.partition`'s; here:

- the load per core per timestep, from any run's spikes (NEST or SpiNNaker): synaptic events
  (synapses activated) and packets (distinct (pre-synaptic spike, target core) pairs), counted
  in the timestep of the spike, when the core receives and processes it (the synaptic delay
  is applied later, inside the core's ring buffer);
- its peak and distribution per population, and the comparison of two orderings.
"""
from dataclasses import dataclass

import numpy as np

from .atomic import atomic_path
from .errors import InputError
from .params import CONNECTION_TYPES
from .partition import CoreAssignment, block_assignment, fan_out
from .timegrid import step_index


def _distinct(keys):
    """Distinct values of an int array by an in-place sort (numpy 2's hash-based np.unique
    took 12 of 16 s on the 4.2M-synapse model)."""
    keys.sort()
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


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
            spike, syn = fan_out(conn, cells, n_pre)
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
