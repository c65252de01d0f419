"""Peak communication load of grid against file and random orderings, and its cost.

Usage: python benchmarks/communication_400.py SCAFFOLD.hdf5 RUN.h5 [--mapping LABEL=PATH ...]
       [--out DIR]

SCAFFOLD is the scaffold the run simulated (ids in its file order: with this project's builder,
the placement walk of the published v3 file); RUN a NEST run of it (spikes.h5, its metadata
holding the NEST ``simulate`` wall-clock time). Without mappings the cores are sPyNNaker's
partition (contiguous slices of the reference neurons per core in each ordering) and packets
follow slice reachability, which equals routing through sPyNNaker's own tables (checked on real
virtual mappings: tests/test_spinnaker_backend.py); ``--mapping`` routes through mapping files.

Prints, network-wide and per population, for each measure (routed packets = the prediction of
Max_spikes_received_in_time_step; the old per-neuron lower bound; synaptic events) the max and
mean over cores of the per-core peak per ordering, and the reductions
1 - grid / baseline for baselines file and random; then the communication step's wall-clock
time beside the run's NEST simulate time (target: <= 25 %). With --out, writes the CSVs and
chip-grid heat maps of the per-core peaks (block cores laid out 16 per chip, for display).
"""
import argparse
import time
from pathlib import Path

import pandas as pd

from spinncer.communication import LoadProfile, compare_orderings, fan_out_summary, read_mappings
from spinncer.results import read_run
from spinncer.scaffold import read_scaffold

STUDY_REDUCTION = 0.41  # Bogdan et al. 2021: grid vs the scaffold file's order, network peak
COST_TARGET = 0.25      # issue 14: communication step <= 25 % of NEST simulate time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scaffold")
    parser.add_argument("run")
    parser.add_argument("--mapping", action="append", default=[], metavar="LABEL=PATH")
    parser.add_argument("--out")
    args = parser.parse_args()
    run = read_run(args.run)
    scaffold = read_scaffold(args.scaffold)
    assignments, routings = read_mappings(args.mapping)
    t0 = time.perf_counter()
    rows, reductions, core_peaks = compare_orderings(
        run.spikes, scaffold, run.timestep, run.simtime, assignments=assignments or None,
        routings=routings)
    seconds = time.perf_counter() - t0
    rows, reductions = pd.DataFrame(rows), pd.DataFrame(reductions)
    pd.set_option("display.width", 200)
    for m in LoadProfile.MEASURES:
        print(f"\n== {m}: max (mean) over cores of the per-core peak per timestep")
        table = rows.pivot_table(index="population", columns="ordering",
                                 values=[f"{m}_peak", f"{m}_mean_core_peak"], sort=False)
        print(table.round(1).to_string())
        print(f"-- reductions 1 - grid / baseline (study: {STUDY_REDUCTION:.0%} network peak)")
        red = reductions.pivot_table(index="population", columns="baseline",
                                     values=[f"{m}_peak_reduction",
                                             f"{m}_mean_core_peak_reduction"], sort=False)
        print((100 * red).round(1).to_string())
    print("\n== cores reached per spike: by the slice's key (routed) vs by the neuron's synapses")
    fan = pd.DataFrame([r for label, (a, _) in core_peaks.items()
                        for r in fan_out_summary(scaffold, a, label)])
    print(fan.pivot_table(index="population", columns="ordering",
                          values=["cores_per_slice_key", "cores_per_neuron"],
                          sort=False).round(1).to_string())
    nest = run.metadata.get("wall_clock_s", {}).get("simulate")
    share = seconds / nest if nest else float("nan")
    print(f"\ncommunication step: {seconds:.1f} s for {len(rows.ordering.unique())} orderings; "
          f"NEST simulate {nest} s; ratio {share:.1%} (target <= {COST_TARGET:.0%}) "
          f"{'PASS' if share <= COST_TARGET else 'FAIL'}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        rows.to_csv(out / "communication.csv", index=False)
        reductions.to_csv(out / "communication_reduction.csv", index=False)
        from spinncer.communication import display_xyp
        from spinncer.plots.communication import chip_heatmaps
        for label, (assignment, peaks) in core_peaks.items():
            chip_heatmaps(display_xyp(assignment), peaks, out / f"heatmap_{label}.png",
                          title=f"{label} ordering: per-core peak per timestep")

if __name__ == "__main__":
    main()
