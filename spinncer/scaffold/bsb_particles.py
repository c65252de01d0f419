"""BSB 3's particle placement with its per-pair loops done in plain floats and numpy: the same
positions to the bit (executed in the BSB environment, installed by ``bsb_compile.py``).

``bsb.particles.ParticleSystem.solve_collisions`` was 137 of the 148 s of a 200 x 200 µm build
(cProfile, 2026-11-25): about 3.1M calls of ``distance`` and 1.1M of ``Particle.displace_by``
on 3-vectors, each a handful of numpy calls on arrays of three numbers. The replacements below
do the same IEEE operations in the same order on Python floats, so every position is
unchanged:

- numpy adds three numbers left to right (``np.sum(a) == (a0 + a1) + a2``), and an array squared
  is ``x * x``, but a numpy scalar squared is C ``pow(x, 2)``, which rounds differently from
  ``x * x`` for about 1 in 1,000 numbers: each is kept where BSB has it.
- ``Neighbourhood.get_overlap`` is dropped: BSB assigns its result and never reads it, and it
  has no side effects.
- The tree queries are BSB's own (scikit-learn's KD-tree), so neighbours keep their order;
  packing factors sum the same volumes (``np.sum`` of the same float64 values), taken from a
  table made once per particle list instead of a list built per query.

Checked against BSB 3.10.5 (``bsb/particles.py``); ``tests/test_bsb_particles.py`` runs both on
the same seeded particles and compares every position.
"""
import math

import numpy as np

NAN = float("nan")


def _divide(a, d):
    """``a / d`` as numpy divides float64 (nan or a signed inf where d == 0, no exception)."""
    if d != 0.0:
        return a / d
    return NAN if a == 0.0 or a != a else math.copysign(math.inf, a)


def _distance(p, q):
    """BSB's ``distance(p, q)``: ``np.sqrt(np.sum((q - p) ** 2))`` on 3-vectors."""
    d0, d1, d2 = q[0] - p[0], q[1] - p[1], q[2] - p[2]
    return math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)


def _displacement(p, n, p_radius, n_radius, p_volume, n_volume, total):
    """Add BSB's ``Particle.displace_by`` term of neighbour n to partner p's ``total``."""
    a0, a1, a2 = p[0] - n[0], p[1] - n[1], p[2] - n[2]
    d = math.sqrt(a0 * a0 + a1 * a1 + a2 * a2)
    collision_radius = p_radius + n_radius
    # get_displacement_force; `** 2` of a numpy scalar is C pow, as Python's float `**`
    square = (d / collision_radius) ** 2
    force = 0.9 if d == 0.0 else min(0.9, 0.3 / square if square else math.inf)
    inert = force * n_volume / (n_volume + p_volume)
    total[0] = total[0] + _divide(a0, d) * inert * collision_radius
    total[1] = total[1] + _divide(a1, d) * inert * collision_radius
    total[2] = total[2] + _divide(a2, d) * inert * collision_radius


def resolve_neighbourhood(self, neighbourhood):
    """``ParticleSystem.resolve_neighbourhood``: push the colliding partners apart until the
    neighbourhood has no collision (at most 101 rounds, then BSB's "STUCK")."""
    partners, neighbours = neighbourhood.partners, neighbourhood.neighbours
    position = {p.id: p.position.tolist() for p in (*partners, *neighbours)}
    pairs = [(p.id, n.id, p.radius, n.radius, p.volume, n.volume)
             for p in partners for n in neighbours if p.id != n.id]
    rounds, stuck = 0, False
    while any(_distance(position[p], position[n]) - rp - rn < 0
              for p, n, rp, rn, _, _ in pairs):
        rounds += 1
        totals = {p.id: [0.0, 0.0, 0.0] for p in partners}
        for p, n, rp, rn, vp, vn in pairs:
            _displacement(position[p], position[n], rp, rn, vp, vn, totals[p])
        for p in partners:
            old, total = position[p.id], totals[p.id]
            position[p.id] = [old[0] + total[0], old[1] + total[1], old[2] + total[2]]
        if rounds > 100:
            stuck = True
            print("STUCK")
            break
    for p in partners:
        p.position = np.array(position[p.id])
    if not stuck:
        self.colliding_count -= len(partners)
        for partner in partners:
            partner.colliding = False


def find_colliding_particles(self, freeze=False):
    """``ParticleSystem.find_colliding_particles``: flag every particle closer to another than
    their two radii (one radius query of the whole tree, then array operations)."""
    if not hasattr(self, "tree") or freeze:
        self.freeze()
    ids, distances = self.tree.query_radius(self._ParticleSystem__frozen_positions,
                                            r=self.search_radius, return_distance=True)
    if len(ids):
        owner = np.repeat(np.arange(len(ids)), [len(i) for i in ids])
        ids, distances = np.concatenate(ids), np.concatenate(distances)
        radii = np.array(self.radii)
        hit = (ids != owner) & (distances <= radii[owner] + radii[ids])
        for i in np.union1d(owner[hit], ids[hit]).tolist():
            self.particles[i].colliding = True
    self.colliding_particles = [p for p in self.particles if p.colliding]
    self.colliding_count = len(self.colliding_particles)
    return self.colliding_particles


def _tables(self):
    """The particles as an object array and their volumes (rebuilt if the list changed)."""
    table = getattr(self, "_spinncer_tables", None)
    if table is None or len(table[0]) != len(self.particles):
        particles = np.empty(len(self.particles), dtype=object)
        particles[:] = self.particles
        table = particles, np.array([p.volume for p in self.particles])
        self._spinncer_tables = table
    return table


def find_neighbourhood(self, particle):
    """``ParticleSystem.find_neighbourhood``: grow a sphere around the particle until the
    particles in it, and in it shrunk by the largest radius (the partners), pack below 0.5."""
    from bsb.particles import Neighbourhood, sphere_volume

    particles, volumes = _tables(self)
    epicenter = [particle.position]
    radius = self.max_radius * 2
    packed, expansions = True, 0
    while packed:
        expansions += 1
        radius += self.max_radius / min(expansions, 6)
        neighbour_ids = self.tree.query_radius(epicenter, r=radius)[0]
        partner_radius = radius - self.max_radius
        partner_ids = self.tree.query_radius(epicenter, r=partner_radius)[0]
        packed = not (np.sum(volumes[neighbour_ids]) / sphere_volume(radius) < 0.5
                      and np.sum(volumes[partner_ids]) / sphere_volume(partner_radius) < 0.5)
        if expansions > 100:
            print("ERROR! Unable to find suited neighbourhood around", particle.position)
            exit()
    partners = [p for p in particles[partner_ids].tolist() if not p.locked and p.colliding]
    return Neighbourhood(particle.position, particles[neighbour_ids].tolist(), radius, partners,
                         partner_radius)


def install():
    """Put the replacements into BSB's ``ParticleSystem`` (before ``compile``)."""
    from bsb.particles import ParticleSystem

    ParticleSystem.find_neighbourhood = find_neighbourhood
    ParticleSystem.resolve_neighbourhood = resolve_neighbourhood
    ParticleSystem.find_colliding_particles = find_colliding_particles
