"""Is the gold standard's per-cell rate distribution inside our envelope? (prints tables)

    python benchmarks/reference_envelope.py GOLD RUN... [--csv OUT.csv]

The workflow writes the same table for the seeds of one scaffold (``spinncer reference-envelope``,
config/reference.yaml with three or more seeds); this script prints the table, takes runs of
different builds too, and one of our own runs as GOLD.

GOLD: the model author's NEST run (``gold_standard_results_400_casali_nest.npz``), or one of our
own runs (``spikes.h5``, e.g. NEST seed 1 as the control that our reference is inside). RUN...:
our runs of the gold-standard protocol (config/reference.yaml, any backend), one per stimulus
seed on one scaffold (a seed envelope), one per scaffold build (an envelope over network
realisations: their cell counts may differ), or both mixed. By
:func:`spinncer.analysis.reference.gold_in_seed_envelope`: per population and window, the KS
statistic (decides) and EMD between GOLD's per-cell rates and each run, against the same
distances between pairs of runs (95th percentile). The protocol's windows are those of the first
run's stimulus protocol (spinncer.stimulus.PROTOCOLS). ``--csv``: the table, written atomically.
"""
import argparse
from pathlib import Path

import pandas as pd

from spinncer.analysis.reference import (envelope_summary, gold_in_seed_envelope,
                                         read_gold_standard)
from spinncer.atomic import write_csv
from spinncer.results import read_run
from spinncer.stimulus import PROTOCOLS


def read_judged(path):
    """The gold standard (SpiNNCer .npz, trusted: it holds pickles) or one of our runs (.h5)."""
    if Path(path).suffix == ".npz":
        return read_gold_standard(path, allow_pickle=True)
    return read_run(path, signals=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", help="gold .npz, or one of our spikes.h5 to judge")
    parser.add_argument("runs", nargs="+", help="our runs (spikes.h5): the envelope")
    parser.add_argument("--csv", help="write the table here too")
    args = parser.parse_args(argv)
    gold = read_judged(args.gold)
    runs = [read_run(path, signals=False) for path in args.runs]
    stim_times = PROTOCOLS[runs[0].metadata["config"]["stimulus"]["protocol"]]["stim_times"]
    table = gold_in_seed_envelope(runs, gold, stim_times)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    print(envelope_summary(table, len(runs)))
    if args.csv:
        write_csv(table, args.csv)


if __name__ == "__main__":
    main()
