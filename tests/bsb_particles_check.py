"""BSB's particle placement, as BSB 3 ships it and with what spinncer/scaffold/bsb_compile.py
installs (bsb_particles.py, the light KD-tree input checks), on the same seeded particles (run in
the BSB env).

Usage: ``python bsb_particles_check.py OUT.npz`` writes, per case, the positions after each
implementation's collision solving and pruning; tests/test_bsb_particles.py compares them.
"""
import importlib.util
import random
import sys
from pathlib import Path

import numpy as np

#: (name, radius µm, particles, voxel origin and size µm): packing factors 0.3, 0.2 and 0.1, as
#: dense as the granular layer (radii: config/bsb/casali2019_spinncer.json).
CASES = [
    ("granule", 2.5, 290, [0.0, 0.0, 0.0], [40.0, 40.0, 40.0]),
    ("glomerulus", 1.5, 190, [0.0, 10.0, 0.0], [30.0, 15.0, 30.0]),
    ("golgi", 8.0, 10, [0.0, 0.0, 0.0], [60.0, 40.0, 60.0]),
]


def install_replacements():
    """What bsb_compile.py installs before BSB compiles (the file is a script: loaded by path)."""
    path = Path(__file__).resolve().parents[1] / "spinncer/scaffold/bsb_compile.py"
    spec = importlib.util.spec_from_file_location("bsb_compile", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.light_kd_tree_input_checks()
    module.install_particle_replacements()


def place(name, radius, count, origin, size, seed=7):
    """BSB's ParticlePlacement.place without the scaffold: fill, solve, prune."""
    from bsb.particles import ParticleSystem

    np.random.seed(seed)
    random.seed(seed)
    system = ParticleSystem(track_displaced=True)
    system.fill([[np.array(origin), np.array(size)]],
                [{"name": name, "voxels": [0], "radius": radius, "count": count}])
    colliding = len(system.find_colliding_particles())
    system.solve_collisions()
    system.prune(at_risk_particles=system.displaced_particles)
    return colliding, system.positions


def main(out):
    arrays = {}
    for case in CASES:
        colliding, arrays[f"{case[0]}_bsb"] = place(*case)
        arrays[f"{case[0]}_colliding"] = np.array(colliding)
    install_replacements()
    for case in CASES:
        arrays[f"{case[0]}_spinncer"] = place(*case)[1]
    np.savez(out, **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
