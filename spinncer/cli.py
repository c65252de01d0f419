"""`spinncer` command line: one subcommand per workflow rule.

Argument parsing, logging and exit codes only; the work is done by the library. Bad user input
(:class:`spinncer.errors.InputError`, or an argument out of range) ends with one
``spinncer: error:`` line on stderr (and on ``--console-fd``, see :mod:`spinncer.console`) and
exit code 2.
"""
import argparse
import json
import logging
import sys

from . import params as P
from .atomic import write_csv
from .errors import InputError
from .options import BACKENDS, MAPPING_MODES, ORDERINGS
from .stimulus import PROTOCOLS

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
    from .plots.scaffold import scaffold_summary
    from .scaffold import read_scaffold
    from .scaffold.summary import connection_table, population_table
    scaffold = read_scaffold(args.scaffold)
    write_csv(population_table(scaffold), args.populations)
    write_csv(connection_table(scaffold), args.connections)
    scaffold_summary(scaffold, args.figure, title=f"[{args.title}]" if args.title else "")


def _stimulus(args):
    from . import stimulus
    from .params import INPUT_POPULATION
    from .scaffold import read_scaffold
    from .simulate import check_stimulus_matches
    scaffold = read_scaffold(args.scaffold)
    if args.file:
        stim = stimulus.load(args.file, allow_pickle=args.allow_pickle)
        check_stimulus_matches(stim, scaffold, args.file, args.timestep, args.stim_times)
    elif INPUT_POPULATION not in scaffold.positions:
        raise InputError(args.scaffold, "glomeruli (the mossy-fibre input) in the scaffold", "none")
    elif args.protocol:
        stim = stimulus.generate_protocol(args.protocol, scaffold.positions[INPUT_POPULATION],
                                          seed=args.seed, timestep=args.timestep)
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
    from .params import model_variant
    from .simulate import run_simulation
    config = json.loads(args.config_json) if args.config_json else {}
    options = json.loads(args.backend_options_json) if args.backend_options_json else {}
    run_simulation(args.scaffold, args.stimulus, args.output, backend=args.backend,
                   timestep=args.timestep, simtime=args.simtime, threads=args.threads,
                   seed=args.seed, config=config, allow_pickle=args.allow_pickle,
                   backend_options=options, record_signals=not args.no_signals,
                   weight_scale=_pairs(args.weight_scale, float),
                   model=model_variant(args.model_variant))


def _pairs(items, convert=str):
    """{name: value} from NAME=VALUE arguments."""
    out = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        try:
            out[name] = convert(value)
        except ValueError:
            sep = ""
        if not sep or not name:
            raise InputError("command line", "NAME=VALUE", repr(item))
    return out


def _stimulus_perturb(args):
    from . import stimulus
    from .analysis.stats import protocol_windows
    from .validation.paired import perturb_stimulus
    stim = stimulus.load(args.input, allow_pickle=args.allow_pickle)
    window = protocol_windows(args.stim_times)["stimulus"]
    moved = perturb_stimulus(stim, args.timestep, window, args.seed)
    stimulus.save(moved, args.output)
    log.info("perturbed stimulus: %s", moved.params["perturbation"])


def _validate(args):
    from .plots import validation as figures
    from .validation.report import validate_files
    runs = {}
    for item in args.run:
        backend, sep, path = item.partition("=")
        if not sep:
            raise InputError("--run", "BACKEND=PATH", repr(item))
        runs.setdefault(backend, []).append(path)
    result = validate_files(runs, args.reference, args.stim_times,
                            not args.no_consider_delays, args.outdir, args.perturbed,
                            args.power)
    out = args.outdir
    for score in ("ks", "emd"):
        figures.score_envelope(result.scores, result.envelope, f"{out}/score_envelope_{score}.png",
                               score=score, title=f"[reference {args.reference}]")
    from .params import ALL_POPULATIONS
    from .validation.statistics import UNITS
    for pop in ALL_POPULATIONS:
        figures.distributions(result.values, pop, f"{out}/distributions_{pop}.png", UNITS)
    for row in result.verdicts.itertuples():
        print(f"{row.backend} {row.population} {row.verdict}")
    for row in result.summary.itertuples():
        print(f"{row.backend}: {row.verdict}")


def _validate_signals(args):
    from .plots.validation import membrane_overlay
    from .validation.report import compare_signal_files
    a, b = compare_signal_files(args.a, args.b, args.cells, args.output)
    membrane_overlay(a, b, args.figure, labels=(args.label_a or a.backend,
                                                args.label_b or b.backend))


def _make_env(args):
    from .envs import make_env
    python = make_env(args.name, args.directory, log=args.log)
    log.info("environment %s ready: %s", args.name, python)


def _reference_check(args):
    from pathlib import Path

    from .analysis.reference import read_gold_standard, reference_table
    from .plots.reference import reference_bars
    from .results import read_run
    if not Path(args.gold).is_file():
        raise InputError("reference_check.gold_standard", "an existing gold-standard file",
                         repr(args.gold))
    gold = read_gold_standard(args.gold, allow_pickle=args.allow_pickle)
    run = read_run(args.run)
    table = reference_table(run, gold, args.stim_times)
    write_csv(table, args.output)
    reference_bars(table, args.figure, args.title)


def _windows(args, populations):
    from .analysis.stats import population_windows
    return population_windows(args.stim_times, populations,
                              consider_delays=not args.no_consider_delays)


def _analyse_cells(args):
    from .analysis.stats import cell_rates, classify_cells, windows_table
    from .results import read_run
    run = read_run(args.run)
    windows = _windows(args, run.spikes)
    write_csv(classify_cells(cell_rates(run, windows), windows), args.output)
    if args.windows:
        write_csv(windows_table(windows), args.windows)


def _analyse_populations(args):
    from .analysis.stats import population_stats, read_cell_rates, response_fractions
    rates = read_cell_rates(args.cell_rates)
    windows = _windows(args, rates["population"].unique())
    write_csv(population_stats(rates, windows), args.output)
    if args.responses:
        write_csv(response_fractions(rates), args.responses)


def _analyse_activity(args):
    from .analysis.activity import isi_cv, population_isi_cv, psth, worst_case_activity
    from .results import read_run
    run = read_run(args.run)
    write_csv(worst_case_activity(run), args.worst_case)
    cells = isi_cv(run)
    write_csv(cells, args.isi_cells)
    write_csv(population_isi_cv(cells), args.isi)
    write_csv(psth(run, args.psth_bin), args.psth)


def _figures(args):
    import pandas as pd

    from .analysis.stats import raster_windows, read_cell_rates
    from .plots import figures
    from .results import read_run
    run = read_run(args.run)
    windows = _windows(args, run.spikes)
    out = args.outdir
    figures.rasters(run.spikes, raster_windows(windows, args.stim_times, run.spikes), out,
                    args.title)
    rates = read_cell_rates(args.cell_rates)
    figures.rate_bars(rates, f"{out}/rates.png", args.title)
    figures.rate_distributions(rates, f"{out}/rate_distributions.png", args.title)
    if args.psth:
        figures.psth(pd.read_csv(args.psth), windows, f"{out}/psth.png", args.title)


def _compare(args):
    import warnings

    from .analysis.compare import ProvenanceWarning, compare_runs
    from .analysis.stats import cell_rates
    from .plots.comparison import rate_scatter, shift_histograms
    from .results import read_run
    a, b = read_run(args.a), read_run(args.b)
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


def _spinnaker_map(args):
    from .mapping import map_virtual
    from .partition import id_remap_of
    from .scaffold import read_scaffold
    options = json.loads(args.options_json) if args.options_json else {}
    keep = ("neurons_per_core", "rb_left_shifts", "r_mem", "n_synapse_cores", "width", "height")
    options = {k: v for k, v in options.items() if k in keep}
    _, _, seconds = map_virtual(read_scaffold(args.scaffold), args.output,
                                timestep=args.timestep, mode=args.mode,
                                id_remap=id_remap_of(args.ordering), workdir=args.keep_workdir,
                                scratch=args.scratch, **options)
    log.info("virtual mapping: %s", seconds)


def _communication(args):
    import pandas as pd

    from .communication import compare_orderings, read_mappings
    from .plots.communication import load_figure
    from .results import read_run
    from .scaffold import read_scaffold
    run = read_run(args.run)
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
        from .communication import display_xyp
        from .plots.communication import chip_heatmaps
        for label, (assignment, peaks) in core_peaks.items():
            chip_heatmaps(display_xyp(assignment), peaks, f"{args.heatmaps}{label}.png",
                          title=f"{label} ordering: per-core peak per timestep")


def _spinnaker_provenance(args):
    import pandas as pd

    from .spinnaker_provenance import (measured_beside_predicted, measured_summary,
                                       read_core_provenance)
    cores = read_core_provenance(args.database)
    load = None
    if args.mapping and args.run:
        from .results import read_run
        from .routing import load_routing, packet_load
        run = read_run(args.run)
        load = packet_load(run.spikes, load_routing(args.mapping), run.timestep,
                           int(round(run.simtime / run.timestep)) + 1)
    elif args.mapping or args.run:
        raise InputError("spinnaker-provenance", "--mapping and --run together (or neither)",
                         "only one")
    rows = measured_beside_predicted(cores, load)
    write_csv(pd.DataFrame(rows), args.output)
    write_csv(pd.DataFrame(measured_summary(rows)), args.summary)


def _numerics_report(args):
    from .numerics import saturation_report, weight_report
    from .results import read_run
    from .scaffold import read_scaffold
    options = json.loads(args.options_json) if args.options_json else {}
    shifts, r_mem = options.get("rb_left_shifts"), bool(options.get("r_mem"))
    scaffold = read_scaffold(args.scaffold)
    weights = weight_report(shifts, r_mem, scaffold=scaffold)
    write_csv(weights, args.weights)
    for row in (row for row in weights if row["beyond_limit"]):
        log.warning("weight of %s represented at %+.1f %% (limit %.0f %%)", row["projection"],
                    100 * row["rel_error"], 100 * row["rel_error_limit"])
    run = read_run(args.run) if args.run else None
    saturation = saturation_report(scaffold, shifts, r_mem, spikes=run.spikes if run else None,
                                   timestep=run.timestep if run else P.DEFAULT_TIMESTEP)
    write_csv(saturation, args.saturation)


def _sweep_summary(args):
    from .plots.sweep import sweep_figures
    from .sweep import load_table, sweep_table
    table = sweep_table(args.stats, args.communication or ())
    write_csv(table, args.output)
    load = load_table(args.communication) if args.communication else None
    fits = sweep_figures(table, args.parameters, args.figure_prefix, load)
    if load is not None:
        import pandas as pd
        columns = ["population", "ordering", "value", "parameter", "model", "params", "r2",
                   "error"]
        write_csv(pd.DataFrame(fits, columns=columns), f"{args.figure_prefix}load_fits.csv")


def _import_spinncer(args):
    from .analysis.spinncer_io import read_spinncer
    from .results import write_run
    write_run(read_spinncer(args.input, allow_pickle=args.allow_pickle), args.output)


def _export_spinncer(args):
    from .analysis.spinncer_io import write_spinncer
    from .results import read_run
    from .scaffold import read_scaffold
    run = read_run(args.run)
    scaffold = read_scaffold(args.scaffold) if args.scaffold else None
    write_spinncer(run, args.output, stim_times=args.stim_times, spike_format=args.spike_format,
                   scaffold=scaffold)


def _export_nwb(args):
    from .nwb import write_nwb
    from .results import read_run
    write_nwb(read_run(args.run), args.output)


def _config_arg(parser, flag, key, **kwargs):
    """An argument that sets config key `key`: type, bounds and help from the config schema."""
    from .config import arg_help, arg_type
    parser.add_argument(flag, type=arg_type(key), help=arg_help(key), **kwargs)


def _add_protocol(parser, analysis=True):
    _config_arg(parser, "--stim-times", "stimulus.stim_times", nargs=3,
                default=list(P.DEFAULT_STIM_TIMES), metavar=("BEFORE", "STIM", "AFTER"))
    if not analysis:
        return
    parser.add_argument("--no-consider-delays", action="store_true",
                        help="do not shift windows by each population's mossy-fibre latency")


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Argument errors become the one error line (main prints it), not usage + message."""

    def error(self, message):
        raise _UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def make_parser():
    from .config import arg_type
    parser = _Parser(prog="spinncer", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    parser.add_argument("--console-fd", type=int, metavar="FD",
                        help="also write the error line and progress to this file descriptor "
                        "(the workflow's console; its rules log everything else)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("scaffold-build", help="build a scaffold with BSB 3 (seeded)")
    p.add_argument("--bsb-python", required=True, help="python of the BSB environment")
    _config_arg(p, "--x", "scaffold.build.x", required=True)
    _config_arg(p, "--z", "scaffold.build.z", required=True)
    _config_arg(p, "--seed", "scaffold.build.seed", default=1)
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
    _config_arg(p, "--f-base", "stimulus.f_base", default=P.DEFAULT_F_BASE)
    _config_arg(p, "--f-peak", "stimulus.f_peak", default=P.DEFAULT_F_PEAK)
    _config_arg(p, "--stim-radius", "stimulus.stim_radius", default=P.DEFAULT_STIM_RADIUS)
    _config_arg(p, "--percentage-active-fibers", "stimulus.percentage_active_fibers",
                default=P.DEFAULT_PERCENTAGE_ACTIVE_FIBERS)
    _config_arg(p, "--type", "stimulus.type", default="poisson")
    p.add_argument("--protocol", choices=tuple(PROTOCOLS),
                   help="a named protocol (fixes every other protocol value but --seed)")
    _config_arg(p, "--seed", "simulation.seeds", default=1)
    _config_arg(p, "--timestep", "simulation.timestep", default=P.DEFAULT_TIMESTEP)
    _add_protocol(p, analysis=False)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_stimulus)

    p = sub.add_parser("simulate", help="run the network on a backend")
    p.add_argument("--scaffold", required=True)
    p.add_argument("--stimulus", required=True)
    p.add_argument("--backend", default="nest", choices=BACKENDS)
    p.add_argument("--backend-options-json", help="backend settings (SpiNNaker machine, "
                   "neurons per core, rb_left_shifts, r_mem, id_remap) as JSON")
    _config_arg(p, "--timestep", "simulation.timestep", default=P.DEFAULT_TIMESTEP)
    p.add_argument("--simtime", type=arg_type("stimulus.stim_times"), default=1000.0,
                   help="simulated time, ms (the workflow: the sum of stimulus.stim_times); "
                   "default: %(default)s")
    _config_arg(p, "--threads", "simulation.threads", default=1)
    _config_arg(p, "--seed", "simulation.seeds", default=1)
    p.add_argument("--allow-pickle", action="store_true",
                   help="trust pickled entries of --stimulus (original SpiNNCer files)")
    p.add_argument("--model-variant", default=P.DEFAULT_MODEL_VARIANT,
                   help=f"parameter set, one of {tuple(P.MODEL_VARIANTS)}")
    p.add_argument("--no-signals", action="store_true",
                   help="record spikes only, no v/gsyn of the signal sample")
    p.add_argument("--config-json", help="configuration to store in the run metadata")
    p.add_argument("--weight-scale", action="append", metavar="CONNECTION=FACTOR",
                   help="multiply one connection type's weights (a deliberately perturbed "
                   "network for validation tests; repeatable)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_simulate)

    p = sub.add_parser("make-env", help="create a side environment from envs/<name>.txt "
                       "(brian2: runs spinncer simulate --backend brian2; bsb: runs BSB)")
    p.add_argument("name", help="environment name (brian2, bsb)")
    p.add_argument("directory", help="virtual environment directory (replaced)")
    p.add_argument("--log", help="write the installer's output here")
    p.set_defaults(func=_make_env)
    p = sub.add_parser("stimulus-perturb",
                       help="move one stimulus-window input spike by one timestep (paired envelope)")
    p.add_argument("input", help="stimulus .npz")
    p.add_argument("--allow-pickle", action="store_true")
    p.add_argument("--timestep", type=float, default=P.DEFAULT_TIMESTEP, help="ms")
    p.add_argument("--seed", type=int, default=1, help="which spike moves (with the run seed)")
    _add_protocol(p, analysis=False)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_stimulus_perturb)

    p = sub.add_parser("validate", help="seed envelope and scores of backends against the "
                       "reference (and the paired envelope with --perturbed)")
    p.add_argument("--run", action="append", required=True, metavar="BACKEND=SPIKES_H5",
                   help="one run of one seed (repeat for every backend and seed)")
    p.add_argument("--reference", default="nest", help="backend whose seeds make the envelope")
    p.add_argument("--perturbed", nargs="*", default=[],
                   help="reference runs on the perturbed stimulus (stimulus-perturb)")
    p.add_argument("--power", metavar="CSV", help="power table of this network and seeds "
                   "(benchmarks/validation_power.py): the summary names what it cannot see")
    _add_protocol(p)
    p.add_argument("--outdir", required=True)
    p.set_defaults(func=_validate)

    p = sub.add_parser("validate-signals",
                       help="membrane potential and conductances of the same cells in two runs")
    p.add_argument("a", help="reference run (spikes.h5)")
    p.add_argument("b", help="compared run")
    p.add_argument("--label-a")
    p.add_argument("--label-b")
    p.add_argument("--cells", required=True, help="output CSV, one row per cell")
    p.add_argument("-o", "--output", required=True, help="output CSV, one row per population")
    p.add_argument("--figure", required=True, help="output PNG (overlay of a few cells)")
    p.set_defaults(func=_validate_signals)

    p = sub.add_parser("analyse-cells", help="rate and response of every cell per window")
    p.add_argument("run", help="run file (spikes.h5)")
    _add_protocol(p)
    p.add_argument("--windows", help="also write the per-population windows (CSV)")
    p.add_argument("-o", "--output", required=True, help="CSV, one row per cell")
    p.set_defaults(func=_analyse_cells)

    p = sub.add_parser("analyse-populations", help="per-population rates and responses")
    p.add_argument("cell_rates", help="CSV written by analyse-cells")
    _add_protocol(p)
    p.add_argument("--responses", help="also write the response fractions (CSV)")
    p.add_argument("-o", "--output", required=True, help="CSV, one row per population/window")
    p.set_defaults(func=_analyse_populations)

    p = sub.add_parser("analyse-activity", help="worst-case activity, ISI CV and PSTH")
    p.add_argument("run")
    _config_arg(p, "--psth-bin", "analysis.psth_bin", default=5.0)
    for name in ("worst-case", "isi", "isi-cells", "psth"):
        p.add_argument(f"--{name}", required=True, help="output CSV")
    p.set_defaults(func=_analyse_activity)

    p = sub.add_parser("figures", help="rasters, rate bars and distributions, PSTH of a run")
    p.add_argument("run")
    p.add_argument("--cell-rates", required=True)
    p.add_argument("--psth", help="PSTH CSV written by analyse-activity")
    _add_protocol(p)
    p.add_argument("--title", default="")
    p.add_argument("--outdir", required=True)
    p.set_defaults(func=_figures)

    p = sub.add_parser("compare", help="compare run B against reference run A")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--label-a")
    p.add_argument("--label-b")
    _add_protocol(p)
    p.add_argument("--outdir", required=True)
    p.set_defaults(func=_compare)

    p = sub.add_parser("spinnaker-map", help="map a scaffold on a virtual SpiNNaker machine")
    p.add_argument("scaffold")
    p.add_argument("--ordering", choices=ORDERINGS, default=ORDERINGS[0])
    p.add_argument("--options-json", help="neurons_per_core, rb_left_shifts, r_mem, ...")
    p.add_argument("--timestep", type=float, default=P.DEFAULT_TIMESTEP, help="ms")
    p.add_argument("--mode", choices=MAPPING_MODES, default=MAPPING_MODES[0],
                   help="routing: sPyNNaker only as far as routing tables (default); "
                   "full: also its data generation, as a run does")
    p.add_argument("--scratch", help="directory for sPyNNaker's temporary files, removed "
                   "afterwards (default: $TMPDIR)")
    p.add_argument("--keep-workdir", help="keep sPyNNaker's configuration and reports here")
    p.add_argument("-o", "--output", required=True, help="mapping .npz")
    p.set_defaults(func=_spinnaker_map)

    p = sub.add_parser("communication", help="spikes arriving per core per timestep")
    p.add_argument("run")
    p.add_argument("--scaffold", required=True)
    p.add_argument("--mapping", action="append", metavar="LABEL=PATH",
                   help="sPyNNaker mapping (spinnaker-map output; with routing tables, packets "
                   "follow them); default: blocks per ordering")
    p.add_argument("--options-json", help="neurons_per_core for the block assignment")
    p.add_argument("-o", "--output", required=True, help="CSV of load per ordering/population")
    p.add_argument("--reduction", required=True, help="CSV of peak-load reductions")
    p.add_argument("--figure", required=True)
    p.add_argument("--heatmaps", metavar="PREFIX",
                   help="write chip-grid heat maps of the per-core peaks to PREFIX<ordering>.png")
    p.set_defaults(func=_communication)

    p = sub.add_parser("spinnaker-provenance",
                       help="per-core load counters of a real sPyNNaker run beside the prediction")
    p.add_argument("database", help="the run's provenance database (data.sqlite3)")
    p.add_argument("--mapping", help="the run's mapping .npz (placements, routing tables)")
    p.add_argument("--run", help="the run's spikes.h5 (for the predicted packets)")
    p.add_argument("-o", "--output", required=True, help="CSV: one row per core")
    p.add_argument("--summary", required=True, help="CSV: mean and max per population")
    p.set_defaults(func=_spinnaker_provenance)

    p = sub.add_parser("numerics-report", help="SpiNNaker fixed-point weights and saturation")
    p.add_argument("--scaffold", required=True)
    p.add_argument("--run", help="a run whose spikes give the observed summed input")
    p.add_argument("--options-json", help="rb_left_shifts, r_mem")
    p.add_argument("--weights", required=True, help="output CSV")
    p.add_argument("--saturation", required=True, help="output CSV")
    p.set_defaults(func=_numerics_report)

    p = sub.add_parser("sweep-summary", help="one table and figures over sweep points")
    p.add_argument("--stats", nargs="+", required=True, help="stats.csv of every point")
    p.add_argument("--communication", nargs="*", help="communication.csv of the points")
    p.add_argument("--parameters", nargs="+", default=["f_peak", "stim_radius"])
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--figure-prefix", required=True, help="figures are <prefix><parameter>.png")
    p.set_defaults(func=_sweep_summary)

    p = sub.add_parser("reference-check", help="our rates vs the NEST gold standard's")
    p.add_argument("run", help="our run file (spikes.h5) of the gold-standard protocol")
    p.add_argument("--gold", required=True, help="gold-standard SpiNNCer result .npz")
    p.add_argument("--allow-pickle", action="store_true",
                   help="trust the pickled entries of the gold-standard file")
    p.add_argument("--stim-times", type=float, nargs=3, required=True, help="windows, ms")
    p.add_argument("--title", default="")
    p.add_argument("--figure", required=True, help="output PNG")
    p.add_argument("-o", "--output", required=True, help="CSV, one row per population/window")
    p.set_defaults(func=_reference_check)

    p = sub.add_parser("import-spinncer", help="read an original SpiNNCer result .npz")
    p.add_argument("input")
    p.add_argument("--allow-pickle", action="store_true",
                   help="trust the pickled entries of this file")
    p.add_argument("-o", "--output", required=True, help="run file (spikes.h5)")
    p.set_defaults(func=_import_spinncer)

    p = sub.add_parser("export-spinncer", help="write a run in the SpiNNCer result layout")
    p.add_argument("run")
    _add_protocol(p)
    p.add_argument("--spike-format", choices=("array", "neo"), default="array",
                   help="array: N x 2 [cell, time ms] (single-run analysis); neo: neo.Block "
                   "per population (the original's --compare); default: %(default)s")
    p.add_argument("--scaffold", help="the run's scaffold, exported as the connectivity the "
                   "original's afferent statistics (--worst_case_spikes) read")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_export_spinncer)

    p = sub.add_parser("export-nwb", help="write a run as NWB (one Units table per population)")
    p.add_argument("run")
    p.add_argument("-o", "--output", required=True, help="output .nwb")
    p.set_defaults(func=_export_nwb)
    return parser


def main(argv=None):
    from .console import Console
    first = _Parser(add_help=False)
    first.add_argument("--console-fd", type=int)
    try:
        console = Console(first.parse_known_args(argv)[0].console_fd)
    except _UsageError:
        console = Console()  # reported by the full parser below
    try:
        args = make_parser().parse_args(argv)
    except _UsageError as err:
        console.line(f"spinncer: error: {err}")
        return 2
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    console.attach_progress(log, getattr(args, "output", None) or getattr(args, "outdir", None)
                            or args.command)
    try:
        args.func(args)
    except InputError as err:
        console.line(f"spinncer: error: {err}")
        return 2
    except Exception as err:  # the traceback goes to the log; the console gets one line
        console.line(f"spinncer: {args.command} failed: {type(err).__name__}: {err} "
                     "(traceback in the log)", log_too=False)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
