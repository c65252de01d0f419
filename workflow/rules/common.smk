# Configuration checks, wildcard constraints and input functions shared by all rules.
import json
import os
import shlex
import sys

from snakemake.utils import validate

from spinncer.config import check_config, config_sources
from spinncer.envs import CHECKOUT
from spinncer.errors import InputError
from spinncer.options import (
    BACKENDS,
    COMPILED_BACKENDS,
    MIN_ENVELOPE_SEEDS,
    ORDERINGS,
    alternatives_regex,
)
from spinncer.params import ALL_POPULATIONS
from spinncer.stimulus import PROTOCOLS
from spinncer.sweep import (
    STIMULUS_NAME_REGEX,
    PROTOCOL_PATTERN,
    check_point_name,
    cost_estimate,
    plan_sweeps,
    swept_axes,
    unique_points,
)

# One clear line for a bad config (key, expected, found), then Snakemake's validation sets the
# schema defaults.
try:
    check_config(
        config,
        workflow.source_path("../schemas/config.schema.yaml"),
        config_sources(workflow.configfiles),
    )
except InputError as err:
    sys.exit(f"spinncer: error: {err}")
validate(config, "../schemas/config.schema.yaml", set_default=True)


def require_file(key, path):
    if not (path and Path(path).is_file()):
        sys.exit(
            f"spinncer: error: config key '{key}': expected an existing file, found {path!r}"
        )


if config["scaffold"]["source"] == "file":
    require_file("scaffold.file", config["scaffold"]["file"])
if config["scaffold"]["source"] == "download" and not config["scaffold"]["url"]:
    sys.exit(
        "spinncer: error: config key 'scaffold.url': expected a download link when "
        "scaffold.source is download, found none"
    )
if config["stimulus"]["file"]:
    require_file("stimulus.file", config["stimulus"]["file"])
if config["stimulus"]["protocol"] and config["reference_check"]["gold_standard"]:
    require_file(
        "reference_check.gold_standard", config["reference_check"]["gold_standard"]
    )
# A spinnaker run without a machine fails in its own job with one line (spinncer/backends/
# spinnaker.py); every other target, mapping and communication included, still builds.
SPINNAKER = config["spinnaker"]

# Rules call `spinncer -v --console-fd 3 3>&2 <command>` (shell: cli("<command> ...")): the
# `spinncer` command installed beside the interpreter running Snakemake (envs/spinncer.txt
# installs both), whose directory goes first on the jobs' PATH. Each rule sends its command's
# output to its log; `3>&2` first keeps Snakemake's stderr as descriptor 3, where the CLI also
# writes a failed job's `spinncer: error:` line and progress (spinncer/console.py).
SPINNCER_BIN = Path(sys.executable).parent
if not (SPINNCER_BIN / "spinncer").exists():
    sys.exit(
        f"spinncer: error: {SPINNCER_BIN}: expected the spinncer command beside "
        f"{sys.executable} (pip install -r envs/spinncer.txt), found none"
    )
os.environ.update(PATH=os.pathsep.join([str(SPINNCER_BIN), os.environ.get("PATH", "")]))
CLI_OPTIONS = "-v --console-fd 3 3>&2"
SPINNCER = f"spinncer {CLI_OPTIONS}"


def cli(command):
    """A rule's shell command: `command` (a spinncer subcommand and its arguments, with
    Snakemake's {input}, {params.x}, ...) run by the spinncer CLI as above."""
    return f"{SPINNCER} {command}"


# Every rule's software: the pip environment above, or with `--sdm conda` the conda env of
# envs/spinncer.yaml (generated from envs/spinncer.txt by spinncer.envs), into which its
# post-deploy script installs the checkout named by SPINNCER_CHECKOUT (this library's).
# The path is relative to workflow/rules/, where every rule is defined.
SPINNCER_ENV = "../../envs/spinncer.yaml"
os.environ.update(SPINNCER_CHECKOUT=str(CHECKOUT))
SCAFFOLD = config["scaffold"]["name"]
STIM = config["stimulus"]
SIM = config["simulation"]
MODEL_VARIANT = config["model"]["variant"]
REFERENCE = config["reference_check"]
POPULATIONS = list(ALL_POPULATIONS)
# a named protocol fixes the protocol windows
PROTOCOL = PROTOCOLS.get(STIM["protocol"], {})
STIM_TIMES = " ".join(
    str(float(t)) for t in PROTOCOL.get("stim_times", STIM["stim_times"])
)
SIMTIME = float(sum(PROTOCOL.get("stim_times", STIM["stim_times"])))
# The named sweeps: {name: [(stimulus name, seed)]} (spinncer/sweep.py); every run once.
SWEEPS = plan_sweeps(STIM, SIM["seeds"], config["sweeps"])
POINTS = unique_points(SWEEPS)


def _plan_message():
    """Job count and expected CPU-hours (benchmarks/README.md figures), printed on every
    invocation, dry runs included."""
    build = config["scaffold"]["build"]
    x, z = build.get("x", 400.0), build.get("z", 400.0)
    runs = len(POINTS) * len(SIM["backends"])
    hours = cost_estimate(runs, x * z, SIM["timestep"], SIMTIME)
    return (
        f"spinncer: plan: {len(POINTS)} runs x {len(SIM['backends'])} backends = {runs} "
        f"simulations in {len(SWEEPS)} sweep(s) ({', '.join(SWEEPS)}), expected "
        f"~{hours:.1f} CPU-hours (runs only; NEST figures of benchmarks/README.md scaled to "
        f"{x:g} x {z:g} µm, {SIM['timestep']} ms)"
    )


print(_plan_message(), file=sys.stderr)


wildcard_constraints:
    scaffold=re.escape(SCAFFOLD),
    stim=STIMULUS_NAME_REGEX,
    seed=r"[0-9]+",
    backend=alternatives_regex(BACKENDS),
    ordering=alternatives_regex(ORDERINGS),
    pop=alternatives_regex(POPULATIONS),
    sweep=alternatives_regex(SWEEPS),


RUN = "results/{scaffold}/{stim}/seed{seed}"


def sweep_point(wildcards):
    """(f_peak, stim_radius, type) of the run's generated stimulus, None for a stimulus file.
    A malformed or non-canonical run path (f100.0, f0100, seed01) stops the workflow with one
    line naming the spelling to use (spinncer/sweep.py), before any job runs."""
    try:
        return check_point_name(wildcards.stim, wildcards.seed, STIM["file"])
    except InputError as err:
        sys.exit(f"spinncer: error: {err}")


def run_config(wildcards, backend):
    """The configuration of one run, stored in its metadata. Only what the run depends on, so
    that adding a sweep point elsewhere does not look like a change to this run."""
    stimulus = {
        key: STIM[key] for key in ("f_base", "stim_times", "percentage_active_fibers")
    }
    point = sweep_point(wildcards)  # one spelling per point, else stop with one line
    if wildcards.stim.startswith("file-"):
        stimulus = {"file": STIM["file"], "allow_pickle": STIM["allow_pickle"]}
    elif wildcards.stim in PROTOCOLS:
        stimulus = {"protocol": wildcards.stim}
    else:
        f_peak, radius, kind = point
        stimulus.update(f_peak=f_peak, stim_radius=radius, type=kind)
    run = {
        "scaffold": config["scaffold"],
        "stimulus": stimulus,
        "seed": int(wildcards.seed),
        "timestep": SIM["timestep"],
        "backend": backend,
        "model_variant": MODEL_VARIANT,
        "backend_options": json.loads(shlex.split(backend_options(backend))[0]),
    }
    return shlex.quote(json.dumps(run, sort_keys=True))


BRIAN2_ENV = "resources/envs/brian2"


def simulate_command(wildcards):
    """The spinncer command running this backend: brian2 runs in the brian2 env."""
    if wildcards.backend == "brian2":
        return (
            f"SPINNCER_BRIAN2_CACHE={BRIAN2_ENV}/builds"
            f" {BRIAN2_ENV}/bin/python -m spinncer {CLI_OPTIONS}"
        )
    return SPINNCER


def simulate_threads(wildcards):
    """Threads of a simulation: simulation.threads; the emulated SpiNNaker core runs on one
    (2.4 s for 400 x 400 µm, 1 s: its OpenMP barrier every tick costs more than it gains on 2
    shared cores), leaving the other core to another job."""
    return 1 if wildcards.backend == "spinnaker-emulated" else SIM["threads"]


# Job order (issue 24): of the jobs ready at once, the higher priority starts first. Every
# stimulus (perturbed and jittered ones too) comes first (a second each), then the mappings.
# With one thread per run the long run (NEST, nest-numerics, sPyNNaker: minutes) starts as
# soon as its stimulus exists and everything else fills the other core beside it; with runs
# on every core the compiled backends go first, so that they and what reads them fill the
# cores before the long run instead of queueing after it. validate is the longest job that
# waits for the long run.
PRIORITY = dict(stimulus=20, long_run_alone=15, mapping=10, compiled_run=5, validate=4)


def simulate_priority(wildcards):
    """A simulation's priority (PRIORITY above)."""
    if wildcards.backend in COMPILED_BACKENDS:
        return PRIORITY["compiled_run"]
    return PRIORITY["long_run_alone"] if SIM["threads"] == 1 else 0


def signals_flag(wildcards):
    """--no-signals unless simulation.record_signals, or the run is one the validation's
    membrane comparison reads (the first validation seed of a validated point)."""
    if SIM["record_signals"]:
        return ""
    seeds = config["validation"]["seeds"]
    if (
        seeds
        and int(wildcards.seed) == seeds[0]
        and wildcards.stim in validation_points()
    ):
        return ""
    return "--no-signals"


def backend_options(backend):
    """Backend settings (JSON for the CLI) from the spinnaker section of the config."""
    options = {}
    if backend in ("nest-numerics", "spinnaker", "spinnaker-emulated"):
        options = {key: SPINNAKER[key] for key in ("rb_left_shifts", "r_mem")}
    if backend in ("spinnaker", "spinnaker-emulated"):
        options["n_steps"] = SPINNAKER["n_steps"]
    if backend == "spinnaker":
        options.update(
            neurons_per_core=SPINNAKER["neurons_per_core"],
            id_remap=SPINNAKER["id_remap"],
        )
        if SPINNAKER["machine"]:
            options.update(
                machine=SPINNAKER["machine"], board_version=SPINNAKER["board_version"]
            )
        else:
            options.update(
                spalloc_server=SPINNAKER["spalloc_server"],
                spalloc_user=SPINNAKER["spalloc_user"],
            )
    return shlex.quote(json.dumps(options, sort_keys=True))


def scaffold_input_file():
    """The file the scaffold is converted from: a given file, or the downloaded one."""
    if config["scaffold"]["source"] == "file":
        return config["scaffold"]["file"]
    name = Path(config["scaffold"]["url"].split("?")[0]).name or f"{SCAFFOLD}.hdf5"
    return f"resources/downloads/{name}"


ANALYSIS = config["analysis"]
RUN_TABLES = [
    "stats.csv",
    "responses.csv",
    "worst_case.csv",
    "isi.csv",
    "psth.csv",
    "communication.csv",
    "saturation.csv",
]
RUN_FIGURES = [
    "rates.png",
    "rate_distributions.png",
    "psth.png",
    "communication.png",
] + [f"raster_{pop}.png" for pop in POPULATIONS]


def compare_pairs():
    """[reference, other] backend pairs of analysis.compare whose backends both run."""
    return [
        tuple(pair)
        for pair in ANALYSIS["compare"]
        if set(pair) <= set(SIM["backends"]) and pair[0] != pair[1]
    ]


def swept_parameters(sweep):
    """Axes the summary of a named sweep plots (spinncer/sweep.py swept_axes)."""
    return swept_axes(STIM, SIM["seeds"], config["sweeps"].get(sweep, {}))


def sweep_points(sweep=None):
    """Run folders of one named sweep, or of all of them."""
    points = SWEEPS[sweep] if sweep else POINTS
    return [
        RUN.format(scaffold=SCAFFOLD, stim=stim, seed=seed) for stim, seed in points
    ]


# Figures of a sweep summary per swept parameter: rates, and the routed packet load
# (spinncer/plots/sweep.py LOAD_FIGURES).
SWEEP_FIGURE_KINDS = ("", "_packets_peak", "_packets_mean_core_peak")


# The gold against the envelope of a point's seeds (reference.smk reference_envelope).
REFERENCE_ENVELOPE = "results/{scaffold}/{stim}/reference_envelope/{backend}.csv"


def reference_checked():
    """Runs of a named protocol are checked against the gold standard when one is configured."""
    return STIM["protocol"] in PROTOCOLS and bool(REFERENCE["gold_standard"])


def envelope_seeds(stim):
    """{backend: seeds} run at point `stim` (simulation.seeds, and validation.seeds where the
    point is validated: the fast reference's ten seeds of the main job), for every backend with
    enough seeds for the gold's envelope."""
    run = [seed for name, seed in POINTS if name == stim]
    seeds = {backend: run for backend in SIM["backends"]}
    if stim in validation_points():
        for backend in [VALIDATION["reference"]] + validation_candidates():
            seeds[backend] = sorted(
                set(seeds.get(backend, [])) | set(validation_seeds(backend))
            )
    return {b: s for b, s in seeds.items() if len(s) >= MIN_ENVELOPE_SEEDS}


def final_outputs():
    summary = [
        f"resources/scaffolds/{SCAFFOLD}_summary_{table}.csv"
        for table in ("populations", "connections")
    ]
    summary.append(f"results/{SCAFFOLD}/numerics/weights.csv")
    outputs = []
    for point in sweep_points():
        for backend in SIM["backends"]:
            outputs += [f"{point}/{backend}/{name}" for name in RUN_TABLES]
            outputs += [f"{point}/{backend}/figures/{name}" for name in RUN_FIGURES]
        outputs += [
            f"{point}/compare/{a}_vs_{b}/verdicts.csv" for a, b in compare_pairs()
        ]
        if reference_checked():
            outputs += [
                f"{point}/{backend}/{name}"
                for backend in SIM["backends"]
                for name in ("reference_check.csv", "figures/reference_check.png")
            ]
    if reference_checked():
        outputs += [
            REFERENCE_ENVELOPE.format(scaffold=SCAFFOLD, stim=stim, backend=backend)
            for stim in dict.fromkeys(stim for stim, _ in POINTS)
            for backend in envelope_seeds(stim)
        ]
    outputs += [
        f"results/compare/{name}/verdicts.csv" for name in ANALYSIS["compare_runs"]
    ]
    for sweep in SWEEPS:
        if len(sweep_points(sweep)) > 1:
            outputs.append(f"results/{SCAFFOLD}/sweep/{sweep}/summary.csv")
            outputs += [
                f"results/{SCAFFOLD}/sweep/{sweep}/{p}{kind}.png"
                for p in swept_parameters(sweep)
                for kind in SWEEP_FIGURE_KINDS
            ]
    return summary + outputs


def report_labels(name):
    """Report labels of a per-run figure (workflow/rules/figures.smk)."""
    return {"point": "{stim} seed {seed}", "backend": "{backend}", "figure": name}


def mapping_inputs(wildcards):
    """The virtual-board mappings a communication profile uses, none for contiguous blocks."""
    if config["communication"]["mapping"] == "blocks":
        return []
    return [f"results/{wildcards.scaffold}/mapping/{o}.npz" for o in ORDERINGS]


# ---------------------------------------------------------------- validation (validation.smk)
VALIDATION = config["validation"]
VALIDATION_DIR = "results/{scaffold}/{stim}/validation"


def validation_points():
    """Run names validated: validation.stimulus, or the first point of the sweep."""
    if not VALIDATION["seeds"]:
        return []
    return list(VALIDATION["stimulus"]) or [POINTS[0][0]]


def validation_candidates():
    return [b for b in VALIDATION["backends"] if b != VALIDATION["reference"]]


def validation_seeds(backend):
    """Seeds a validated backend runs: validation.backend_seeds, else validation.seeds."""
    if backend == VALIDATION["reference"]:
        return VALIDATION["seeds"]
    return VALIDATION["backend_seeds"].get(backend, VALIDATION["seeds"])


def validation_runs(wc):
    """{backend: [spikes.h5 of every seed]} of one validated point."""
    backends = [VALIDATION["reference"]] + validation_candidates()
    return {
        backend: [
            f"results/{wc.scaffold}/{wc.stim}/seed{seed}/{backend}/spikes.h5"
            for seed in validation_seeds(backend)
        ]
        for backend in backends
    }


def realisation_runs(wc):
    """spikes.h5 of the reference's realisations (spinncer/validation/realisations.py) of every
    seed that a candidate runs with fewer seeds than the reference (validation.backend_seeds).
    """
    seeds = sorted(
        {
            seed
            for backend in validation_candidates()
            if len(validation_seeds(backend)) < len(VALIDATION["seeds"])
            for seed in validation_seeds(backend)
            if seed in VALIDATION["seeds"]
        }
    )
    return [
        f"results/{wc.scaffold}/{wc.stim}/seed{seed}/realisation{draw}/"
        f"{VALIDATION['reference']}/spikes.h5"
        for seed in seeds
        for draw in range(1, VALIDATION["realisations"] + 1)
    ]


def run_key(backend):
    """Name of the validate rule's input list of `backend`'s runs."""
    return f"run_{backend.replace('-', '_')}"


def first_validation_run(wc, backend):
    """The run file of the first validation seed (membrane comparison)."""
    seed = (VALIDATION["seeds"] or [1])[0]
    return f"results/{wc.scaffold}/{wc.stim}/seed{seed}/{backend}/spikes.h5"


def validation_outputs():
    outputs = []
    for stim in validation_points():
        base = VALIDATION_DIR.format(scaffold=SCAFFOLD, stim=stim)
        outputs.append(f"{base}/verdicts.csv")
        outputs += [
            f"{base}/membrane/{VALIDATION['reference']}_vs_{b}/summary.csv"
            for b in validation_candidates()
        ]
    return outputs


if VALIDATION["seeds"] and len(VALIDATION["seeds"]) < 2:
    sys.exit(
        "spinncer: error: config key 'validation.seeds': expected at least 2 seeds, "
        f"found {VALIDATION['seeds']}"
    )
for _backend, _seeds in (
    VALIDATION["backend_seeds"].items() if VALIDATION["seeds"] else ()
):
    if (
        not set(_seeds) <= set(VALIDATION["seeds"])
        or len(_seeds) >= len(VALIDATION["seeds"])
        or VALIDATION["seeds"][0] not in _seeds
    ):
        sys.exit(
            f"spinncer: error: config key 'validation.backend_seeds.{_backend}': expected "
            f"fewer seeds than validation.seeds, among {VALIDATION['seeds']} and with "
            f"{VALIDATION['seeds'][0]} (the membrane comparison's seed), found {_seeds}"
        )


onerror:
    # A job a SLURM cluster killed for its memory: one line naming the rule and the resource
    # (spinncer/cluster.py); Snakemake's own report stays above it.
    from spinncer.cluster import memory_lines

    # `log`: Snakemake's log file(s) of this run
    logs = [log] if isinstance(log, (str, Path)) else list(log or [])
    text = "".join(
        Path(p).read_text(errors="replace") for p in logs if Path(p).is_file()
    )
    for line in memory_lines(text):
        print(line, file=sys.stderr)
