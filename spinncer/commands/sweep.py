"""Sweep subcommand: one table and figures over the points of a sweep."""
from ..atomic import write_csv
from .registry import arg, command


@command("sweep-summary", "one table and figures over sweep points",
         arg("--stats", nargs="+", required=True, help="stats.csv of every point"),
         arg("--communication", nargs="*", help="communication.csv of the points"),
         arg("--parameters", nargs="+", default=["f_peak", "stim_radius"]),
         arg("-o", "--output", required=True),
         arg("--figure-prefix", required=True, help="figures are <prefix><parameter>.png"))
def _sweep_summary(args):
    from ..plots.sweep import sweep_figures
    from ..sweep import load_table, sweep_table
    load = load_table(args.communication) if args.communication else None
    table = sweep_table(args.stats, load)
    write_csv(table, args.output)
    fits = sweep_figures(table, args.parameters, args.figure_prefix, load)
    if load is not None:
        import pandas as pd
        columns = ["population", "ordering", "value", "parameter", "model", "params", "r2",
                   "error"]
        write_csv(pd.DataFrame(fits, columns=columns), f"{args.figure_prefix}load_fits.csv")
