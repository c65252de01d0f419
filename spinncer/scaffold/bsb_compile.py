"""Run BSB 3 `compile` with every random source seeded (executed in the BSB environment).

Usage: ``python bsb_compile.py SEED <bsb command-line arguments>``

BSB 3.10 has no seed option and draws from three generators: numpy's global one, Python's
`random`, and an unseeded ``np.random.default_rng()`` (mossy-fibre positions). All three are
seeded here so that one seed gives an identical scaffold (checked on BSB 3.10.5), and
scikit-learn skips its finiteness checks (:func:`skip_finiteness_checks`). This file only needs
BSB (with its numpy and scikit-learn), and is run as a script by :mod:`spinncer.scaffold.build`.
"""
import random
import sys

import numpy as np


def seed_everything(seed):
    np.random.seed(seed)
    random.seed(seed)
    sequence = np.random.SeedSequence(seed)
    unseeded = np.random.default_rng

    def default_rng(seed=None, *args, **kwargs):
        return unseeded(sequence.spawn(1)[0] if seed is None else seed, *args, **kwargs)

    np.random.default_rng = default_rng


def skip_finiteness_checks():
    """Tell scikit-learn its inputs are finite (``sklearn.set_config(assume_finite=True)``).

    BSB's particle placement queries scikit-learn KDTrees (``query_radius``) about 143,000
    times at 200 x 200 µm, and each query checked its points for NaN/inf: 142,692 checks,
    8.9 s of an 80 s build, timed in place (0.4 s with the flag). The points are cell
    positions BSB draws inside the finite layer volumes, finite by construction; the scaffold
    is byte-identical either way. (``skip_parameter_validation`` would not help: neither
    ``KDTree`` nor ``check_array`` goes through scikit-learn's parameter validation.)
    """
    import sklearn

    sklearn.set_config(assume_finite=True)


if __name__ == "__main__":
    sys.path.pop(0)  # this file's folder: keep the library's modules from shadowing bsb's
    seed_everything(int(sys.argv.pop(1)))
    from bsb.cli import scaffold_cli

    skip_finiteness_checks()
    sys.argv[0] = "bsb"
    scaffold_cli()
