"""Is the gold standard's per-cell rate distribution inside our seed envelope? (prints tables)

    python benchmarks/reference_envelope.py GOLD.npz RUN_SEED1.h5 RUN_SEED2.h5 ...

Our runs of the gold-standard protocol (config/reference.yaml, one per seed, any backend) against
the model author's NEST run, by :func:`spinncer.analysis.reference.gold_in_seed_envelope`: per
population and window, the KS statistic (decides) and EMD between the gold's per-cell rates and
each of our seeds, against the same distances between pairs of our seeds (95th percentile). The
protocol's windows are those of the first run's stimulus protocol (spinncer.stimulus.PROTOCOLS).
"""
import sys

import pandas as pd

from spinncer.analysis.reference import gold_in_seed_envelope, read_gold_standard
from spinncer.results import read_run
from spinncer.stimulus import PROTOCOLS


def main(gold_path, *run_paths):
    gold = read_gold_standard(gold_path, allow_pickle=True)
    runs = [read_run(path) for path in run_paths]
    stim_times = PROTOCOLS[runs[0].metadata["config"]["stimulus"]["protocol"]]["stim_times"]
    table = gold_in_seed_envelope(runs, gold, stim_times)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    judged = table[table.note == ""]
    print(f"gold inside our {len(runs)}-seed envelope (KS): {int(judged.inside.sum())} of "
          f"{len(judged)} population-windows; by population (both windows inside): "
          f"{int(judged.groupby('population').inside.all().sum())} of "
          f"{judged.population.nunique()}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
