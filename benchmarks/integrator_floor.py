"""Benchmark: the integrator floor. One cell of each type, the same input spikes, on NEST
(reference), nest-numerics (SpiNNaker's fixed-point weights on NEST) and, given the brian2
environment, Brian2: how far apart are the membrane potentials when nothing but the numerics
differ? Prints one markdown table per comparison: per cell type the RMS difference of v (mV),
its correlation, coherence (1-100 Hz) and phase lag (ms) (:mod:`spinncer.validation.membrane`),
the spike counts and the largest shift of matched spikes (ms).

    python benchmarks/integrator_floor.py [--brian2-python resources/envs/brian2/bin/python]

The network is the single-cell comparison of ``tests/brian2_single_cell.py`` (one cell per type
with its own parameters, one excitatory ~100 Hz and one inhibitory ~40 Hz input train, per-type
weights that make each type fire). NEST and nest-numerics run it through
:func:`spinncer.backends.open_session` in this process (nest-numerics represents each weight as
sPyNNaker would for the reference ring-buffer left shifts); Brian2 runs that module as a script
in its own environment.
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import brian2_single_cell as single  # noqa: E402


def run_session(backend):
    """{pop: (times ms, v mV, spike times ms)} of the single-cell network on `backend`."""
    from spinncer.backends import open_session
    from spinncer.params import CELL_POPULATIONS
    scaffold, stimulus, model = single.network()
    session = open_session(backend, timestep=single.TIMESTEP, model=model)
    try:
        session.build(scaffold, stimulus, {pop: np.array([0]) for pop in CELL_POPULATIONS})
        session.connect(scaffold)
        session.run(single.SIMTIME)
        spikes, signals = session.spikes(), session.signals()
        weights = session.weights
    finally:
        session.end()
    return {pop: (sig.times, np.asarray(sig.v[:, 0], float), spikes[pop].time)
            for pop, sig in signals.items()}, weights


def run_brian2(python):
    from spinncer.params import CELL_POPULATIONS
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "brian2.npz"
        subprocess.run([python, single.__file__, str(out), str(Path(tmp) / "build")],
                       check=True)
        data = dict(np.load(out))
    return {pop: (data[f"t_{pop}"], data[f"v_{pop}"], data.get(f"spikes_{pop}", np.empty(0)))
            for pop in CELL_POPULATIONS}


def compare(a, b):
    """Markdown rows: per cell type the membrane measures and spike agreement of b vs a."""
    from spinncer.validation.membrane import compare_traces
    dt = single.TIMESTEP
    rows = []
    for pop, (ta, va, sa) in a.items():
        tb, vb, sb = b[pop]
        start = max(ta[0], tb[0])
        ia, ib = int(round((start - ta[0]) / dt)), int(round((start - tb[0]) / dt))
        n = min(len(va) - ia, len(vb) - ib)
        x, y = va[ia:ia + n], vb[ib:ib + n]
        m = compare_traces(x, y, 1000.0 / dt)
        matched = min(len(sa), len(sb))
        shift = np.abs(np.sort(sb)[:matched] - np.sort(sa)[:matched]).max() if matched else 0.0
        fmt = lambda v: "-" if v is None else f"{v:.3g}"  # noqa: E731
        rows.append(f"| {pop} | {np.sqrt(np.mean((y - x) ** 2)):.3g} | {fmt(m['corr_v'])} | "
                    f"{fmt(m['coherence_v'])} | {fmt(m['phase_lag_ms'])} | {len(sa)} / {len(sb)} "
                    f"| {shift:.3g} |")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brian2-python", help="python of the brian2 environment")
    args = parser.parse_args()
    nest, _ = run_session("nest")
    numerics, weights = run_session("nest-numerics")
    others = {"nest-numerics": numerics}
    if args.brian2_python:
        others["brian2"] = run_brian2(args.brian2_python)
    print("nest-numerics weights (µS): "
          + ", ".join(f"{name} {w:.6g}" for name, w in sorted(weights.items())))
    for name, run in others.items():
        print(f"\nnest vs {name}, one cell per type, {single.SIMTIME:g} ms at "
              f"{single.TIMESTEP} ms\n")
        print("| cell type | RMS v (mV) | corr v | coherence 1-100 Hz | phase lag (ms) "
              f"| spikes nest / {name} | max matched-spike shift (ms) |")
        print("|---|---|---|---|---|---|---|")
        print("\n".join(compare(nest, run)))


if __name__ == "__main__":
    main()
