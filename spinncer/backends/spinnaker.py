"""SpiNNaker backend through `pyNN.spiNNaker` (sPyNNaker 7.4.1).

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
  ``virtual_board=True`` (no hardware; mapping only, optional ``width``/``height`` in chips;
  the mapping step is :mod:`spinncer.mapping`).

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
import os
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..numerics import (REFERENCE_RB_LEFT_SHIFTS, check_shifts, refuse_r_mem,
                        summed_weight_for_shift)
from ..params import INPUT_POPULATION
from ..partition import cell_order, check_id_remap, neurons_per_core_of
from .pynn import PyNNSession

USER_CFG = ".spynnaker.cfg"
LOCAL_CFG = "spynnaker.cfg"
#: Work directory when none is given (relative to the current directory).
DEFAULT_WORKDIR = "spinnaker_run"

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
                     "n_synapse_cores", "n_steps")

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
        self.n_steps = dict(model.get("n_steps") or {})  # {population: sub-steps per tick}
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
        if name in self.n_steps:  # a population parameter of sPyNNaker's standard models
            extra["n_steps_per_timestep"] = int(self.n_steps[name])
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
