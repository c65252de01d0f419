"""Backend ``spinnaker-emulated``: the network computed as SpiNNaker cores compute it, without a
board.

The cell update, the ring buffers and the spike delivery are spinncer's own C++
(``spinnaker_core.cpp``, compiled once per machine by :mod:`.spinnaker_build`), written from a
reading of sPyNNaker's C: every operation, its order and its rounding is cited there. It is
bit-exact against ``shared/data/spinnaker_golden`` (traces of sPyNNaker's own neuron code,
compiled for the ARM968 and run under qemu-arm: tests/test_spinnaker_emulated.py).

Version. The traces were made from sPyNNaker master f905ce88 (2023-10-17, just after 7.1.0) and
spinn_common 7.1.0; this project maps with sPyNNaker 7.4.1, whose C source is in no package.
What was checked (2026-12-02):

- spinn_common: ``git diff 7.1.0 7.4.1`` leaves ``expk``, ``expulr``, ``__expi64`` and utils.h
  unchanged (it adds ``expuk``, ``sqrtuk`` and fixes ``muliuk``, none used here).
- sPyNNaker: the log-line table shipped with SpiNNUtils 7.4.1 (``make_tools/logs.sqlite3``,
  made by the 7.4.1 build from its sources) puts every log call of neuron_model_lif_impl.h,
  neuron_impl_standard.h, synapse_types_exponential_impl.h, neuron.c, c_main.c and
  spike_processing.c at the same lines as in f905ce88; the 7.4.2 documentation lists
  neuron_model_lif_impl.h and exp_synapse_utils.h as in f905ce88; and the compiled
  ``IF_cond_exp.aplx`` of 7.4.1 and 7.1.0 disassemble to the same neuron update, constant
  derivation and input conversion. One change: synapses.c's saturation test is now against
  0xFFFF0000 instead of 0x10000, the same result for a 16-bit slot plus a 16-bit weight.
- The Python side of 7.4.1 encodes the parameters in the order and types the C reads
  (neuron_params_t: V_init, V_rest, c_m, tau_m, I_offset, V_reset, T_refract_ms,
  refract_timer_init, time_step) with ``DataType.S1615`` (round half even of the decimal repr),
  the conductance weight scale 1024 (``InputTypeConductance.get_global_weight_scale``),
  n_steps_per_timestep default 1, and rounds delays to whole timesteps
  (``AbstractSynapseDynamics.round_delay``); a SpikeSourceArray time t ms fires in tick
  ``ceil(floor(t * 1000) / time_step_us)`` (``spike_source_array_vertex._as_numpy_ticks``).
- Cores: this emulates the combined neuron-synapse core (c_main.c, one ring buffer per
  neuron core), which the project's sPyNNaker runs use (``n_synapse_cores`` 0,
  backends/spinnaker.py). Where sPyNNaker 7.4.1 splits synaptic input over several synapse
  cores (its default below 1 ms timesteps otherwise), each core saturates its own slots and
  the neuron core adds them with 32-bit word adds (c_main_neurons.c ``sum``): not emulated.

What a core computes, in short (sources in spinnaker_core.cpp): parameters as S16.15; the core
derives R = tau_m / c_m, exp_TC = expk(-ts / tau_m), T_refract = ceil(T_refract_ms / ts), per
synapse decay = expulr(-ts / tau) and init = (tau / ts) (1 - decay) with truncating fixed-point
divisions (ts = time_step / n_steps); each tick adds each ring-buffer slot (uint16 weight
steps, saturating at 0xFFFF) shifted left by its population's shift, times init, to g; then per
sub-step: current g >> 10 times (E - V), V = alpha - exp_TC (alpha - V) unless refractory
(counter counts down), threshold compared as int32 in refractoriness too, reset, g decays.
Every product floors and wraps. A spike of tick t is recorded at t dt and lands in slot t + d.

Effects (option ``effects``, a list; default all: the SpiNNaker computation). Each is what a
SpiNNaker core does differently from the same algorithm in double precision with exact
constants and NEST's conventions; with none switched on the backend integrates that double
baseline, and the ablation benchmark switches each on alone (benchmarks/spinnaker_ablation.py):

- ``weights``: 16-bit weight steps per ring-buffer shift (:mod:`spinncer.numerics`).
- ``constants``: parameters as S1615 and the constants derived as the core derives them
  (without it: float64 values; on the fixed-point path rounded to nearest, as sPyNNaker 6
  computed them on the host).
- ``state``: S16.15 state with flooring, wrapping products (needs ``weights``).
- ``saturation``: a slot holds at most 0xFFFF steps (0xFFFF x the weight step µS).
- ``refractory``: T_refract = ceil(T_refract_ms / ts) with the truncated ts (NEST:
  round(tau_refrac / dt)).
- ``timing``: a cell's spike of tick t lands in slot t + d, stamped t dt (NEST: stamp (t+1) dt,
  arrival one step later). Spike sources fire in their tick in both.
- ``substeps``: the sub-steps per tick of option ``n_steps`` ({population: n}; sPyNNaker's
  default 1 everywhere, so it changes nothing unless set).

Options: ``rb_left_shifts`` ({population: [exc, inh]}, default
:data:`spinncer.numerics.REFERENCE_RB_LEFT_SHIFTS`, as nest-numerics), ``n_steps``,
``effects``, ``variant``: ``spynnaker-7.4.1`` (default) or ``spinncer-2021``, the study's
modified sPyNNaker (conductance weight scale 2**5 with SpiNNCer's ``VANILLA_RBLS``, and granule
cells at 3 sub-steps: SpiNNCer ``--loops_grc`` default 3, ``spinncer_argparser.py``).
"""
import ctypes
import math
import time

import numpy as np

from ..errors import InputError
from ..numerics import (CONDUCTANCE_WEIGHT_SCALE, REFERENCE_RB_LEFT_SHIFTS,
                        SPINNCER_VANILLA_RBLS, SPINNCER_WEIGHT_SCALE, check_shifts,
                        weight_integer, weight_step)
from ..params import INPUT_POPULATION, in_pathway_order
from . import spinnaker_build as core
from .base import Session

NAME = "spinnaker-emulated"
#: The SpiNNaker effects, in the order the ablation table lists them.
EFFECTS = ("weights", "constants", "state", "saturation", "refractory", "timing", "substeps")
#: Variants: sPyNNaker 7.4.1 as released, or the study's modified build.
VARIANTS = ("spynnaker-7.4.1", "spinncer-2021")
#: SpiNNCer's granule sub-steps (``--loops_grc`` default, spinncer_argparser.py).
SPINNCER_GRANULE_SUBSTEPS = 3
#: A delay in ticks must fit the core's ring (spinnaker_core.cpp RING = 64 slots).
MAX_DELAY_TICKS = 62


def s1615(value):
    """The S16.15 bits sPyNNaker sends for `value` (FEC ``DataType.S1615.encode_as_int``: round
    half even of the decimal repr)."""
    from spinn_front_end_common.interface.ds import DataType
    return int(DataType.S1615.encode_as_int(float(value)))


def population_params(cell, timestep, n_steps=1, shifts=(0, 0)):
    """:class:`~.spinnaker_build.PopulationParams` of a PyNN ``IF_cond_exp`` parameter dict."""
    return core.PopulationParams(
        v_rest=s1615(cell["v_rest"]), c_m=s1615(cell["cm"]), tau_m=s1615(cell["tau_m"]),
        i_offset=s1615(cell["i_offset"]), v_reset=s1615(cell["v_reset"]),
        t_refract_ms=s1615(cell["tau_refrac"]), time_step=s1615(timestep),
        v_rev_e=s1615(cell["e_rev_E"]), v_rev_i=s1615(cell["e_rev_I"]),
        v_thresh=s1615(cell["v_thresh"]), tau_syn_e=s1615(cell["tau_syn_E"]),
        tau_syn_i=s1615(cell["tau_syn_I"]), n_steps=int(n_steps), shift_e=int(shifts[0]),
        shift_i=int(shifts[1]))


def derived_constants(params, lib=None):
    """The constants a core derives from `params` (computed by the core's own code)."""
    lib = lib or core.load()
    out = core.DerivedConstants()
    lib.spinnaker_derive(ctypes.byref(params), ctypes.byref(out))
    return out


def exact_constants(cell, timestep, n_steps):
    """The same constants in float64: {r_membrane, exp_tc, exc/inh decay and init}."""
    ts = timestep / n_steps
    values = dict(r_membrane=cell["tau_m"] / cell["cm"], exp_tc=math.exp(-ts / cell["tau_m"]))
    for tag, tau in (("exc", cell["tau_syn_E"]), ("inh", cell["tau_syn_I"])):
        decay = math.exp(-ts / tau)
        values[f"{tag}_decay"], values[f"{tag}_init"] = decay, tau / ts * (1.0 - decay)
    return values


def rounded_constants(cell, timestep, n_steps, t_refract):
    """:class:`DerivedConstants` from float64 values rounded to the nearest S1615 / U0.32 (as
    sPyNNaker 6 computed them on the host)."""
    values = exact_constants(cell, timestep, n_steps)
    u032 = {k: min(int(round(v * 2.0 ** 32)), 0xFFFFFFFF) for k, v in values.items()
            if k.endswith(("decay", "init"))}
    return core.DerivedConstants(r_membrane=s1615(values["r_membrane"]),
                                 exp_tc=s1615(values["exp_tc"]), t_refract=int(t_refract),
                                 **u032)


def run_cells(params, consts, slots, *, v_init_bits=None, switches=None, reals=None,
              v_init=None, lib=None):
    """Drive single cells with given ring-buffer slot values: the network code with no synapses.

    `params`/`consts`: one PopulationParams / DerivedConstants per cell; `slots` (n_ticks,
    n_cells, 2) uint32 saturated slot values [exc, inh] fed each tick; `switches` default to
    the core's arithmetic (fixed point, saturation, SpiNNaker timing, g scaled by 2**10); the
    double-precision path (``fixed_point=0``) takes `reals` (PopulationReals per cell) and
    `v_init` (mV) instead of `v_init_bits`. Returns (state, recorded, spike ticks): state
    (n_ticks, n_cells, 5) int32 = V bits, g_exc bits, g_inh bits (fixed point only), spikes,
    refractory counter after each tick; recorded (n_ticks, n_cells, 3) float32 = V (mV),
    gsyn_exc, gsyn_inh (µS) as SpiNNaker records them (first sub-step, before the update).
    """
    lib = lib or core.load()
    slots = np.ascontiguousarray(slots, dtype=np.uint32)
    n_ticks, n_cells = slots.shape[:2]
    pops = (core.PopulationParams * n_cells)(*params)
    ks = (core.DerivedConstants * n_cells)(*consts)
    reals = (core.PopulationReals * n_cells)(*(reals or ()))
    sw = switches or core.RunSwitches(fixed_point=1, saturate=1, nest_timing=0,
                                      conductance_bits=10)
    state = np.zeros((n_ticks, n_cells, 5), np.int32)
    recorded = np.zeros((n_ticks, n_cells, 3), np.float32)
    capacity = n_ticks * n_cells
    ticks, cells = np.zeros(capacity, np.int32), np.zeros(capacity, np.int32)
    bits = np.zeros(n_cells, np.int32) if v_init_bits is None else np.asarray(v_init_bits,
                                                                              np.int32)
    volts = None if v_init is None else np.asarray(v_init, np.float64)
    n = lib.spinnaker_simulate(
        ctypes.byref(sw), n_cells, 0, n_cells, np.arange(n_cells, dtype=np.uint8), pops, ks,
        reals, np.zeros(n_cells + 1, np.int64), np.zeros(1, np.int32), np.zeros(1, np.uint32),
        None, np.zeros(1, np.uint8), np.zeros(1, np.uint8), n_ticks,
        np.zeros(n_ticks + 1, np.int64), np.zeros(1, np.int32), bits, volts, slots, n_cells,
        np.arange(n_cells, dtype=np.int32), recorded, state, ticks, cells, capacity, 1)
    return state, recorded, (ticks[:n], cells[:n])


def source_ticks(times, timestep):
    """Tick in which a SpikeSourceArray fires a spike at `times` ms (sPyNNaker 7.4.1
    ``_as_numpy_ticks``: ceil(floor(t * 1000) / time_step_us))."""
    step_us = round(timestep * 1000.0)
    return np.ceil(np.floor(np.asarray(times) * 1000.0) / step_us).astype(np.int64)


class SpinnakerEmulatedSession(Session):
    """One run of the emulated SpiNNaker computation (see the module docstring)."""

    def __init__(self, name=NAME, **kwargs):
        super().__init__(name, **kwargs)
        opts = self.options
        unknown = sorted(set(opts) - {"rb_left_shifts", "n_steps", "effects", "variant",
                                       "r_mem"})
        if unknown:
            raise InputError("spinnaker-emulated options", "rb_left_shifts, n_steps, effects, "
                             "variant", unknown)
        if opts.get("r_mem"):
            raise InputError("spinnaker.r_mem", "false (the emulation runs stock sPyNNaker's "
                             "conductance input)", "true")
        self.variant = opts.get("variant", VARIANTS[0])
        if self.variant not in VARIANTS:
            raise InputError("spinnaker-emulated variant", f"one of {VARIANTS}",
                             repr(self.variant))
        effects = opts.get("effects", list(EFFECTS))
        bad = sorted(set(effects) - set(EFFECTS))
        if bad:
            raise InputError("spinnaker-emulated effects", f"a subset of {EFFECTS}", bad)
        self.effects = frozenset(effects)
        if "state" in self.effects and "weights" not in self.effects:
            raise InputError("spinnaker-emulated effects", "'weights' with 'state' (a fixed-point "
                             "state receives 16-bit weight steps)", sorted(self.effects))
        study = self.variant == "spinncer-2021"
        self.global_scale = SPINNCER_WEIGHT_SCALE if study else CONDUCTANCE_WEIGHT_SCALE
        default_shifts = SPINNCER_VANILLA_RBLS if study else REFERENCE_RB_LEFT_SHIFTS
        self.shifts = check_shifts(opts.get("rb_left_shifts") or default_shifts)
        default_steps = {"granule": SPINNCER_GRANULE_SUBSTEPS} if study else {}
        self.n_steps = {**default_steps, **{k: int(v) for k, v in
                                            (opts.get("n_steps") or {}).items()}}
        if any(n < 1 for n in self.n_steps.values()):
            raise InputError("spinnaker-emulated n_steps", "sub-steps >= 1 per population",
                             self.n_steps)
        start = time.perf_counter()
        self._lib = core.load()  # compiles the core on first use on this machine
        self.extra_seconds["compile"] = round(time.perf_counter() - start, 4)
        self._spikes = self._signals = None

    # -- build ------------------------------------------------------------------------------
    def build(self, scaffold, stimulus, record_signals=None):
        self._n = {name: scaffold.n_cells(name) for name in scaffold.positions}
        self._pops = [p for p in in_pathway_order(scaffold.positions) if p != INPUT_POPULATION]
        missing = [p for p in self._pops if p not in self.shifts]
        if missing:
            raise InputError("rb_left_shifts", f"shifts for population '{missing[0]}'", "none")
        sizes = np.array([self._n[p] for p in self._pops], np.int64)
        self._offset = dict(zip(self._pops, np.concatenate([[0], np.cumsum(sizes)[:-1]])))
        self._n_cells = int(sizes.sum())
        self._pop_of_cell = np.repeat(np.arange(len(self._pops), dtype=np.uint8), sizes)
        v_init = [self.model.v_init(p) for p in self._pops]
        self._v_init = np.repeat(np.asarray(v_init, np.float64), sizes)
        self._v_init_bits = np.repeat(np.array([s1615(v) for v in v_init], np.int32), sizes)
        self._n_sources = self._n.get(INPUT_POPULATION, 0)
        if self._n_sources:
            source = np.repeat(np.arange(self._n_sources), stimulus.counts)
            ticks = source_ticks(stimulus.times, self.timestep)
            order = np.argsort(ticks, kind="stable")
            self._source_spikes = (source[order], ticks[order])
        else:
            self._source_spikes = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        record = record_signals or {}
        self._record = {p: np.asarray(record[p], np.int64) for p in self._pops if p in record}
        rows = [self._offset[p] + cells for p, cells in self._record.items()]
        self._recorded = (np.concatenate(rows) if rows else np.zeros(0, np.int64)).astype(
            np.int32)

    def _population_tables(self):
        """PopulationParams, DerivedConstants and PopulationReals per population, as the
        effects switched on decide."""
        params, consts, reals = [], [], []
        fe = self.effects
        for p in self._pops:
            cell = self.model.cell_params[p]
            n_steps = self.n_steps.get(p, 1) if "substeps" in fe else 1
            shifts = self.shifts[p]
            par = population_params(cell, self.timestep, n_steps, shifts)
            spinnaker = derived_constants(par, self._lib)
            ts = self.timestep / n_steps
            t_refract = (spinnaker.t_refract if "refractory" in fe
                         else int(round(cell["tau_refrac"] / ts)))
            if "constants" in fe:  # the core's constants; on the double path, as reals
                k = spinnaker
                k.t_refract = t_refract
                real = dict(r_membrane=k.r_membrane / 2.0 ** 15, exp_tc=k.exp_tc / 2.0 ** 15,
                            exc_decay=k.exc_decay / 2.0 ** 32, exc_init=k.exc_init / 2.0 ** 32,
                            inh_decay=k.inh_decay / 2.0 ** 32, inh_init=k.inh_init / 2.0 ** 32)
                values = {key: getattr(par, key) / 2.0 ** 15 for key in (
                    "v_rest", "v_reset", "v_thresh", "i_offset", "v_rev_e", "v_rev_i")}
            else:
                k = rounded_constants(cell, self.timestep, n_steps, t_refract)
                real = exact_constants(cell, self.timestep, n_steps)
                values = dict(v_rest=cell["v_rest"], v_reset=cell["v_reset"],
                              v_thresh=cell["v_thresh"], i_offset=cell["i_offset"],
                              v_rev_e=cell["e_rev_E"], v_rev_i=cell["e_rev_I"])
            reals.append(core.PopulationReals(
                **values, **real, step_e=weight_step(shifts[0], self.global_scale),
                step_i=weight_step(shifts[1], self.global_scale)))
            params.append(par)
            consts.append(k)
        return params, consts, reals

    # -- connect ----------------------------------------------------------------------------
    def connect(self, scaffold, weights=None):
        """Synapses in CSR by source (cells, then glomeruli): target cell, 16-bit weight steps
        (or exact µS), delay in ticks, receptor."""
        weights = weights or {}
        sources, targets, steps, exact, delays, receptors = [], [], [], [], [], []
        self.weights = {}
        for name, kind in self.model.connection_types.items():
            conn = scaffold.connections.get(name)
            if conn is None or len(conn) == 0 or kind.post not in self._offset:
                continue
            if kind.pre == INPUT_POPULATION:
                pre = self._n_cells + conn.pre
            elif kind.pre in self._offset:
                pre = self._offset[kind.pre] + conn.pre
            else:
                continue
            receptor = 0 if kind.receptor == "excitatory" else 1
            magnitude = abs(float(weights.get(name, kind.weight)))
            shift = self.shifts[kind.post][receptor]
            step = int(weight_integer(magnitude, shift, self.global_scale))
            self.weights[name] = (step * weight_step(shift, self.global_scale)
                                  if "weights" in self.effects else magnitude)
            ticks = int(round(kind.delay / self.timestep))  # sPyNNaker round_delay
            if not 1 <= ticks <= MAX_DELAY_TICKS:
                raise InputError(f"delay of {name}", f"1 to {MAX_DELAY_TICKS} timesteps",
                                 f"{kind.delay} ms = {ticks} steps")
            n = len(conn)
            sources.append(pre.astype(np.int64))
            targets.append((self._offset[kind.post] + conn.post).astype(np.int32))
            steps.append(np.full(n, step, np.uint32))
            exact.append(np.full(n, magnitude))
            delays.append(np.full(n, ticks, np.uint8))
            receptors.append(np.full(n, receptor, np.uint8))
        n_rows = self._n_cells + self._n_sources
        source = np.concatenate(sources) if sources else np.zeros(0, np.int64)
        order = np.argsort(source, kind="stable")
        self._row_start = np.concatenate(
            [[0], np.cumsum(np.bincount(source, minlength=n_rows))]).astype(np.int64)

        def ordered(parts, dtype):
            return np.ascontiguousarray(np.concatenate(parts)[order] if parts
                                        else np.zeros(0, dtype), dtype)
        self._target = ordered(targets, np.int32)
        self._weight = ordered(steps, np.uint32)
        self._weight_real = None if "weights" in self.effects else ordered(exact, np.float64)
        self._delay = ordered(delays, np.uint8)
        self._receptor = ordered(receptors, np.uint8)

    # -- run --------------------------------------------------------------------------------
    def run(self, simtime):
        n_ticks = int(round(simtime / self.timestep))
        params, consts, reals = self._population_tables()
        n_pops = len(params)
        fe = self.effects
        switches = core.RunSwitches(
            fixed_point=int("state" in fe), saturate=int("saturation" in fe),
            nest_timing=int("timing" not in fe),
            conductance_bits=int(round(math.log2(self.global_scale))))
        source, ticks = self._source_spikes
        keep = ticks < n_ticks
        by_tick = np.ascontiguousarray(source[keep], np.int32)
        tick_start = np.concatenate([[0], np.cumsum(np.bincount(ticks[keep],
                                                                 minlength=n_ticks))])
        n_rec = len(self._recorded)
        rec = np.zeros((n_ticks, n_rec, 3), np.float32)
        capacity = max(1024, 4 * self._n_cells + 1024)
        start = time.perf_counter()
        while True:
            ticks, cells = np.zeros(capacity, np.int32), np.zeros(capacity, np.int32)
            n_spikes = self._lib.spinnaker_simulate(
                ctypes.byref(switches), self._n_cells, self._n_sources, n_pops,
                self._pop_of_cell, (core.PopulationParams * n_pops)(*params),
                (core.DerivedConstants * n_pops)(*consts),
                (core.PopulationReals * n_pops)(*reals), self._row_start,
                self._nonempty(self._target, np.int32), self._nonempty(self._weight, np.uint32),
                self._weight_real, self._nonempty(self._delay, np.uint8),
                self._nonempty(self._receptor, np.uint8), n_ticks,
                tick_start.astype(np.int64), self._nonempty(by_tick, np.int32),
                self._v_init_bits, self._v_init,
                None, n_rec, self._recorded, rec, None, ticks, cells, capacity,
                self.threads)
            if n_spikes <= capacity:
                break
            capacity = int(n_spikes)  # rerun with room for every spike (deterministic)
        self.extra_seconds["simulate_core"] = round(time.perf_counter() - start, 4)
        self._collect(ticks[:n_spikes], cells[:n_spikes], rec, n_ticks)

    @staticmethod
    def _nonempty(array, dtype):
        return array if len(array) else np.zeros(1, dtype)

    def _collect(self, ticks, cells, rec, n_ticks):
        from ..results import PopulationSpikes, Signals
        dt = self.timestep
        stamp = 0.0 if "timing" in self.effects else dt  # NEST stamps the step's end
        self._spikes = {}
        for p in self._pops:
            lo = self._offset[p]
            mine = (cells >= lo) & (cells < lo + self._n[p])
            self._spikes[p] = PopulationSpikes(cells[mine].astype(np.int64) - lo,
                                               ticks[mine] * dt + stamp, self._n[p])
        if self._n_sources:
            source, fired = self._source_spikes
            keep = fired < n_ticks
            order = np.lexsort((fired[keep], source[keep]))
            self._spikes[INPUT_POPULATION] = PopulationSpikes(
                source[keep][order].astype(np.int64), fired[keep][order] * dt, self._n_sources)
        for p, n in self._n.items():
            self._spikes.setdefault(p, PopulationSpikes(np.empty(0, np.int64), np.empty(0), n))
        self._signals, row = {}, 0
        for p, cols in self._record.items():
            part = rec[:, row:row + len(cols), :]
            row += len(cols)
            self._signals[p] = Signals(cells=cols, t_start=0.0, dt=dt,
                                       v=part[:, :, 0].copy(), gsyn_exc=part[:, :, 1].copy(),
                                       gsyn_inh=part[:, :, 2].copy())

    # -- results ----------------------------------------------------------------------------
    def spikes(self):
        return self._spikes

    def signals(self):
        return self._signals or {}

    def versions(self):
        from spynnaker import _version
        return {"emulated sPyNNaker": _version.__version__,
                "core source sha256": core.sha256(core.SOURCE)[:16]}
