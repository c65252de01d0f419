"""Run the network on any backend (through its session) and write the run file
(:mod:`spinncer.results`)."""
import hashlib
import json
from dataclasses import replace

import numpy as np

from . import stimulus as stimulus_io
from .backends import open_session
from .backends.workdir import scratch_directory
from .errors import InputError
from .params import DEFAULT_TIMESTEP, INPUT_POPULATION, model_variant
from .provenance import PhaseTimer, package_versions, peak_rss_mib, sha256
from .recording import signal_sample
from .results import RunResult, write_run
from .scaffold import read_scaffold
from .stimulus import FIRST_SPIKE_STEPS


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


def weight_scaled_model(model, weight_scale):
    """`model` with the weights of the connection types in `weight_scale` ({name: factor})
    multiplied (a deliberately perturbed network, for validation tests)."""
    unknown = sorted(set(weight_scale) - set(model.connection_types))
    if unknown:
        raise InputError("weight scale", f"connection types among "
                         f"{sorted(model.connection_types)}", f"{unknown}")
    kinds = {name: replace(kind, weight=kind.weight * float(weight_scale[name]))
             if name in weight_scale else kind
             for name, kind in model.connection_types.items()}
    return replace(model, name=f"{model.name}+weight_scale", connection_types=kinds)


def run_simulation(scaffold_path, stimulus_path, out_path, *, backend="nest",
                   timestep=DEFAULT_TIMESTEP, simtime=1000.0, threads=1, seed=1, config=None,
                   allow_pickle=False, backend_options=None, workdir=None, scratch=None,
                   model=None, record_signals=True, weight_scale=None):
    """Simulate `simtime` ms of the scaffold driven by the stimulus on any backend; write
    `out_path` (:mod:`spinncer.results`) and return the :class:`~spinncer.results.RunResult`.

    Phases (wall-clock seconds of each in the metadata, with the backend's own sub-phases):
    read, setup (:func:`spinncer.backends.open_session`), build, connect, simulate, collect.
    `backend_options` go to the session (SpiNNaker: machine, neurons per core, ring-buffer
    left shifts, id_remap; nest-numerics: rb_left_shifts; r_mem is refused by both,
    :func:`spinncer.numerics.refuse_r_mem`). A backend writes its own files (sPyNNaker's
    configuration, reports, provenance database) into `workdir` when given (kept), else into
    a new directory of this run under `scratch` (default ``$TMPDIR``), removed afterwards.
    `record_signals`: True records v/gsyn of :func:`spinncer.recording.signal_sample`, False
    none, or {population: cell indices}; they are returned in ``RunResult.signals``.
    `weight_scale` ({connection type: factor}) multiplies those connection types' weights in
    the model (:func:`weight_scaled_model`) on any backend: a deliberately perturbed network,
    to show that validation can fail (:mod:`spinncer.validation`); recorded in the metadata.
    """
    options = dict(backend_options or {})
    timer = PhaseTimer()
    with timer.phase("read"):
        scaffold = read_scaffold(scaffold_path)
        stimulus = stimulus_io.load(stimulus_path, allow_pickle=allow_pickle)
        check_stimulus_matches(stimulus, scaffold, stimulus_path, timestep)
    if record_signals is True:
        record_signals = signal_sample({p: scaffold.n_cells(p) for p in scaffold.positions})
    if weight_scale:
        model = weight_scaled_model(model or model_variant(), weight_scale)
    with scratch_directory(workdir, scratch, prefix="spinncer-run-") as work:
        with timer.phase("setup"):
            session = open_session(backend, timestep=timestep, threads=threads, seed=seed,
                                   workdir=work, options=options, model=model)
        try:
            with timer.phase("build"):
                session.build(scaffold, stimulus, record_signals or None)
            with timer.phase("connect"):
                session.connect(scaffold)
            with timer.phase("simulate"):
                session.run(simtime)
            with timer.phase("collect"):
                spikes, signals = session.spikes(), session.signals()
            versions = session.versions()
        finally:
            session.end()
    metadata = {
        "config": config or {},
        "config_sha256": hashlib.sha256(
            json.dumps(config or {}, sort_keys=True).encode()).hexdigest(),
        "versions": {**package_versions(), **versions},
        "inputs": {"scaffold": {"path": str(scaffold_path), "sha256": sha256(scaffold_path)},
                   "stimulus": {"path": str(stimulus_path), "sha256": sha256(stimulus_path),
                                "params": stimulus.params}},
        "model_variant": session.model.name,
        "threads": threads,
        "backend_options": options,
        "weights_uS": session.weights,
        "weight_scale": dict(weight_scale or {}),
        "n_cells": {name: s.n_cells for name, s in spikes.items()},
        "n_synapses": {name: len(conn) for name, conn in scaffold.connections.items()
                       if len(conn) and name in session.model.connection_types},
        "n_signal_cells": {name: len(s.cells) for name, s in signals.items()},
        "wall_clock_s": {**timer.seconds, **session.extra_seconds},
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }
    result = RunResult(spikes, backend, timestep, simtime, seed, metadata, signals)
    write_run(result, out_path)
    return result
