"""Side environments the workflow and the tests create themselves, from ``envs/<name>.txt``.

``brian2``: brian2 2.9 needs numpy < 2, so Brian2 runs in its own virtual environment; spinncer
goes into it as a ``.pth`` file naming this checkout (no copy, no build step: the env always
runs the library of the checkout that made it). ``bsb``: BSB 3 needs numpy < 2 too; that env
runs BSB only (``spinncer/scaffold/bsb_compile.py`` as a script), so it gets no ``.pth``.

``envs/spinncer.yaml``: the conda environment every rule declares (``snakemake --sdm conda``),
generated from ``envs/spinncer.txt`` by :func:`conda_env_yaml` (``python -m spinncer.envs >
envs/spinncer.yaml``; a test checks it is up to date), so the pins live in the .txt only.
"""
import subprocess
import sys
from pathlib import Path

import yaml

from .errors import InputError

#: The checkout this library is imported from (holds envs/ and the spinncer package).
CHECKOUT = Path(__file__).resolve().parents[1]
#: Side environments, and whether each runs spinncer itself (gets this checkout on its path).
SIDE_ENVS = {"brian2": True, "bsb": False}
MARKER = ".installed"


def requirements(name):
    """Path of ``envs/<name>.txt`` in the checkout."""
    path = CHECKOUT / "envs" / f"{name}.txt"
    if name not in SIDE_ENVS or not path.is_file():
        raise InputError("environment", f"one of {tuple(SIDE_ENVS)} (envs/<name>.txt)",
                         repr(name))
    return path


def env_python(directory):
    return Path(directory) / "bin" / "python"


def make_env(name, directory, python=sys.executable, log=None):
    """Create the virtual environment `name` in `directory` (replacing one there), install
    ``envs/<name>.txt`` and, for an env that runs spinncer, a .pth file putting this checkout on
    its path; write `directory`/.installed last. Returns the env's Python."""
    reqs = requirements(name)
    directory = Path(directory)
    out = open(log, "w") if log else None
    try:
        subprocess.run([python, "-m", "venv", "--clear", str(directory)], check=True,
                       stdout=out, stderr=subprocess.STDOUT if out else None)
        subprocess.run([str(env_python(directory)), "-m", "pip", "install",
                        "--disable-pip-version-check", "-r", str(reqs)], check=True,
                       stdout=out, stderr=subprocess.STDOUT if out else None)
    except subprocess.CalledProcessError as err:
        raise InputError(f"environment {name}", f"an environment made from {reqs}",
                         f"a failed step ({' '.join(map(str, err.cmd[:4]))} ...: exit "
                         f"{err.returncode}{'; see ' + str(log) if log else ''})") from None
    finally:
        if out:
            out.close()
    if SIDE_ENVS[name]:
        site = subprocess.run([str(env_python(directory)), "-c",
                               "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip()
        (Path(site) / "spinncer_checkout.pth").write_text(f"{CHECKOUT}\n")
    (directory / MARKER).write_text(reqs.read_text())
    return env_python(directory)


def ensure_env(name, directory, python=sys.executable):
    """The env's Python, making the env first unless it is installed from the current
    requirements (the marker holds the requirements it was made from)."""
    directory = Path(directory)
    marker = directory / MARKER
    if not (marker.is_file() and marker.read_text() == requirements(name).read_text()
            and env_python(directory).exists()):
        make_env(name, directory, python)
    return env_python(directory)


#: Conda-forge packages of envs/spinncer.yaml besides the pins: the Python the pins of
#: envs/spinncer.txt were measured with (this project's .venv), pip for the pins, and a C++
#: compiler and make for Brian2's standalone builds (in the Brian2 env made from this one).
CONDA_PACKAGES = ("python=3.11", "pip", "cxx-compiler", "make")
CONDA_HEADER = """\
# GENERATED from envs/spinncer.txt by `python -m spinncer.envs > envs/spinncer.yaml` (a test
# checks it is up to date): change the pins there, then regenerate.
#
# The conda environment every rule declares. `snakemake --sdm conda ...` makes it (under
# .snakemake/conda/) instead of running the rules in the pip environment of envs/spinncer.txt:
# conda-forge's Python, a C++ compiler and make (Brian2 standalone), and pip installs the pins
# of envs/spinncer.txt (inline: Snakemake copies this file to .snakemake/conda/, where a relative
# `-r spinncer.txt` would not resolve). envs/spinncer.post-deploy.sh then installs the checkout
# itself (`-e .` of envs/spinncer.txt). The BSB and Brian2 environments (numpy < 2) are made by
# the workflow's rules env_bsb and env_brian2 from envs/bsb.txt and envs/brian2.txt in both
# cases. Snakemake itself runs from an environment with spinncer installed, as without conda.
# Used directly (`conda env create -f envs/spinncer.yaml`), follow it with
# `pip install --no-deps -e .` in the checkout.
#
# Not exercised on the machines this project is developed on (no conda channel reachable
# there): only the pip environments of envs/*.txt have been run.
"""


def conda_env_yaml():
    """envs/spinncer.yaml: :data:`CONDA_PACKAGES` from conda-forge, then the pins of
    envs/spinncer.txt for pip; its ``-e .`` (the checkout) is left to the post-deploy script."""
    source = CHECKOUT / "envs" / "spinncer.txt"
    pins = []
    for line in source.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line == "-e .":
            continue
        if line.startswith("-"):
            raise InputError(str(source), "pins and '-e .' only", repr(line))
        pins.append(line)
    env = {"name": "spinncer", "channels": ["conda-forge", "nodefaults"],
           "dependencies": [*CONDA_PACKAGES, {"pip": pins}]}
    return CONDA_HEADER + yaml.safe_dump(env, sort_keys=False, default_flow_style=False)


if __name__ == "__main__":
    print(conda_env_yaml(), end="")
