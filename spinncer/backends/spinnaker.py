"""SpiNNaker backend through `pyNN.spiNNaker` (sPyNNaker 7.4.1).

Same interface as :mod:`spinncer.backends.nest` (``NAME``, ``setup``, ``versions``,
``make_connector``, ``end``) plus the knobs of the original study, given to :func:`setup`:

- ``neurons_per_core``: int or {population: int}; default
  :data:`spinncer.communication.REFERENCE_NEURONS_PER_CORE` (64, purkinje 1);
- ``rb_left_shifts``: {population: (excitatory, inhibitory)} ring-buffer left shifts in
  sPyNNaker 7.4.1's convention (see :mod:`spinncer.numerics`); default
  :data:`spinncer.numerics.REFERENCE_RB_LEFT_SHIFTS`, ``"auto"`` lets sPyNNaker choose. They
  are imposed through each population's ``max_expected_summed_weight``;
- ``r_mem``: refused (:func:`spinncer.numerics.refuse_r_mem`): the study's r_mem encoding needs
  SpiNNCer's modified sPyNNaker; the numerics report can still show what it would represent;
- ``id_remap``: ``None`` or ``"grid"``: cells renumbered by position before partitioning
  (:func:`prepare` / :func:`restore_spikes` apply and undo it);
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
import os
from pathlib import Path

import numpy as np

from ..communication import _neurons_per_core, cell_order, permute_scaffold
from ..errors import InputError
from ..numerics import (REFERENCE_RB_LEFT_SHIFTS, check_shifts, refuse_r_mem,
                        summed_weight_for_shift)
from ..params import INPUT_POPULATION

NAME = "spinnaker"
USER_CFG = ".spynnaker.cfg"
LOCAL_CFG = "spynnaker.cfg"

# Options of the current session (sPyNNaker itself is a process-wide singleton too).
_session = {}

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


def setup(timestep, threads=1, seed=1, max_delay=10.0, *, workdir=None, neurons_per_core=None,
          rb_left_shifts=None, r_mem=False, id_remap=None, n_synapse_cores=0, **machine):
    """Configure and set up `pyNN.spiNNaker`; return the PyNN module.

    `threads` and `max_delay` do not apply to SpiNNaker (sPyNNaker ignores max_delay and adds
    delay-extension cores as needed); `seed` is kept for the record (a SpikeSourceArray network
    draws no random numbers on the machine). Machine keywords: see :func:`machine_section`.
    """
    settings = machine_section(**machine)  # fails first, before importing sPyNNaker
    refuse_r_mem(r_mem)
    if id_remap not in (None, "grid"):
        raise InputError("id_remap", "none or 'grid'", repr(id_remap))
    if isinstance(rb_left_shifts, str) and rb_left_shifts != "auto":
        raise InputError("rb_left_shifts", "a {population: [exc, inh]} map or 'auto'",
                         repr(rb_left_shifts))
    if rb_left_shifts is None:
        rb_left_shifts = REFERENCE_RB_LEFT_SHIFTS
    if rb_left_shifts != "auto":
        rb_left_shifts = check_shifts(rb_left_shifts)
    workdir = Path(workdir or "spinnaker_run").resolve()
    write_config(workdir, settings)
    _session.clear()
    _session.update(workdir=workdir, settings=settings, neurons_per_core=neurons_per_core,
                    rb_left_shifts=rb_left_shifts, id_remap=id_remap,
                    n_synapse_cores=n_synapse_cores, seed=seed, new_ids=None)
    with _config_context(workdir):
        import pyNN.spiNNaker as sim
        sim.setup(timestep=timestep, min_delay=timestep)
    return sim


def population_options(name):
    """Per-population options for :func:`spinncer.network.build_populations`."""
    extra = {"neurons_per_core": _neurons_per_core(_session.get("neurons_per_core"), [name])[name]}
    if name == INPUT_POPULATION:
        return {"additional_parameters": extra}
    shifts = _session.get("rb_left_shifts")
    if shifts not in (None, "auto"):
        if name not in shifts:
            raise InputError("rb_left_shifts", f"shifts for population '{name}'", "none")
        extra["max_expected_summed_weight"] = [summed_weight_for_shift(s) for s in shifts[name]]
    if _session.get("n_synapse_cores") is not None:
        extra["n_synapse_cores"] = int(_session["n_synapse_cores"])
    return {"additional_parameters": extra}


def prepare(scaffold, stimulus):
    """Apply ``id_remap``: renumbered scaffold and stimulus trains; remembered for restoring."""
    if _session.get("id_remap") is None:
        _session["new_ids"] = None
        return scaffold, stimulus
    new_ids = cell_order(scaffold, _session["id_remap"])
    _session["new_ids"] = new_ids
    if stimulus is not None and INPUT_POPULATION in new_ids:
        from ..stimulus import Stimulus
        trains = stimulus.spike_trains()
        order = np.argsort(new_ids[INPUT_POPULATION])  # PyNN index -> scaffold cell
        stimulus = Stimulus.from_trains([trains[i] for i in order],
                                        stimulated=np.asarray(stimulus.stimulated)[order],
                                        params=stimulus.params)
    return permute_scaffold(scaffold, new_ids), stimulus


def restore_spikes(spikes):
    """Map recorded spikes from PyNN (remapped) indices back to scaffold cell indices."""
    new_ids = _session.get("new_ids")
    if not new_ids:
        return spikes
    from ..results import PopulationSpikes
    out = {}
    for pop, s in spikes.items():
        old_of_new = np.argsort(new_ids[pop])
        out[pop] = PopulationSpikes(old_of_new[np.asarray(s.cell, np.int64)], s.time, s.n_cells)
    return out


def versions():
    import pyNN
    import spynnaker
    return {"sPyNNaker": spynnaker.__version__, "pyNN": pyNN.__version__}


def make_connector(pre, post):
    """sPyNNaker builds synaptic matrices from a list; no per-cell Python calls on our side."""
    import pyNN.spiNNaker as sim
    return sim.FromListConnector(np.column_stack([pre, post]).astype(np.int64))


def end():
    import pyNN.spiNNaker as sim
    sim.end()
