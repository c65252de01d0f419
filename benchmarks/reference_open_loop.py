"""Open-loop input substitution: what causes each miss of the reference check (issue 23).

    python benchmarks/reference_open_loop.py run GOLD.npz SCAFFOLD.hdf5 RUN.h5 OUT.h5 \\
        [--targets granule,golgi,...] [--gold glomerulus,granule,...] \\
        [--assign identity|random|rank] [--uniform aa_goc,...] [--jitter granule=2] \\
        [--threads 1] [--seed 1]
    python benchmarks/reference_open_loop.py table GOLD.npz SCAFFOLD.hdf5 RUN.h5 OUT.h5 [...]
    python benchmarks/reference_open_loop.py golgi GOLD.npz SCAFFOLD.hdf5 RUN.h5

`run`: the cells of the target populations (default: every cell population) are simulated
ALONE, on NEST through the library's own network build (:class:`spinncer.backends.nest.
NestSession`: the casali2019 cell and synapse tables, the scaffold's connections into the
targets, weights and delays as every run has them), with every presynaptic population - the
targets themselves too, for gj_bc and gj_sc - replaced by spike sources
(``PyNNSession.build(..., replay=...)``). Populations named by ``--gold`` replay the gold
standard's spike trains, all others those of our closed-loop run RUN.h5 (the same scaffold
and model). ``--assign`` says which train each of our cells gets:

- identity: our cell i replays our cell i (our trains only): the open loop must give the
  closed-loop spikes themselves, the control that the open loop is faithful;
- random: the source's cells in a seeded random permutation; a source with more cells than
  ours gives its first n, one with fewer gives whole permutations one after another (some
  trains used twice), so the population's mean rate is the source's;
- rank: our cells in the order of their closed-loop spike counts (stimulus window, then
  baseline, ties at random) get the source's cells in the order of theirs, quantile-matched
  (the gold's positions are not public, so this keeps which cells answer the stimulus).

OUT.h5 is a run file (spinncer.results) of the targets' spikes, 400 ms (baseline 0-300,
stimulus 300-400 ms), with the condition in its metadata.
`table`: the targets' rates per window under each OUT.h5 beside the gold's and our
closed-loop rates, and for identity runs how many closed-loop spikes came back exactly.
`golgi`: the Golgi puzzle's numbers from the spike files alone (the input each Golgi cell
receives per connection type under our trains and the gold's). `feedback`: how the inputs of
each Golgi cell arrive in time (their synchrony, and around the cell's own spikes) in the
closed loop and in the open-loop runs given. Results: benchmarks/README.md.
"""
import argparse
import json

import numpy as np

from spinncer.analysis.reference import CHECKED_WINDOWS, read_gold_standard
from spinncer.analysis.stats import protocol_windows, spike_counts
from spinncer.backends import open_session
from spinncer.params import CELL_POPULATIONS, model_variant
from spinncer.provenance import PhaseTimer, peak_rss_mib
from spinncer.results import RunResult, read_run, write_run
from spinncer.scaffold import Connectivity, Scaffold, read_scaffold
from spinncer.stimulus import FIRST_SPIKE_STEPS, GOLD_CASALI2019

MODEL = "casali2019"
SIMTIME = 400.0  # ms: the checked windows, baseline 0-300 and stimulus 300-400
WINDOWS = {name: window for name, window in
           protocol_windows(GOLD_CASALI2019["stim_times"]).items() if name in CHECKED_WINDOWS}


def trains_of(pop, simtime=SIMTIME):
    """One sorted spike-time array per cell of `pop` (PopulationSpikes), times < simtime."""
    keep = pop.time < simtime
    cells, times = pop.cell[keep], pop.time[keep]
    order = np.lexsort((times, cells))
    counts = np.bincount(cells, minlength=pop.n_cells)
    return np.split(times[order], np.cumsum(counts)[:-1])


def window_order(pop, rng):
    """Cells of `pop` by their stimulus-window, then baseline spike count (ties at random)."""
    counts = [spike_counts(pop.cell, pop.time, pop.n_cells, *WINDOWS[w])
              for w in ("baseline", "stimulus")]
    return np.lexsort((rng.random(pop.n_cells), counts[0], counts[1]))


def assignment(n_ours, source, ours, mode, rng):
    """Index of the source cell whose train each of our `n_ours` cells replays."""
    n_source = source.n_cells
    if mode == "identity":
        if n_source != n_ours:
            raise SystemExit(f"identity assignment needs equal cell counts: {n_source} vs "
                             f"{n_ours}")
        return np.arange(n_ours)
    if mode == "random":
        repeats = -(-n_ours // n_source)
        return np.concatenate([rng.permutation(n_source) for _ in range(repeats)])[:n_ours]
    if mode == "rank":
        ours_sorted, source_sorted = window_order(ours, rng), window_order(source, rng)
        out = np.empty(n_ours, dtype=np.int64)
        out[ours_sorted] = source_sorted[(np.arange(n_ours) * n_source) // n_ours]
        return out
    raise SystemExit(f"--assign: one of identity, random, rank; found {mode!r}")


def open_loop_scaffold(scaffold, targets, connection_types):
    """The scaffold's connections into `targets` only, and the populations they join."""
    connections = {name: conn for name, conn in scaffold.connections.items()
                   if name in connection_types and connection_types[name].post in targets}
    pops = set(targets) | {connection_types[name].pre for name in connections}
    return Scaffold({p: scaffold.positions[p] for p in scaffold.positions if p in pops},
                    connections, source=scaffold.source)


def uniform_in_degree(conn, n_post, rng):
    """`conn` with the same presynaptic cells but its synapses dealt out to the `n_post` cells
    in turn at random (every in-degree the mean, give or take one)."""
    post = rng.permutation(np.arange(len(conn)) % n_post)
    return Connectivity(conn.pre, post)


def jittered(trains, jitter_ms, dt, first, rng):
    """Each spike moved by a uniform random lag in [-jitter_ms, jitter_ms], onto the time
    grid, no earlier than `first` and before SIMTIME; a spike landing on another of its
    train's is dropped. Returns (trains, dropped spikes)."""
    out, dropped = [], 0
    for train in trains:
        moved = np.rint((train + rng.uniform(-jitter_ms, jitter_ms, len(train))) / dt) * dt
        moved = np.unique(moved[(moved >= first - 1e-9) & (moved < SIMTIME)])
        dropped += len(train) - len(moved)
        out.append(moved)
    return out, dropped


def open_loop_inputs(scaffold, gold, ours, targets, gold_pops, assign, uniform, seed,
                     jitter=None):
    """(the open-loop scaffold of `targets`, its replay {population: trains}, spikes dropped
    per population as earlier than a spike source can fire or by `jitter` ({population: ms},
    :func:`jittered`)); deterministic in `seed`."""
    model = model_variant(MODEL)
    sub = open_loop_scaffold(scaffold, targets, model.connection_types)
    rng = np.random.default_rng(seed)
    for name in uniform:
        sub.connections[name] = uniform_in_degree(
            sub.connections[name], sub.n_cells(model.connection_types[name].post), rng)
    presynaptic = {model.connection_types[name].pre for name in sub.connections}
    replay, dropped = {}, {}
    first = FIRST_SPIKE_STEPS * ours.timestep
    for name in sorted(presynaptic):
        source = gold.spikes[name] if name in gold_pops else ours.spikes[name]
        index = assignment(sub.n_cells(name), source, ours.spikes[name], assign, rng)
        trains = trains_of(source)
        dropped[name] = int(sum((t < first - 1e-9).sum() for t in trains))
        replay[name] = [trains[i][trains[i] >= first - 1e-9] for i in index]
        if name in (jitter or {}):
            replay[name], lost = jittered(replay[name], jitter[name], ours.timestep, first, rng)
            dropped[name] += lost
    return sub, replay, dropped


def run(args):
    model = model_variant(MODEL)
    gold = read_gold_standard(args.gold_file, allow_pickle=True)
    ours = read_run(args.run)
    scaffold = read_scaffold(args.scaffold)
    targets = args.targets.split(",") if args.targets else list(CELL_POPULATIONS)
    gold_pops = [p for p in (args.gold or "").split(",") if p]
    uniform = [name for name in (args.uniform or "").split(",") if name]
    jitter = {pop: float(ms) for pop, ms in
              (item.split("=") for item in (args.jitter or "").split(",") if item)}
    sub, replay, dropped = open_loop_inputs(scaffold, gold, ours, targets, gold_pops,
                                            args.assign, uniform, args.seed, jitter)
    presynaptic = sorted(replay)
    timer = PhaseTimer()
    session = open_session("nest", timestep=ours.timestep, threads=args.threads,
                           seed=args.seed, model=model)
    try:
        with timer.phase("build"):
            session.build(sub, None, None, replay=replay)
        with timer.phase("connect"):
            session.connect(sub)
        with timer.phase("simulate"):
            session.run(SIMTIME)
        spikes = {name: s for name, s in session.spikes().items() if name in targets}
    finally:
        session.end()
    condition = {"targets": targets, "gold": gold_pops, "assign": args.assign,
                 "uniform_in_degree": uniform, "jitter_ms": jitter, "seed": args.seed, "replayed": presynaptic,
                 "dropped_spikes": dropped}
    metadata = {"open_loop": condition, "model_variant": MODEL, "threads": args.threads,
                "wall_clock_s": timer.seconds, "peak_rss_mib": round(peak_rss_mib(), 1),
                "n_synapses": {n: len(c) for n, c in sub.connections.items()},
                "inputs": {"scaffold": str(args.scaffold), "run": str(args.run),
                           "gold": str(args.gold_file)}}
    write_run(RunResult(spikes, "nest", ours.timestep, SIMTIME, args.seed, metadata), args.out)
    print(json.dumps({"condition": condition, "wall_clock_s": timer.seconds,
                      "peak_rss_mib": metadata["peak_rss_mib"]}))


def rate(pop, window):
    start, stop = WINDOWS[window]
    inside = (pop.time >= start) & (pop.time < stop)
    return inside.sum() / pop.n_cells / ((stop - start) / 1000.0)


def condition_label(meta):
    gold = "+".join(meta["gold"]) or "none"
    uniform = "+".join(meta.get("uniform_in_degree", []))
    jitter = ", ".join(f"{pop} {ms:g} ms" for pop, ms in (meta.get("jitter_ms") or {}).items())
    return f"{meta['assign']}, gold: {gold}" + (f", uniform in-degree: {uniform}"
                                                if uniform else "") + \
        (f", jitter: {jitter}" if jitter else "")


def table(args):
    gold = read_gold_standard(args.gold_file, allow_pickle=True)
    ours = read_run(args.run)
    outs = [read_run(path) for path in args.outs]
    print("Open-loop rates (Hz) of each target population; columns: the condition (assignment, "
          "populations replaying the gold's trains, all others ours)")
    for i, out in enumerate(outs):
        meta = out.metadata["open_loop"]
        print(f"  [{i}] {condition_label(meta)}; targets {','.join(meta['targets'])}; "
              f"{out.metadata['wall_clock_s']} s, peak RSS {out.metadata['peak_rss_mib']} MiB")
    head = f"{'population':10s} {'window':9s} {'gold':>7s} {'closed':>7s}" + \
        "".join(f" {'[' + str(i) + ']':>7s}" for i in range(len(outs)))
    print(head)
    for pop in CELL_POPULATIONS:
        for window in WINDOWS:
            row = f"{pop:10s} {window:9s} {rate(gold.spikes[pop], window):7.2f} " \
                  f"{rate(ours.spikes[pop], window):7.2f}"
            for out in outs:
                row += f" {rate(out.spikes[pop], window):7.2f}" if pop in out.spikes else \
                    f" {'-':>7s}"
            print(row)
    for i, out in enumerate(outs):
        if out.metadata["open_loop"]["assign"] != "identity":
            continue
        for pop, spikes in out.spikes.items():
            closed = ours.spikes[pop]
            closed_keys = set(zip(closed.cell[closed.time < SIMTIME].tolist(),
                                  np.round(closed.time[closed.time < SIMTIME], 4).tolist()))
            inside = spikes.time < SIMTIME  # NEST also reports spikes stamped at SIMTIME
            open_keys = set(zip(spikes.cell[inside].tolist(),
                                np.round(spikes.time[inside], 4).tolist()))
            shared = len(closed_keys & open_keys)
            print(f"  [{i}] {pop}: {shared} of {len(closed_keys)} closed-loop spikes "
                  f"reproduced exactly, {len(open_keys) - shared} extra")


def golgi(args):
    """Input spikes per Golgi cell and second in the baseline, per connection type, when every
    granule cell (glomerulus) fires its train in our run, or the gold's trains at random."""
    gold = read_gold_standard(args.gold_file, allow_pickle=True)
    ours = read_run(args.run)
    scaffold = read_scaffold(args.scaffold)
    model = model_variant(MODEL)
    rng = np.random.default_rng(args.seed)
    n_goc = scaffold.n_cells("golgi")
    goc_hz = {label: spike_counts(run.spikes["golgi"].cell, run.spikes["golgi"].time, n_goc,
                                  *WINDOWS["baseline"]) / 0.3
              for label, run in (("ours", ours), ("gold", gold))}
    print(f"golgi baseline: ours {goc_hz['ours'].mean():.1f} Hz, gold "
          f"{goc_hz['gold'].mean():.1f} Hz")
    for pop in ("granule", "glomerulus"):
        for label, run in (("ours", ours), ("gold", gold)):
            counts = spike_counts(run.spikes[pop].cell, run.spikes[pop].time,
                                  run.spikes[pop].n_cells, *WINDOWS["baseline"])
            active = counts > 0
            share = np.sort(counts)[::-1].cumsum() / max(counts.sum(), 1)
            print(f"{pop} {label}: {counts.mean() / 0.3:.3f} Hz, {active.mean():.1%} of "
                  f"cells spike in the baseline, the top 5% of cells fire "
                  f"{share[int(0.05 * len(counts))]:.1%} of the spikes")
    for name in ("aa_goc", "pf_goc", "glom_goc"):
        conn, kind = scaffold.connections[name], model.connection_types[name]
        n_pre = scaffold.n_cells(kind.pre)
        ours_hz = spike_counts(ours.spikes[kind.pre].cell, ours.spikes[kind.pre].time, n_pre,
                               *WINDOWS["baseline"]) / 0.3
        gold_pop = gold.spikes[kind.pre]
        gold_hz = spike_counts(gold_pop.cell, gold_pop.time, gold_pop.n_cells,
                               *WINDOWS["baseline"]) / 0.3
        gold_hz = gold_hz[assignment(n_pre, gold_pop, None, "random", rng)]
        in_degree = np.bincount(conn.post, minlength=n_goc)
        drive = {label: np.bincount(conn.post, weights=hz[conn.pre], minlength=n_goc)
                 for label, hz in (("ours", ours_hz), ("gold", gold_hz))}
        per_synapse = {label: d.sum() / len(conn) for label, d in drive.items()}
        out_degree = np.bincount(conn.pre, minlength=n_pre)
        print(f"{name}: in-degree mean {in_degree.mean():.0f}, p5 "
              f"{np.percentile(in_degree, 5):.0f}, p95 {np.percentile(in_degree, 95):.0f}; "
              f"input Hz per golgi: ours {drive['ours'].mean():.0f} vs gold-trains "
              f"{drive['gold'].mean():.0f}; per synapse ours {per_synapse['ours']:.3f} vs "
              f"population mean {ours_hz.mean():.3f} Hz (pre cells with >= 1 synapse: "
              f"{(out_degree > 0).mean():.1%}, their rate {mean_hz(ours_hz[out_degree > 0])}"
              f", without: {mean_hz(ours_hz[out_degree == 0])}); corr(golgi rate, in-degree) "
              f"{correlation(in_degree, goc_hz['ours'])}, corr(golgi rate, our drive) "
              f"{correlation(drive['ours'], goc_hz['ours'])}")


def mean_hz(rates):
    return f"{rates.mean():.3f} Hz" if len(rates) else "no such cells"


def correlation(a, b):
    """Pearson r as text, or why there is none."""
    if np.std(a) == 0 or np.std(b) == 0:
        return "none (one value for every cell)"
    return f"{np.corrcoef(a, b)[0, 1]:.2f}"


def arrivals(conn, delay, trains, n_post, start, stop):
    """{post cell: sorted arrival times (ms) in [start, stop) of its inputs through `conn`}
    when presynaptic cell i fires trains[i]."""
    counts = np.array([len(t) for t in trains])
    times = np.concatenate(trains) if len(trains) else np.empty(0)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    per_synapse = counts[conn.pre]
    synapse = np.repeat(np.arange(len(conn)), per_synapse)
    offset = np.arange(len(synapse)) - np.repeat(np.cumsum(per_synapse) - per_synapse,
                                                 per_synapse)
    at = times[first[conn.pre][synapse] + offset] + delay
    post = conn.post[synapse]
    keep = (at >= start) & (at < stop)
    order = np.lexsort((at[keep], post[keep]))
    post, at = post[keep][order], at[keep][order]
    return np.split(at, np.searchsorted(post, np.arange(1, n_post)))


#: Lags (ms) of the input arrivals around a cell's own spikes: 1 ms bins from -10 to +10 ms.
LAG_EDGES = np.arange(-10.0, 10.5, 1.0)


def arrival_lags(arrived, spikes, start, stop):
    """Input arrivals per ms around each own spike, divided by the cell's mean arrival rate
    in [start, stop) (1 = no relation between a cell's inputs and its spikes), pooled."""
    hist, expected = np.zeros(len(LAG_EDGES) - 1), 0.0
    for inputs, own in zip(arrived, spikes):
        own = own[(own >= start + LAG_EDGES[-1]) & (own < stop + LAG_EDGES[0])]
        if not len(own) or not len(inputs):
            continue
        lags = (inputs[None, :] - own[:, None]).ravel()
        hist += np.histogram(lags, LAG_EDGES)[0]
        expected += len(own) * len(inputs) / (stop - start) * np.diff(LAG_EDGES)[0]
    if not expected:
        raise SystemExit("no cell with both inputs and spikes in the window: no lags")
    return hist / expected


def synchrony(arrived, start, stop, bin_ms=1.0):
    """Variance / mean of each cell's input arrivals per `bin_ms` bin, averaged over the cells
    with inputs (1 for independent Poisson inputs; more when inputs come in volleys), as text."""
    edges = np.arange(start, stop + bin_ms / 2, bin_ms)
    ratios = [np.var(c) / np.mean(c) for c in (np.histogram(a, edges)[0] for a in arrived)
              if c.mean() > 0]
    return f"{np.mean(ratios):.2f}" if ratios else "none (no inputs arrived)"


def feedback(args):
    """Input arrivals (aa_goc + pf_goc) around each Golgi spike in the baseline, in our closed
    loop and in the open-loop runs given (their replayed trains rebuilt from the condition)."""
    gold = read_gold_standard(args.gold_file, allow_pickle=True)
    ours = read_run(args.run)
    scaffold = read_scaffold(args.scaffold)
    model = model_variant(MODEL)
    start, stop = WINDOWS["baseline"]
    cases = [("closed loop", {p: trains_of(ours.spikes[p]) for p in ("granule",)},
              ours.spikes["golgi"])]
    for path in args.outs:
        out = read_run(path)
        meta = out.metadata["open_loop"]
        _, replay, _ = open_loop_inputs(scaffold, gold, ours, meta["targets"], meta["gold"],
                                        meta["assign"], meta.get("uniform_in_degree", []),
                                        meta["seed"], meta.get("jitter_ms"))
        cases.append((condition_label(meta), replay, out.spikes["golgi"]))
    for label, run_ in (("ours", ours), ("gold", gold)):
        pop = run_.spikes["granule"]
        counts = np.histogram(pop.time, np.arange(start, stop + 0.5, 1.0))[0]
        print(f"granule population spikes per ms in the baseline, {label}: mean "
              f"{counts.mean():.1f}, variance / mean {counts.var() / counts.mean():.1f}")
    print("Golgi baseline: synchrony of each cell's inputs (variance / mean of arrivals per "
          "ms) and arrivals per ms around the cell's own spikes / its mean arrival rate, lags "
          f"{LAG_EDGES[0]:.0f} .. {LAG_EDGES[-1]:.0f} ms in 1 ms bins")
    for label, replay, golgi in cases:
        own = trains_of(golgi)
        print(f"  {label} (golgi {rate(golgi, 'baseline'):.1f} Hz)")
        for name in ("aa_goc", "pf_goc"):
            kind = model.connection_types[name]
            arrived = arrivals(scaffold.connections[name], kind.delay, replay[kind.pre],
                               golgi.n_cells, start, stop)
            lags = arrival_lags(arrived, own, start, stop)
            print(f"    {name}: synchrony {synchrony(arrived, start, stop)}; around own "
                  "spikes: " + " ".join(f"{v:.2f}" for v in lags))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    for name in ("gold_file", "scaffold", "run", "out"):
        p.add_argument(name)
    p.add_argument("--targets")
    p.add_argument("--gold")
    p.add_argument("--assign", default="random", choices=("identity", "random", "rank"))
    p.add_argument("--uniform", help="connection types whose in-degrees are made uniform")
    p.add_argument("--jitter", help="population=ms,...: each replayed spike moved at random "
                   "by up to that many ms")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("table")
    for name in ("gold_file", "scaffold", "run"):
        p.add_argument(name)
    p.add_argument("outs", nargs="+")
    p = sub.add_parser("golgi")
    for name in ("gold_file", "scaffold", "run"):
        p.add_argument(name)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("feedback")
    for name in ("gold_file", "scaffold", "run"):
        p.add_argument(name)
    p.add_argument("outs", nargs="*")
    args = parser.parse_args()
    {"run": run, "table": table, "golgi": golgi, "feedback": feedback}[args.command](args)


if __name__ == "__main__":
    main()
