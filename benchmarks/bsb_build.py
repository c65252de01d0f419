"""Benchmark: the BSB build with and without bsb_compile.py's speed-ups (issues 17, 24).

Builds the same scaffold (size, seed, BSB configuration) with plain BSB 3 (or, with
``--against REV``, with this project as it was at git revision REV) and with the speed-ups of
``spinncer/scaffold/bsb_compile.py`` in this tree (``bsb_particles.py``, the light KD-tree input
checks), alternating, `--pairs` times, each through :func:`spinncer.scaffold.build.build_with_bsb`
(BSB in its own process). Prints the wall seconds of every build, the ratio of the means, and
whether every scaffold file has the same SHA-256 (they must: the speed-ups change no number).

    python benchmarks/bsb_build.py --bsb-python resources/envs/bsb/bin/python --x 200 --z 200
    python benchmarks/bsb_build.py --bsb-python resources/envs/bsb/bin/python --against dabbffd
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from spinncer.provenance import sha256

REPO = Path(__file__).resolve().parents[1]
#: Builds one scaffold with the ``spinncer`` package found in the folder given first.
BUILD = ("import sys; sys.path.insert(0, sys.argv[1]); "
         "from spinncer.scaffold.build import build_with_bsb; "
         "build_with_bsb(sys.argv[2], sys.argv[3], x=float(sys.argv[4]), z=float(sys.argv[5]), "
         "seed=int(sys.argv[6]), config=sys.argv[7], plain=sys.argv[8] == 'plain')")


def export_revision(revision, folder):
    """The project's files at git `revision`, written into `folder` (nothing else is touched)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True,
                             capture_output=True).stdout
    folder.mkdir()
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bsb-python", required=True, help="python of the BSB environment")
    parser.add_argument("--x", type=float, default=200.0, help="µm")
    parser.add_argument("--z", type=float, default=200.0, help="µm")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--config", default="config/bsb/casali2019_spinncer.json")
    parser.add_argument("--pairs", type=int, default=1, help="before/after pairs")
    parser.add_argument("--against", metavar="REV",
                        help="compare with the project at git revision REV, not plain BSB")
    args = parser.parse_args()
    before = args.against or "plain"
    seconds, digests = {before: [], "spinncer": []}, set()
    print(f"BSB build {args.x:g} x {args.z:g} µm, seed {args.seed}, {args.config}; "
          f"load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as work:
        roots = {before: REPO, "spinncer": REPO}
        if args.against:
            roots[before] = export_revision(args.against, Path(work) / "before")
        for pair in range(args.pairs):
            for label in seconds:
                out = Path(work) / f"{label}{pair}.hdf5"
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", BUILD, str(roots[label]),
                                os.path.abspath(args.bsb_python), str(out), str(args.x),
                                str(args.z), str(args.seed), os.path.abspath(args.config),
                                "plain" if label == "plain" else "spinncer"], check=True)
                seconds[label].append(time.perf_counter() - start)
                digests.add(sha256(out))
                print(f"  {label:9s} {seconds[label][-1]:7.1f} s  "
                      f"(load {os.getloadavg()[0]:.2f})", flush=True)
    old, ours = (statistics.mean(seconds[label]) for label in seconds)
    print(f"mean {before} {old:.1f} s, spinncer {ours:.1f} s: {old / ours:.2f}x faster")
    print(f"scaffold files identical (SHA-256): {'yes' if len(digests) == 1 else 'NO'} "
          f"({', '.join(sorted(digests))})")


if __name__ == "__main__":
    main()
