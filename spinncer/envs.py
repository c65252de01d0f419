"""Side environments the workflow and the tests create themselves, from ``envs/<name>.txt``.

``brian2``: brian2 2.9 needs numpy < 2, so Brian2 runs in its own virtual environment; spinncer
goes into it as a ``.pth`` file naming this checkout (no copy, no build step: the env always
runs the library of the checkout that made it). The BSB env (rule ``env_bsb``) is made by the
workflow directly; it runs BSB only, not spinncer.
"""
import subprocess
import sys
import sysconfig
from pathlib import Path

from .errors import InputError

#: The checkout this library is imported from (holds envs/ and the spinncer package).
CHECKOUT = Path(__file__).resolve().parents[1]
#: Environments that run spinncer itself.
SPINNCER_ENVS = ("brian2",)
MARKER = ".installed"


def requirements(name):
    """Path of ``envs/<name>.txt`` in the checkout."""
    path = CHECKOUT / "envs" / f"{name}.txt"
    if name not in SPINNCER_ENVS or not path.is_file():
        raise InputError("environment", f"one of {SPINNCER_ENVS} (envs/<name>.txt)", repr(name))
    return path


def env_python(directory):
    return Path(directory) / "bin" / "python"


def make_env(name, directory, python=sys.executable, log=None):
    """Create the virtual environment `name` in `directory` (replacing one there), install
    ``envs/<name>.txt`` and a .pth file putting this checkout on its path; write
    `directory`/.installed last. Returns the env's Python."""
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
