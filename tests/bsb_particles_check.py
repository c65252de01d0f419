"""BSB's particle placement, as BSB 3 ships it and with what spinncer/scaffold/bsb_compile.py
installs (bsb_particles.py, the light KD-tree input checks), on the same seeded particles (run in
the BSB env).

Usage: ``python bsb_particles_check.py OUT.npz`` writes, per case, the positions after each
implementation's collision solving and pruning, the colliding flags of both on a lattice where
neighbours touch exactly, and scikit-learn's radius queries and ``RadiusSearch``'s on a lattice
where many points lie exactly on the radius; tests/test_bsb_particles.py compares them.
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
    return module.install_particle_replacements()


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


def touching_flags():
    """Colliding flags of particles (radius 2.5 µm) on a grid 5 µm apart along x and 6 µm along y
    and z, where the x columns 0, 1, 3 of every 5 are kept: the pairs of columns 0 and 1 touch
    exactly (a collision: BSB tests distance <= both radii), column 3 is free."""
    from bsb.particles import ParticleSystem

    grid = np.stack(np.meshgrid(np.arange(15) * 5.0, np.arange(4) * 6.0, np.arange(4) * 6.0,
                                indexing="ij"), axis=-1)
    grid = grid[np.isin(np.arange(15) % 5, (0, 1, 3))].reshape(-1, 3)
    system = ParticleSystem()
    system.fill([[np.zeros(3), np.ones(3)]], [{"name": "a", "voxels": [0], "radius": 2.5,
                                                  "count": 0}])
    system.add_particles(2.5, grid)
    system.find_colliding_particles()
    return np.array([p.colliding for p in system.particles])


def lattice_queries(particles):
    """scikit-learn's ``query_radius`` and ``particles.RadiusSearch``'s answer to the same
    queries on an integer lattice (plus random points), at radii that many lattice distances
    equal exactly; returns both answers concatenated, and how many queries went to
    scikit-learn (a candidate within rounding of the radius)."""
    from sklearn.neighbors import KDTree

    lattice = np.stack(np.meshgrid(*[np.arange(10.0)] * 3, indexing="ij"), axis=-1)
    rng = np.random.default_rng(3)
    points = np.concatenate([lattice.reshape(-1, 3), rng.random((400, 3)) * 9.0])
    tree = KDTree(points)
    search = particles.RadiusSearch(tree)
    radii = (5.0, 3.0, 2.5, 2.0, 1.0)
    theirs, ours = [], []
    for point in points[::5]:
        theirs.extend(tree.query_radius([point], r=radius)[0] for radius in radii)
        ours.extend(search.within(point, *radii))
    return np.concatenate(theirs), np.concatenate(ours), search.asked


def main(out):
    arrays = {}
    for case in CASES:
        colliding, arrays[f"{case[0]}_bsb"] = place(*case)
        arrays[f"{case[0]}_colliding"] = np.array(colliding)
    arrays["touching_bsb"] = touching_flags()
    particles = install_replacements()
    for case in CASES:
        arrays[f"{case[0]}_spinncer"] = place(*case)[1]
    arrays["touching_spinncer"] = touching_flags()
    arrays["queries_sklearn"], arrays["queries_spinncer"], arrays["queries_asked"] = \
        lattice_queries(particles)
    np.savez(out, **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
