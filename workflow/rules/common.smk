# Configuration checks, wildcard constraints and input functions shared by all rules.
import json
import shlex
import sys

from snakemake.utils import validate

from spinncer.config import check_config, config_sources
from spinncer.errors import InputError
from spinncer.params import ALL_POPULATIONS

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

# The interpreter running Snakemake has spinncer installed (envs/spinncer.txt).
SPINNCER = f"{shlex.quote(sys.executable)} -m spinncer -v"
SCAFFOLD = config["scaffold"]["name"]
STIM = config["stimulus"]
SIM = config["simulation"]
POPULATIONS = list(ALL_POPULATIONS)
STIM_TIMES = " ".join(str(float(t)) for t in STIM["stim_times"])
SIMTIME = float(sum(STIM["stim_times"]))


def _num(value):
    return f"{float(value):g}"


def stimulus_names():
    """Run names of the stimulus sweep: f<f_peak>_r<radius>_<type>, or file-<stem>."""
    if STIM["file"]:
        return [f"file-{Path(STIM['file']).stem}"]
    return [f"f{_num(f)}_r{_num(r)}_{t}" for f in STIM["f_peak"] for r in STIM["stim_radius"]
            for t in STIM["type"]]


def parse_stimulus_name(name):
    """(f_peak, stim_radius, type) from a run name; any point can be asked for by its path."""
    match = re.fullmatch(r"f([0-9.]+)_r([0-9.]+)_(poisson|periodic)", name)
    if match is None:
        raise ValueError(f"stimulus name '{name}': expected f<f_peak>_r<radius>_<type>")
    return float(match[1]), float(match[2]), match[3]


wildcard_constraints:
    scaffold=re.escape(SCAFFOLD),
    stim=r"f[0-9.]+_r[0-9.]+_(poisson|periodic)|file-[A-Za-z0-9_.-]+",
    seed=r"[0-9]+",
    backend="|".join(SIM["backends"]),
    pop="|".join(POPULATIONS),


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
           "timestep": SIM["timestep"], "backend": backend}
    return shlex.quote(json.dumps(run, sort_keys=True))


def scaffold_input_file():
    """The file the scaffold is converted from: a given file, or the downloaded one."""
    if config["scaffold"]["source"] == "file":
        return config["scaffold"]["file"]
    name = Path(config["scaffold"]["url"].split("?")[0]).name or f"{SCAFFOLD}.hdf5"
    return f"resources/downloads/{name}"


def final_outputs():
    runs = expand(RUN + "/{backend}", scaffold=SCAFFOLD, stim=stimulus_names(),
                  seed=SIM["seeds"], backend=SIM["backends"])
    summary = [f"resources/scaffolds/{SCAFFOLD}_summary_{table}.csv"
               for table in ("populations", "connections")]
    return summary + [f"{run}/{name}" for run in runs
            for name in ["stats.csv", "figures/rates.png"]
            + [f"figures/raster_{pop}.png" for pop in POPULATIONS]]
