"""Compare a built scaffold's cell and synapse counts with the published 400 x 400 µm scaffold.

Usage: python benchmarks/scaffold_fidelity.py SCAFFOLD.hdf5

Prints one row per population and per connection type: built count, published count (scaled by
the patch area for other sizes; only a rough guide there, see spinncer/scaffold/summary.py),
relative difference and PASS/FAIL against the tolerance of spinncer.scaffold.summary (3%, or
±2 cells for populations under 100 cells). Exits with status 1 on any FAIL.
"""
import argparse
import sys

from spinncer.scaffold import read_scaffold
from spinncer.scaffold.summary import connection_table, patch_area, population_table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scaffold")
    args = parser.parse_args()
    scaffold = read_scaffold(args.scaffold)
    print(f"{args.scaffold}: patch area {patch_area(scaffold) / 1e6:.3f} mm², "
          f"{sum(map(len, scaffold.positions.values()))} cells, {scaffold.n_synapses} synapses")
    failed = 0
    for label, table, count in (("population", population_table(scaffold), "n_cells"),
                                ("connection", connection_table(scaffold), "n_synapses")):
        print(f"{label:12s} {'built':>10s} {'expected':>12s} {'rel diff':>9s}  verdict")
        for row in table.itertuples():
            verdict = "PASS" if row.within_tolerance else "FAIL"
            failed += verdict == "FAIL"
            print(f"{getattr(row, label):12s} {getattr(row, count):10d} "
                  f"{row.expected_for_area:12.1f} {row.rel_diff:+9.2%}  {verdict}")
    print(f"{failed} row(s) outside tolerance")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
