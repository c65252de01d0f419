"""SpiNNaker backend through `pyNN.spiNNaker` (sPyNNaker 7.4.1), and mapping without hardware.

:class:`SpinnakerSession` takes the knobs of the original study as session options:

- ``neurons_per_core``: int or {population: int}; default
  :data:`spinncer.partition.REFERENCE_NEURONS_PER_CORE` (64, purkinje 1);
- ``rb_left_shifts``: {population: (excitatory, inhibitory)} ring-buffer left shifts in
  sPyNNaker 7.4.1's convention (see :mod:`spinncer.numerics`); default
  :data:`spinncer.numerics.REFERENCE_RB_LEFT_SHIFTS`, ``"auto"`` lets sPyNNaker choose. They
  are imposed through each population's ``max_expected_summed_weight``;
- ``r_mem``: refused (:func:`spinncer.numerics.refuse_r_mem`): the study's r_mem encoding needs
  SpiNNCer's modified sPyNNaker; the numerics report can still show what it would represent;
- ``id_remap``: ``None`` (file order), ``"random"`` or ``"grid"``: cells renumbered before
  partitioning
  (:func:`spinncer.partition.cell_order`; the session undoes it on spikes and signals);
- ``n_synapse_cores``: 0 = neurons and synapses on one core per slice (as the reference run's
  sPyNNaker did), None = sPyNNaker decides;
- machine: exactly one of ``machine`` (board address, with ``board_version``),
  ``spalloc_server`` (with ``spalloc_user``, optional ``spalloc_group``/``spalloc_port``) or
  ``virtual_board=True`` (no hardware; mapping only, optional ``width``/``height`` in chips).

Configuration file. sPyNNaker (``spinn_utilities.config_holder``) requires a *user* file
``.spynnaker.cfg`` in exactly one of ``$XDG_CONFIG_DIRS`` (site), ``$XDG_CONFIG_HOME`` (user)
or ``~``; without one it writes ``~/.spynnaker.cfg`` itself and stops. It then also reads
``spynnaker.cfg`` (no dot) from the *current directory*, which overrides the user file. This
backend writes everything it needs to ``<workdir>/spynnaker.cfg`` and runs ``sim.setup`` with
``workdir`` as current directory; when no user file exists it points ``XDG_CONFIG_HOME`` at
``<workdir>/.spinnaker-user`` holding an empty ``.spynnaker.cfg`` for the duration of setup.
The home directory is never written, and both the directory and the environment are
restored after setup.
"""
import contextlib
import inspect
import json
import os
import time
from pathlib import Path
from types import MappingProxyType

import numpy as np

from ..errors import InputError
from ..numerics import (REFERENCE_RB_LEFT_SHIFTS, check_shifts, refuse_r_mem,
                        summed_weight_for_shift)
from ..params import DEFAULT_TIMESTEP, INPUT_POPULATION
from ..partition import CoreAssignment, cell_order, check_id_remap, neurons_per_core_of
from .pynn import PyNNSession

USER_CFG = ".spynnaker.cfg"
LOCAL_CFG = "spynnaker.cfg"
#: Work directory when none is given (relative to the current directory).
DEFAULT_WORKDIR = "spinnaker_run"

MAPPING_LAYOUT = """\
mapping.npz (numpy .npz, no pickles):
  core_of/<population>  int64 per cell (scaffold order): index of the core holding the cell
  core_population       str per core
  core_xyp              int64 (n_cores, 3): chip x, chip y, processor of each core
  core_lo_atom, core_hi_atom  int64 per core: PyNN index range (after id_remap) it holds
  core_role             str per core: combined | neurons | source
  synapse_core_xyp      int64 (n, 3) and synapse_core_population str (n): synapse-only cores
  other_core_xyp        int64 (n, 3) and other_core_kind str (n): delay extensions, system
  routing_xy            int64 (n_chips, 2): chips with a routing table
  routing_entries       int64 per chip: uncompressed multicast routing-table entries
  meta                  JSON: neurons_per_core, id_remap, rb_left_shifts, n_synapse_cores,
                        machine size, timings (s), sPyNNaker version
"""


def user_cfg_locations():
    """Where sPyNNaker looks for its user file, in its own order (site, user, home)."""
    import appdirs
    return [Path(appdirs.site_config_dir()) / USER_CFG, Path(appdirs.user_config_dir()) / USER_CFG,
            Path(os.path.expanduser("~")) / USER_CFG]


def machine_section(*, machine=None, spalloc_server=None, spalloc_user=None,
                    spalloc_group=None, spalloc_port=None, virtual_board=False,
                    board_version=5, width=None, height=None, time_scale_factor=None):
    """The [Machine] settings; raises InputError unless exactly one machine is configured."""
    chosen = [k for k, v in (("machine", machine), ("spalloc_server", spalloc_server),
                             ("virtual_board", virtual_board)) if v]
    if not chosen:
        raise InputError("spinnaker.machine", "a board address, or spinnaker.spalloc_server "
                         "(mapping and communication need no machine: they use a virtual board)",
                         "none configured")
    if len(chosen) > 1:
        raise InputError("spinnaker machine", "exactly one of machine, spalloc_server, "
                         "virtual_board", " and ".join(chosen))
    settings = {"machine_name": machine or "None", "spalloc_server": spalloc_server or "None",
                "virtual_board": str(bool(virtual_board)), "version": board_version}
    if spalloc_server:
        if not spalloc_user:
            raise InputError("spinnaker spalloc_user", "a user name for the spalloc server",
                             "none")
        settings.update(spalloc_user=spalloc_user, spalloc_group=spalloc_group or "None")
        if spalloc_port:
            settings["spalloc_port"] = int(spalloc_port)
    if virtual_board and (width or height):
        settings.update(width=int(width), height=int(height))
    if time_scale_factor:
        settings["time_scale_factor"] = time_scale_factor
    return settings


def write_config(workdir, machine_settings):
    """Write ``<workdir>/spynnaker.cfg``: machine, reports under workdir, production mode."""
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    lines = ["# written by spinncer.backends.spinnaker; read by sPyNNaker from the run directory",
             "[Machine]"]
    lines += [f"{key} = {value}" for key, value in machine_settings.items()]
    lines += ["", "[Reports]", f"default_report_file_path = {workdir / 'reports'}",
              "", "[Mode]", "mode = Production", ""]
    path = workdir / LOCAL_CFG
    path.write_text("\n".join(lines))
    return path


@contextlib.contextmanager
def _config_context(workdir):
    """cwd = workdir, and a placeholder user file via XDG_CONFIG_HOME if none exists."""
    old_cwd, old_xdg = os.getcwd(), os.environ.get("XDG_CONFIG_HOME")
    placeholder = None
    if not any(p.is_file() for p in user_cfg_locations()):
        placeholder = Path(workdir).resolve() / ".spinnaker-user"
        placeholder.mkdir(exist_ok=True)
        (placeholder / USER_CFG).write_text(
            "# placeholder user file; the settings are in ../spynnaker.cfg\n")
        os.environ["XDG_CONFIG_HOME"] = str(placeholder)
    os.chdir(workdir)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        if placeholder is not None:
            if old_xdg is None:
                os.environ.pop("XDG_CONFIG_HOME", None)
            else:
                os.environ["XDG_CONFIG_HOME"] = old_xdg


class SpinnakerSession(PyNNSession):
    """sPyNNaker (a process-wide singleton: one session at a time). Options: see the module
    documentation; machine keywords: :func:`machine_section`. `threads` does not apply;
    `seed` is kept for the record (a SpikeSourceArray network draws no random numbers on the
    machine). sPyNNaker adds delay-extension cores as needed (no max_delay)."""

    #: Options besides the machine keywords of :func:`machine_section`.
    MODEL_OPTIONS = ("neurons_per_core", "rb_left_shifts", "r_mem", "id_remap",
                     "n_synapse_cores")

    def _setup(self):
        options = dict(self.options)
        known = self.MODEL_OPTIONS + tuple(inspect.signature(machine_section).parameters)
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise InputError("spinnaker options", f"keys among {known}", ", ".join(unknown))
        model = {key: options.pop(key) for key in self.MODEL_OPTIONS if key in options}
        settings = machine_section(**options)  # fails first, before importing sPyNNaker
        refuse_r_mem(model.get("r_mem"))
        self.id_remap = check_id_remap(model.get("id_remap"))
        shifts = model.get("rb_left_shifts")
        if isinstance(shifts, str) and shifts != "auto":
            raise InputError("rb_left_shifts", "a {population: [exc, inh]} map or 'auto'",
                             repr(shifts))
        self.rb_left_shifts = (REFERENCE_RB_LEFT_SHIFTS if shifts is None else
                               shifts if shifts == "auto" else check_shifts(shifts))
        self.neurons_per_core = model.get("neurons_per_core")
        self.n_synapse_cores = model.get("n_synapse_cores", 0)
        self.workdir = Path(self.workdir or DEFAULT_WORKDIR).resolve()
        self.settings = settings
        write_config(self.workdir, settings)
        with _config_context(self.workdir):
            import pyNN.spiNNaker as sim
            sim.setup(timestep=self.timestep, min_delay=self.timestep)
        return sim

    def population_parameters(self, name):
        """Neurons per core, imposed ring-buffer shifts, synapse cores of population `name`."""
        extra = {"neurons_per_core": neurons_per_core_of(self.neurons_per_core, [name])[name]}
        if name == INPUT_POPULATION:
            return extra
        shifts = self.rb_left_shifts
        if shifts != "auto":
            if name not in shifts:
                raise InputError("rb_left_shifts", f"shifts for population '{name}'", "none")
            extra["max_expected_summed_weight"] = [summed_weight_for_shift(s)
                                                   for s in shifts[name]]
        if self.n_synapse_cores is not None:
            extra["n_synapse_cores"] = int(self.n_synapse_cores)
        return extra

    def renumbering(self, scaffold):
        return None if self.id_remap is None else cell_order(scaffold, self.id_remap)

    def make_connector(self, pre, post):
        """sPyNNaker builds synaptic matrices from a list; no per-cell Python calls here."""
        return self.sim.FromListConnector(np.column_stack([pre, post]).astype(np.int64))

    def versions(self):
        import pyNN
        import spynnaker
        return {"sPyNNaker": spynnaker.__version__, "pyNN": pyNN.__version__}


# ---------------------------------------------------------------- mapping without hardware

#: Role of a core by its sPyNNaker machine-vertex class (read-only: no module-level state).
_ROLES = MappingProxyType({
    "PopulationMachineVertex": "combined", "PopulationNeuronsMachineVertex": "neurons",
    "SpikeSourceArrayMachineVertex": "source", "SpikeSourcePoissonMachineVertex": "source"})


def extract_mapping(populations, new_ids=None):
    """Placements and routing tables of the mapped graph as arrays (see MAPPING_LAYOUT).

    Call after ``sim.run``. `populations` maps names to the PyNN populations (labels = names);
    `new_ids` is the id_remap used ({population: new index per scaffold cell}) or None.
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
    core_of = {}
    for name, pop in populations.items():
        pynn_core = np.full(pop.size, -1, dtype=np.int64)
        for k, (cname, _, lo, hi, _) in enumerate(cores):
            if cname == name:
                pynn_core[lo:hi + 1] = k
        core_of[name] = pynn_core if not new_ids else pynn_core[new_ids[name]]
    tables = list(view.get_uncompressed().routing_tables)
    arrays = {
        "core_lo_atom": np.array([c[2] for c in cores], np.int64),
        "core_hi_atom": np.array([c[3] for c in cores], np.int64),
        "core_role": np.array([c[4] for c in cores], dtype=str),
        "synapse_core_xyp": np.array([c[1] for c in synapse_cores], np.int64).reshape(-1, 3),
        "synapse_core_population": np.array([c[0] for c in synapse_cores], dtype=str),
        "other_core_xyp": np.array([c[1] for c in others], np.int64).reshape(-1, 3),
        "other_core_kind": np.array([c[0] for c in others], dtype=str),
        "routing_xy": np.array([(t.x, t.y) for t in tables], np.int64).reshape(-1, 2),
        "routing_entries": np.array([t.number_of_entries for t in tables], np.int64),
    }
    machine = view.get_machine()
    meta = {"n_chips": machine.n_chips, "machine_width": machine.width,
            "machine_height": machine.height, "n_placements": view.get_n_placements()}
    assignment = CoreAssignment(core_of, np.array([c[0] for c in cores], dtype=str),
                                np.array([c[1] for c in cores], np.int64).reshape(-1, 3), meta)
    return assignment, arrays


def map_virtual(scaffold, stimulus=None, out_path=None, *, workdir=None,
                timestep=DEFAULT_TIMESTEP, runtime=None, neurons_per_core=None,
                rb_left_shifts=None, r_mem=False, id_remap=None, n_synapse_cores=0, width=None,
                height=None, model=None):
    """Partition, place and route `scaffold` on a virtual SpiNNaker machine (no hardware).

    Builds the same network as a run (silent glomeruli when `stimulus` is None), runs one
    timestep with ``virtual_board = True`` and returns (CoreAssignment, arrays, seconds);
    with `out_path` the result is written as a ``mapping.npz`` (:data:`MAPPING_LAYOUT`).
    `width`/`height` size the virtual machine in chips (default: one 48-chip board).
    """
    from ..stimulus import Stimulus
    t0 = time.perf_counter()
    if stimulus is None and INPUT_POPULATION in scaffold.positions:
        # one spike in all: sPyNNaker 7.4.1's spike-density check fails on only empty trains
        trains = [np.empty(0)] * scaffold.n_cells(INPUT_POPULATION)
        trains[0] = np.array([0.0])
        stimulus = Stimulus.from_trains(trains)
    workdir = Path(workdir or (Path(out_path).parent / "spinnaker_mapping" if out_path
                               else "spinnaker_mapping"))
    options = dict(neurons_per_core=neurons_per_core, rb_left_shifts=rb_left_shifts,
                   r_mem=r_mem, id_remap=id_remap, n_synapse_cores=n_synapse_cores,
                   virtual_board=True, width=width, height=height)
    session = SpinnakerSession("spinnaker", timestep=timestep, workdir=workdir,
                               options=options, model=model)
    seconds = {"setup": time.perf_counter() - t0}
    try:
        t = time.perf_counter()
        session.build(scaffold, stimulus)
        session.connect(scaffold)
        seconds["build"] = time.perf_counter() - t
        t = time.perf_counter()
        session.sim.run(runtime or timestep)
        seconds["map"] = time.perf_counter() - t
        assignment, arrays = extract_mapping(session.populations, session.new_ids)
    finally:
        session.end()
    seconds["total"] = time.perf_counter() - t0
    npc = neurons_per_core_of(neurons_per_core, scaffold.positions)
    shifts = session.rb_left_shifts
    assignment.meta.update(
        source="sPyNNaker virtual board", id_remap=id_remap, neurons_per_core=npc,
        rb_left_shifts=shifts if isinstance(shifts, str) else
        {k: list(v) for k, v in shifts.items()},
        n_synapse_cores=n_synapse_cores, seconds=seconds, versions=session.versions(),
        n_cores=assignment.n_cores, n_synapse_only_cores=len(arrays["synapse_core_xyp"]),
        max_routing_entries=int(arrays["routing_entries"].max(initial=0)))
    if out_path is not None:
        assignment.save(out_path, extra=arrays)
    return assignment, arrays, seconds


def mapping_meta(path):
    """The JSON metadata of a mapping file."""
    with np.load(path, allow_pickle=False) as data:
        return json.loads(str(data["meta"]))
