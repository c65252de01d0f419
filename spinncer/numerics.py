"""SpiNNaker fixed-point synaptic weights, computed without SpiNNaker.

The rules are those of sPyNNaker 7.4.1 (read from its source, cited per function):

- A conductance-based neuron model scales every weight by a *global weight scale* of 1024
  (``InputTypeConductance.get_global_weight_scale``), current-based models by 1.
- Each post-synaptic population has one *ring-buffer left shift* ``s`` per synapse type
  (excitatory, inhibitory). A weight ``w`` (µS) is stored as the 16-bit integer
  ``rint(|w| * global * 2**(16 - (s + 1))) & 0xFFFF`` (``PopulationVertex.__get_weight_scale``,
  ``SynapseDynamicsStatic.get_static_synaptic_data``): round half to even, and a value of
  2**16 or more wraps around (the mask), it does not saturate.
- On the core, the 16-bit weights of all synapses arriving at one neuron, synapse type and
  timestep are summed in a 16-bit ring-buffer slot that saturates at 0xFFFF (``synapses.c``);
  the slot is shifted left by ``s`` into an s16.15 input. So one weight step is
  ``2**(s + 1 - 16) / global`` µS and one slot holds at most ``0xFFFF`` steps.
- sPyNNaker picks ``s`` from the expected maximum summed weight ``W`` (µS):
  ``s = ceil(log2(W * global))`` clipped at 0, plus one when ``2**s`` equals that value
  (``PopulationVertex.get_ring_buffer_shifts``). Passing a population's
  ``max_expected_summed_weight`` fixes ``W`` and hence ``s``
  (:func:`summed_weight_for_shift`).

Reference shifts. SpiNNCer ran a modified sPyNNaker whose conductance weight scale was 2**5
instead of 2**10 ("implicit shift", ``cerebellum_experiment.py``) with the shifts
``VANILLA_RBLS`` (``constants.py``); its ``CONNECTIVITY_MAP_SPINNAKER_VANILLA`` lists the weights
sPyNNaker represented in that setting. The same weights result in sPyNNaker 7.4.1 (scale 2**10)
from shifts larger by 5: :data:`REFERENCE_RB_LEFT_SHIFTS` holds those, in 7.4.1's convention.
The tests check this against the published weights: 14 of 16 match ``VANILLA_RBLS``; the two
purkinje-inhibitory ones (bc_pc, sc_pc) match shift 3 or 4 only, not VANILLA's 2, so that table
was made with a larger purkinje inhibitory shift than the canonical one.

``r_mem``: SpiNNCer's alternative encoding multiplies i_offset and every incoming weight of a
population by tau_m / cm (membrane resistance, MOhm) so that the values stored are voltages
(:func:`r_mem_factor`); it used ``RMEM_RBLS`` with a global scale of 1.
"""
import math
from dataclasses import replace

import numpy as np

from .errors import InputError
from .params import CELL_PARAMS, CONNECTION_TYPES, DEFAULT_TIMESTEP
from .partition import arrival_events

#: sPyNNaker's global weight scale of conductance-based input (InputTypeConductance).
CONDUCTANCE_WEIGHT_SCALE = 1024.0
#: Bits of a stored weight and of a ring-buffer slot.
WEIGHT_BITS = 16
WEIGHT_MAX_INT = (1 << WEIGHT_BITS) - 1
#: Receptor order of sPyNNaker's exponential synapse types.
RECEPTORS = ("excitatory", "inhibitory")

#: SpiNNCer ``VANILLA_RBLS`` [excitatory, inhibitory] as run with global weight scale 2**5.
SPINNCER_VANILLA_RBLS = {
    "granule": (1, 0), "golgi": (5, 3), "stellate": (0, 0), "basket": (0, 0),
    "purkinje": (5, 2), "dcn": (0, 0),
}
#: SpiNNCer ``RMEM_RBLS`` [excitatory, inhibitory], run with global weight scale 1 (r_mem).
SPINNCER_RMEM_RBLS = {
    "granule": (5, 4), "golgi": (8, 6), "stellate": (4, 3), "basket": (4, 4),
    "purkinje": (7, 5), "dcn": (0, 0),
}
#: Global weight scale SpiNNCer's modified sPyNNaker used without r_mem (2**5).
SPINNCER_WEIGHT_SCALE = 32.0
#: The reference shifts translated to sPyNNaker 7.4.1 (global scale 1024): identical weight
#: steps and slot ranges as SpiNNCer's vanilla run.
REFERENCE_RB_LEFT_SHIFTS = {
    pop: tuple(s + int(math.log2(CONDUCTANCE_WEIGHT_SCALE / SPINNCER_WEIGHT_SCALE))
               for s in shifts)
    for pop, shifts in SPINNCER_VANILLA_RBLS.items()
}


def weight_scale(shift, global_scale=CONDUCTANCE_WEIGHT_SCALE):
    """Factor from µS to the stored integer for ring-buffer left shift `shift`."""
    return float(global_scale) * 2.0 ** (WEIGHT_BITS - (int(shift) + 1))


def weight_step(shift, global_scale=CONDUCTANCE_WEIGHT_SCALE):
    """Smallest non-zero weight (µS) representable with `shift`."""
    return 1.0 / weight_scale(shift, global_scale)


def max_summed_weight(shift, global_scale=CONDUCTANCE_WEIGHT_SCALE):
    """Largest summed input (µS) one ring-buffer slot holds before it saturates."""
    return WEIGHT_MAX_INT / weight_scale(shift, global_scale)


def weight_integer(weight, shift, global_scale=CONDUCTANCE_WEIGHT_SCALE):
    """The 16-bit integer sPyNNaker stores for `weight` (µS): rint, then a 16-bit mask."""
    raw = np.rint(np.abs(np.asarray(weight, dtype=np.float64)) * weight_scale(shift, global_scale))
    return raw.astype(np.int64) & WEIGHT_MAX_INT


def quantise(weight, shift, global_scale=CONDUCTANCE_WEIGHT_SCALE):
    """Weight (µS, sign kept) as sPyNNaker represents it with `shift`."""
    weight = np.asarray(weight, dtype=np.float64)
    return np.sign(weight) * weight_integer(weight, shift, global_scale) / \
        weight_scale(shift, global_scale)


def overflows(weight, shift, global_scale=CONDUCTANCE_WEIGHT_SCALE):
    """True where a single weight does not fit the 16-bit word (sPyNNaker wraps it)."""
    raw = np.rint(np.abs(np.asarray(weight, dtype=np.float64)) * weight_scale(shift, global_scale))
    return raw > WEIGHT_MAX_INT


def shift_for_summed_weight(summed, global_scale=CONDUCTANCE_WEIGHT_SCALE):
    """sPyNNaker's ring-buffer shift for an expected maximum summed weight (µS)."""
    value = float(summed) * global_scale
    if value <= 0:
        return 0
    power = int(math.ceil(max(0.0, math.log2(value))))
    return power + 1 if 2 ** power <= value else power


def summed_weight_for_shift(shift, global_scale=CONDUCTANCE_WEIGHT_SCALE):
    """A `max_expected_summed_weight` (µS) for which sPyNNaker chooses exactly `shift`."""
    shift = int(shift)
    if shift < 0:
        raise InputError("rb_left_shifts", "shifts >= 0", shift)
    return 0.75 * 2.0 ** shift / global_scale


def refuse_r_mem(r_mem, key="spinnaker.r_mem"):
    """r_mem runs only on SpiNNCer's modified sPyNNaker (conductance input taking R * g, global
    weight scale 1). Stock sPyNNaker 7.4.1, and NEST, would simulate conductances multiplied
    by tau_m / cm, and its weight scale of 1024 makes most of them wrap around 16 bits."""
    if r_mem:
        raise InputError(key, "false: r_mem needs SpiNNCer's modified sPyNNaker build; with "
                         "stock sPyNNaker 7.4.1 it would change the conductances simulated", "true")


def r_mem_factor(population):
    """tau_m / cm (ms / nF = MOhm) of `population`: SpiNNCer's r_mem weight multiplier."""
    params = CELL_PARAMS[population]
    return params["tau_m"] / params["cm"]


def check_shifts(rb_left_shifts, populations=None):
    """Validate {population: (exc, inh)} shifts; return them as int tuples."""
    checked = {}
    for pop, shifts in rb_left_shifts.items():
        if pop not in CELL_PARAMS:
            raise InputError("rb_left_shifts", f"a cell population of {sorted(CELL_PARAMS)}",
                             repr(pop))
        shifts = tuple(int(s) for s in np.atleast_1d(shifts))
        if len(shifts) != 2 or min(shifts) < 0 or max(shifts) > 16:
            raise InputError(f"rb_left_shifts.{pop}", "[excitatory, inhibitory] in 0..16",
                             list(shifts))
        checked[pop] = shifts
    for pop in populations or ():
        if pop in CELL_PARAMS and pop not in checked:
            raise InputError("rb_left_shifts", f"shifts for population '{pop}'", "none")
    return checked


def _shift_of(kind, rb_left_shifts):
    return rb_left_shifts[kind.post][RECEPTORS.index(kind.receptor)]


def quantised_connection_types(rb_left_shifts=None, r_mem=False,
                               global_scale=CONDUCTANCE_WEIGHT_SCALE,
                               connection_types=CONNECTION_TYPES):
    """CONNECTION_TYPES with weights replaced by what sPyNNaker would represent.

    With ``r_mem`` the weight is scaled by the post population's tau_m / cm before quantising
    and divided by it afterwards, so the result is again in µS (for a NEST run).
    This is the weight table of the ``nest-numerics`` mode.
    """
    shifts = check_shifts(REFERENCE_RB_LEFT_SHIFTS if rb_left_shifts is None else rb_left_shifts)
    return {name: replace(kind, weight=_represented(kind, shifts, r_mem, global_scale))
            for name, kind in connection_types.items()}


def _represented(kind, shifts, r_mem, global_scale):
    """The weight (µS) sPyNNaker represents for `kind`, r_mem factor divided out again."""
    factor = r_mem_factor(kind.post) if r_mem else 1.0
    return float(quantise(kind.weight * factor, _shift_of(kind, shifts), global_scale)) / factor


def weight_report(rb_left_shifts=None, r_mem=False, global_scale=CONDUCTANCE_WEIGHT_SCALE,
                  scaffold=None, connection_types=CONNECTION_TYPES):
    """One row per projection: requested vs represented weight (µS) and relative error.

    Columns: projection, post, receptor, rb_left_shift, step_uS, requested_uS,
    represented_uS, rel_error, overflow (the weight alone does not fit 16 bits),
    n_synapses (when a scaffold is given; only its connection types are listed).
    """
    shifts = check_shifts(REFERENCE_RB_LEFT_SHIFTS if rb_left_shifts is None else rb_left_shifts)
    names = sorted(scaffold.connections) if scaffold is not None else sorted(connection_types)
    rows = []
    for name in names:
        kind = connection_types[name]
        shift = _shift_of(kind, shifts)
        factor = r_mem_factor(kind.post) if r_mem else 1.0
        represented = _represented(kind, shifts, r_mem, global_scale)
        row = dict(projection=name, post=kind.post, receptor=kind.receptor, rb_left_shift=shift,
                   step_uS=weight_step(shift, global_scale) / factor,
                   requested_uS=kind.weight, represented_uS=represented,
                   rel_error=(represented - kind.weight) / kind.weight,
                   overflow=bool(overflows(kind.weight * factor, shift, global_scale)))
        if scaffold is not None:
            row["n_synapses"] = len(scaffold.connections[name])
        rows.append(row)
    return rows


def _summed_input(scaffold, shifts, r_mem, global_scale, connection_types, spikes, timestep):
    """Per (post population, receptor): worst-case and (with spikes) observed summed integer."""
    worst, observed = {}, {}
    for pop in scaffold.positions:
        if pop not in shifts:
            continue
        for r, receptor in enumerate(RECEPTORS):
            total = np.zeros(scaffold.n_cells(pop), dtype=np.int64)
            keys, weights = [], []
            for name, conn in scaffold.connections.items():
                kind = connection_types[name]
                if kind.post != pop or kind.receptor != receptor or len(conn) == 0:
                    continue
                factor = r_mem_factor(pop) if r_mem else 1.0
                w_int = int(weight_integer(kind.weight * factor, shifts[pop][r], global_scale))
                total += np.bincount(conn.post, minlength=len(total)) * w_int
                if spikes is not None:
                    if kind.pre not in spikes or len(spikes[kind.pre].cell) == 0:
                        continue
                    post, step = arrival_events(conn, spikes[kind.pre], kind.delay, timestep)
                    keys.append(post.astype(np.int64) * (1 << 32) + step)
                    weights.append(np.full(len(post), w_int, dtype=np.int64))
            worst[(pop, receptor)] = int(total.max()) if len(total) else 0
            if spikes is not None:
                if keys and sum(len(k) for k in keys):
                    _, inverse = np.unique(np.concatenate(keys), return_inverse=True)
                    sums = np.bincount(inverse, weights=np.concatenate(weights))
                    observed[(pop, receptor)] = (int(sums.max()),
                                                 int(np.count_nonzero(sums > WEIGHT_MAX_INT)))
                else:
                    observed[(pop, receptor)] = (0, 0)
    return worst, observed


def saturation_report(scaffold, rb_left_shifts=None, r_mem=False,
                      global_scale=CONDUCTANCE_WEIGHT_SCALE, connection_types=CONNECTION_TYPES,
                      spikes=None, timestep=DEFAULT_TIMESTEP):
    """Saturation risk of every ring buffer: one row per post population and receptor.

    ``worst_case_uS`` is the largest summed input one cell can receive in one timestep (all
    its pre-synaptic cells firing together); ``max_representable_uS`` what a slot holds.
    ``worst_case_ratio`` > 1 means saturation is possible. With ``spikes`` (population ->
    :class:`~spinncer.results.PopulationSpikes` of a run) the summed input actually arriving
    per cell and timestep (after the synaptic delay) is also given: ``observed_max_uS``,
    ``observed_ratio`` and ``saturated_slots`` (cell-timesteps above the range). Values are
    in µS of the requested model (r_mem factor divided out).
    """
    shifts = check_shifts(REFERENCE_RB_LEFT_SHIFTS if rb_left_shifts is None else rb_left_shifts)
    worst, observed = _summed_input(scaffold, shifts, r_mem, global_scale, connection_types,
                                    spikes, timestep)
    rows = []
    for (pop, receptor), w_int in worst.items():
        shift = shifts[pop][RECEPTORS.index(receptor)]
        factor = r_mem_factor(pop) if r_mem else 1.0
        scale = weight_scale(shift, global_scale) * factor
        row = dict(population=pop, receptor=receptor, rb_left_shift=shift,
                   max_representable_uS=WEIGHT_MAX_INT / scale,
                   worst_case_uS=w_int / scale, worst_case_ratio=w_int / WEIGHT_MAX_INT)
        if spikes is not None:
            o_int, n_sat = observed[(pop, receptor)]
            row.update(observed_max_uS=o_int / scale, observed_ratio=o_int / WEIGHT_MAX_INT,
                       saturated_slots=n_sat)
        rows.append(row)
    return rows
