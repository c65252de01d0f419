"""Build a scaffold with BSB 3 in its own environment and convert it to the project layout.

BSB 3.10 needs numpy < 2, so it runs in a separate Python environment (``envs/bsb.txt``); this
module only starts that interpreter and reads its output (see :mod:`spinncer.scaffold.bsb_layout`).
"""
import logging
import os
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError
from ..provenance import sha256
from .io import read_scaffold, write_scaffold
from .model import permute_scaffold
from .order import WALK_STRIP_UM, walk_order_all

log = logging.getLogger("spinncer")
COMPILE_SCRIPT = Path(__file__).with_name("bsb_compile.py")
#: The library's files that decide a built scaffold besides the BSB configuration: the script
#: BSB runs (seeding), its particle placement, the project's BSB strategies and the id order
#: written (placement walk).
BUILD_SOURCES = tuple(Path(__file__).with_name(name) for name in (
    "bsb_compile.py", "bsb_particles.py", "bsb_strategies.py", "order.py"))


def build_sources_digest():
    """'name:sha256 ...' of :data:`BUILD_SOURCES`: the workflow rebuilds a scaffold when it
    changes (a parameter of its rule, the same wherever the project or the package lies)."""
    return " ".join(f"{path.name}:{sha256(path)}" for path in BUILD_SOURCES)


def bundled_config(bsb_python, name="casali_2019.json"):
    """Path of a network configuration shipped inside the BSB package."""
    code = "import bsb, os; print(os.path.join(os.path.dirname(bsb.__file__), 'configurations'))"
    try:
        out = subprocess.run([str(bsb_python), "-c", code], check=True, capture_output=True,
                             text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as err:
        raise InputError(bsb_python, "a Python interpreter with bsb 3 installed (envs/bsb.txt)",
                         f"an error ({err})") from None
    return Path(out) / name


def build_with_bsb(bsb_python, out_path, *, x, z, seed, config=None, plain=False):
    """Compile an `x` x `z` µm scaffold with BSB (seeded) and write it in the v3 layout.
    `plain`: without bsb_compile.py's speed-ups (same scaffold; for benchmarks/bsb_build.py)."""
    # absolute (not resolved: a venv's python is a symlink that must keep its venv path)
    bsb_python = os.path.abspath(bsb_python)
    config = Path(config).absolute() if config else bundled_config(bsb_python)
    if not config.is_file():
        raise InputError(config, "a BSB network configuration (JSON)", "no such file")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".bsb-") as work:
        raw = Path(work).absolute() / "bsb.hdf5"
        command = [str(bsb_python), str(COMPILE_SCRIPT), str(seed),
                   *(["--plain"] if plain else []), "-c", str(config), "-o", str(raw),
                   "compile", "-x", str(x), "-z", str(z)]
        log.info("running %s", " ".join(command))
        # BSB imports the project's strategies (bsb_strategies.py) by dotted path: expose only
        # this package, not the site-packages it may be installed in (numpy 2 would leak in)
        exposed = Path(work).absolute() / "pythonpath"
        exposed.mkdir()
        (exposed / "spinncer").symlink_to(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": str(exposed)}
        done = subprocess.run(command, cwd=work, capture_output=True, text=True, env=env)
        if done.returncode != 0 or not raw.is_file():
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise InputError(config, f"a configuration BSB {x} x {z} µm compiles with",
                             f"BSB exit {done.returncode}: {tail}")
        scaffold = read_scaffold(raw)
    # BSB numbers cells in random spatial order; the published v3 file numbers them along its
    # placement walk, and the study's default SpiNNaker ordering is the file's id order
    scaffold = permute_scaffold(scaffold, walk_order_all(scaffold))
    attrs = {"builder": "bsb", "builder_config": config.name, "volume_x_um": float(x),
             "volume_z_um": float(z), "seed": int(seed),
             "id_order": f"placement walk (strips {WALK_STRIP_UM:g} um along z, x back and "
                         "forth; spinncer.scaffold.order)"}
    write_scaffold(scaffold, out_path, attrs=attrs)
    return scaffold


def convert(in_path, out_path):
    """Read a scaffold in any supported layout and write it in the project (v3) layout."""
    scaffold = read_scaffold(in_path)
    write_scaffold(scaffold, out_path, attrs={"converted_from": Path(in_path).name})
    return scaffold
