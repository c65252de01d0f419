"""Analysis subcommands: per-cell and per-population statistics, activity, figures, and the
comparison of two runs."""
import sys

from ..atomic import write_csv
from .registry import arg, command, config_arg, protocol_args


def _windows(args, populations):
    from ..analysis.stats import population_windows
    return population_windows(args.stim_times, populations,
                              consider_delays=not args.no_consider_delays)


@command("analyse-cells", "rate and response of every cell per window",
         arg("run", help="run file (spikes.h5)"),
         protocol_args(),
         arg("--windows", help="also write the per-population windows (CSV)"),
         arg("-o", "--output", required=True, help="CSV, one row per cell"))
def _analyse_cells(args):
    from ..analysis.stats import cell_rates, classify_cells, windows_table
    from ..results import read_run
    run = read_run(args.run, signals=False)
    windows = _windows(args, run.spikes)
    write_csv(classify_cells(cell_rates(run, windows), windows), args.output)
    if args.windows:
        write_csv(windows_table(windows), args.windows)


@command("analyse-populations", "per-population rates and responses",
         arg("cell_rates", help="CSV written by analyse-cells"),
         protocol_args(),
         arg("--responses", help="also write the response fractions (CSV)"),
         arg("-o", "--output", required=True, help="CSV, one row per population/window"))
def _analyse_populations(args):
    from ..analysis.stats import population_stats, read_cell_rates, response_fractions
    rates = read_cell_rates(args.cell_rates)
    windows = _windows(args, rates["population"].unique())
    write_csv(population_stats(rates, windows), args.output)
    if args.responses:
        write_csv(response_fractions(rates), args.responses)


@command("analyse-activity", "worst-case activity, ISI CV and PSTH",
         arg("run"),
         config_arg("--psth-bin", "analysis.psth_bin", default=5.0),
         [arg(f"--{name}", required=True, help="output CSV")
          for name in ("worst-case", "isi", "isi-cells", "psth")])
def _analyse_activity(args):
    from ..analysis.activity import isi_cv, population_isi_cv, psth, worst_case_activity
    from ..results import read_run
    run = read_run(args.run, signals=False)
    write_csv(worst_case_activity(run), args.worst_case)
    cells = isi_cv(run)
    write_csv(cells, args.isi_cells)
    write_csv(population_isi_cv(cells), args.isi)
    write_csv(psth(run, args.psth_bin), args.psth)


@command("figures", "rasters, rate bars and distributions, PSTH of a run",
         arg("run"),
         arg("--cell-rates", required=True),
         arg("--psth", help="PSTH CSV written by analyse-activity"),
         protocol_args(),
         arg("--title", default=""),
         arg("--outdir", required=True))
def _figures(args):
    import pandas as pd

    from ..analysis.stats import raster_windows, read_cell_rates
    from ..plots import figures
    from ..results import read_run
    run = read_run(args.run, signals=False)
    windows = _windows(args, run.spikes)
    out = args.outdir
    figures.rasters(run.spikes, raster_windows(windows, args.stim_times, run.spikes), out,
                    args.title)
    rates = read_cell_rates(args.cell_rates)
    figures.rate_bars(rates, f"{out}/rates.png", args.title)
    figures.rate_distributions(rates, f"{out}/rate_distributions.png", args.title)
    if args.psth:
        figures.psth(pd.read_csv(args.psth), windows, f"{out}/psth.png", args.title)


@command("compare", "compare run B against reference run A",
         arg("a"),
         arg("b"),
         arg("--label-a"),
         arg("--label-b"),
         protocol_args(),
         arg("--outdir", required=True))
def _compare(args):
    import warnings

    from ..analysis.compare import ProvenanceWarning, compare_runs
    from ..analysis.stats import cell_rates
    from ..plots.comparison import rate_scatter, shift_histograms
    from ..results import read_run
    a, b = read_run(args.a, signals=False), read_run(args.b, signals=False)
    windows = _windows(args, a.spikes)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProvenanceWarning)
        result = compare_runs(a, b, windows)
    for warning in caught:
        print(f"spinncer: warning: {warning.message}", file=sys.stderr)
    for name in ("rates", "timing", "cells", "verdicts", "provenance"):
        write_csv(getattr(result, name), f"{args.outdir}/{name}.csv")
    labels = (args.label_a or a.backend, args.label_b or b.backend)
    rate_scatter(cell_rates(a, windows), cell_rates(b, windows), f"{args.outdir}/rates.png",
                 labels=labels)
    shift_histograms(result.cells, f"{args.outdir}/timing.png", labels=labels)
    for row in result.verdicts.itertuples():
        print(f"{row.population}: {row.verdict}")
