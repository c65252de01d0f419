"""Multicast packets per SpiNNaker core per timestep, routed as sPyNNaker 7.4.1 routes them.

Input: a run's spikes and a mapping file holding sPyNNaker's placements, keys and uncompressed
routing tables (``results/<scaffold>/mapping/<ordering>.npz``, arrays in
``/work/helpers/MAPPING_CONTRACT.md`` plus ``source_n_colour_bits`` and ``pynn_index/<pop>``).
No simulator is needed. What sPyNNaker 7.4.1 does, and where (installed sources):

- **Keys.** A neuron or spike-source core sends neuron ``j`` of its slice (``j`` = PyNN index -
  ``lo_atom``) at tick ``t`` with key ``base + (j << c) + (t & (2**c - 1))``, ``c`` the
  vertex's colour bits (default 4, spynnaker.cfg ``[Simulation] n_colour_bits``)
  [``pacman.utilities.utility_calls.get_keys(base, slice, n_colour_bits)`` as called by
  ``PopulationMachineNeurons._write_neuron_core_parameters``; ``SpikeSourceArrayMachineVertex``
  adds ``tick & colour_mask``]. Every spike of every neuron is sent, whether or not that neuron
  has a synapse on a given target core: the route is chosen by key, per source slice.
- **Which delays a core serves itself.** ``PopulationVertex.max_delay_steps_incoming`` =
  ``min(2**ceil(log2(max incoming delay ticks)), 2**(14 - atom bits - synapse-type bits))``
  (``MAX_RING_BUFFER_BITS`` = 14); synapses with delay <= that many ticks live on the post core
  (``synapse_io``: ``connections["delay"] <= max_delay``); longer ones go through a delay
  extension, stage ``floor((delay - 1) / max_delay)`` [``DelaySupportAdder._check_delay_values``:
  ``n_stages = ceil(max needed / max supported) - 1``, ``delay_per_stage`` = max supported].
  With 64 neurons per core, 0.1 ms and this model's 5 ms maximum, min(64, 128) = 64 >= 50
  ticks: the study's configuration has no delay extension; 256 neurons per core would.
- **Delay re-sends.** A delay-extension core for a slice of ``n`` atoms re-sends every spike it
  received from that slice at every stage ``d = 0 .. S-1``, at tick ``t + (d + 1) * L``, with
  key ``base + ((d * n + j) << c) + colour`` [``delay_extension.c`` ``background_callback``;
  ``DelayExtensionMachineVertex.get_n_keys_for_partition`` = n keys * stages * colours; 7.4.1
  writes no per-stage neuron mask, so every stage is sent].
- **Routing.** A packet with key ``k`` is delivered to processor ``p`` of chip ``(x, y)`` when
  that chip's (uncompressed) table has an entry with ``k & mask == key`` and bit ``p`` set
  (``route_processors``); keys of different partitions never overlap, so a matching entry lies
  on the packet's path.
- **The counter.** ``Max_spikes_received_in_time_step`` [``spike_processing_fast.c``:
  ``multicast_packet_received_callback`` increments ``packets_this_time_step`` for every
  multicast packet, ``store_data`` keeps the maximum over ticks] = max over ticks of the packets
  a core received, matched by its population table or not. In 7.4.1 only synapse cores of a
  split population (``n_synapse_cores >= 1``) write it; combined cores write no per-tick peak.

A spike emitted in tick ``t`` is counted as received in tick ``t`` (delay re-sends in
``t + (d + 1) L``): on hardware it arrives in the same tick or, if late in the tick, the next.
"""
from dataclasses import dataclass, field

import numpy as np

from .arrays import distinct, expand_ranges
from .errors import InputError
from .npz import npz_arrays
from .timegrid import step_index

#: Default colour bits of a sPyNNaker 7.4.1 vertex [spynnaker.cfg ``[Simulation] n_colour_bits``].
DEFAULT_COLOUR_BITS = 4
#: Arrays a mapping must hold to route packets (MAPPING_CONTRACT.md).
SOURCE_ARRAYS = ("source_xyp", "source_kind", "source_population", "source_lo_atom",
                 "source_hi_atom", "source_key", "source_mask", "source_delay_stages",
                 "source_delay_per_stage")
ROUTE_ARRAYS = ("route_xy", "route_key", "route_mask", "route_processors")
_MASK32 = 0xFFFFFFFF


@dataclass
class RoutingMap:
    """Sources of packets, routing-table entries and the placements that name receivers.

    ``receiver_labels`` maps (x, y, p) to (population, role) for every placed core known to the
    mapping (population cores, synapse-only cores, delay extensions).
    """

    source_xyp: np.ndarray
    source_kind: np.ndarray
    source_population: np.ndarray
    source_lo: np.ndarray
    source_hi: np.ndarray
    source_key: np.ndarray
    source_colour_bits: np.ndarray
    source_stages: np.ndarray
    source_per_stage: np.ndarray
    route_xy: np.ndarray
    route_key: np.ndarray
    route_mask: np.ndarray
    route_processors: np.ndarray
    receiver_labels: dict = field(default_factory=dict)
    pynn_index: dict = field(default_factory=dict)
    core_of: dict = field(default_factory=dict)
    core_xyp: np.ndarray | None = None

    @classmethod
    def from_arrays(cls, arrays, where="mapping"):
        """Build from a dict of contract arrays (as in a mapping ``.npz``)."""
        missing = [k for k in SOURCE_ARRAYS + ROUTE_ARRAYS if k not in arrays]
        if missing:
            raise InputError(where, "a mapping with sPyNNaker's keys and routing tables "
                             "(source_* and route_* arrays; re-run the mapping step)",
                             f"missing {', '.join(missing)}")
        n_src = len(arrays["source_key"])
        colour = np.asarray(arrays.get("source_n_colour_bits", arrays.get("source_colour_bits",
                                       np.full(n_src, DEFAULT_COLOUR_BITS))), np.int64)
        labels = {}
        for xyp_key, pop_key, role in (("core_xyp", "core_population", None),
                                       ("synapse_core_xyp", "synapse_core_population",
                                        "synapses")):
            if xyp_key in arrays and pop_key in arrays:
                roles = (arrays["core_role"] if role is None and "core_role" in arrays
                         else [role or "neurons"] * len(arrays[pop_key]))
                for xyp, pop, r in zip(np.asarray(arrays[xyp_key]).reshape(-1, 3),
                                       arrays[pop_key], roles):
                    labels[tuple(int(v) for v in xyp)] = (str(pop), str(r))
        for xyp, kind, pop in zip(np.asarray(arrays["source_xyp"]).reshape(-1, 3),
                                  arrays["source_kind"], arrays["source_population"]):
            labels.setdefault(tuple(int(v) for v in xyp), (str(pop), str(kind)))
        pynn = {k.split("/", 1)[1]: np.asarray(arrays[k], np.int64)
                for k in arrays if k.startswith("pynn_index/")}
        core_of = {k.split("/", 1)[1]: np.asarray(arrays[k], np.int64)
                   for k in arrays if k.startswith("core_of/")}
        return cls(
            np.asarray(arrays["source_xyp"], np.int64).reshape(-1, 3),
            np.asarray(arrays["source_kind"]).astype(str),
            np.asarray(arrays["source_population"]).astype(str),
            np.asarray(arrays["source_lo_atom"], np.int64),
            np.asarray(arrays["source_hi_atom"], np.int64),
            np.asarray(arrays["source_key"], np.int64) & _MASK32, colour,
            np.asarray(arrays["source_delay_stages"], np.int64),
            np.asarray(arrays["source_delay_per_stage"], np.int64),
            np.asarray(arrays["route_xy"], np.int64).reshape(-1, 2),
            np.asarray(arrays["route_key"], np.int64) & _MASK32,
            np.asarray(arrays["route_mask"], np.int64) & _MASK32,
            np.asarray(arrays["route_processors"], np.int64) & _MASK32,
            labels, pynn, core_of,
            np.asarray(arrays["core_xyp"], np.int64).reshape(-1, 3)
            if "core_xyp" in arrays else None)


def load_routing(path):
    """Read a :class:`RoutingMap` from a mapping ``.npz``; InputError if it cannot route."""
    return RoutingMap.from_arrays(npz_arrays(path, "SpiNNaker mapping"), where=path)


# ---------------------------------------------------------------- fan-out

@dataclass
class FanOut:
    """Receivers of every sendable key ("atom": one neuron of a source, one stage for a delay).

    ``atom_start[s]`` first atom of source row s (atoms ``d * n + j`` of a delay row);
    ``indptr``/``receiver`` CSR of receiver indices per atom; ``receivers`` (n, 3) chip x, y and
    processor of each receiver.
    """

    atom_start: np.ndarray
    indptr: np.ndarray
    receiver: np.ndarray
    receivers: np.ndarray

    @property
    def n_atoms(self):
        return len(self.indptr) - 1


def _atom_keys(rmap):
    n = rmap.source_hi - rmap.source_lo + 1
    stages = np.where(rmap.source_kind == "delay", np.maximum(rmap.source_stages, 1), 1)
    per_row = n * stages
    start = np.concatenate([[0], np.cumsum(per_row)])
    row = np.repeat(np.arange(len(n)), per_row)
    local = np.arange(start[-1]) - start[row]  # d * n + j
    keys = rmap.source_key[row] + (local << rmap.source_colour_bits[row])
    return start, keys & _MASK32


def fan_out(rmap):
    """Which cores receive each key (vectorised prefix-mask matching, exact for any mask)."""
    atom_start, keys = _atom_keys(rmap)
    # entries that deliver to processors: (entry, processor) pairs -> receiver ids
    bits = (rmap.route_processors[:, None] >> np.arange(32)) & 1
    entry_of, proc = np.nonzero(bits)
    xyp = np.column_stack([rmap.route_xy[entry_of], proc])
    receivers, rec_of_pair = np.unique(xyp, axis=0, return_inverse=True)
    rec_of_pair = rec_of_pair.reshape(-1)
    # keys matching each delivering entry
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    inv = (~rmap.route_mask) & _MASK32
    prefix = (inv & (inv + 1)) == 0
    entries = np.unique(entry_of)
    atom_parts, entry_parts = [], []
    pre = entries[prefix[entries]]
    lo = np.searchsorted(sorted_keys, rmap.route_key[pre], side="left")
    hi = np.searchsorted(sorted_keys, rmap.route_key[pre] | inv[pre], side="right")
    count = np.maximum(hi - lo, 0)
    atom_parts.append(order[expand_ranges(lo, count)])
    entry_parts.append(np.repeat(pre, count))
    for e in entries[~prefix[entries]]:  # rare: any other mask, tested key by key
        hit = np.flatnonzero((keys & rmap.route_mask[e]) == rmap.route_key[e])
        atom_parts.append(hit)
        entry_parts.append(np.full(len(hit), e))
    atom = np.concatenate(atom_parts)
    entry = np.concatenate(entry_parts)
    # expand (atom, entry) by the entry's receivers
    by_entry = np.argsort(entry_of, kind="stable")
    e_deg = np.bincount(entry_of, minlength=len(rmap.route_key))
    e_start = np.concatenate([[0], np.cumsum(e_deg)])
    deg = e_deg[entry]
    a = np.repeat(atom, deg)
    rec = rec_of_pair[by_entry[expand_ranges(e_start[entry], deg)]]
    pair = distinct(a * len(receivers) + rec)  # one packet per (key, core)
    a, rec = pair // max(len(receivers), 1), pair % max(len(receivers), 1)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(a, minlength=len(keys)))])
    return FanOut(atom_start, indptr, rec.astype(np.int64), receivers)


# ---------------------------------------------------------------- spikes -> atoms

def _source_of_cells(rmap, population, cells):
    """(neuron source row, slice-local j) of scaffold cells `cells` of `population`."""
    rows = np.flatnonzero((rmap.source_population == population) & (rmap.source_kind != "delay"))
    if len(rows) == 0:
        return None, None
    rows = rows[np.argsort(rmap.source_lo[rows])]
    if population in rmap.pynn_index:
        pynn = rmap.pynn_index[population][cells]
        k = np.searchsorted(rmap.source_lo[rows], pynn, side="right") - 1
        row = rows[np.clip(k, 0, None)]
        bad = (k < 0) | (pynn > rmap.source_hi[row])
        if bad.any():
            raise InputError(f"mapping pynn_index/{population}", "every cell inside a slice",
                             f"{int(bad.sum())} cells outside")
        return row, pynn - rmap.source_lo[row]
    if population not in rmap.core_of or rmap.core_xyp is None:
        raise InputError("mapping", f"pynn_index/{population} or core_of/{population}", "neither")
    xyp = rmap.core_xyp[rmap.core_of[population][cells]]
    code = lambda a: (a[:, 0] * 4096 + a[:, 1]) * 64 + a[:, 2]  # noqa: E731
    src_code = code(rmap.source_xyp[rows])
    order = np.argsort(src_code)
    k = np.searchsorted(src_code[order], code(xyp))
    row = rows[order[np.clip(k, 0, len(rows) - 1)]]
    if not np.array_equal(code(rmap.source_xyp[row]), code(xyp)):
        raise InputError("mapping", f"a source row for every core of '{population}'", "none")
    return row, None  # j unknown: routing must not depend on it (checked by the caller)


def _check_slice_uniform(rmap, fan, rows):
    """Without pynn_index, every atom of a slice must reach the same cores."""
    for r in np.unique(rows):
        a0, n = fan.atom_start[r], rmap.source_hi[r] - rmap.source_lo[r] + 1
        degs = np.diff(fan.indptr[a0:a0 + n + 1])
        first = fan.receiver[fan.indptr[a0]:fan.indptr[a0 + 1]]
        if (degs != len(first)).any():
            raise InputError("mapping", "pynn_index/<population> (routes differ inside a slice)",
                             "none")


# ---------------------------------------------------------------- counting

@dataclass
class PacketLoad:
    """Packets received per core per timestep (``packets`` int32, (n_receivers, n_steps)).

    ``receivers`` (n, 3) x, y, p; ``population``/``role`` per receiver (``"?"`` if the mapping
    does not name the core); ``timestep`` ms.
    """

    packets: np.ndarray
    receivers: np.ndarray
    population: np.ndarray
    role: np.ndarray
    timestep: float

    def peak(self):
        """Per-core peak over timesteps: the prediction of Max_spikes_received_in_time_step."""
        return self.packets.max(axis=1) if self.packets.size else np.zeros(len(self.receivers))


def packet_load(spikes, rmap, timestep, n_steps=None, fan=None):
    """Count packets received per core per timestep from `spikes` routed through `rmap`.

    `spikes`: {population: object with ``cell``, ``time`` (ms)}, cells in scaffold order.
    `n_steps` (default: last spike's step + 1) bounds the count; delay re-sends later than the
    run are dropped, as the run stops before sending them.
    """
    from scipy import sparse
    fan = fan or fan_out(rmap)
    steps_all = {p: step_index(s.time, timestep) for p, s in spikes.items() if len(s.cell)}
    if n_steps is None:
        n_steps = max((int(v.max()) + 1 for v in steps_all.values()), default=1)
    atoms, steps = [], []
    for pop, step in steps_all.items():
        cells = np.asarray(spikes[pop].cell, np.int64)
        row, j = _source_of_cells(rmap, pop, cells)
        if row is None:
            continue
        if j is None:
            _check_slice_uniform(rmap, fan, row)
            j = np.zeros(len(cells), np.int64)
        atoms.append(fan.atom_start[row] + j)
        steps.append(step)
        n_here = rmap.source_hi[row] - rmap.source_lo[row] + 1
        for e in np.flatnonzero(rmap.source_kind == "delay"):
            if rmap.source_population[e] != pop:
                continue
            mine = ((rmap.source_lo[row] == rmap.source_lo[e])
                    & (rmap.source_hi[row] == rmap.source_hi[e]))
            for d in range(int(rmap.source_stages[e])):
                atoms.append(fan.atom_start[e] + d * n_here[mine] + j[mine])
                steps.append(step[mine] + (d + 1) * int(rmap.source_per_stage[e]))
    n_rec = len(fan.receivers)
    if atoms:
        atom, step = np.concatenate(atoms), np.concatenate(steps)
        keep = (step >= 0) & (step < n_steps)
        spikes_m = sparse.csr_matrix((np.ones(keep.sum(), np.int32), (atom[keep], step[keep])),
                                     shape=(fan.n_atoms, n_steps))
        reach = sparse.csr_matrix((np.ones(len(fan.receiver), np.int32), fan.receiver,
                                   fan.indptr), shape=(fan.n_atoms, n_rec))
        packets = (reach.T.tocsr() @ spikes_m).toarray().astype(np.int32)
    else:
        packets = np.zeros((n_rec, n_steps), np.int32)
    labels = [rmap.receiver_labels.get(tuple(int(v) for v in xyp), ("?", "?"))
              for xyp in fan.receivers]
    return PacketLoad(packets, fan.receivers, np.array([lab[0] for lab in labels], dtype=str),
                      np.array([lab[1] for lab in labels], dtype=str), timestep)

