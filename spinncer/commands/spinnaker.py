"""SpiNNaker subcommands: virtual mapping, communication load, hardware provenance,
fixed-point numerics."""
import json
import logging

from .. import params as P
from ..atomic import write_csv
from ..errors import InputError
from ..options import MAPPING_MODES, ORDERINGS
from .registry import arg, command, config_arg, scratch_args

log = logging.getLogger("spinncer")


@command("spinnaker-map", "map a scaffold on a virtual SpiNNaker machine",
         arg("scaffold"),
         arg("--ordering", choices=ORDERINGS, default=ORDERINGS[0]),
         arg("--options-json", help="neurons_per_core, rb_left_shifts, r_mem, ..."),
         config_arg("--timestep", "simulation.timestep", default=P.DEFAULT_TIMESTEP),
         arg("--mode", choices=MAPPING_MODES, default=MAPPING_MODES[0],
             help="routing: sPyNNaker only as far as routing tables (default); "
             "full: also its data generation, as a run does"),
         scratch_args(),
         arg("-o", "--output", required=True, help="mapping .npz"))
def _spinnaker_map(args):
    from ..mapping import map_virtual
    from ..partition import id_remap_of
    from ..scaffold import read_scaffold
    options = json.loads(args.options_json) if args.options_json else {}
    keep = ("neurons_per_core", "rb_left_shifts", "r_mem", "n_synapse_cores", "width", "height")
    options = {k: v for k, v in options.items() if k in keep}
    _, _, seconds = map_virtual(read_scaffold(args.scaffold), args.output,
                                timestep=args.timestep, mode=args.mode,
                                id_remap=id_remap_of(args.ordering), workdir=args.keep_workdir,
                                scratch=args.scratch, **options)
    log.info("virtual mapping: %s", seconds)


@command("communication", "spikes arriving per core per timestep",
         arg("run"),
         arg("--scaffold", required=True),
         arg("--mapping", action="append", metavar="LABEL=PATH",
             help="sPyNNaker mapping (spinnaker-map output; with routing tables, packets "
             "follow them); default: blocks per ordering"),
         arg("--options-json", help="neurons_per_core for the block assignment"),
         arg("-o", "--output", required=True, help="CSV of load per ordering/population"),
         arg("--reduction", required=True, help="CSV of peak-load reductions"),
         arg("--figure", required=True),
         arg("--heatmaps", metavar="PREFIX",
             help="write chip-grid heat maps of the per-core peaks to PREFIX<ordering>.png"))
def _communication(args):
    import pandas as pd

    from ..communication import compare_orderings, read_mappings
    from ..plots.communication import load_figure
    from ..results import read_run
    from ..scaffold import read_scaffold
    run = read_run(args.run, signals=False)
    assignments, routings = read_mappings(args.mapping) if args.mapping else (None, {})
    options = json.loads(args.options_json) if args.options_json else {}
    rows, reductions, core_peaks = compare_orderings(
        run.spikes, read_scaffold(args.scaffold), run.timestep, run.simtime,
        options.get("neurons_per_core"), assignments=assignments, routings=routings)
    write_csv(rows, args.output)
    table = pd.DataFrame(reductions)
    write_csv(table, args.reduction)
    load_figure(pd.DataFrame(rows), table, args.figure)
    if args.heatmaps:
        from ..communication import display_xyp
        from ..plots.communication import chip_heatmaps
        for label, (assignment, peaks) in core_peaks.items():
            chip_heatmaps(display_xyp(assignment), peaks, f"{args.heatmaps}{label}.png",
                          title=f"{label} ordering: per-core peak per timestep")


@command("spinnaker-provenance",
         "per-core load counters of a real sPyNNaker run beside the prediction",
         arg("database", help="the run's provenance database (data.sqlite3)"),
         arg("--mapping", help="the run's mapping .npz (placements, routing tables)"),
         arg("--run", help="the run's spikes.h5 (for the predicted packets)"),
         arg("-o", "--output", required=True, help="CSV: one row per core"),
         arg("--summary", required=True, help="CSV: mean and max per population"))
def _spinnaker_provenance(args):
    import pandas as pd

    from ..spinnaker_provenance import (measured_beside_predicted, measured_summary,
                                       read_core_provenance)
    cores = read_core_provenance(args.database)
    load = None
    if args.mapping and args.run:
        from ..results import read_run
        from ..routing import load_routing, packet_load
        run = read_run(args.run, signals=False)
        load = packet_load(run.spikes, load_routing(args.mapping), run.timestep,
                           int(round(run.simtime / run.timestep)) + 1)
    elif args.mapping or args.run:
        raise InputError("spinnaker-provenance", "--mapping and --run together (or neither)",
                         "only one")
    rows = measured_beside_predicted(cores, load)
    write_csv(pd.DataFrame(rows), args.output)
    write_csv(pd.DataFrame(measured_summary(rows)), args.summary)


@command("numerics-report", "SpiNNaker fixed-point weights and saturation",
         arg("--scaffold", required=True),
         arg("--run", help="a run whose spikes give the observed summed input"),
         arg("--options-json", help="rb_left_shifts, r_mem"),
         arg("--weights", required=True, help="output CSV"),
         arg("--saturation", required=True, help="output CSV"))
def _numerics_report(args):
    from ..numerics import saturation_report, weight_report
    from ..results import read_run
    from ..scaffold import read_scaffold
    options = json.loads(args.options_json) if args.options_json else {}
    shifts, r_mem = options.get("rb_left_shifts"), bool(options.get("r_mem"))
    scaffold = read_scaffold(args.scaffold)
    weights = weight_report(shifts, r_mem, scaffold=scaffold)
    write_csv(weights, args.weights)
    for row in (row for row in weights if row["beyond_limit"]):
        log.warning("weight of %s represented at %+.1f %% (limit %.0f %%)", row["projection"],
                    100 * row["rel_error"], 100 * row["rel_error_limit"])
    run = read_run(args.run, signals=False) if args.run else None
    saturation = saturation_report(scaffold, shifts, r_mem, spikes=run.spikes if run else None,
                                   timestep=run.timestep if run else P.DEFAULT_TIMESTEP)
    write_csv(saturation, args.saturation)
