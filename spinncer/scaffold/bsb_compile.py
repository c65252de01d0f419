"""Run BSB 3 `compile` with every random source seeded (executed in the BSB environment).

Usage: ``python bsb_compile.py SEED <bsb command-line arguments>``

BSB 3.10 has no seed option and draws from three generators: numpy's global one, Python's
`random`, and an unseeded ``np.random.default_rng()`` (mossy-fibre positions). All three are
seeded here so that one seed gives an identical scaffold (checked on BSB 3.10.5). This file only
needs BSB and numpy, and is run as a script by :mod:`spinncer.scaffold.build`.
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


if __name__ == "__main__":
    sys.path.pop(0)  # this file's folder: keep the library's modules from shadowing bsb's
    seed_everything(int(sys.argv.pop(1)))
    from bsb.cli import scaffold_cli

    sys.argv[0] = "bsb"
    scaffold_cli()
