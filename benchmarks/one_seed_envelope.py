"""Benchmark: a one-seed candidate judged against three one-seed envelopes, and their false
alarms measured on the reference's own held-out realisations.

The workflow judges a backend that ran fewer seeds than the reference (NEST seed 1 against ten
Brian2 seeds) against the reference's own run of the same seed, pooled with the reference's
realisations of it (the seed's stimulus with every input spike moved by one timestep,
spinncer/validation/realisations.py; "seed 1 + 4 realisations vs 5"). This script judges the
candidate, and every held-out realisation of the reference (draws the envelope does not pool: a
run an equally correct simulator could give, so every test it fails is a false alarm), against

- run-fixed: the reference's run of the seed alone ("seed 1 vs 5", the rule before issue 23's
  realisations),
- unpaired: any reference seed standing in for the candidate's ("1 vs 5": the candidate's seed
  relabelled as one the reference did not run),
- pooled: the run and ``--realisations`` realisations of it (the workflow's rule),

and prints tests outside per envelope and run (issue 23). ``--judge LABEL=PATH`` adds runs of
the same seed with a known change (the reference with one connection type's weights scaled,
``spinncer simulate --weight-scale``): the power of each envelope on one seed. The realisations
are workflow targets; draws 1-4 are the main job's, more are made with::

    .venv/bin/snakemake --cores 2 $(for k in $(seq 5 12); do \\
        echo results/casali2019_400x400/f150_r140_poisson/seed1/realisation$k/brian2/spikes.h5; \\
        done)
    python benchmarks/one_seed_envelope.py results/casali2019_400x400/f150_r140_poisson \\
        --realisations 4 --held-out 5-12 [--reference brian2 --candidate nest --seed 1]

The windows are those of the workflow's default protocol (--stim-times, mossy-fibre delays on).
"""
import argparse
import sys
import time

import pandas as pd

from spinncer.analysis.stats import population_windows
from spinncer.results import read_run
from spinncer.validation import validate
from spinncer.validation.realisations import DEFAULT_REALISATIONS
from spinncer.validation.report import read_realisations, read_runs


def seed_range(text):
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1)) if text else []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("point", help="a run folder's parent: <point>/seed<k>/<backend>/spikes.h5")
    parser.add_argument("--reference", default="brian2")
    parser.add_argument("--candidate", default="nest")
    parser.add_argument("--seed", type=int, default=1, help="the candidate's seed")
    parser.add_argument("--seeds", type=seed_range, default=seed_range("1-10"),
                        help="the reference's seeds, e.g. 1-10")
    parser.add_argument("--realisations", type=int, default=DEFAULT_REALISATIONS,
                        help="realisations 1..R of the seed pooled into the envelope")
    parser.add_argument("--held-out", type=seed_range, default=[],
                        help="realisations judged as candidates, e.g. 5-12")
    parser.add_argument("--judge", action="append", default=[], metavar="LABEL=SPIKES_H5",
                        help="another run of the seed judged the same way, e.g. the reference "
                        "with one connection's weights scaled (power); repeatable")
    parser.add_argument("--stim-times", type=float, nargs=3, default=[300.0, 50.0, 650.0])
    parser.add_argument("--csv", help="write the table here too")
    args = parser.parse_args()

    start = time.perf_counter()
    seed_dir = f"{args.point}/seed{args.seed}"
    realisation = f"{seed_dir}/realisation{{}}/{args.reference}/spikes.h5"
    runs = read_runs({
        args.reference: [f"{args.point}/seed{s}/{args.reference}/spikes.h5" for s in args.seeds],
        args.candidate: [f"{seed_dir}/{args.candidate}/spikes.h5"]})
    reference = runs[args.reference]
    pooled = read_realisations([realisation.format(k) for k in range(1, args.realisations + 1)],
                               reference, args.reference)
    held_out = read_realisations([realisation.format(k) for k in args.held_out], reference,
                                 args.reference)
    judged = {args.candidate: runs[args.candidate][args.seed]}
    judged.update({f"realisation{k}": run
                   for k, run in zip(args.held_out, held_out.get(args.seed, []))})
    for item in args.judge:
        label, _, path = item.partition("=")
        judged[label] = read_run(path, signals=False)
        if judged[label].seed != args.seed:
            parser.error(f"{path}: expected a run of seed {args.seed}, found seed "
                         f"{judged[label].seed}")
    windows = population_windows(args.stim_times, reference[args.seeds[0]].spikes,
                                 consider_delays=True)
    unpaired_seed = max(args.seeds) + 1  # a seed the reference did not run
    candidates = {**{name: {args.seed: run} for name, run in judged.items()},
                  **{f"{name}@unpaired": {unpaired_seed: run} for name, run in judged.items()}}
    fixed = validate({args.reference: reference, **candidates}, args.reference, windows)
    with_pool = validate({args.reference: reference,
                          **{name: {args.seed: run} for name, run in judged.items()}},
                         args.reference, windows, realisations=pooled)
    rows = []
    for label, result, suffix in (("run-fixed", fixed, ""), ("unpaired", fixed, "@unpaired"),
                                  (f"pooled, {args.realisations} realisations", with_pool, "")):
        summary = result.summary.set_index("backend")
        scores = result.scores
        for name in judged:
            row = summary.loc[name + suffix]
            mine = scores[scores["backend"] == name + suffix]
            outside = mine[mine["status"].astype(str).str.startswith("outside")]
            rows.append({"envelope": label, "seeds": mine["seeds"].iloc[0], "run": name,
                         "tests_outside": int(row["tests_outside"]),
                         "tests_scored": int(row["tests_scored"]),
                         "p_if_equivalent": round(float(row["p_if_equivalent"]), 3),
                         "outside": "; ".join(f"{t.population} {t.window} {t.statistic}"
                                              for t in outside.itertuples())})
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_colwidth", 120,
                           "display.max_rows", 200):
        print(table.to_string(index=False))
    held = table[table["run"].str.startswith("realisation")]
    for label, group in held.groupby("envelope", sort=False):
        share = group["tests_outside"].sum() / group["tests_scored"].sum()
        print(f"held-out realisations, {label}: {group['tests_outside'].min()}-"
              f"{group['tests_outside'].max()} tests outside, {100 * share:.1f} % of tests")
    if args.csv:
        from spinncer.atomic import write_csv
        write_csv(table, args.csv)
    print(f"({time.perf_counter() - start:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
