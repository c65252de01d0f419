"""Benchmark: a one-seed candidate judged against the paired and the unpaired seed envelope.

The workflow judges a backend that ran fewer seeds than the reference (NEST seed 1 against ten
Brian2 seeds) against the reference's own run of the same seed ("seed 1 vs 5", paired:
spinncer/validation/envelope.py). This script judges the same candidate run twice, paired and
unpaired ("1 vs 5": its seed relabelled as one the reference did not run, so any reference seed
can stand in for it), and prints both summaries and the tests outside, so that the two false
alarm modes can be compared on one set of runs (issue 23):

    python benchmarks/one_seed_envelope.py results/casali2019_400x400/f150_r140_poisson \\
        [--reference brian2 --candidate nest --seed 1 --seeds 1-10]

The windows are those of the workflow's default protocol (--stim-times, mossy-fibre delays on).
"""
import argparse
import sys
import time

from spinncer.analysis.stats import population_windows
from spinncer.validation import validate
from spinncer.validation.report import read_runs


def seed_range(text):
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("point", help="a run folder's parent: <point>/seed<k>/<backend>/spikes.h5")
    parser.add_argument("--reference", default="brian2")
    parser.add_argument("--candidate", default="nest")
    parser.add_argument("--seed", type=int, default=1, help="the candidate's seed")
    parser.add_argument("--seeds", type=seed_range, default=seed_range("1-10"),
                        help="the reference's seeds, e.g. 1-10")
    parser.add_argument("--stim-times", type=float, nargs=3, default=[300.0, 50.0, 650.0])
    args = parser.parse_args()

    start = time.perf_counter()
    runs = read_runs({
        args.reference: [f"{args.point}/seed{s}/{args.reference}/spikes.h5" for s in args.seeds],
        args.candidate: [f"{args.point}/seed{args.seed}/{args.candidate}/spikes.h5"]})
    reference, (candidate,) = runs[args.reference], runs[args.candidate].values()
    windows = population_windows(args.stim_times, reference[args.seeds[0]].spikes,
                                 consider_delays=True)
    unpaired_seed = max(args.seeds) + 1  # a seed the reference did not run
    for label, seed in (("paired", args.seed), ("unpaired", unpaired_seed)):
        runs = {args.reference: reference, args.candidate: {seed: candidate}}
        result = validate(runs, args.reference, windows)
        row = result.summary.iloc[0]
        scores = result.scores
        outside = scores[scores["status"].astype(str).str.startswith("outside")]
        print(f"{label} ({outside['seeds'].iloc[0] if len(outside) else scores['seeds'].iloc[0]}):"
              f" {row['tests_outside']} of {row['tests_scored']} tests outside, "
              f"P = {row['p_if_equivalent']:.3g}")
        for test in outside.itertuples():
            print(f"  {test.population:10s} {test.window:9s} {test.statistic:5s} "
                  f"ks {test.ks_median:.4f} > {test.ks_envelope:.4f}")
    print(f"({time.perf_counter() - start:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
