"""Simulator backends behind one interface (:class:`spinncer.backends.base.Session`): only
what differs per simulator.

- ``nest``: NEST through pyNN.nest, double precision: the reference.
- ``nest-numerics``: NEST with every weight replaced by what SpiNNaker's fixed point represents
  for the configured ring-buffer left shifts (:mod:`spinncer.numerics`), to separate
  fixed-point effects from hardware effects.
- ``brian2``: Brian2 (``backends/brian2.py``), an independent third simulator.
- ``spinnaker``: sPyNNaker on a board or spalloc server from the configuration.
- ``spinnaker-emulated``: what SpiNNaker cores compute (fixed point, ring buffers, sub-steps,
  sPyNNaker 7.4.1's derived constants and timing), in spinncer's own compiled C++, no board.

Layering: backends import only the model and io layers (params, partition, numerics,
recording, results, scaffold, provenance); never analysis, communication, plots or the CLI,
and they keep no module-level mutable state (tests/test_layers.py).
"""
from importlib import import_module

from ..errors import InputError
from ..options import BACKENDS

#: Where each backend's Session class lives: (module under spinncer.backends, class name).
#: Imported on first use, so that a backend's simulator is needed only when it runs.
SESSION_CLASSES = (
    ("nest", "nest", "NestSession"),
    ("nest-numerics", "nest", "NestSession"),
    ("brian2", "brian2", "Brian2Session"),
    ("spinnaker", "spinnaker", "SpinnakerSession"),
    ("spinnaker-emulated", "spinnaker_emulated", "SpinnakerEmulatedSession"),
)


def session_class(name):
    """The :class:`~spinncer.backends.base.Session` subclass running backend `name`."""
    for backend, module, cls in SESSION_CLASSES:
        if backend == name and name in BACKENDS:
            try:
                return getattr(import_module(f".{module}", __name__), cls)
            except ModuleNotFoundError as err:  # the simulator of this backend is missing
                raise InputError(f"backend '{name}'", "its simulator installed",
                                 f"ModuleNotFoundError: {err}") from None
    raise InputError("backend", f"one of {BACKENDS}", repr(name))


def open_session(name, *, timestep, threads=1, seed=1, workdir=None, options=None, model=None):
    """Set up backend `name` for one run; returns its :class:`~spinncer.backends.base.Session`.

    `timestep` ms; `threads` and `seed` where the simulator uses them; `workdir` for files a
    simulator writes (sPyNNaker's configuration and reports); `options` the backend options
    (SpiNNaker: machine, neurons per core, ring-buffer left shifts, id_remap;
    nest-numerics: rb_left_shifts); `model` a :class:`spinncer.params.Model` (default: the
    default variant). Bad options raise :class:`~spinncer.errors.InputError`.
    """
    return session_class(name)(name, timestep=timestep, threads=threads, seed=seed,
                               workdir=workdir, options=options, model=model)
