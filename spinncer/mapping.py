"""The mapping step: partition, place and route a scaffold with sPyNNaker on a virtual board.

No hardware is needed. The network is built exactly as for a SpiNNaker run (same populations,
projections, neurons per core, ring-buffer shifts, cell ordering, timestep); sPyNNaker then
maps it and :func:`extract_mapping` keeps what the communication step reads, as arrays
(:data:`MAPPING_LAYOUT`).

Two modes, both of sPyNNaker 7.4.1's own run sequence
(``spinn_front_end_common.interface.abstract_spinnaker_base.AbstractSpinnakerBase``):

- ``"routing"`` (default): the sequence stops after its *mapping* phase
  (``AbstractSpinnakerBase._do_mapping``: splitter selection, delay-extension insertion,
  partitioning, placement, routing, key allocation, routing-table generation) and the
  routing-table compression step of its *load* phase (``_compressor_name``,
  ``_execute_pre_compression``, ``_do_early_compression``). Skipped: the rest of the load phase
  (``_do_load`` -> ``_do_data_generation`` -> ``graph_data_specification_writer``, which
  writes every core's data specification including the synaptic matrices, and on a virtual
  board nothing else of substance) and the run phase (``_do_run``). sPyNNaker 7.4.1 has no
  configuration switch for this (no ``[Mode]``/``[Mapping]`` option stops after mapping), so
  :func:`run_until_routing` calls those phase methods in the order ``AbstractSpinnakerBase.__run``
  does, with the same run bookkeeping (``start_run``/``finish_run`` of the data writer, the
  global-provenance run record). Placements, keys and routing tables come only from the
  mapping phase, so they equal the full run's (``tests/test_mapping.py`` checks it).
- ``"full"``: ``sim.run`` of one timestep, i.e. everything a run does on a virtual board
  (the mapping files of earlier versions); kept to check the shortened run against.
"""
import json
import time
from types import MappingProxyType

import numpy as np

from .backends.workdir import scratch_directory
from .errors import InputError
from .options import MAPPING_MODES
from .params import DEFAULT_TIMESTEP, INPUT_POPULATION
from .partition import CoreAssignment, neurons_per_core_of

#: sPyNNaker's outgoing partition of spikes (``spynnaker.pyNN.utilities.constants``).
SPIKE_PARTITION_ID = "SPIKE"

MAPPING_LAYOUT = """\
mapping.npz (numpy .npz, no pickles):
  core_of/<population>  int64 per cell (scaffold order): index of the core holding the cell
  pynn_index/<population>  int64 per cell (scaffold order): its PyNN index (after id_remap),
                        the index sPyNNaker's slices and keys count in
  core_population       str per core
  core_xyp              int64 (n_cores, 3): chip x, chip y, processor of each core
  core_lo_atom, core_hi_atom  int64 per core: PyNN index range (after id_remap) it holds
  core_role             str per core: combined | neurons | source
  synapse_core_xyp      int64 (n, 3) and synapse_core_population str (n): synapse-only cores
  other_core_xyp        int64 (n, 3) and other_core_kind str (n): delay extensions, system
  routing_xy            int64 (n_chips, 2): chips with a routing table
  routing_entries       int64 per chip: uncompressed multicast routing-table entries
  routing_entries_compressed  int64 per chip: entries after sPyNNaker's compression step
                        (equal to routing_entries when every table already fits the router)
  source_xyp            int64 (n_src, 3): core sending spikes (one row per SPIKE partition)
  source_kind           str: neuron (population core, spike sources included) | delay
  source_population     str: population whose spikes it sends
  source_lo_atom, source_hi_atom  int64: PyNN index range of those neurons (a delay core
                        extends the neuron core with the same range)
  source_key, source_mask  uint32: base key and mask of the partition
  source_n_keys         int64: keys of the partition (n_atoms x delay stages x colours)
  source_colour_bits    int64: low key bits carrying the timestep "colour"
  source_delay_stages, source_delay_per_stage  int64: delay cores (0 for neuron cores);
                        delay_per_stage in timesteps
  route_xy              int64 (n_entries, 2): chip of each routing entry (uncompressed)
  route_key, route_mask  uint32: entry matches packet key k when k & mask == key
  route_processors      uint32: bit p set = delivered to processor p
  route_links           uint8: bit l set = sent on link l (0 E, 1 NE, 2 N, 3 W, 4 SW, 5 S)
  meta                  JSON: timestep_ms, mapping_mode, neurons_per_core, id_remap,
                        rb_left_shifts, n_synapse_cores, machine size, timings (s), versions
Key of neuron i (PyNN index) on a neuron core: source_key + ((i - lo) << colour_bits) + colour,
colour = timestep & (2**colour_bits - 1) (pacman.utilities.utility_calls.get_keys, as
sPyNNaker decodes recorded spikes).
"""

#: Role of a core by its sPyNNaker machine-vertex class.
_ROLES = MappingProxyType({
    "PopulationMachineVertex": "combined", "PopulationNeuronsMachineVertex": "neurons",
    "SpikeSourceArrayMachineVertex": "source", "SpikeSourcePoissonMachineVertex": "source"})
#: Bits 0-5 of sPyNNaker's encoded route are links, bits 6+ processors
#: (``spinn_machine.RoutingEntry._calc_spinnaker_route``, ``Router.MAX_LINKS_PER_ROUTER``).
_N_LINK_BITS = 6


def run_until_routing(simulator, runtime):
    """sPyNNaker's run sequence for `runtime` ms stopped after routing-table compression.

    `simulator` is sPyNNaker's ``SpiNNaker`` object of the current setup. The calls follow
    ``AbstractSpinnakerBase._run``/``__run`` and ``_do_load`` of spinn_front_end_common 7.4.1.
    """
    from spinn_front_end_common.interface.provenance import GlobalProvenance
    writer = simulator._data_writer
    writer.start_run()
    with GlobalProvenance() as db:
        db.insert_run_reset_mapping()
    n_steps, total_run_time = simulator._calc_run_time(runtime)
    simulator._do_mapping(total_run_time, n_steps)
    compressor, pre_compress = simulator._compressor_name()
    simulator._execute_pre_compression(pre_compress)
    compressed = simulator._do_early_compression(compressor)
    writer.finish_run()
    return compressed


def current_simulator():
    """sPyNNaker's ``SpiNNaker`` object made by the last ``pyNN.spiNNaker.setup``."""
    import spynnaker.pyNN
    simulator = vars(spynnaker.pyNN).get("__simulator")
    if simulator is None:
        raise RuntimeError("sPyNNaker is not set up")
    return simulator


def _routing_tables(tables):
    """Uncompressed entries as arrays (one Python step per entry object sPyNNaker made)."""
    rows = [(t.x, t.y, e.key, e.mask, e.spinnaker_route)
            for t in tables for e in t.multicast_routing_entries]
    a = np.array(rows, dtype=np.int64).reshape(-1, 5)
    route = a[:, 4]
    return {"route_xy": a[:, :2], "route_key": a[:, 2].astype(np.uint32),
            "route_mask": a[:, 3].astype(np.uint32),
            "route_processors": (route >> _N_LINK_BITS).astype(np.uint32),
            "route_links": (route & ((1 << _N_LINK_BITS) - 1)).astype(np.uint8)}


def _sources(by_label):
    """One row per (placed machine vertex, SPIKE partition) that sends spikes."""
    from spynnaker.pyNN.data import SpynnakerDataView as view
    from spynnaker.pyNN.models.utility_models.delays import DelayExtensionVertex
    infos = view.get_routing_infos()
    rows = []
    for placement in view.iterate_placemements():
        vertex = placement.vertex
        if not infos.has_info_from(vertex, SPIKE_PARTITION_ID):
            continue
        app = vertex.app_vertex
        info = infos.get_info_from(vertex, SPIKE_PARTITION_ID)
        stages = per_stage = 0
        if isinstance(app, DelayExtensionVertex):
            kind, pop_vertex = "delay", app.partition.pre_vertex
            stages, per_stage = app.n_delay_stages, app.delay_per_stage
        else:
            kind, pop_vertex = "neuron", app
        s = vertex.vertex_slice
        rows.append(((placement.x, placement.y, placement.p), kind,
                     by_label.get(pop_vertex.label, pop_vertex.label), s.lo_atom, s.hi_atom,
                     info.key, info.mask, vertex.get_n_keys_for_partition(SPIKE_PARTITION_ID),
                     app.n_colour_bits, stages, per_stage))
    rows.sort(key=lambda r: r[0])
    col = list(zip(*rows)) if rows else [()] * 11
    return {"source_xyp": np.array(col[0], np.int64).reshape(-1, 3),
            "source_kind": np.array(col[1], dtype=str),
            "source_population": np.array(col[2], dtype=str),
            "source_lo_atom": np.array(col[3], np.int64),
            "source_hi_atom": np.array(col[4], np.int64),
            "source_key": np.array(col[5], np.uint32),
            "source_mask": np.array(col[6], np.uint32),
            "source_n_keys": np.array(col[7], np.int64),
            "source_colour_bits": np.array(col[8], np.int64),
            "source_delay_stages": np.array(col[9], np.int64),
            "source_delay_per_stage": np.array(col[10], np.int64)}


def extract_mapping(populations, new_ids=None, compressed=None):
    """Placements, keys and routing tables of the mapped graph as arrays (MAPPING_LAYOUT).

    Call after the mapping. `populations` maps names to the PyNN populations (labels = names);
    `new_ids` is the id_remap used ({population: PyNN index per scaffold cell}) or None;
    `compressed` the compressed tables sPyNNaker made (None = not compressed).
    Returns ({core_of, core_population, core_xyp} as a dict, arrays, meta).
    """
    from spynnaker.pyNN.data import SpynnakerDataView as view
    by_label = {pop.label: name for name, pop in populations.items()}
    cores, synapse_cores, others = [], [], []
    for placement in view.iterate_placemements():
        vertex, xyp = placement.vertex, (placement.x, placement.y, placement.p)
        app = vertex.app_vertex
        name = by_label.get(app.label) if app is not None else None
        kind = type(vertex).__name__
        if name is not None and kind in _ROLES:
            s = vertex.vertex_slice
            cores.append((name, xyp, s.lo_atom, s.hi_atom, _ROLES[kind]))
        elif name is not None and "Synapses" in kind:
            synapse_cores.append((name, xyp))
        else:
            others.append((kind, xyp))
    order = {name: i for i, name in enumerate(populations)}
    cores.sort(key=lambda c: (order[c[0]], c[2]))
    synapse_cores.sort(key=lambda c: (order[c[0]], c[1]))
    others.sort(key=lambda c: c[1])
    core_of, pynn_index = {}, {}
    for name, pop in populations.items():
        pynn_core = np.full(pop.size, -1, dtype=np.int64)
        for k, (cname, _, lo, hi, _) in enumerate(cores):
            if cname == name:
                pynn_core[lo:hi + 1] = k
        index = (np.arange(pop.size, dtype=np.int64) if not new_ids
                 else np.asarray(new_ids[name], np.int64))
        pynn_index[name] = index
        core_of[name] = pynn_core[index]
    tables = view.get_uncompressed()
    chips = sorted((t.x, t.y) for t in tables.routing_tables)
    n_entries = {(t.x, t.y): t.number_of_entries for t in tables.routing_tables}
    n_compressed = n_entries if compressed is None else {
        (t.x, t.y): t.number_of_entries for t in compressed.routing_tables}
    arrays = {
        **{f"pynn_index/{name}": index for name, index in pynn_index.items()},
        "core_lo_atom": np.array([c[2] for c in cores], np.int64),
        "core_hi_atom": np.array([c[3] for c in cores], np.int64),
        "core_role": np.array([c[4] for c in cores], dtype=str),
        "synapse_core_xyp": np.array([c[1] for c in synapse_cores], np.int64).reshape(-1, 3),
        "synapse_core_population": np.array([c[0] for c in synapse_cores], dtype=str),
        "other_core_xyp": np.array([c[1] for c in others], np.int64).reshape(-1, 3),
        "other_core_kind": np.array([c[0] for c in others], dtype=str),
        "routing_xy": np.array(chips, np.int64).reshape(-1, 2),
        "routing_entries": np.array([n_entries[c] for c in chips], np.int64),
        "routing_entries_compressed": np.array([n_compressed.get(c, 0) for c in chips],
                                               np.int64),
        **_sources(by_label),
        **_routing_tables(tables.routing_tables),
    }
    machine = view.get_machine()
    meta = {"n_chips": machine.n_chips, "machine_width": machine.width,
            "machine_height": machine.height, "n_placements": view.get_n_placements(),
            "timestep_ms": view.get_simulation_time_step_ms(),
            "router_table_size": machine.min_n_router_enteries}
    cores_dict = {"core_of": core_of,
                  "core_population": np.array([c[0] for c in cores], dtype=str),
                  "core_xyp": np.array([c[1] for c in cores], np.int64).reshape(-1, 3)}
    return cores_dict, arrays, meta


def silent_stimulus(scaffold):
    """Glomerulus trains for a mapping: one spike in all (sPyNNaker 7.4.1's spike-density
    check fails on only empty trains); the trains do not change the mapping."""
    from .stimulus import Stimulus
    trains = [np.empty(0)] * scaffold.n_cells(INPUT_POPULATION)
    trains[0] = np.array([0.0])
    return Stimulus.from_trains(trains)


def map_virtual(scaffold, out_path=None, *, timestep=DEFAULT_TIMESTEP, mode=MAPPING_MODES[0],
                workdir=None, scratch=None, neurons_per_core=None, rb_left_shifts=None,
                r_mem=False, id_remap=None, n_synapse_cores=0, width=None, height=None,
                model=None):
    """Map `scaffold` on a virtual SpiNNaker machine at `timestep` ms (see module docstring).

    Builds the network on a :class:`spinncer.backends.spinnaker.SpinnakerSession` (the same
    populations and projections as a SpiNNaker run; silent glomeruli) and returns
    (CoreAssignment, arrays, seconds); with `out_path` writes the mapping file
    (:data:`MAPPING_LAYOUT`). sPyNNaker's files go to `workdir` when given (kept), else to a
    temporary directory under `scratch` that is removed afterwards. `width`/`height` size the
    virtual machine in chips (default: one 48-chip board).
    """
    from .backends import open_session
    if mode not in MAPPING_MODES:
        raise InputError("mapping mode", f"one of {MAPPING_MODES}", repr(mode))
    options = dict(neurons_per_core=neurons_per_core, rb_left_shifts=rb_left_shifts,
                   r_mem=r_mem, id_remap=id_remap, n_synapse_cores=n_synapse_cores,
                   virtual_board=True, width=width, height=height)
    t0 = time.perf_counter()
    seconds = {}
    with scratch_directory(workdir, scratch, prefix="spinncer-mapping-") as work:
        session = open_session("spinnaker", timestep=timestep, workdir=work, options=options,
                               model=model)
        seconds["setup"] = time.perf_counter() - t0
        try:
            t = time.perf_counter()
            stimulus = (silent_stimulus(scaffold) if INPUT_POPULATION in scaffold.positions
                        else None)
            session.build(scaffold, stimulus)
            session.connect(scaffold)
            seconds["build"] = time.perf_counter() - t
            t = time.perf_counter()
            compressed = None
            if mode == "full":
                session.sim.run(timestep)
            else:
                compressed = run_until_routing(current_simulator(), timestep)
            seconds["map"] = time.perf_counter() - t
            t = time.perf_counter()
            cores, arrays, meta = extract_mapping(session.populations, session.new_ids,
                                                  compressed)
            seconds["extract"] = time.perf_counter() - t
        finally:
            session.end()
    seconds["total"] = time.perf_counter() - t0
    shifts = session.rb_left_shifts
    meta.update(
        source="sPyNNaker virtual board", mapping_mode=mode, id_remap=id_remap,
        neurons_per_core=neurons_per_core_of(neurons_per_core, scaffold.positions),
        rb_left_shifts=shifts if isinstance(shifts, str) else
        {k: list(v) for k, v in shifts.items()},
        n_synapse_cores=n_synapse_cores, seconds=seconds, versions=session.versions(),
        n_cores=len(cores["core_population"]),
        n_synapse_only_cores=len(arrays["synapse_core_xyp"]),
        max_routing_entries=int(arrays["routing_entries"].max(initial=0)))
    assignment = CoreAssignment(cores["core_of"], cores["core_population"], cores["core_xyp"],
                                meta)
    if out_path is not None:
        assignment.save(out_path, extra=arrays)
    return assignment, arrays, seconds


def mapping_meta(path):
    """The JSON metadata of a mapping file."""
    with np.load(path, allow_pickle=False) as data:
        return json.loads(str(data["meta"]))
