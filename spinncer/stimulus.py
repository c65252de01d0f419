"""Mossy-fibre input: generate the paper protocol, or load a given stimulus file.

Protocol [Bogdan2021 Methods; SpiNNCer cerebellum.py `__compute_stimulus`]: the run is split into
the windows `stim_times` = (before, stimulus, after) in ms. Every glomerulus fires at `f_base`
throughout. During the stimulus window the glomeruli whose soma lies within `stim_radius` µm of
the median glomerulus position (3-D distance) are candidates; a fraction
`percentage_active_fibers` of them, chosen at random, fire at `f_base + f_peak`. ``poisson``
draws homogeneous Poisson trains per window; ``periodic`` gives the active glomeruli evenly
spaced spikes in the stimulus window (period 1000 / (f_base + f_peak) ms, first spike at the
window start) and Poisson background elsewhere.

Named protocols (:data:`PROTOCOLS`, run name = protocol name, see :mod:`spinncer.sweep`) fix
every parameter: ``gold-casali2019`` is the protocol of the NEST gold-standard run made by the
model's author (see :data:`GOLD_CASALI2019`).

Spike times are floored onto the simulation time grid and moved to at least one timestep, since
NEST's spike generator rejects a spike at t = 0.

File format written here (``.npz``, no pickled objects): ``times`` (float64, ms, concatenated per
glomerulus in id order), ``counts`` (int64, spikes per glomerulus), ``stimulated`` (bool, the
glomeruli that fire at the peak rate), ``params`` (a JSON string of how it was made).
"""
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .atomic import atomic_path
from .errors import InputError
from .npz import json_plain, npz_keys, open_npz, require_pickle_permission
from .options import STIMULUS_TYPES as KINDS
from .params import DEFAULT_TIMESTEP
from .timegrid import step_index

FIRST_SPIKE_STEPS = 2  # earliest spike, in timesteps (see module docstring)


@dataclass
class Stimulus:
    """Spike trains of the glomeruli, stored compactly (CSR-style)."""

    times: np.ndarray  # ms, concatenated per glomerulus
    counts: np.ndarray  # spikes per glomerulus
    stimulated: np.ndarray  # bool per glomerulus
    params: dict = field(default_factory=dict)

    @property
    def n_sources(self):
        return len(self.counts)

    def spike_trains(self):
        """One sorted array of spike times (ms) per glomerulus."""
        return np.split(self.times, np.cumsum(self.counts)[:-1])

    @classmethod
    def from_trains(cls, trains, stimulated=None, params=None):
        trains = [np.sort(np.asarray(t, dtype=np.float64).ravel()) for t in trains]
        counts = np.array([len(t) for t in trains], dtype=np.int64)
        times = np.concatenate(trains) if trains else np.empty(0)
        if stimulated is None:
            stimulated = np.zeros(len(trains), dtype=bool)
        return cls(times, counts, np.asarray(stimulated, dtype=bool), dict(params or {}))


def select_stimulated(positions, stim_radius, percentage_active, rng):
    """Boolean mask of glomeruli firing at the peak rate (see module docstring)."""
    centre = np.median(positions, axis=0)
    inside = np.flatnonzero(np.sum((positions - centre) ** 2, axis=1) < stim_radius ** 2)
    n_active = int(percentage_active * len(inside))
    mask = np.zeros(len(positions), dtype=bool)
    mask[rng.choice(inside, size=n_active, replace=False)] = True
    return mask


def _poisson_window(rates_hz, start, duration, rng):
    """(source index, time) of homogeneous Poisson spikes in [start, start + duration)."""
    counts = rng.poisson(rates_hz * duration / 1000.0)
    sources = np.repeat(np.arange(len(rates_hz)), counts)
    times = start + rng.random(len(sources)) * duration
    return sources, times


def _periodic_window(mask, rate_hz, start, duration):
    n_spikes = int(round(rate_hz * duration / 1000.0))
    offsets = np.arange(n_spikes) * (duration / max(n_spikes, 1))
    sources = np.repeat(np.flatnonzero(mask), n_spikes)
    times = start + np.tile(offsets, int(mask.sum()))
    return sources, times


def generate(glomerulus_positions, *, f_base, f_peak, stim_radius, stim_times,
             percentage_active_fibers, kind, seed, timestep):
    """Generate the paper-protocol stimulus for the given glomerulus positions (µm)."""
    if kind not in KINDS:
        raise InputError("stimulus.type", f"one of {KINDS}", repr(kind))
    rng = np.random.default_rng(seed)
    n = len(glomerulus_positions)
    stimulated = select_stimulated(np.asarray(glomerulus_positions), stim_radius,
                                   percentage_active_fibers, rng)
    before, during, _ = stim_times
    starts = np.concatenate([[0.0], np.cumsum(stim_times)[:-1]])
    parts = []
    for window, (start, duration) in enumerate(zip(starts, stim_times)):
        rates = np.full(n, float(f_base))
        if window == 1 and kind == "periodic":
            parts.append(_periodic_window(stimulated, f_base + f_peak, start, duration))
            rates[stimulated] = 0.0  # the active ones are fully periodic in this window
        elif window == 1:
            rates[stimulated] += f_peak
        parts.append(_poisson_window(rates, start, duration, rng))
    sources = np.concatenate([p[0] for p in parts])
    times = snap_to_grid(np.concatenate([p[1] for p in parts]), timestep)
    order = np.lexsort((times, sources))
    params = dict(f_base=f_base, f_peak=f_peak, stim_radius=stim_radius,
                  stim_times=list(stim_times), percentage_active_fibers=percentage_active_fibers,
                  type=kind, seed=seed, timestep=timestep, origin="generated")
    return Stimulus(times[order], np.bincount(sources, minlength=n).astype(np.int64),
                    stimulated, params)


# The protocol of the SpiNNCer NEST gold standard (shared data
# gold_standard_results_400_casali_nest.npz, README there; SpiNNCer commit 44f7a0e, made by
# S. Casali with nest_microrcircuit.py): stim_times and f_base from its `stimulus_params`
# ([300, 100, 600] ms, 1 Hz). Its glomerulus spikes show the rest: 539 of its 7070 glomeruli
# (7.6 %) fire the same 15 spikes at 300.2, 307.2, ..., 393.2, 400.2 ms, i.e. the script's
# `np.round(np.linspace(STIM_START, STIM_END, spike_nums))` (nest_microrcircuit.py l. 293-294,
# spike_nums = round(150 Hz x 100 ms) = 15, "every ~7 ms") recorded 0.2 ms later at the parrot
# glomeruli; every glomerulus, those included, keeps its ~1 Hz background throughout (1.01 Hz
# observed before 300 ms). Which glomeruli: the script stimulates those within a radius of the
# median glomerulus position (l. 270-279); the gold file's scaffold positions are not public,
# so the same fraction nearest that centre (3-D) is taken, i.e. the script's sphere with the
# radius that holds 539/7070 of the glomeruli.
GOLD_CASALI2019 = dict(f_base=1.0, stim_times=(300.0, 100.0, 600.0),
                       stimulated_fraction=539 / 7070, burst_spikes=15, burst_delay=0.2)
#: Named protocols: run name -> generator parameters.
PROTOCOLS = {"gold-casali2019": GOLD_CASALI2019}


def nearest_to_centre(positions, n):
    """Boolean mask of the `n` glomeruli nearest the median position (3-D; ties by index)."""
    distance = np.sum((positions - np.median(positions, axis=0)) ** 2, axis=1)
    mask = np.zeros(len(positions), dtype=bool)
    mask[np.argsort(distance, kind="stable")[:n]] = True
    return mask


def generate_protocol(name, glomerulus_positions, *, seed, timestep):
    """The stimulus of the named protocol (:data:`PROTOCOLS`) for these glomeruli."""
    if name not in PROTOCOLS:
        raise InputError("stimulus protocol", f"one of {tuple(PROTOCOLS)}", repr(name))
    spec = PROTOCOLS[name]
    positions = np.asarray(glomerulus_positions)
    n = len(positions)
    rng = np.random.default_rng(seed)
    stimulated = nearest_to_centre(positions, int(round(spec["stimulated_fraction"] * n)))
    before, during, after = spec["stim_times"]
    background = _poisson_window(np.full(n, spec["f_base"]), 0.0, before + during + after, rng)
    burst = np.round(np.linspace(before, before + during, spec["burst_spikes"])) \
        + spec["burst_delay"]
    sources = np.concatenate([background[0], np.repeat(np.flatnonzero(stimulated), len(burst))])
    times = np.concatenate([background[1], np.tile(burst, int(stimulated.sum()))])
    times = snap_to_grid(times, timestep)
    order = np.lexsort((times, sources))
    params = dict(protocol=name, f_base=spec["f_base"], stim_times=list(spec["stim_times"]),
                  n_stimulated=int(stimulated.sum()), burst_times=burst.tolist(), seed=seed,
                  timestep=timestep, origin="generated")
    return Stimulus(times[order], np.bincount(sources, minlength=n).astype(np.int64),
                    stimulated, params)


def snap_to_grid(times, timestep):
    """Floor spike times (ms) onto the time grid, to no earlier than FIRST_SPIKE_STEPS steps."""
    return np.maximum(step_index(times, timestep), FIRST_SPIKE_STEPS) * timestep


def save(stimulus, path):
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, times=stimulus.times, counts=stimulus.counts,
                                stimulated=stimulus.stimulated,
                                params=np.array(json.dumps(stimulus.params)))


def load(path, allow_pickle=False):
    """Load a stimulus written by :func:`save`, or an original SpiNNCer stimulus ``.npz``.

    SpiNNCer files (keys ``glomerulus`` / ``input_spikes`` holding pickled dicts) are only opened
    with `allow_pickle`, which the user grants explicitly for a file they name.
    """
    path = Path(path)
    keys = npz_keys(path, "stimulus file")
    if {"times", "counts"} <= keys:
        with open_npz(path, "stimulus file") as data:
            return _load_own(data, path)
    if not keys & {"glomerulus", "input_spikes"}:
        raise InputError(path, "keys 'times'+'counts' or a SpiNNCer 'glomerulus' entry",
                         f"keys {sorted(keys)}")
    require_pickle_permission(path, allow_pickle, "SpiNNCer stimulus files",
                              "stimulus.allow_pickle: true (--allow-pickle)")
    return _load_spinncer(path)


def _load_own(data, path):
    times, counts = data["times"].astype(np.float64), data["counts"].astype(np.int64)
    if counts.ndim != 1 or times.ndim != 1 or counts.sum() != len(times) or (counts < 0).any():
        raise InputError(f"{path}: 'counts'", f"non-negative per-glomerulus counts summing to "
                         f"len(times) = {len(times)}", f"sum {counts.sum()}")
    stimulated = data["stimulated"] if "stimulated" in data.files else np.zeros(len(counts), bool)
    params = json.loads(str(data["params"])) if "params" in data.files else {}
    if stimulated.shape != counts.shape:
        raise InputError(f"{path}: 'stimulated'", f"shape {counts.shape}", f"{stimulated.shape}")
    return _check_times(Stimulus(times, counts, stimulated.astype(bool), params), path)


def _check_times(stim, path):
    bad = ~np.isfinite(stim.times) | (stim.times < 0)
    if bad.any():
        raise InputError(path, "finite, non-negative spike times (ms)",
                         f"{int(bad.sum())} other values")
    return stim


def _load_spinncer(path):
    with open_npz(path, "SpiNNCer stimulus with glomerulus['spike_times']",
                  allow_pickle=True) as data:
        entry = data["glomerulus"] if "glomerulus" in data.files \
            else data["input_spikes"].item()["glomerulus"]
        entry = entry.item() if isinstance(entry, np.ndarray) else entry
        details = data["details"].item() if "details" in data.files else {}
        stim = Stimulus.from_trains(entry["spike_times"])
    stim = _check_times(stim, path)
    args = details.get("argparser", {}) if isinstance(details, dict) else {}
    params = {key: json_plain(args[key])
              for key in ("f_base", "f_peak", "stim_radius", "stim_times",
                          "percentage_active_fibers", "simtime", "timestep", "periodic_stimulus")
              if key in args}
    params["origin"] = f"file:{path.name}"
    # on the grid of the run it was made for, sorted again per glomerulus after flooring
    cells = np.repeat(np.arange(stim.n_sources), stim.counts)
    times = snap_to_grid(stim.times, float(params.get("timestep", DEFAULT_TIMESTEP)))
    order = np.lexsort((times, cells))
    return Stimulus(times[order], stim.counts, stim.stimulated, params)
