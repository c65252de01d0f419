"""`spinncer` command line: one subcommand per workflow rule.

Argument parsing, logging and exit codes only; the work is done by the library. Bad user input
(:class:`spinncer.errors.InputError`) ends with one line on stderr and exit code 2.
"""
import argparse
import json
import logging
import sys

from .errors import InputError

log = logging.getLogger("spinncer")


def _scaffold_build(args):
    from .scaffold.build import build_with_bsb
    build_with_bsb(args.bsb_python, args.output, x=args.x, z=args.z, seed=args.seed,
                   config=args.config)


def _scaffold_convert(args):
    from .scaffold.build import convert
    from .scaffold.download import verify
    if args.sha256 is not None:
        verify(args.input, args.sha256)
    convert(args.input, args.output)


def _scaffold_download(args):
    from .scaffold.download import download
    download(args.url, args.output, args.sha256 or "")


def _scaffold_summary(args):
    from .atomic import atomic_path
    from .plots.scaffold import scaffold_summary
    from .scaffold import read_scaffold
    from .scaffold.summary import connection_table, population_table
    scaffold = read_scaffold(args.scaffold)
    for table, path in ((population_table(scaffold), args.populations),
                        (connection_table(scaffold), args.connections)):
        with atomic_path(path) as tmp:
            table.to_csv(tmp, index=False, float_format="%.6g")
    scaffold_summary(scaffold, args.figure, title=f"[{args.title}]" if args.title else "")


def _stimulus(args):
    from . import stimulus
    from .params import INPUT_POPULATION
    from .scaffold import read_scaffold
    from .simulate import check_stimulus_matches
    scaffold = read_scaffold(args.scaffold)
    if args.file:
        stim = stimulus.load(args.file, allow_pickle=args.allow_pickle)
        check_stimulus_matches(stim, scaffold, args.file)
    else:
        stim = stimulus.generate(
            scaffold.positions[INPUT_POPULATION], f_base=args.f_base, f_peak=args.f_peak,
            stim_radius=args.stim_radius, stim_times=args.stim_times,
            percentage_active_fibers=args.percentage_active_fibers, kind=args.type,
            seed=args.seed, timestep=args.timestep)
    stimulus.save(stim, args.output)
    log.info("stimulus: %d glomeruli, %d stimulated, %d spikes", stim.n_sources,
             stim.stimulated.sum(), len(stim.times))


def _simulate(args):
    from .simulate import run_simulation
    config = json.loads(args.config_json) if args.config_json else {}
    run_simulation(args.scaffold, args.stimulus, args.output, backend=args.backend,
                   timestep=args.timestep, simtime=args.simtime, threads=args.threads,
                   seed=args.seed, config=config, allow_pickle=args.allow_pickle)


def _analyse_cells(args):
    from .analysis.stats import cell_rates, protocol_windows
    from .atomic import atomic_path
    from .results import read_run
    rates = cell_rates(read_run(args.run), protocol_windows(args.stim_times))
    with atomic_path(args.output) as tmp:
        rates.to_csv(tmp, index=False, float_format="%.6g")


def _analyse_populations(args):
    from .analysis.stats import population_stats, protocol_windows, read_cell_rates
    from .atomic import atomic_path
    stats = population_stats(read_cell_rates(args.cell_rates), protocol_windows(args.stim_times))
    with atomic_path(args.output) as tmp:
        stats.to_csv(tmp, index=False, float_format="%.6g")


def _figures(args):
    from .analysis.stats import protocol_windows, read_cell_rates
    from .plots import figures
    from .results import read_run
    windows = protocol_windows(args.stim_times)
    run = read_run(args.run)
    for name, pop in run.spikes.items():
        figures.raster(pop, name, windows, f"{args.outdir}/raster_{name}.png", args.title)
    figures.rate_bars(read_cell_rates(args.cell_rates), f"{args.outdir}/rates.png", args.title)


def _add_protocol(parser):
    parser.add_argument("--stim-times", type=float, nargs=3, default=[300.0, 50.0, 650.0],
                        metavar=("BEFORE", "STIM", "AFTER"), help="window lengths, ms")


def make_parser():
    parser = argparse.ArgumentParser(prog="spinncer", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("scaffold-build", help="build a scaffold with BSB 3 (seeded)")
    p.add_argument("--bsb-python", required=True, help="python of the BSB environment")
    p.add_argument("--x", type=float, required=True, help="volume x extent, µm")
    p.add_argument("--z", type=float, required=True, help="volume z extent, µm")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--config", help="BSB network configuration (default: bundled Casali 2019)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_scaffold_build)

    p = sub.add_parser("scaffold-convert", help="read any scaffold layout, write the v3 layout")
    p.add_argument("input")
    p.add_argument("--sha256", help="verify the input against this digest first ('' = skip)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_scaffold_convert)

    p = sub.add_parser("scaffold-download", help="download a published scaffold, verified")
    p.add_argument("url")
    p.add_argument("--sha256", default="",
                   help="expected digest; empty: record on first download, enforce later")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_scaffold_download)

    p = sub.add_parser("scaffold-summary", help="count tables and figure of a scaffold")
    p.add_argument("scaffold")
    p.add_argument("--populations", required=True, help="output CSV, one row per population")
    p.add_argument("--connections", required=True, help="output CSV, one row per connection")
    p.add_argument("--figure", required=True, help="output PNG")
    p.add_argument("--title", default="")
    p.set_defaults(func=_scaffold_summary)

    p = sub.add_parser("stimulus", help="generate the mossy-fibre stimulus or load a file")
    p.add_argument("--scaffold", required=True)
    p.add_argument("--file", help="use this stimulus file instead of generating one")
    p.add_argument("--allow-pickle", action="store_true",
                   help="trust pickled entries of --file (original SpiNNCer .npz files)")
    p.add_argument("--f-base", type=float, default=1.0, help="background rate, Hz")
    p.add_argument("--f-peak", type=float, default=150.0, help="added stimulus rate, Hz")
    p.add_argument("--stim-radius", type=float, default=140.0, help="µm")
    p.add_argument("--percentage-active-fibers", type=float, default=0.8)
    p.add_argument("--type", default="poisson", choices=("poisson", "periodic"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--timestep", type=float, default=0.1, help="ms")
    _add_protocol(p)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_stimulus)

    p = sub.add_parser("simulate", help="run the network on a backend")
    p.add_argument("--scaffold", required=True)
    p.add_argument("--stimulus", required=True)
    p.add_argument("--backend", default="nest")
    p.add_argument("--timestep", type=float, default=0.1, help="ms")
    p.add_argument("--simtime", type=float, default=1000.0, help="ms")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--allow-pickle", action="store_true")
    p.add_argument("--config-json", help="configuration to store in the run metadata")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_simulate)

    p = sub.add_parser("analyse-cells", help="rate of every cell in every protocol window")
    p.add_argument("run", help="run file (spikes.h5)")
    _add_protocol(p)
    p.add_argument("-o", "--output", required=True, help="CSV, one row per cell")
    p.set_defaults(func=_analyse_cells)

    p = sub.add_parser("analyse-populations", help="per-population rate statistics")
    p.add_argument("cell_rates", help="CSV written by analyse-cells")
    _add_protocol(p)
    p.add_argument("-o", "--output", required=True, help="CSV, one row per population/window")
    p.set_defaults(func=_analyse_populations)

    p = sub.add_parser("figures", help="rasters per population and rate bar chart")
    p.add_argument("run")
    p.add_argument("--cell-rates", required=True)
    _add_protocol(p)
    p.add_argument("--title", default="")
    p.add_argument("--outdir", required=True)
    p.set_defaults(func=_figures)
    return parser


def main(argv=None):
    args = make_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        args.func(args)
    except InputError as err:
        print(f"spinncer: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
