"""Validation subcommands: the perturbed stimulus, the seed envelope, the membrane
comparison."""
import logging

from .. import params as P
from ..errors import InputError
from ..options import REFERENCE_BACKEND
from .registry import arg, command, config_arg, protocol_args

log = logging.getLogger("spinncer")


#: Arguments of a command that writes a changed copy of a run's stimulus.
STIMULUS_COPY_ARGS = (
    arg("input", help="stimulus .npz"),
    arg("--allow-pickle", action="store_true"),
    config_arg("--timestep", "simulation.timestep", default=P.DEFAULT_TIMESTEP),
    config_arg("--seed", "simulation.seeds", default=1),
    arg("-o", "--output", required=True))


@command("stimulus-perturb",
         "move one stimulus-window input spike by one timestep (paired envelope)",
         *STIMULUS_COPY_ARGS,
         protocol_args(analysis=False))
def _stimulus_perturb(args):
    from .. import stimulus
    from ..analysis.stats import protocol_windows
    from ..validation.paired import perturb_stimulus
    stim = stimulus.load(args.input, allow_pickle=args.allow_pickle)
    window = protocol_windows(args.stim_times)["stimulus"]
    moved = perturb_stimulus(stim, args.timestep, window, args.seed)
    stimulus.save(moved, args.output)
    log.info("perturbed stimulus: %s", moved.params["perturbation"])


@command("stimulus-jitter",
         "every input spike moved by one timestep at random (a realisation of the seed)",
         *STIMULUS_COPY_ARGS,
         arg("--draw", type=int, required=True, help="the realisation's number (1, 2, ...)"))
def _stimulus_jitter(args):
    from .. import stimulus
    from ..validation.realisations import jitter_stimulus
    stim = stimulus.load(args.input, allow_pickle=args.allow_pickle)
    jittered = jitter_stimulus(stim, args.timestep, args.seed, args.draw)
    stimulus.save(jittered, args.output)
    log.info("jittered stimulus: %s", jittered.params["realisation"])


@command("validate", "seed envelope and scores of backends against the "
         "reference (and the paired envelope with --perturbed)",
         arg("--run", action="append", required=True, metavar="BACKEND=SPIKES_H5",
             help="one run of one seed (repeat for every backend and seed)"),
         config_arg("--reference", "validation.reference", default=REFERENCE_BACKEND),
         arg("--perturbed", nargs="*", default=[],
             help="reference runs on the perturbed stimulus (stimulus-perturb)"),
         arg("--realisation", nargs="*", default=[], metavar="SPIKES_H5",
             help="reference runs on a seed's jittered stimulus (stimulus-jitter), pooled into "
             "the envelope of a backend that ran fewer seeds"),
         arg("--power", metavar="CSV", help="power table of this network and seeds "
             "(benchmarks/validation_power.py): the summary names what it cannot see"),
         protocol_args(),
         arg("--outdir", required=True))
def _validate(args):
    from ..plots import validation as figures
    from ..validation.report import validate_files
    runs = {}
    for item in args.run:
        backend, sep, path = item.partition("=")
        if not sep:
            raise InputError("--run", "BACKEND=PATH", repr(item))
        runs.setdefault(backend, []).append(path)
    result = validate_files(runs, args.reference, args.stim_times,
                            not args.no_consider_delays, args.outdir, args.perturbed,
                            args.power, args.realisation)
    out = args.outdir
    for score in ("ks", "emd"):
        figures.score_envelope(result.scores, result.envelope, f"{out}/score_envelope_{score}.png",
                               score=score, title=f"[reference {args.reference}]")
    from ..params import ALL_POPULATIONS
    from ..validation.statistics import UNITS
    by_population = dict(tuple(result.values.groupby("population", sort=False)))
    for pop in ALL_POPULATIONS:
        figures.distributions(by_population.get(pop, result.values.iloc[:0]), pop,
                              f"{out}/distributions_{pop}.png", UNITS)
    for row in result.verdicts.itertuples():
        print(f"{row.backend} {row.population} {row.verdict}")
    for row in result.summary.itertuples():
        print(f"{row.backend}: {row.verdict}")


@command("validate-signals",
         "membrane potential and conductances of the same cells in two runs",
         arg("a", help="reference run (spikes.h5)"),
         arg("b", help="compared run"),
         arg("--label-a"),
         arg("--label-b"),
         arg("--cells", required=True, help="output CSV, one row per cell"),
         arg("-o", "--output", required=True, help="output CSV, one row per population"),
         arg("--figure", required=True, help="output PNG (overlay of a few cells)"))
def _validate_signals(args):
    from ..plots.validation import membrane_overlay
    from ..validation.report import compare_signal_files
    a, b = compare_signal_files(args.a, args.b, args.cells, args.output)
    membrane_overlay(a, b, args.figure, labels=(args.label_a or a.backend,
                                                args.label_b or b.backend))
