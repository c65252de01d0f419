"""Brian2 backend: C++ standalone code, compiled once per network, run many times.

Runs in the brian2 environment (``envs/brian2.txt``, made by :func:`spinncer.envs.make_env`):
brian2 2.9 needs numpy < 2, so it cannot share the NEST environment.

Cell model: PyNN ``IF_cond_exp`` as NEST's ``iaf_cond_exp`` implements it [PyNN
standardmodels/cells.py; NEST iaf_cond_exp docs and source]::

    cm dv/dt = g_L (v_rest - v) + g_exc (e_rev_E - v) + g_inh (e_rev_I - v) + i_offset
    dg_exc/dt = -g_exc / tau_syn_E,   dg_inh/dt = -g_inh / tau_syn_I,   g_L = cm / tau_m

spike when v >= v_thresh after a step; v = v_reset, then held at v_reset for
round(tau_refrac / dt) steps; a spike arriving adds its weight to g_exc (positive model weight)
or g_inh (negative) at the end of the step it arrives in; v starts at the model's initial v
(:meth:`spinncer.params.Model.v_init`: v_rest unless the variant sets one).

Integration: NEST integrates with GSL's adaptive RKF45 (effectively exact here: its one-step
v errors on a recorded smoke network are at float32 rounding, ~4e-6 mV RMS). The conductances
are integrated exactly (a pure exponential decay between arrivals: multiplied by
exp(-dt/tau_syn) after each step). Within a step v obeys the linear equation
``dv/dt = -a(t) v + b(t)`` with ``a(t) = (g_L + g_exc(t) + g_inh(t)) / cm`` and each
conductance decaying from its step-start value, ``g(s) = g e^{-s/tau}``. Its exact solution is
``v(dt) = e^{-Phi} v + sum_j E_j/cm int_0^dt e^{-(Phi - Phi(s))} g_j(s) ds`` (j: leak,
excitatory, inhibitory; the offset current like a leak with E = i_offset / g_L), with
``Phi = int_0^dt a`` known in closed form (the conductances' step means,
``g * tau/dt * (1 - exp(-dt/tau))``). v is integrated by exponential Euler (unconditionally
stable: the granule cell's membrane time constant falls below the 0.1 ms step under strong
input) written so that it is that solution with one approximation: the kernel
``e^{-(Phi - Phi(s))}`` is taken at the step's mean rate ``abar = Phi/dt``, which makes each
channel's weight ``w_j = e^{-abar dt} exprel((abar - 1/tau_j) dt)`` (``w_L`` with 1/tau = 0);
the weights are renormalised so that the constant solution is kept exactly::

    dv/dt = abar (v_inf - v),   v_inf = sum_j w_j g_j E_j / sum_j w_j g_j

Measured against a fine Runge-Kutta solution from NEST's recorded states of every step of the
smoke network (seed 1, 1 s): granule one-step v error RMS 4e-5 mV, mean -3e-6, max 3e-3 mV.
Exponential Euler with every conductance frozen at its step mean (CODE_VERSION 4) had RMS
1.8e-2, mean +2.0e-3, max 0.64 mV: it weighs the excitatory conductance as if spread evenly
over the step, while most of it (tau_syn_E = 0.5 ms against 0.1 ms steps) comes early, where
its effect on v has partly decayed by the step's end; so Brian2 fired systematically one step
early (6 of the first 6 differing granule and Golgi spikes against NEST), and NEST and Brian2
shared every spike of the smoke network for 19.5 ms; now for 308.2 ms (the stimulus onset).
One operation per step does it all (CELL_STEP, after Brian2's state updater has set
``not_refractory``): x = abar dt, one exp for the v decay e^{-x}, which also gives the weights as
``w_j = (e^{-a_j} - e^{-x}) / (x - a_j)`` (a_j = dt/tau_j), v, then the conductances' decay.
The same scheme written with three ``exprel`` per cell and step in three passes over the cells
(CODE_VERSION 6) took 23.5 s of the 400 x 400 µm program's 35.8 s (see the layout below).

Timing conventions, so spike arrivals match NEST: Brian2 labels a spike with the start of the
step in which v crossed threshold, NEST with its end: reported times are Brian2's + dt.
A spike (stamp s) with delay d changes g at s + d in both. Glomeruli: PyNN/NEST sends a
``SpikeSourceArray`` time s through a parrot neuron with stamp s; here glomerulus i fires at
Brian2 step s/dt - 1 (stamp s). Refractoriness: Brian2 holds v for refractory/dt - 1 steps
after the spike step, so the group's refractory period is (round(tau_refrac/dt) + 1) dt.
Signals are recorded at the start of each step, before its update (sample k: the state at
t = k dt, t = 0 first), the run files' time base (:data:`spinncer.results.SAMPLING`); the
state after step k, which NEST's multimeter stamps (k + 1) dt, is the same numbers.

Network layout: the cell update is the program's main cost, and GCC vectorises its loop (4
cells per AVX2 instruction) only over contiguous arrays and literals, not over tables indexed by
each cell's population (a gather). A population holding a large share of the cells (the granule
cells) gets a NeuronGroup of its own, its parameters literals of the code; the other populations
share one group, their parameters per-cell arrays (:func:`cell_groups`); the glomeruli are
another group; one Synapses object per (source group, target group, receptor), per-synapse
connection type and delay. Few groups keep the generated files, and so the compile time, few. At
400 x 400 µm (benchmarks/README.md, profiled program): all cells in one group with indexed
tables, cell update 11.4 s of a 15.9 s program; all in one group, per-cell arrays, vectorised:
6.3 of 11.4 s (memory traffic of the arrays); one group per population: 2.1 of 5.3 s, but 96
generated files and a 50-64 s compile instead of 17-19 s.

Compile once, run many: everything a run's stimulus changes (the spike times of the glomeruli)
is an array set at program start (``device.run(run_args=...)``): the spike times of all
glomeruli as one table padded to a power-of-two capacity, and per glomerulus the index range
of its train. The compiled project is cached under a key of everything else the code depends
on (network arrays, model, timestep, simtime, threads, recorded cells, capacity,
brian2 version), so seeds and sweep points of one scaffold reuse it.
The synaptic weights are run-time data too: a synapse holds the index of its connection type,
and the weight of each type (µS) is a table set at program start, so weight-scaled networks
(``weight_scale``, nest-numerics' weights, benchmarks/validation_power.py) share one build;
:meth:`Brian2Session.rerun` runs a built project again with another stimulus or weights.
A Brian2 neuron fires at most once per step, so a repeated spike time in one train (floored
Poisson trains have some: 30 of 3,733 spikes at the smoke point) goes to a second "lane" of the
glomerulus group (:func:`spike_lanes`), which has the same synapses.
"""
import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import time
import uuid
from pathlib import Path

import numpy as np

from ..atomic import cache_dir, file_lock
from ..errors import InputError
from ..params import INPUT_POPULATION
from ..provenance import sha256
from .base import Session

log = logging.getLogger("spinncer")

NAME = "brian2"
#: Label of the integration scheme (benchmarks/README.md names it). The cache key covers this
#: module's source as well, so any change here compiles anew.
CODE_VERSION = 8
SOURCE_DIGEST = sha256(__file__)
#: Smallest capacity of the glomerulus spike table (spikes).
MIN_CAPACITY = 1024


def _import_brian2():
    """brian2, or one InputError naming what is missing (the brian2 env, or a compiler)."""
    try:
        import brian2
    except ImportError as err:
        raise InputError("backend brian2", "the brian2 environment (spinncer make-env brian2 "
                         "DIR, then DIR/bin/python -m spinncer simulate --backend brian2 ...)",
                         f"brian2 not importable by {sys.executable} ({err})") from None
    compiler = os.environ.get("CXX", "g++")
    if shutil.which(compiler) is None:
        raise InputError("backend brian2", "a C++ compiler for Brian2's standalone code",
                         f"no '{compiler}' on PATH")
    return brian2


def default_cache_dir():
    """Where compiled projects are kept: $SPINNCER_BRIAN2_CACHE, else ~/.cache/spinncer/brian2."""
    return cache_dir("SPINNCER_BRIAN2_CACHE", "brian2")


def capacity_for(n_spikes):
    """Size of the glomerulus spike table: the next power of two (at least MIN_CAPACITY)."""
    return max(MIN_CAPACITY, 1 << int(np.ceil(np.log2(max(int(n_spikes), 1)))))


#: Lanes every build has, so that the stimuli of one protocol share a compiled project. A
#: Poisson glomerulus at the paper's peak (151 Hz) puts k spikes in one 0.1 ms step with
#: P ~ (0.0151)^k / k!: over 7k glomeruli and the 500 stimulus steps of a 400 x 400 µm run about
#: 2 triple spikes are expected (seeds 1 and 2 of the paper point: 3 and 2 lanes needed), a
#: quadruple in about 1 run in 140. Each lane beyond the first copies the glomerulus synapses
#: (369k of 4.2M at 400 x 400 µm).
MIN_LANES = 3


def spike_lanes(stimulus, dt, min_lanes=MIN_LANES):
    """The glomerulus spikes as Brian2 firing steps (stamp / dt - 1), split into lanes: a
    Brian2 neuron fires at most once per step, so the k-th spike of one train in one step goes
    to lane k (unit ``k * n + glomerulus``; each lane has the glomerulus's synapses).
    Returns (steps ordered by unit then step, first and end index of each unit's steps, number
    of lanes: at least `min_lanes`, so stimuli with and without repeats share one build)."""
    n = len(stimulus.counts)
    cells = np.repeat(np.arange(n), stimulus.counts)
    steps = np.rint(np.asarray(stimulus.times) / dt).astype(np.int64) - 1
    order = np.lexsort((steps, cells))
    cells, steps = cells[order], steps[order]
    first = np.r_[True, (cells[1:] != cells[:-1]) | (steps[1:] != steps[:-1])]
    rank = np.arange(len(steps)) - np.flatnonzero(first)[np.cumsum(first) - 1]
    lanes = max(min_lanes, int(rank.max(initial=0)) + 1)
    unit = rank * n + cells
    order = np.lexsort((steps, unit))
    counts = np.bincount(unit, minlength=lanes * n)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    return steps[order], starts, starts + counts, lanes


#: A population with at least this share of the IF_cond_exp cells gets a NeuronGroup of its own
#: (its parameters then literals of its code; at 400 x 400 µm: the granule cells, 91 %); the
#: others share one group (their parameters per-cell arrays), which keeps the number of
#: generated files, and so the compile time, low (module docstring: network layout).
OWN_GROUP_SHARE = 0.25


def cell_groups(n_cells, own_group_share=OWN_GROUP_SHARE):
    """{group name: [population, ...]} of the non-empty IF_cond_exp populations of
    `n_cells` ({population: count}), in their order: one group "cells_<population>" per
    population holding at least `own_group_share` of the cells, one group "cells" for the
    rest."""
    pops = [name for name, n in n_cells.items() if n and name != INPUT_POPULATION]
    total = sum(n_cells[name] for name in pops)
    groups = {}
    for name in pops:
        own = n_cells[name] >= own_group_share * total
        groups.setdefault(f"cells_{name}" if own else "cells", []).append(name)
    return groups


def refractory_steps(tau_refrac, dt):
    """NEST's refractory step count (Time(ms=tau_refrac).get_steps(), rounded)."""
    return int(round(tau_refrac / dt))


def step_mean_factor(tau, dt):
    """Mean of exp(-t/tau) over one step: the factor from a conductance at the step start to
    its mean over the step."""
    return float(tau / dt * -np.expm1(-dt / tau))


@contextlib.contextmanager
def _output_to(path):
    """Send this process's stdout and stderr (file descriptors: the compiler's too) to `path`."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(path, "w") as handle:
            os.dup2(handle.fileno(), 1)
            os.dup2(handle.fileno(), 2)
            yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, target in zip(saved, (1, 2)):
            os.dup2(fd, target)
            os.close(fd)


#: Per-population parameters of the cells: name, Brian2 unit, unit of the value spinncer gives
#: (PyNN's: ms, mV, nF, nA, µS; 1 µS ms / nF = 1). One equal in every population is a literal
#: of the generated code; the others are per-cell constant arrays, read in order (contiguous
#: loads, so the cell loop vectorises; a table indexed by each cell's population would be a
#: gather, which GCC does not vectorise here).
CELL_CONSTANTS = (("x_L", "1", "1"), ("f_exc", "1/siemens", "1/uS"),
                  ("f_inh", "1/siemens", "1/uS"), ("a_exc", "1", "1"), ("a_inh", "1", "1"),
                  ("d_exc", "1", "1"), ("d_inh", "1", "1"), ("g_L", "siemens", "uS"),
                  ("i_rest", "amp", "nA"), ("e_rev_E", "volt", "mV"), ("e_rev_I", "volt", "mV"),
                  ("v_thresh", "volt", "mV"), ("v_reset", "volt", "mV"),
                  ("t_ref", "second", "ms"))
#: PyNN IF_cond_exp (see the module docstring). v and the conductances are advanced by one
#: operation per step (CELL_STEP), after Brian2's state updater has set `not_refractory`.
CELL_STATE = """
v : volt
g_exc : siemens
g_inh : siemens
"""
#: One step of every cell (module docstring): x = abar dt from the conductances' step means
#: (f_* = mean of exp(-s/tau_syn) over the step, per unit C_m/dt), the v decay exp(-x), the
#: channel weights w_j = (d_j - exp(-x)) / (x - a_j) (a_j = dt/tau_j, d_j = exp(-a_j); leak
#: a = 0, d = 1: channel_weight), v towards v_inf unless refractory, then the exact decay of
#: the conductances. One exp per cell and step.
CELL_STEP = """
x = x_L + f_exc * g_exc + f_inh * g_inh
decay_v = exp(-x)
w_L = channel_weight(decay_v, 1.0, x)
w_exc = channel_weight(decay_v, d_exc, x - a_exc)
w_inh = channel_weight(decay_v, d_inh, x - a_inh)
v_inf = (w_L * i_rest + w_exc * g_exc * e_rev_E + w_inh * g_inh * e_rev_I) / (w_L * g_L + w_exc * g_exc + w_inh * g_inh)
v += int(not_refractory) * (v_inf - v) * (1 - decay_v)
g_exc *= d_exc
g_inh *= d_inh
"""
#: Below this |x - a| the channel weight's quotient loses digits; its first-order limit
#: exp(-x) (1 + (x - a)/2) is then exact to O((x - a)^2).
CHANNEL_WEIGHT_TINY = 1e-6


def _channel_weight_function():
    """channel_weight(decay, d, y) = (d - decay) / y, or decay (1 + y/2) for |y| < TINY, for
    Brian2's C++ code (and numpy, which Brian2 uses to check units)."""
    from brian2 import check_units, implementation

    @implementation("cpp", f"""
    static inline double channel_weight(double decay, double d, double y) {{
        return fabs(y) > {CHANNEL_WEIGHT_TINY!r} ? (d - decay) / y : decay * (1.0 + 0.5 * y);
    }}""")
    @check_units(decay=1, d=1, y=1, result=1)
    def channel_weight(decay, d, y):
        y = np.asarray(y, float)
        small = np.abs(y) <= CHANNEL_WEIGHT_TINY
        return np.where(small, decay * (1.0 + 0.5 * y), (d - decay) / np.where(small, 1.0, y))

    return channel_weight


class Brian2Session(Session):
    """One run on Brian2's C++ standalone device (options: ``cache_dir``; ``own_group_share``,
    see :func:`cell_groups`)."""

    def __init__(self, name=NAME, **kwargs):
        super().__init__(name, **kwargs)
        self._b2 = _import_brian2()
        self._digest = hashlib.sha256()
        self._key = {}
        self._groups = {}
        self._spike_monitors = {}
        self._state_monitors = {}
        self._synapses = []
        self._record = {}
        self._place = {}  # population: (its group, index of its first cell there)
        self._lanes = 1
        self._stimulus_args = {}
        self._weights = None
        self._input = None  # (glomerulus group, its spike table, the table's capacity)
        self._weight_table = None
        self._project = self._simtime = None
        self._spikes = None
        self._signals = None
        self.reused = None  # whether run() found the compiled project in the cache

    # -- build ------------------------------------------------------------------------------
    def build(self, scaffold, stimulus, record_signals=None):
        b2 = self._b2
        from brian2 import NeuronGroup, SpikeMonitor, StateMonitor, TimedArray, ms, mV, second
        b2.set_device("cpp_standalone", build_on_run=False)
        b2.device.reinit()
        b2.device.activate(build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = self.threads if self.threads > 1 else 0
        # Brian2's default make flag is a bare '-j' (one compiler per source file at once:
        # dozens of cc1plus, GiBs of RSS): one compiler per core this process may use. DEPS=
        # skips the makefile's header-dependency scan (a serial preprocessor pass over every
        # file, 9 s at 400 x 400 µm), which only serves rebuilds: a project is built once, in a
        # directory named by its cache key
        b2.prefs.devices.cpp_standalone.extra_make_args_unix = [
            f"-j{len(os.sched_getaffinity(0))}", "DEPS="]
        # the cell loop vectorises (4 cells per AVX2 instruction) when GCC may use glibc's vector
        # exp, which needs finite math (Brian2 adds -fno-finite-math-only; nothing here makes or
        # tests inf/nan), and may check more than its default 10 pairs of the loop's 16 arrays
        # for overlap before taking the vector path
        b2.prefs.codegen.cpp.extra_compile_args_gcc = [
            arg for arg in b2.prefs.codegen.cpp.extra_compile_args_gcc
            if arg != "-fno-finite-math-only"] + ["--param=vect-max-version-for-alias-checks=100"]
        b2.defaultclock.dt = self.timestep * ms
        self._n_cells = {name: scaffold.n_cells(name) for name in scaffold.positions}
        record = {name: np.asarray(cols, np.int64) for name, cols in (record_signals or {}).items()
                  if len(cols)}
        v_init = {}
        groups = cell_groups(self._n_cells,
                             float(self.options.get("own_group_share", OWN_GROUP_SHARE)))
        self._key["groups"] = groups
        for group_name, pops in groups.items():
            sizes = np.array([self._n_cells[name] for name in pops], np.int64)
            offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            self._place.update({name: (group_name, int(start))
                                for name, start in zip(pops, offsets)})
            equations, literals, arrays = self._cell_parameters(pops, sizes)
            cells = NeuronGroup(int(sizes.sum()), CELL_STATE + equations,
                                threshold="v >= v_thresh", reset="v = v_reset",
                                refractory="t_ref", name=group_name, namespace=literals)
            # after the state updater (order 0), which only sets not_refractory
            cells.run_regularly(CELL_STEP, when="groups", order=1, name=f"{group_name}_step")
            for name, values in arrays.items():
                setattr(cells, name, values)
            v_init.update({name: self.model.v_init(name) for name in pops})
            cells.v = np.repeat([v_init[name] for name in pops], sizes) * mV
            self._groups[group_name] = cells
            self._spike_monitors[group_name] = SpikeMonitor(cells, name=f"{group_name}_spikes")
            recorded = [name for name in pops if name in record]
            if recorded:
                self._record.update({name: record[name] for name in recorded})
                indices = np.concatenate([self._place[name][1] + record[name]
                                          for name in recorded])
                # at the start of each step, before its update: the run files' time base
                # (spinncer.results.SAMPLING: t = 0 first, simtime / dt samples)
                self._state_monitors[group_name] = StateMonitor(
                    cells, ["v", "g_exc", "g_inh"], record=indices, when="start",
                    name=f"{group_name}_signals")
        self._key["v_init"] = v_init
        self._key["record"] = {name: cols.tolist() for name, cols in self._record.items()}
        if self._n_cells.get(INPUT_POPULATION):
            steps, _, _, self._lanes = spike_lanes(stimulus, self.timestep)
            capacity = capacity_for(len(steps))
            self._key.update(capacity=capacity, lanes=self._lanes)
            spike_step = TimedArray(np.full(capacity, np.iinfo(np.int32).max, np.float64),
                                    dt=1 * second, name="glomerulus_spike_step")
            group = NeuronGroup(
                self._n_cells[INPUT_POPULATION] * self._lanes,
                "next_spike : integer\nlast_spike : integer",
                threshold="next_spike < last_spike and "
                          "t_in_timesteps >= spike_step(next_spike * second)",
                reset="next_spike += 1", name=INPUT_POPULATION,
                namespace={"spike_step": spike_step})
            self._input = (group, spike_step, capacity)
            self._set_stimulus(stimulus)
            self._groups[INPUT_POPULATION] = group
            self._place[INPUT_POPULATION] = (INPUT_POPULATION, 0)
            self._spike_monitors[INPUT_POPULATION] = SpikeMonitor(group, name="input_spikes")

    def _set_stimulus(self, stimulus):
        """The glomerulus spike table and each lane's index range as run arguments."""
        group, spike_step, capacity = self._input
        steps, starts, stops, lanes = spike_lanes(stimulus, self.timestep)
        if lanes > self._lanes or len(steps) > capacity:
            raise ValueError(f"stimulus needs {lanes} lanes and {len(steps)} spikes; the build "
                             f"has {self._lanes} and {capacity}")
        table = np.full(capacity, np.iinfo(np.int32).max, dtype=np.float64)
        table[:len(steps)] = steps
        # a new dict, not an update: Brian2 compares variable views by their values, which
        # a standalone project has not written yet
        self._stimulus_args = {group.next_spike: starts.astype(np.int32),
                               group.last_spike: stops.astype(np.int32), spike_step: table}

    def _cell_parameters(self, cell_pops, sizes):
        """The CELL_CONSTANTS of the cells: (equations declaring the per-cell ones, namespace of
        the literals and channel_weight, {name: per-cell Brian2 quantity array})."""
        import brian2
        dt = self.timestep
        rows = []
        for name in cell_pops:
            p = self.model.cell_params[name]
            self._key.setdefault("cells", {})[name] = sorted(p.items())
            g_L = p["cm"] / p["tau_m"]
            per_step = dt / p["cm"]  # conductance (µS) to rate x step (1)
            rows.append({**p, "g_L": g_L, "i_rest": g_L * p["v_rest"] + p["i_offset"],
                         "x_L": dt / p["tau_m"],
                         "f_exc": step_mean_factor(p["tau_syn_E"], dt) * per_step,
                         "f_inh": step_mean_factor(p["tau_syn_I"], dt) * per_step,
                         "a_exc": dt / p["tau_syn_E"], "a_inh": dt / p["tau_syn_I"],
                         "d_exc": float(np.exp(-dt / p["tau_syn_E"])),
                         "d_inh": float(np.exp(-dt / p["tau_syn_I"])),
                         "t_ref": (refractory_steps(p["tau_refrac"], dt) + 1) * dt})
        units = {"1": 1, "1/uS": 1 / brian2.uS}
        equations, literals, arrays = "", {"channel_weight": _channel_weight_function()}, {}
        for var, unit, given in CELL_CONSTANTS:
            values = np.array([row[var] for row in rows], np.float64)
            scale = units[given] if given in units else getattr(brian2, given)
            if np.all(values == values[0]):
                literals[var] = values[0] * scale
            else:
                equations += f"{var} : {unit} (constant)\n"
                arrays[var] = np.repeat(values, sizes) * scale
        return equations, literals, arrays

    # -- connect ----------------------------------------------------------------------------
    def connect(self, scaffold, weights=None):
        """One Synapses object per (source group, target group, receptor): per-synapse
        connection type (the index into the run-time weight table) and delay."""
        from brian2 import Synapses, TimedArray, ms, second
        weights = self.weights if weights is None else weights
        types = sorted(self.model.connection_types)
        self._key["connection_types"] = types
        parts = {}
        for name, conn in scaffold.connections.items():
            if name not in self.model.connection_types or len(conn) == 0:
                continue
            kind = self.model.connection_types[name]
            if kind.pre not in self._place or kind.post not in self._place:
                continue
            (source, pre_start), (target, post_start) = (self._place[kind.pre],
                                                         self._place[kind.post])
            pre = np.asarray(conn.pre, np.int64) + pre_start
            post = np.asarray(conn.post, np.int64) + post_start
            self._digest.update(name.encode())
            self._digest.update(pre.tobytes())
            self._digest.update(post.tobytes())
            self._key.setdefault("connections", {})[name] = [kind.pre, kind.post,
                                                             kind.receptor, kind.delay]
            if source == INPUT_POPULATION:  # every lane of a glomerulus has its synapses
                n = self._n_cells[INPUT_POPULATION]
                pre = (pre[None, :] + n * np.arange(self._lanes)[:, None]).ravel()
                post = np.tile(post, self._lanes)
            parts.setdefault((source, target, kind.receptor), []).append(
                (pre, post, np.full(len(pre), types.index(name)), np.full(len(pre), kind.delay)))
        # the weight of each connection type (µS) is run-time data (module docstring)
        self._weight_table = TimedArray(self.weight_table(weights), dt=1 * second,
                                        name="connection_weight")
        for (source, target, receptor), arrays in parts.items():
            pre, post, ctype, delay = (np.concatenate(column) for column in zip(*arrays))
            conductance = "g_inh" if receptor == "inhibitory" else "g_exc"
            synapses = Synapses(self._groups[source], self._groups[target],
                                "ctype : integer (constant)",
                                on_pre=f"{conductance}_post += "
                                       "connection_weight(ctype * second) * uS",
                                namespace={"connection_weight": self._weight_table},
                                name=f"{source}_to_{target}_{receptor}")
            synapses.connect(i=pre.astype(np.int32), j=post.astype(np.int32))
            synapses.ctype = ctype.astype(np.int32)
            synapses.delay = delay * ms
            self._synapses.append(synapses)
        self._weights = self.weight_table(weights)

    def weight_table(self, weights=None):
        """|weight| (µS) of each connection type of the model, in sorted name order (the index a
        synapse holds); `weights` ({connection: µS}) replaces the model's where given."""
        weights = weights or {}
        return np.array([abs(weights.get(name, kind.weight)) for name, kind in
                         sorted(self.model.connection_types.items())], np.float64)

    # -- run --------------------------------------------------------------------------------
    def cache_key(self, simtime):
        """Digest of everything the compiled code depends on (not the stimulus)."""
        key = dict(self._key, code_version=CODE_VERSION, source=SOURCE_DIGEST,
                   brian2=self._b2.__version__, timestep=self.timestep, simtime=float(simtime),
                   threads=self.threads, n_cells=self._n_cells, arrays=self._digest.hexdigest())
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()

    def run(self, simtime):
        b2 = self._b2
        from brian2 import Network, ms
        network = Network(*self._groups.values(), *self._spike_monitors.values(),
                          *self._state_monitors.values(), *self._synapses, name="network")
        network.run(float(simtime) * ms, report=None)
        cache = Path(self.options.get("cache_dir") or default_cache_dir())
        project = cache / self.cache_key(simtime)[:20]
        # one process at a time per project: a build rewrites the arrays a run reads
        with file_lock(cache / f"{project.name}.lock"):
            self.reused = reused = (project / "main").is_file()
            start = time.perf_counter()
            build_log = cache / f"{project.name}.build.log"
            if reused:
                # the key covers everything the code and its static arrays hold (the stimulus
                # comes through run_args): writing them again would cost seconds per run at
                # 400 x 400 µm for a project equal to the one on disk
                b2.get_device().project_dir = str(project)
            else:
                try:
                    with _output_to(build_log):
                        b2.device.build(directory=str(project), compile=True, run=False,
                                        with_output=False)
                except (RuntimeError, OSError) as err:
                    raise InputError("backend brian2", "a C++ compiler that builds Brian2's "
                                     "standalone code", f"a failed build ({err}; compiler "
                                     f"output in {build_log})") from None
            self.extra_seconds["compile"] = round(time.perf_counter() - start, 4)
            log.info("brian2: project %s %s in %.1f s", project,
                     "reused" if reused else "compiled", self.extra_seconds["compile"])
            self._project, self._simtime = project, simtime
            self._execute()

    def rerun(self, stimulus=None, weights=None):
        """Run the project of the last :meth:`run` again (no code generation, no compile)
        with another stimulus (within the build's lanes and spike capacity) and/or other
        weights ({connection: µS}, the model's elsewhere); then :meth:`spikes` and
        :meth:`signals` are this run's."""
        if stimulus is not None:
            self._set_stimulus(stimulus)
        if weights is not None:
            self._weights = self.weight_table(weights)
        with file_lock(self._project.parent / f"{self._project.name}.lock"):
            self._execute()

    def _execute(self):
        """Run the compiled project with the current run arguments and collect."""
        project = self._project
        results = f"results/{os.getpid()}-{uuid.uuid4().hex[:8]}"
        start = time.perf_counter()
        try:
            run_args = dict(self._stimulus_args)
            if self._synapses:
                run_args[self._weight_table] = self._weights
            self._b2.device.run(directory=str(project), results_directory=results,
                                with_output=False, run_args=run_args)
            self.extra_seconds["simulate_binary"] = round(time.perf_counter() - start, 4)
            self._collect(self._simtime)
        finally:
            shutil.rmtree(project / results, ignore_errors=True)

    def _collect(self, simtime):
        from ..results import PopulationSpikes, Signals
        from brian2 import mV, ms, uS
        dt = self.timestep
        found = {}
        for group, monitor in self._spike_monitors.items():
            cells = np.asarray(monitor.i[:], np.int64)
            times = np.round(np.asarray(monitor.t[:] / ms) / dt + 1.0) * dt  # NEST stamps
            keep = times <= simtime + 1e-9
            found[group] = cells[keep], times[keep]
        self._spikes = {}
        for name, n in self._n_cells.items():
            if name not in self._place:
                self._spikes[name] = PopulationSpikes(np.empty(0, np.int64), np.empty(0), n)
                continue
            group, start = self._place[name]
            cells, times = found[group]
            if name == INPUT_POPULATION:
                cells = cells % n  # lanes back to glomeruli
            else:
                mine = (cells >= start) & (cells < start + n)
                cells, times = cells[mine] - start, times[mine]
            self._spikes[name] = PopulationSpikes(cells, times, n)
        self._signals = {}
        for group, monitor in self._state_monitors.items():
            v, g_exc, g_inh = (np.asarray(monitor.v[:] / mV, np.float32),
                               np.asarray(monitor.g_exc[:] / uS, np.float32),
                               np.asarray(monitor.g_inh[:] / uS, np.float32))
            row = 0
            for name, cols in self._record.items():
                if self._place[name][0] != group:
                    continue
                rows = slice(row, row + len(cols))
                row += len(cols)
                self._signals[name] = Signals(cells=cols, t_start=0.0, dt=dt,
                                              v=v[rows].T.copy(), gsyn_exc=g_exc[rows].T.copy(),
                                              gsyn_inh=g_inh[rows].T.copy())

    # -- results ----------------------------------------------------------------------------
    def spikes(self):
        return self._spikes

    def signals(self):
        return self._signals or {}

    def versions(self):
        import numpy
        return {"brian2": self._b2.__version__, "numpy": numpy.__version__}

    def end(self):
        self._b2.device.reinit()
