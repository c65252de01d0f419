# Configuration checks, wildcard constraints and input functions shared by all rules.
import json
import shlex
import sys

from snakemake.utils import validate

from spinncer.config import check_config, config_sources
from spinncer.errors import InputError
from spinncer.options import BACKENDS, ORDERINGS, alternatives_regex
from spinncer.params import ALL_POPULATIONS
from spinncer.stimulus import PROTOCOLS
from spinncer.sweep import (STIMULUS_NAME_REGEX, PROTOCOL_PATTERN, cost_estimate,
                            parse_stimulus_name, plan_sweeps, swept_axes, unique_points)

# One clear line for a bad config (key, expected, found), then Snakemake's validation sets the
# schema defaults.
try:
    check_config(config, workflow.source_path("../schemas/config.schema.yaml"),
                 config_sources(workflow.configfiles))
except InputError as err:
    sys.exit(f"spinncer: error: {err}")
validate(config, "../schemas/config.schema.yaml", set_default=True)


def require_file(key, path):
    if not (path and Path(path).is_file()):
        sys.exit(f"spinncer: error: config key '{key}': expected an existing file, found {path!r}")


if config["scaffold"]["source"] == "file":
    require_file("scaffold.file", config["scaffold"]["file"])
if config["scaffold"]["source"] == "download" and not config["scaffold"]["url"]:
    sys.exit("spinncer: error: config key 'scaffold.url': expected a download link when "
             "scaffold.source is download, found none")
if config["stimulus"]["file"]:
    require_file("stimulus.file", config["stimulus"]["file"])
if config["stimulus"]["protocol"] and config["reference_check"]["gold_standard"]:
    require_file("reference_check.gold_standard", config["reference_check"]["gold_standard"])
# A spinnaker run without a machine fails in its own job with one line (spinncer/backends/
# spinnaker.py); every other target, mapping and communication included, still builds.
SPINNAKER = config["spinnaker"]

# The interpreter running Snakemake has spinncer installed (envs/spinncer.txt).
SPINNCER = f"{shlex.quote(sys.executable)} -m spinncer -v"
SCAFFOLD = config["scaffold"]["name"]
STIM = config["stimulus"]
SIM = config["simulation"]
MODEL_VARIANT = config["model"]["variant"]
REFERENCE = config["reference_check"]
POPULATIONS = list(ALL_POPULATIONS)
# a named protocol fixes the protocol windows
PROTOCOL = PROTOCOLS.get(STIM["protocol"], {})
STIM_TIMES = " ".join(str(float(t)) for t in PROTOCOL.get("stim_times", STIM["stim_times"]))
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
    return (f"spinncer: plan: {len(POINTS)} runs x {len(SIM['backends'])} backends = {runs} "
            f"simulations in {len(SWEEPS)} sweep(s) ({', '.join(SWEEPS)}), expected "
            f"~{hours:.1f} CPU-hours (runs only; NEST figures of benchmarks/README.md scaled to "
            f"{x:g} x {z:g} µm, {SIM['timestep']} ms)")


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


def run_config(wildcards, backend):
    """The configuration of one run, stored in its metadata. Only what the run depends on, so
    that adding a sweep point elsewhere does not look like a change to this run."""
    stimulus = {key: STIM[key] for key in ("f_base", "stim_times", "percentage_active_fibers")}
    if wildcards.stim.startswith("file-"):
        stimulus = {"file": STIM["file"], "allow_pickle": STIM["allow_pickle"]}
    elif wildcards.stim in PROTOCOLS:
        stimulus = {"protocol": wildcards.stim}
    else:
        f_peak, radius, kind = parse_stimulus_name(wildcards.stim)
        stimulus.update(f_peak=f_peak, stim_radius=radius, type=kind)
    run = {"scaffold": config["scaffold"], "stimulus": stimulus, "seed": int(wildcards.seed),
           "timestep": SIM["timestep"], "backend": backend, "model_variant": MODEL_VARIANT,
           "backend_options": json.loads(shlex.split(backend_options(backend))[0])}
    return shlex.quote(json.dumps(run, sort_keys=True))


def backend_options(backend):
    """Backend settings (JSON for the CLI) from the spinnaker section of the config."""
    options = {}
    if backend in ("nest-numerics", "spinnaker"):
        options = {key: SPINNAKER[key] for key in ("rb_left_shifts", "r_mem")}
    if backend == "spinnaker":
        options.update(neurons_per_core=SPINNAKER["neurons_per_core"],
                       id_remap=SPINNAKER["id_remap"])
        if SPINNAKER["machine"]:
            options.update(machine=SPINNAKER["machine"],
                           board_version=SPINNAKER["board_version"])
        else:
            options.update(spalloc_server=SPINNAKER["spalloc_server"],
                           spalloc_user=SPINNAKER["spalloc_user"])
    return shlex.quote(json.dumps(options, sort_keys=True))


def scaffold_input_file():
    """The file the scaffold is converted from: a given file, or the downloaded one."""
    if config["scaffold"]["source"] == "file":
        return config["scaffold"]["file"]
    name = Path(config["scaffold"]["url"].split("?")[0]).name or f"{SCAFFOLD}.hdf5"
    return f"resources/downloads/{name}"


ANALYSIS = config["analysis"]
RUN_TABLES = ["stats.csv", "responses.csv", "worst_case.csv", "isi.csv", "psth.csv",
              "communication.csv", "saturation.csv"]
RUN_FIGURES = ["rates.png", "rate_distributions.png", "psth.png", "communication.png"] + [
    f"raster_{pop}.png" for pop in POPULATIONS]


def compare_pairs():
    """[reference, other] backend pairs of analysis.compare whose backends both run."""
    return [tuple(pair) for pair in ANALYSIS["compare"]
            if set(pair) <= set(SIM["backends"]) and pair[0] != pair[1]]


def swept_parameters(sweep):
    """Axes the summary of a named sweep plots (spinncer/sweep.py swept_axes)."""
    return swept_axes(STIM, SIM["seeds"], config["sweeps"].get(sweep, {}))


def sweep_points(sweep=None):
    """Run folders of one named sweep, or of all of them."""
    points = SWEEPS[sweep] if sweep else POINTS
    return [RUN.format(scaffold=SCAFFOLD, stim=stim, seed=seed) for stim, seed in points]


def final_outputs():
    summary = [f"resources/scaffolds/{SCAFFOLD}_summary_{table}.csv"
               for table in ("populations", "connections")]
    summary.append(f"results/{SCAFFOLD}/numerics/weights.csv")
    outputs = []
    for point in sweep_points():
        for backend in SIM["backends"]:
            outputs += [f"{point}/{backend}/{name}" for name in RUN_TABLES]
            outputs += [f"{point}/{backend}/figures/{name}" for name in RUN_FIGURES]
        outputs += [f"{point}/compare/{a}_vs_{b}/verdicts.csv" for a, b in compare_pairs()]
        if STIM["protocol"] in PROTOCOLS and REFERENCE["gold_standard"]:
            outputs += [f"{point}/{backend}/{name}" for backend in SIM["backends"]
                        for name in ("reference_check.csv", "figures/reference_check.png")]
    outputs += [f"results/compare/{name}/verdicts.csv" for name in ANALYSIS["compare_runs"]]
    for sweep in SWEEPS:
        if len(sweep_points(sweep)) > 1:
            outputs.append(f"results/{SCAFFOLD}/sweep/{sweep}/summary.csv")
            outputs += [f"results/{SCAFFOLD}/sweep/{sweep}/{p}{kind}.png"
                        for p in swept_parameters(sweep) for kind in ("", "_load")]
    return summary + outputs
