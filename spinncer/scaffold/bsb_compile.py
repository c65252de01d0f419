"""Run BSB 3 `compile` with every random source seeded (executed in the BSB environment).

Usage: ``python bsb_compile.py SEED [--plain] <bsb command-line arguments>`` (``--plain``: BSB's
own particle placement and scikit-learn's checks, for ``benchmarks/bsb_build.py``)

BSB 3.10 has no seed option and draws from three generators: numpy's global one, Python's
`random`, and an unseeded ``np.random.default_rng()`` (mossy-fibre positions). All three are
seeded here so that one seed gives an identical scaffold (checked on BSB 3.10.5). Speed-ups that
leave the scaffold unchanged to the bit: scikit-learn's KD-tree skips its input checks
(:func:`light_kd_tree_input_checks`), and the particle placement's radius queries and per-pair
loops are done without scikit-learn's per-query arrays and numpy's per-pair calls
(``bsb_particles.py``). This file and ``bsb_particles.py`` only need BSB (with its numpy and
scikit-learn); it is run as a script by :mod:`spinncer.scaffold.build`.
"""
import importlib.util
import random
import sys
from pathlib import Path

import numpy as np


def seed_everything(seed):
    np.random.seed(seed)
    random.seed(seed)
    sequence = np.random.SeedSequence(seed)
    unseeded = np.random.default_rng

    def default_rng(seed=None, *args, **kwargs):
        return unseeded(sequence.spawn(1)[0] if seed is None else seed, *args, **kwargs)

    np.random.default_rng = default_rng


def light_kd_tree_input_checks():
    """Tell scikit-learn its inputs are finite, and let its KD-tree queries take their points
    as a C-contiguous float64 array without ``check_array``.

    BSB's particle placement queries scikit-learn KDTrees (``query_radius``) about 143,000
    times at 200 x 200 µm, one point at a time, and ``check_array`` cost about 60 % of each
    query (28 of 60 µs on a 5,000-point tree, 2026-11-25): the checks for NaN/inf alone were
    8.9 s of an 80 s build, timed in place. The points are cell positions BSB draws inside the
    finite layer volumes, and BSB passes them as float arrays, so the query gets the same array
    either way: the scaffold is byte-identical. ``check_array`` is replaced in the KD-tree
    module only (the compiled module looks it up there at each call); the rest of scikit-learn
    keeps its checks, all but the NaN/inf ones (``assume_finite`` is global).
    (``skip_parameter_validation`` would not help: neither ``KDTree`` nor ``check_array`` goes
    through scikit-learn's parameter validation.)
    """
    import sklearn
    import sklearn.neighbors._kd_tree as kd_tree

    sklearn.set_config(assume_finite=True)

    def as_query_points(X, dtype=None, order=None, **_):
        return np.ascontiguousarray(X, dtype=dtype)

    kd_tree.check_array = as_query_points


def install_particle_replacements():
    """Load ``bsb_particles.py`` beside this file (by path: this folder is not on sys.path, so
    that its ``io.py`` cannot shadow the standard library's), install it into BSB, return it."""
    path = Path(__file__).with_name("bsb_particles.py")
    spec = importlib.util.spec_from_file_location("spinncer_bsb_particles", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.install()
    return module


if __name__ == "__main__":
    sys.path.pop(0)  # this file's folder: keep the library's modules from shadowing bsb's
    seed_everything(int(sys.argv.pop(1)))
    from bsb.cli import scaffold_cli

    if sys.argv[1] == "--plain":
        sys.argv.pop(1)
    else:
        light_kd_tree_input_checks()
        install_particle_replacements()
    sys.argv[0] = "bsb"
    scaffold_cli()
