"""Read and write result files of the original SpiNNCer experiment script.

The SpiNNCer script ``cerebellum_experiment.py`` [SpiNNCer] ends with one
``np.savez_compressed`` call holding pickled Python objects:

=====================================  ===========================================================
key                                    content
=====================================  ===========================================================
``simulation_parameters``              dict: ``argparser`` (the command line: ``timestep``,
                                       ``simulator``, ``stim_times``, ``f_peak`` ...),
                                       ``git_hash``, ``run_end_time``, wall-clock strings,
                                       neurons per core
``all_spikes``                         {population: spikes}; spikes are an N x 2 array
                                       ``[cell id, time ms]`` (spike sources) or a ``neo.Block``
                                       whose spike trains carry ``source_index`` (neurons)
``all_neurons``                        {population: number of cells}
``stimulus_params``                    dict: f_base, f_peak, stim_times, stim_radius,
                                       periodic_stimulus, percentage_active_fibers
``simtime``                            float, ms
``other_recordings``                   {population: {"v", "gsyn_exc", "gsyn_inh": neo.Block}}
                                       (a dict, possibly empty: the analysis calls
                                       ``other_recordings.keys()``)
``final_connectivity``,                {connection: N x 4 array ``[pre cell, post cell,
``initial_connectivity``               weight µS, delay ms]``} (population-local indices;
                                       the weight as its magnitude, the receptor is in
                                       ``conn_params``): after and before the simulator's
                                       rounding
``json_data``, ``conn_params``,        parameter dicts and SpiNNaker-specific settings
``cell_params``,
``per_pop_neurons_per_core_constraint``,
``r_mem``, ``expected_max_spikes``,
``implicit_shift``
=====================================  ===========================================================

Its analysis script ``cerebellum_analysis.py`` reads every key with ``.ravel()[0]``; the spike
analysis accepts either spike layout, the two-run comparison needs ``neo.Block`` spikes. Its
afferent statistics (``--worst_case_spikes``: incoming spikes per cell and timestep, mean weight
and delay per projection) read ``final_connectivity`` with ``conn_params[name]["pre"/"post"]``,
and skip a projection whose array is empty.

Loading such a file unpickles its objects, which can run arbitrary code: :func:`read_spinncer`
does it only with an explicit ``allow_pickle=True`` for a file the user names and trusts.

Source: [SpiNNCer] github.com/SpiNNakerManchester/SpiNNCer, ``spinncer/cerebellum_experiment.py``
(keys written), ``spinncer/cerebellum_analysis.py`` (keys read),
``spinncer/utilities/neo_converter.py`` (``source_index``).
"""
import datetime
import json
import pickle
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..errors import InputError
from ..npz import json_plain, npz_keys, open_npz, require_pickle_permission
from ..params import CELL_PARAMS, CONNECTION_TYPES, DEFAULT_STIM_TIMES, in_pathway_order
from ..provenance import sha256
from ..results import PopulationSpikes, RunResult

SPIKE_FORMATS = ("array", "neo")
_STIMULUS_KEYS = ("f_base", "f_peak", "stim_times", "stim_radius", "periodic_stimulus",
                  "percentage_active_fibers")


def _item(data, key, path):
    try:
        value = data[key]
        return value.ravel()[0] if value.dtype == object else value
    except (KeyError, IndexError, ValueError, TypeError, AttributeError, EOFError, OSError,
            ImportError, pickle.UnpicklingError) as err:
        raise InputError(path, f"a readable '{key}' entry", f"{type(err).__name__}: {err}") \
            from None


def _spike_array(name, spikes, path):
    """(cell, time) arrays of one population from an N x 2 array or a neo.Block."""
    if hasattr(spikes, "segments"):  # neo.Block, as PyNN's get_data returns it
        trains = spikes.segments[0].spiketrains if spikes.segments else []
        if not trains:
            return np.zeros(0, np.int64), np.zeros(0)
        ids = [t.annotations.get("source_index", i) for i, t in enumerate(trains)]
        cell = np.repeat(np.asarray(ids, np.int64), [len(t) for t in trains])
        time = np.concatenate([t.rescale("ms").magnitude for t in trains]).astype(float)
        return cell, time
    arr = np.asarray(spikes, dtype=float)
    if arr.size == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(f"{path}: all_spikes['{name}']", "an N x 2 array [cell id, time ms] "
                         "or a neo.Block", f"shape {arr.shape}")
    cell = arr[:, 0]
    if not np.all(cell == np.round(cell)):
        raise InputError(f"{path}: all_spikes['{name}']", "integer cell ids in column 0",
                         "fractional ids")
    return cell.astype(np.int64), arr[:, 1]


def read_spinncer(path, allow_pickle=False, widen_to_ids=False):
    """Read a SpiNNCer experiment result ``.npz`` into a :class:`RunResult`.

    Parameters
    ----------
    path : str or Path
        The ``.npz`` written by SpiNNCer's ``cerebellum_experiment.py`` (or by
        :func:`write_spinncer`).
    allow_pickle : bool, optional
        Must be True: the file holds pickled objects, and unpickling runs code from the file.
        Grant it only for a file you trust. Default: False (raises :class:`InputError`).
    widen_to_ids : bool, optional
        Give a population as many cells as its largest spiking id needs when that exceeds
        ``all_neurons`` (the SpiNNCer NEST gold standard's glomerulus ids run 0..7070 with
        ``all_neurons`` 7070) instead of raising. Default: False.

    Returns
    -------
    RunResult
        Spikes per population (cell index, time ms); ``backend`` = argparser ``simulator``;
        ``seed`` = argparser ``spike_seed`` (-1 when absent); metadata ``config.stim_times``,
        ``inputs.results`` (path, sha256), ``versions`` = {} (SpiNNCer records a git hash,
        kept with the rest under ``spinncer_original``).

    Raises
    ------
    InputError
        Missing file, pickle not allowed, missing keys, or spikes of an unexpected shape.
    """
    path = Path(path)
    keys = npz_keys(path, "SpiNNCer result file")
    missing = {"all_spikes", "simulation_parameters"} - keys
    if missing:
        raise InputError(path, "a SpiNNCer result with keys all_spikes, simulation_parameters",
                         f"keys {sorted(keys)}")
    require_pickle_permission(path, allow_pickle, "SpiNNCer results",
                              "allow_pickle=True (CLI --allow-pickle)")
    with open_npz(path, "SpiNNCer result file", allow_pickle=True) as data:
        all_spikes = _item(data, "all_spikes", path)
        sim_params = _item(data, "simulation_parameters", path)
        all_neurons = _item(data, "all_neurons", path) if "all_neurons" in keys else None
        stimulus = _item(data, "stimulus_params", path) if "stimulus_params" in keys else None
        simtime = float(_item(data, "simtime", path)) if "simtime" in keys else None
    if not isinstance(all_spikes, dict) or not isinstance(sim_params, dict):
        raise InputError(path, "all_spikes and simulation_parameters as dicts",
                         f"{type(all_spikes).__name__} and {type(sim_params).__name__}")
    args = sim_params.get("argparser") or {}
    all_neurons = all_neurons if isinstance(all_neurons, dict) else {}
    stimulus = stimulus if isinstance(stimulus, dict) else {}
    spikes = {}
    for name, value in all_spikes.items():
        cell, time = _spike_array(name, value, path)
        known = all_neurons.get(name)
        n_cells = int(known) if known is not None else int(cell.max(initial=-1)) + 1
        if widen_to_ids:
            n_cells = max(n_cells, int(cell.max(initial=-1)) + 1)
        if len(cell) and (cell.min() < 0 or cell.max() >= n_cells):
            raise InputError(f"{path}: all_spikes['{name}']",
                             f"cell ids in [0, {n_cells}) (all_neurons)",
                             f"ids {cell.min()}..{cell.max()}")
        order = np.lexsort((time, cell))
        spikes[str(name)] = PopulationSpikes(cell[order], time[order], n_cells)
    if simtime is None:
        simtime = float(args.get("simtime", max((p.time.max(initial=0) for p in
                                                  spikes.values()), default=0.0)))
    if "timestep" not in args:
        raise InputError(f"{path}: simulation_parameters['argparser']", "a 'timestep' entry",
                         f"keys {sorted(args)}")
    stim_times = stimulus.get("stim_times", args.get("stim_times"))
    seed = args.get("spike_seed")
    metadata = {
        "config": {"stim_times": json_plain(stim_times)} if stim_times is not None else {},
        "versions": {},
        "inputs": {"results": {"path": str(path), "sha256": sha256(path)}},
        "spinncer_original": {"simulation_parameters": json_plain(sim_params),
                              "stimulus_params": json_plain(stimulus)},
    }
    return RunResult(in_pathway_order(spikes), str(args.get("simulator", "unknown")),
                     float(args["timestep"]), simtime, int(seed) if seed is not None else -1,
                     metadata)


def _stimulus_params(run, stim_times):
    given = run.metadata.get("inputs", {}).get("stimulus", {}).get("params", {}) or {}
    params = {key: given[key] for key in _STIMULUS_KEYS if key in given}
    if "periodic_stimulus" not in params and "type" in given:
        params["periodic_stimulus"] = str(given["type"]).lower() == "periodic"
    if stim_times is None:
        stim_times = given.get("stim_times") or run.metadata.get("config", {}).get(
            "stim_times") or DEFAULT_STIM_TIMES
    params["stim_times"] = [float(t) for t in stim_times]
    return params


def _neo_block(name, cell, time, n_cells, simtime):
    import neo
    import quantities as pq

    bounds = np.searchsorted(cell, np.arange(n_cells + 1))
    segment = neo.Segment(name=name)
    for i in range(n_cells):  # one SpikeTrain per cell, as PyNN records them
        train = neo.SpikeTrain(time[bounds[i]:bounds[i + 1]], units=pq.ms,
                               t_start=0 * pq.ms, t_stop=simtime * pq.ms)
        train.annotate(source_index=i, source_population=name)
        segment.spiketrains.append(train)
    block = neo.Block(name=name)
    block.segments.append(segment)
    return block


def _signal_blocks(name, signals):
    """{"v", "gsyn_exc", "gsyn_inh": neo.Block} of one population's recorded signals, one
    AnalogSignal (time x cells, named after the variable) as PyNN's get_data returns it."""
    import neo
    import quantities as pq

    units = {"v": pq.mV, "gsyn_exc": pq.uS, "gsyn_inh": pq.uS}
    blocks = {}
    for variable, unit in units.items():
        signal = neo.AnalogSignal(np.asarray(getattr(signals, variable)), units=unit,
                                  t_start=signals.t_start * pq.ms,
                                  sampling_period=signals.dt * pq.ms, name=variable,
                                  array_annotations={"channel_index": np.asarray(signals.cells)})
        segment = neo.Segment(name=name)
        segment.analogsignals.append(signal)
        block = neo.Block(name=name)
        block.segments.append(segment)
        blocks[variable] = block
    return blocks


def scaffold_connectivity(scaffold, weights_uS=None, connection_types=CONNECTION_TYPES):
    """{connection: N x 4 float array [pre, post, |weight| µS, delay ms]} of every connection
    type of `scaffold`, weights from `weights_uS` (by name) or the model's."""
    out = {}
    for name, conn in scaffold.connections.items():
        kind = connection_types[name]
        weight = abs((weights_uS or {}).get(name, kind.weight))
        out[name] = np.column_stack([conn.pre, conn.post, np.full(len(conn), weight),
                                     np.full(len(conn), kind.delay)]).astype(float)
    return out


def write_spinncer(run, path, stim_times=None, spike_format="array", scaffold=None):
    """Write `run` in the layout of SpiNNCer's ``cerebellum_experiment.py`` results.

    Every key that script writes is present (see the module docstring). ``other_recordings``
    holds the run's analog signals (:attr:`RunResult.signals`, a sample of cells) as neo
    Blocks on the run files' one time base (:data:`spinncer.results.SAMPLING`: t_start 0,
    simtime / dt samples, whatever the backend; the original's two-run comparison subtracts
    them), or is an empty dict; the connectivity comes from `scaffold` (final: the weights the
    run used, initial: the model's), or is empty without one, which SpiNNCer's
    ``cerebellum_analysis.py`` skips; SpiNNaker core settings are None.

    Parameters
    ----------
    run : RunResult
    path : str or Path
        Output ``.npz``, written atomically.
    stim_times : sequence of 3 float, optional
        Protocol windows (ms). Default: the run's stimulus parameters, else its config, else
        :data:`spinncer.params.DEFAULT_STIM_TIMES`.
    spike_format : {"array", "neo"}, optional
        "array": N x 2 float arrays ``[cell id, time ms]`` per population (what SpiNNCer's
        single-run analysis reads); "neo": one ``neo.Block`` per population, one SpikeTrain per
        cell annotated with ``source_index``, as PyNN's ``get_data`` returns (needed by its
        two-run comparison; pickled with the installed neo version). Default: "array".
    scaffold : spinncer.scaffold.Scaffold, optional
        The run's scaffold, for ``final_connectivity`` / ``initial_connectivity``.
    """
    if spike_format not in SPIKE_FORMATS:
        raise InputError("spike_format", f"one of {SPIKE_FORMATS}", repr(spike_format))
    stimulus = _stimulus_params(run, stim_times)
    all_spikes = {}
    for name, pop in run.spikes.items():
        order = np.lexsort((pop.time, pop.cell))
        cell = np.asarray(pop.cell, np.int64)[order]
        time = np.asarray(pop.time, float)[order]
        all_spikes[name] = (np.column_stack([cell, time]).astype(float) if spike_format == "array"
                            else _neo_block(name, cell, time, pop.n_cells, run.simtime))
    wall = run.metadata.get("wall_clock_s", {}) or {}
    argparser = {"timestep": run.timestep, "simulator": run.backend, "simtime": run.simtime,
                 "spike_seed": run.seed, **stimulus}
    sim_params = {
        "argparser": argparser, "git_hash": None,
        "run_end_time": datetime.datetime.now().strftime("%H:%M:%S_%d/%m/%Y"),
        "wall_clock_script_run_time": str(datetime.timedelta(seconds=sum(wall.values()))),
        "wall_clock_sim_run_time": str(datetime.timedelta(seconds=wall.get("simulate", 0.0))),
        "n_neurons_per_core": None, "ss_neurons_per_core": None,
        "spinncer_metadata": json.dumps(run.metadata, sort_keys=True, default=str),
    }
    conn_params = {name: {"pre": c.pre, "post": c.post, "weight": c.weight, "delay": c.delay}
                   for name, c in CONNECTION_TYPES.items()}
    cell_params = {"glomerulus": {}, **{k: dict(v) for k, v in CELL_PARAMS.items()}}
    recordings = {name: _signal_blocks(name, sig) for name, sig in
                  (getattr(run, "signals", None) or {}).items()}
    final = initial = {}
    if scaffold is not None:
        final = scaffold_connectivity(scaffold, run.metadata.get("weights_uS"))
        initial = scaffold_connectivity(scaffold)
    entries = dict(
        simulation_parameters=sim_params, all_spikes=all_spikes, other_recordings=recordings,
        all_neurons={name: int(pop.n_cells) for name, pop in run.spikes.items()},
        final_connectivity=final, initial_connectivity=initial, stimulus_params=stimulus,
        simtime=float(run.simtime), json_data=None, conn_params=conn_params,
        cell_params=cell_params, per_pop_neurons_per_core_constraint=None, r_mem=None,
        expected_max_spikes=None, implicit_shift=None)
    with atomic_path(path) as tmp:  # dicts and None become pickled 0-d object arrays
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, **entries)
