"""Exchange with the original SpiNNCer and other tools: the gold-standard check, import, and
export (SpiNNCer layout, NWB)."""
from ..atomic import write_csv
from ..errors import InputError
from .registry import arg, command, config_arg, protocol_args


#: Arguments of a command that reads the gold standard: its file, and the protocol's windows.
GOLD_ARGS = (
    arg("--gold", required=True, help="gold-standard SpiNNCer result .npz"),
    arg("--allow-pickle", action="store_true",
        help="trust the pickled entries of the gold-standard file"),
    config_arg("--stim-times", "stimulus.stim_times", nargs=3, required=True,
               metavar=("BEFORE", "STIM", "AFTER")))


def _read_gold(path, allow_pickle):
    """The gold standard of config reference_check.gold_standard (one line if it is missing)."""
    from pathlib import Path

    from ..analysis.reference import read_gold_standard
    if not Path(path).is_file():
        raise InputError("reference_check.gold_standard", "an existing gold-standard file",
                         repr(path))
    return read_gold_standard(path, allow_pickle=allow_pickle)


@command("reference-check", "our rates vs the NEST gold standard's",
         arg("run", help="our run file (spikes.h5) of the gold-standard protocol"),
         *GOLD_ARGS,
         arg("--title", default=""),
         arg("--figure", required=True, help="output PNG"),
         arg("-o", "--output", required=True, help="CSV, one row per population/window"))
def _reference_check(args):
    from ..analysis.reference import reference_table
    from ..plots.reference import reference_bars
    from ..results import read_run
    gold = _read_gold(args.gold, args.allow_pickle)
    run = read_run(args.run)
    table = reference_table(run, gold, args.stim_times)
    write_csv(table, args.output)
    reference_bars(table, args.figure, args.title)


@command("reference-envelope", "is the gold standard inside our runs' envelope? (per-cell rates)",
         arg("runs", nargs="+", help="our runs (spikes.h5) of the gold-standard protocol, one "
             "per seed (or per scaffold build): the envelope"),
         *GOLD_ARGS,
         arg("-o", "--output", required=True, help="CSV, one row per population/window"))
def _reference_envelope(args):
    from ..analysis.reference import envelope_summary, gold_in_seed_envelope
    from ..results import read_run
    gold = _read_gold(args.gold, args.allow_pickle)
    table = gold_in_seed_envelope([read_run(path, signals=False) for path in args.runs], gold,
                                  args.stim_times)
    write_csv(table, args.output)
    print(envelope_summary(table, len(args.runs)))


@command("import-spinncer", "read an original SpiNNCer result .npz",
         arg("input"),
         arg("--allow-pickle", action="store_true",
             help="trust the pickled entries of this file"),
         arg("-o", "--output", required=True, help="run file (spikes.h5)"))
def _import_spinncer(args):
    from ..analysis.spinncer_io import read_spinncer
    from ..results import write_run
    write_run(read_spinncer(args.input, allow_pickle=args.allow_pickle), args.output)


@command("export-spinncer", "write a run in the SpiNNCer result layout",
         arg("run"),
         protocol_args(),
         arg("--spike-format", choices=("array", "neo"), default="array",
             help="array: N x 2 [cell, time ms] (single-run analysis); neo: neo.Block "
             "per population (the original's --compare); default: %(default)s"),
         arg("--scaffold", help="the run's scaffold, exported as the connectivity the "
             "original's afferent statistics (--worst_case_spikes) read"),
         arg("-o", "--output", required=True))
def _export_spinncer(args):
    from ..analysis.spinncer_io import write_spinncer
    from ..results import read_run
    from ..scaffold import read_scaffold
    run = read_run(args.run)
    scaffold = read_scaffold(args.scaffold) if args.scaffold else None
    write_spinncer(run, args.output, stim_times=args.stim_times, spike_format=args.spike_format,
                   scaffold=scaffold)


@command("export-nwb", "write a run as NWB (one Units table per population)",
         arg("run"),
         arg("-o", "--output", required=True, help="output .nwb"))
def _export_nwb(args):
    from ..nwb import write_nwb
    from ..results import read_run
    write_nwb(read_run(args.run), args.output)
