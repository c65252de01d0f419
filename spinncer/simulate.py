"""Run the network on a backend and write the run file (:mod:`spinncer.results`)."""
import hashlib
import json

import numpy as np

from . import stimulus as stimulus_io
from .backends import backend_weights, get_backend
from .errors import InputError
from .network import build_populations, build_projections
from .params import INPUT_POPULATION
from .stimulus import FIRST_SPIKE_STEPS
from .provenance import PhaseTimer, package_versions, peak_rss_mib, run_in_chunks, sha256
from .results import PopulationSpikes, RunResult, write_run
from .scaffold import read_scaffold


def check_stimulus_matches(stimulus, scaffold, stimulus_path, timestep=None, stim_times=None):
    """The stimulus must have one train per glomerulus, made for the simulation timestep and
    (when given) the protocol windows `stim_times` (ms)."""
    n_glom = scaffold.n_cells(INPUT_POPULATION) if INPUT_POPULATION in scaffold.positions else 0
    if stimulus.n_sources != n_glom:
        raise InputError(stimulus_path, f"one spike train per glomerulus of the scaffold "
                         f"({n_glom}, {scaffold.source})", f"{stimulus.n_sources} trains")
    first = FIRST_SPIKE_STEPS * timestep if timestep is not None else 0.0
    if len(stimulus.times) and stimulus.times.min() < first - 1e-9:
        raise InputError(stimulus_path, f"spike times from {first} ms on (NEST rejects earlier "
                         "spikes of a spike source)", f"{stimulus.times.min()} ms")
    made_for = stimulus.params.get("timestep")
    if timestep is not None and made_for is not None and \
            not np.isclose(float(made_for), timestep):
        raise InputError(stimulus_path, f"a stimulus made for timestep {timestep} ms",
                         f"timestep {made_for} ms")
    made_for = stimulus.params.get("stim_times")
    if stim_times is not None and made_for is not None and \
            not np.allclose(made_for, stim_times):
        raise InputError(stimulus_path, f"a stimulus made for stim_times {list(stim_times)} ms",
                         f"stim_times {list(made_for)}")


def collect_spikes(populations):
    """(cell index, time ms) arrays per population, without per-cell Python objects."""
    spikes = {}
    for name, pop in populations.items():
        trains = pop.get_data("spikes", clear=True).segments[0].spiketrains
        ids, times = trains.multiplexed
        cells = np.asarray(ids, dtype=np.int64) - int(pop.first_id)
        spikes[name] = PopulationSpikes(cells, np.asarray(times, dtype=np.float64), pop.size)
    return spikes


def run_simulation(scaffold_path, stimulus_path, out_path, *, backend="nest", timestep=0.1,
                   simtime=1000.0, threads=1, seed=1, config=None, allow_pickle=False,
                   backend_options=None, model=None):
    """Simulate `simtime` ms of the scaffold driven by the stimulus; write `out_path`.

    `backend_options` go to the backend's setup (SpiNNaker: machine, neurons per core,
    ring-buffer left shifts, id_remap; nest-numerics: rb_left_shifts). r_mem is refused by
    both (:func:`spinncer.numerics.refuse_r_mem`). `model` is the
    :class:`spinncer.params.Model` to build (default the spinncer variant).
    """
    from .params import model_variant
    model = model or model_variant()
    options = dict(backend_options or {})
    sim_backend = get_backend(backend)
    timer = PhaseTimer()
    with timer.phase("read"):
        scaffold = read_scaffold(scaffold_path)
        stimulus = stimulus_io.load(stimulus_path, allow_pickle=allow_pickle)
        check_stimulus_matches(stimulus, scaffold, stimulus_path, timestep)
    with timer.phase("setup"):
        setup_options = options if sim_backend.NAME == "spinnaker" else {}
        sim = sim_backend.setup(timestep=timestep, threads=threads, seed=seed, **setup_options)
    prepare = getattr(sim_backend, "prepare", lambda s, st: (s, st))
    net, model_stimulus = prepare(scaffold, stimulus)
    with timer.phase("build"):
        populations = build_populations(sim, net, model_stimulus,
                                        getattr(sim_backend, "population_options", None), model)
    weights = backend_weights(backend, options, model)
    with timer.phase("connect"):
        projections = build_projections(sim, net, populations, sim_backend.make_connector,
                                        weights, model)
    with timer.phase("simulate"):
        # SpiNNaker loads and runs once; NEST reports progress in chunks
        run_in_chunks(sim.run_until, simtime, n_chunks=1 if backend == "spinnaker" else 10)
    with timer.phase("collect"):
        spikes = collect_spikes(populations)
        spikes = getattr(sim_backend, "restore_spikes", lambda s: s)(spikes)
    metadata = {
        "config": config or {},
        "config_sha256": hashlib.sha256(
            json.dumps(config or {}, sort_keys=True).encode()).hexdigest(),
        "versions": {**package_versions(), **sim_backend.versions()},
        "inputs": {"scaffold": {"path": str(scaffold_path), "sha256": sha256(scaffold_path)},
                   "stimulus": {"path": str(stimulus_path), "sha256": sha256(stimulus_path),
                                "params": stimulus.params}},
        "model_variant": model.name,
        "threads": threads,
        "backend_options": options,
        "weights_uS": weights,
        "n_cells": {name: pop.size for name, pop in populations.items()},
        "n_synapses": {name: len(scaffold.connections[name]) for name in projections},
        "wall_clock_s": timer.seconds,
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }
    result = RunResult(spikes, backend, timestep, simtime, seed, metadata)
    write_run(result, out_path)
    sim_backend.end()
    return result
