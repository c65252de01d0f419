"""The interface every simulator backend implements (in the spirit of PyNN's
``simulator.State``): :func:`spinncer.backends.open_session` returns a :class:`Session` that
owns all simulator state of one run; backends keep no module-level mutable state.

A run (:func:`spinncer.simulate.run_simulation`) is, phase by phase::

    session = open_session(name, timestep=..., threads=..., seed=..., workdir=..., options=...)
    session.build(scaffold, stimulus, record_signals)   # populations, recorders   "build"
    session.connect(scaffold, weights)                 # projections              "connect"
    session.run(simtime)                               # (compile and) simulate   "simulate"
    spikes, signals = session.spikes(), session.signals()                       # "collect"
    session.end()

Units are PyNN's (ms, mV, nF, nA, µS). Cell indices are population-local scaffold indices in
and out: a backend that reorders cells (SpiNNaker ``id_remap``) undoes it before returning.
"""
from abc import ABC, abstractmethod


class Session(ABC):
    """One simulation on one backend.

    Attributes: `name` (backend name, :data:`spinncer.options.BACKENDS`), `timestep` (ms),
    `threads`, `seed`, `model` (:class:`spinncer.params.Model`, the parameter tables to build
    from), `options` (backend options as given; recorded in the run metadata) and
    `extra_seconds` ({phase: s} for sub-phases a backend times itself, e.g. Brian2's
    ``compile``; merged into the run's wall-clock record) and `weights` ({connection: µS}
    replacing the model's weights in :meth:`connect`, e.g. nest-numerics' fixed-point ones;
    None when the model's are used; recorded in the run metadata).
    """

    def __init__(self, name, *, timestep, threads=1, seed=1, workdir=None, options=None,
                 model=None):
        from ..params import model_variant
        self.name = name
        self.model = model or model_variant()  # spinncer.params.Model: cell and synapse tables
        self.timestep = float(timestep)
        self.threads = int(threads)
        self.seed = int(seed)
        self.workdir = workdir
        self.options = dict(options or {})
        self.extra_seconds = {}
        self.weights = None

    @abstractmethod
    def build(self, scaffold, stimulus, record_signals=None):
        """Create one population per scaffold population (glomeruli as spike sources driven by
        `stimulus`, every other population ``IF_cond_exp`` with
        ``self.model.cell_params``, v initialised to v_rest), recording spikes of every
        cell and, for `record_signals` ({population: cell indices}), v/gsyn_exc/gsyn_inh
        (:data:`spinncer.recording.SIGNALS`) every timestep."""

    @abstractmethod
    def connect(self, scaffold, weights=None):
        """One projection per connection type of ``self.model.connection_types``
        present in the scaffold, with its delay and receptor; `weights` ({connection: µS
        magnitude}) replaces the model weights where given."""

    @abstractmethod
    def run(self, simtime):
        """Simulate `simtime` ms from t = 0 (logging progress for long runs)."""

    @abstractmethod
    def spikes(self):
        """{population: :class:`spinncer.results.PopulationSpikes`} in scaffold cell indices."""

    def signals(self):
        """{population: :class:`spinncer.results.Signals`} of the cells asked for in
        :meth:`build` (empty when none were)."""
        return {}

    @abstractmethod
    def versions(self):
        """{package: version} of the simulator stack."""

    def end(self):
        """Release the simulator."""
