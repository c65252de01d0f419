"""Benchmark: the BSB build with and without bsb_compile.py's speed-ups (issue 17).

Builds the same scaffold (size, seed, BSB configuration) with plain BSB 3 and with the
speed-ups of ``spinncer/scaffold/bsb_compile.py`` (``bsb_particles.py``, the light KD-tree input
checks), alternating, `--pairs` times, each through :func:`spinncer.scaffold.build.build_with_bsb`
(BSB in its own process). Prints the wall seconds of every build, the plain / spinncer ratio of
the means, and whether every scaffold file has the same SHA-256 (they must: the speed-ups
change no number).

    python benchmarks/bsb_build.py --bsb-python resources/envs/bsb/bin/python --x 200 --z 200
"""
import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from spinncer.provenance import sha256
from spinncer.scaffold.build import build_with_bsb


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bsb-python", required=True, help="python of the BSB environment")
    parser.add_argument("--x", type=float, default=200.0, help="µm")
    parser.add_argument("--z", type=float, default=200.0, help="µm")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--config", default="config/bsb/casali2019_spinncer.json")
    parser.add_argument("--pairs", type=int, default=1, help="plain/spinncer pairs")
    args = parser.parse_args()
    seconds, digests = {"plain": [], "spinncer": []}, set()
    print(f"BSB build {args.x:g} x {args.z:g} µm, seed {args.seed}, {args.config}; "
          f"load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as work:
        for pair in range(args.pairs):
            for label in seconds:
                out = Path(work) / f"{label}{pair}.hdf5"
                start = time.perf_counter()
                build_with_bsb(args.bsb_python, out, x=args.x, z=args.z, seed=args.seed,
                               config=args.config, plain=label == "plain")
                seconds[label].append(time.perf_counter() - start)
                digests.add(sha256(out))
                print(f"  {label:9s} {seconds[label][-1]:7.1f} s  "
                      f"(load {os.getloadavg()[0]:.2f})", flush=True)
    plain, ours = (statistics.mean(seconds[label]) for label in seconds)
    print(f"mean plain {plain:.1f} s, spinncer {ours:.1f} s: {plain / ours:.2f}x faster")
    print(f"scaffold files identical (SHA-256): {'yes' if len(digests) == 1 else 'NO'}")


if __name__ == "__main__":
    main()
