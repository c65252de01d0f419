"""The spinnaker-emulated backend: bit-exact against traces of sPyNNaker's own neuron code, and
the network conventions (delivery tick, saturation, recording time base) on tiny networks.

Golden traces: ../shared/data/spinnaker_golden (its README): sPyNNaker's C neuron code
(neural_modelling f905ce88, spinn_common 7.1.0), compiled for the ARM968 with
the ARM cross-compiler named in that README and run under qemu-arm, one IF_cond_exp cell per
run, 2,000 ticks.
The parts of the C they exercise are the same in sPyNNaker 7.4.1 (see
spinncer/backends/spinnaker_emulated.py). The code under test is the network's own
``spinnaker_simulate`` (a one-cell network whose ring buffer is fed the trace's slot values).
"""
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from spinncer.backends import spinnaker_build as core
from spinncer.backends import spinnaker_emulated as emu
from spinncer.params import CELL_PARAMS, ConnectionType, model_variant
from spinncer.scaffold import Connectivity, Scaffold, write_scaffold
from spinncer.simulate import run_simulation
from spinncer.stimulus import Stimulus, save

GOLDEN = Path(__file__).resolve().parents[2] / "shared" / "data" / "spinnaker_golden"
STATE_COLUMNS = ("v_bits", "g_exc_bits", "g_inh_bits", "spike", "refract_timer")
CONSTANT_NAMES = {"R_membrane": "r_membrane", "exp_TC": "exp_tc", "T_refract": "t_refract",
                  "exc_decay": "exc_decay", "exc_init": "exc_init", "inh_decay": "inh_decay",
                  "inh_init": "inh_init"}
PARAM_BITS = {"v_rest": "V_rest", "c_m": "c_m", "tau_m": "tau_m", "i_offset": "I_offset",
              "v_reset": "V_reset", "t_refract_ms": "T_refract_ms", "time_step": "time_step",
              "v_rev_e": "V_rev_E", "v_rev_i": "V_rev_I", "v_thresh": "V_thresh",
              "tau_syn_e": "tau_syn_E", "tau_syn_i": "tau_syn_I"}


def golden_runs():
    path = GOLDEN / "runs.json"
    if not path.is_file():
        return []
    return json.loads(path.read_text())["runs"]


def golden(run):
    trace = np.genfromtxt(GOLDEN / "traces" / f"{run['name']}.csv", delimiter=",", names=True,
                          dtype=np.int64)
    consts = dict(item.split("=") for item in
                  (GOLDEN / "traces" / f"{run['name']}.const.txt").read_text().split())
    return trace, {CONSTANT_NAMES[k]: int(v) for k, v in consts.items()}


def params_of(run):
    """The run's parameters encoded by spinncer (checked against the trace's bits)."""
    params = run["params"]
    cell = dict(cm=params["cm"], tau_m=params["tau_m"], v_rest=params["v_rest"],
                v_reset=params["v_reset"], v_thresh=params["v_thresh"],
                tau_refrac=params["tau_refrac"], tau_syn_E=params["tau_syn_E"],
                tau_syn_I=params["tau_syn_I"], e_rev_E=params["e_rev_E"],
                e_rev_I=params["e_rev_I"], i_offset=params["i_offset"])
    return emu.population_params(cell, run["dt_ms"], run["n_steps"],
                                 (run["shift_exc"], run["shift_inh"])), cell


def replay(run, consts=None, switches=None):
    trace, _ = golden(run)
    params, _ = params_of(run)
    consts = consts or emu.derived_constants(params)
    slots = np.stack([trace["in_exc"], trace["in_inh"]], axis=1)[:, None, :]
    return emu.run_cells([params], [consts], slots,
                         v_init_bits=[run["s1615_bits"]["V_init"]], switches=switches)


def first_difference(run, state, recorded):
    """(column, tick, emulated, golden) of the first disagreement, or None."""
    trace, _ = golden(run)
    for k, column in enumerate(STATE_COLUMNS):
        bad = np.flatnonzero(state[:, 0, k] != trace[column])
        if len(bad):
            return column, int(bad[0]), int(state[bad[0], 0, k]), int(trace[column][bad[0]])
    for k, column in enumerate(("rec_v_bits", "rec_gexc_bits", "rec_ginh_bits")):
        bits = np.round(recorded[:, 0, k].astype(np.float64) * 32768).astype(np.int64)
        bad = np.flatnonzero(bits != trace[column])
        if len(bad):
            return column, int(bad[0]), int(bits[bad[0]]), int(trace[column][bad[0]])
    return None


needs_golden = pytest.mark.skipif(not golden_runs(), reason=f"golden traces not at {GOLDEN}")
RUNS = golden_runs()


@needs_golden
@pytest.mark.parametrize("run", RUNS, ids=[r["name"] for r in RUNS])
def test_parameters_encode_to_the_traces_bits(run):
    params, _ = params_of(run)
    for field, key in PARAM_BITS.items():
        assert getattr(params, field) == run["s1615_bits"][key], field


@needs_golden
@pytest.mark.parametrize("run", RUNS, ids=[r["name"] for r in RUNS])
def test_derived_constants_equal_the_cores(run):
    params, _ = params_of(run)
    _, expected = golden(run)
    consts = emu.derived_constants(params)
    assert {name: getattr(consts, name) for name in expected} == expected


@needs_golden
@pytest.mark.parametrize("run", RUNS, ids=[r["name"] for r in RUNS])
def test_every_tick_is_bit_exact(run):
    """int32 V, g_exc, g_inh, spikes and refractory counter after every tick, and what the
    core records (V before the update, g >> 10), equal the golden trace's."""
    state, recorded, _ = replay(run)
    assert first_difference(run, state, recorded) is None
    trace, _ = golden(run)
    assert trace["spike"].sum() > 5  # the run exercises spikes and refractoriness


@needs_golden
def test_one_operation_changed_is_caught():
    """Constants computed in float64 and rounded (sPyNNaker 6's host-side way) instead of the
    core's truncating fixed-point derivation: the comparison fails."""
    failures = []
    for run in RUNS:
        params, cell = params_of(run)
        core_consts = emu.derived_constants(params)
        rounded = emu.rounded_constants(cell, run["dt_ms"], run["n_steps"],
                                        core_consts.t_refract)
        state, recorded, _ = replay(run, consts=rounded)
        failures.append(first_difference(run, state, recorded) is not None)
    assert all(failures)


@needs_golden
def test_state_in_double_precision_is_caught():
    """The same cell with a double-precision state (every product exact) differs from the
    core's flooring arithmetic within the run."""
    run = RUNS[0]
    params, _ = params_of(run)
    consts = emu.derived_constants(params)
    trace, _ = golden(run)
    slots = np.stack([trace["in_exc"], trace["in_inh"]], axis=1)[:, None, :]
    reals = core.PopulationReals(
        v_rest=params.v_rest / 2 ** 15, v_reset=params.v_reset / 2 ** 15,
        v_thresh=params.v_thresh / 2 ** 15, i_offset=params.i_offset / 2 ** 15,
        v_rev_e=params.v_rev_e / 2 ** 15, v_rev_i=params.v_rev_i / 2 ** 15,
        r_membrane=consts.r_membrane / 2 ** 15, exp_tc=consts.exp_tc / 2 ** 15,
        exc_decay=consts.exc_decay / 2 ** 32, exc_init=consts.exc_init / 2 ** 32,
        inh_decay=consts.inh_decay / 2 ** 32, inh_init=consts.inh_init / 2 ** 32,
        step_e=2.0 ** (params.shift_e - 25), step_i=2.0 ** (params.shift_i - 25))
    _, recorded, _ = emu.run_cells([params], [consts], slots, reals=[reals],
                                   v_init=[params.v_rest / 2 ** 15],
                                   switches=core.RunSwitches(0, 1, 0, 10))
    v_bits = np.round(recorded[:, 0, 0].astype(np.float64) * 32768).astype(np.int64)
    assert np.any(v_bits != trace["rec_v_bits"])


# ---- the network: delivery, saturation, time base ---------------------------------------------

def pair_scaffold(n_glom=1):
    """`n_glom` glomeruli all onto granule cell 0 (glom_grc), granule 0 onto golgi 0 (aa_goc)."""
    positions = {"glomerulus": np.zeros((n_glom, 3)), "granule": np.zeros((1, 3)),
                 "golgi": np.zeros((1, 3))}
    connections = {
        "glom_grc": Connectivity(np.arange(n_glom), np.zeros(n_glom, np.int64)),
        "aa_goc": Connectivity(np.array([0]), np.array([0])),
    }
    return Scaffold(positions, connections, source="pair")


def run_pair(tmp_path, times, n_glom=1, options=None, model=None, simtime=20.0):
    scaffold = pair_scaffold(n_glom)
    write_scaffold(scaffold, tmp_path / "pair.hdf5")
    stim = Stimulus.from_trains([np.asarray(times, float)] * n_glom,
                                params={"timestep": 0.1})
    save(stim, tmp_path / "stim.npz")
    return run_simulation(tmp_path / "pair.hdf5", tmp_path / "stim.npz", tmp_path / "run.h5",
                          backend="spinnaker-emulated", timestep=0.1, simtime=simtime,
                          backend_options=options, model=model,
                          record_signals={"granule": np.array([0]), "golgi": np.array([0])})


def strong_model():
    """The default model with glom_grc strong enough that one glomerulus spike fires granule
    cell 0 and one granule spike shows in golgi 0's conductance."""
    base = model_variant()
    kinds = dict(base.connection_types)
    kinds["glom_grc"] = replace(kinds["glom_grc"], weight=0.05)
    return replace(base, connection_types=kinds)


def test_a_spike_source_reaches_g_after_its_delay(tmp_path):
    """A SpikeSourceArray spike at t ms fires in tick ceil(t / dt) and lands in slot tick + d:
    the recorded g (first sub-step of the tick, after the ring buffer) first rises there."""
    result = run_pair(tmp_path, [2.0])
    signals = result.signals["granule"]
    assert signals.t_start == 0.0 and signals.v.shape[0] == 200  # t = 0 first, simtime / dt
    delay = round(model_variant().connection_types["glom_grc"].delay / 0.1)
    first = int(np.flatnonzero(signals.gsyn_exc[:, 0] > 0)[0])
    assert first == 20 + delay


def test_a_cells_spike_lands_one_tick_earlier_than_nests(tmp_path):
    """A granule spike of tick t is stamped t dt and reaches golgi g in tick t + d; with the
    'timing' effect off (NEST's convention) it is stamped (t + 1) dt and arrives a tick later."""
    delay = round(model_variant().connection_types["aa_goc"].delay / 0.1)
    arrivals = {}
    for timing in (True, False):
        effects = [e for e in emu.EFFECTS if timing or e != "timing"]
        result = run_pair(tmp_path, [2.0], options={"effects": effects}, model=strong_model())
        spikes = result.spikes["granule"]
        assert len(spikes) >= 1
        tick = round(float(spikes.time[0]) / 0.1)
        g = result.signals["golgi"].gsyn_exc[:, 0]
        arrivals[timing] = (tick, int(np.flatnonzero(g > 0)[0]))
    (t_spin, arrive_spin), (t_nest, arrive_nest) = arrivals[True], arrivals[False]
    assert arrive_spin == t_spin + delay
    assert t_nest == t_spin + 1 and arrive_nest == arrive_spin + 1


def test_a_full_slot_saturates(tmp_path):
    """Twenty glomeruli firing together put 20 x the weight steps into one slot: saturated at
    0xFFFF, g_exc rises by (0xFFFF << shift) x init; with 'saturation' off it does not clip."""
    model = strong_model()
    rises = {}
    for saturate in (True, False):
        effects = [e for e in emu.EFFECTS if saturate or e != "saturation"]
        result = run_pair(tmp_path, [2.0], n_glom=20, options={"effects": effects}, model=model)
        rises[saturate] = float(result.signals["granule"].gsyn_exc[:, 0].max())
    shift = emu.REFERENCE_RB_LEFT_SHIFTS["granule"][0]
    steps = int(emu.weight_integer(0.05, shift, emu.CONDUCTANCE_WEIGHT_SCALE))
    assert 20 * steps > 0xFFFF
    ceiling = 0xFFFF * emu.weight_step(shift, emu.CONDUCTANCE_WEIGHT_SCALE)
    assert rises[True] <= ceiling * 1.0001
    assert rises[False] > 1.5 * ceiling


def test_emulated_run_is_deterministic_and_near_nest(tmp_path, scaffold, scaffold_file):
    """The tiny network: same spikes twice; every population fires within 30 % of NEST's count
    (a coarse sanity bound: the per-population comparison is the validation's job)."""
    from test_simulate import make_stimulus
    stim = make_stimulus(scaffold, tmp_path / "stim.npz", seed=1)
    runs = {}
    for name, backend in (("a", "spinnaker-emulated"), ("b", "spinnaker-emulated"),
                          ("nest", "nest")):
        runs[name] = run_simulation(scaffold_file, stim, tmp_path / f"{name}.h5",
                                    backend=backend, timestep=0.1, simtime=250.0)
    for pop, spikes in runs["a"].spikes.items():
        np.testing.assert_array_equal(spikes.time, runs["b"].spikes[pop].time)
        reference = len(runs["nest"].spikes[pop])
        assert abs(len(spikes) - reference) <= max(3, 0.3 * reference), pop


def test_study_variant_runs_granule_substeps(tmp_path):
    """spinncer-2021: conductance weight scale 2**5, VANILLA shifts and 3 granule sub-steps
    (T_refract 46 sub-steps: ts = 3277 // 3 truncates)."""
    session = emu.SpinnakerEmulatedSession(timestep=0.1, options={"variant": "spinncer-2021"})
    assert session.n_steps == {"granule": 3}
    assert session.global_scale == 32.0
    params = emu.population_params(CELL_PARAMS["granule"], 0.1, 3, session.shifts["granule"])
    assert emu.derived_constants(params).t_refract == 46


def test_bad_options_are_one_clear_error():
    from spinncer.errors import InputError
    with pytest.raises(InputError, match="effects"):
        emu.SpinnakerEmulatedSession(timestep=0.1, options={"effects": ["state"]})
    with pytest.raises(InputError, match="variant"):
        emu.SpinnakerEmulatedSession(timestep=0.1, options={"variant": "spinnaker-6"})
    with pytest.raises(InputError, match="options"):
        emu.SpinnakerEmulatedSession(timestep=0.1, options={"loops": 3})


def test_long_delays_are_refused(tmp_path):
    from spinncer.errors import InputError
    base = model_variant()
    kinds = dict(base.connection_types)
    kinds["glom_grc"] = ConnectionType("glomerulus", "granule", 0.009, 7.0)
    with pytest.raises(InputError, match="delay of glom_grc"):
        run_pair(tmp_path, [2.0], model=replace(base, connection_types=kinds))
