# Configuration checks, wildcard constraints and input functions shared by all rules.
import json
import shlex
import sys

from snakemake.utils import validate

from spinncer.config import check_config, config_sources
from spinncer.errors import InputError
from spinncer.options import BACKENDS, ORDERINGS, alternatives_regex
from spinncer.params import ALL_POPULATIONS
from spinncer.sweep import STIMULUS_NAME_REGEX, parse_stimulus_name, stimulus_name

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
# A spinnaker run without a machine fails in its own job with one line (spinncer/backends/
# spinnaker.py); every other target, mapping and communication included, still builds.
SPINNAKER = config["spinnaker"]

# The interpreter running Snakemake has spinncer installed (envs/spinncer.txt).
SPINNCER = f"{shlex.quote(sys.executable)} -m spinncer -v"
SCAFFOLD = config["scaffold"]["name"]
STIM = config["stimulus"]
SIM = config["simulation"]
POPULATIONS = list(ALL_POPULATIONS)
STIM_TIMES = " ".join(str(float(t)) for t in STIM["stim_times"])
SIMTIME = float(sum(STIM["stim_times"]))


def stimulus_names():
    """Run names of the stimulus sweep (spinncer/sweep.py): f<f_peak>_r<radius>_<type>, or
    file-<stem> for a given stimulus file."""
    if STIM["file"]:
        return [f"file-{Path(STIM['file']).stem}"]
    return [stimulus_name(f, r, t) for f in STIM["f_peak"] for r in STIM["stim_radius"]
            for t in STIM["type"]]


wildcard_constraints:
    scaffold=re.escape(SCAFFOLD),
    stim=STIMULUS_NAME_REGEX,
    seed=r"[0-9]+",
    backend=alternatives_regex(BACKENDS),
    ordering=alternatives_regex(ORDERINGS),
    pop=alternatives_regex(POPULATIONS),


RUN = "results/{scaffold}/{stim}/seed{seed}"


def run_config(wildcards, backend):
    """The configuration of one run, stored in its metadata. Only what the run depends on, so
    that adding a sweep point elsewhere does not look like a change to this run."""
    stimulus = {key: STIM[key] for key in ("f_base", "stim_times", "percentage_active_fibers")}
    if wildcards.stim.startswith("file-"):
        stimulus = {"file": STIM["file"], "allow_pickle": STIM["allow_pickle"]}
    else:
        f_peak, radius, kind = parse_stimulus_name(wildcards.stim)
        stimulus.update(f_peak=f_peak, stim_radius=radius, type=kind)
    run = {"scaffold": config["scaffold"], "stimulus": stimulus, "seed": int(wildcards.seed),
           "timestep": SIM["timestep"], "backend": backend,
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


def swept_parameters():
    return [key for key in ("f_peak", "stim_radius") if len(STIM[key]) > 1 and not STIM["file"]]


def sweep_points():
    return expand(RUN, scaffold=SCAFFOLD, stim=stimulus_names(), seed=SIM["seeds"])


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
    outputs += [f"results/compare/{name}/verdicts.csv" for name in ANALYSIS["compare_runs"]]
    if len(sweep_points()) > 1:
        outputs.append(f"results/{SCAFFOLD}/sweep/summary.csv")
        outputs += [f"results/{SCAFFOLD}/sweep/{p}{kind}.png" for p in swept_parameters()
                    for kind in ("", "_packets_peak", "_packets_mean_core_peak")]
    return summary + outputs
