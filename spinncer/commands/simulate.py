"""Run subcommands: the stimulus, a simulation on any backend, a side environment."""
import json
import logging

from .. import params as P
from ..errors import InputError
from ..options import BACKENDS
from ..stimulus import PROTOCOLS
from .registry import arg, command, config_arg, protocol_args, scratch_args

log = logging.getLogger("spinncer")


@command("stimulus", "generate the mossy-fibre stimulus or load a file",
         arg("--scaffold", required=True),
         arg("--file", help="use this stimulus file instead of generating one"),
         arg("--allow-pickle", action="store_true",
             help="trust pickled entries of --file (original SpiNNCer .npz files)"),
         config_arg("--f-base", "stimulus.f_base", default=P.DEFAULT_F_BASE),
         config_arg("--f-peak", "stimulus.f_peak", default=P.DEFAULT_F_PEAK),
         config_arg("--stim-radius", "stimulus.stim_radius", default=P.DEFAULT_STIM_RADIUS),
         config_arg("--percentage-active-fibers", "stimulus.percentage_active_fibers",
                    default=P.DEFAULT_PERCENTAGE_ACTIVE_FIBERS),
         config_arg("--type", "stimulus.type", default="poisson"),
         arg("--protocol", choices=tuple(PROTOCOLS),
             help="a named protocol (fixes every other protocol value but --seed)"),
         config_arg("--seed", "simulation.seeds", default=1),
         config_arg("--timestep", "simulation.timestep", default=P.DEFAULT_TIMESTEP),
         protocol_args(analysis=False),
         arg("-o", "--output", required=True))
def _stimulus(args):
    from .. import stimulus
    from ..params import INPUT_POPULATION
    from ..scaffold import read_scaffold
    from ..simulate import check_stimulus_matches
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


@command("simulate", "run the network on a backend",
         arg("--scaffold", required=True),
         arg("--stimulus", required=True),
         arg("--backend", default="nest", choices=BACKENDS),
         arg("--backend-options-json", help="backend settings (SpiNNaker machine, "
             "neurons per core, rb_left_shifts, r_mem, id_remap) as JSON"),
         config_arg("--timestep", "simulation.timestep", default=P.DEFAULT_TIMESTEP),
         config_arg("--simtime", "stimulus.stim_times", default=1000.0,
                    help="simulated time, ms (the workflow: the sum of stimulus.stim_times); "
                    "default: %(default)s"),
         config_arg("--threads", "simulation.threads", default=1),
         config_arg("--seed", "simulation.seeds", default=1),
         arg("--allow-pickle", action="store_true",
             help="trust pickled entries of --stimulus (original SpiNNCer files)"),
         arg("--model-variant", default=P.DEFAULT_MODEL_VARIANT,
             help=f"parameter set, one of {tuple(P.MODEL_VARIANTS)}"),
         arg("--no-signals", action="store_true",
             help="record spikes only, no v/gsyn of the signal sample"),
         arg("--config-json", help="configuration to store in the run metadata"),
         arg("--weight-scale", action="append", metavar="CONNECTION=FACTOR",
             help="multiply one connection type's weights (a deliberately perturbed "
             "network for validation tests; repeatable)"),
         scratch_args(),
         arg("-o", "--output", required=True))
def _simulate(args):
    from ..params import model_variant
    from ..simulate import run_simulation
    config = json.loads(args.config_json) if args.config_json else {}
    options = json.loads(args.backend_options_json) if args.backend_options_json else {}
    run_simulation(args.scaffold, args.stimulus, args.output, backend=args.backend,
                   timestep=args.timestep, simtime=args.simtime, threads=args.threads,
                   seed=args.seed, config=config, allow_pickle=args.allow_pickle,
                   backend_options=options, record_signals=not args.no_signals,
                   weight_scale=_pairs(args.weight_scale, float),
                   model=model_variant(args.model_variant), workdir=args.keep_workdir,
                   scratch=args.scratch)


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


@command("make-env", "create a side environment from envs/<name>.txt "
         "(brian2: runs spinncer simulate --backend brian2; bsb: runs BSB)",
         arg("name", help="environment name (brian2, bsb)"),
         arg("directory", help="virtual environment directory (replaced)"),
         arg("--log", help="write the installer's output here"))
def _make_env(args):
    from ..envs import make_env
    python = make_env(args.name, args.directory, log=args.log)
    log.info("environment %s ready: %s", args.name, python)
