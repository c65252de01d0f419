"""BSB 3's particle placement with its radius queries answered by scipy's cKDTree and its
per-pair loops done in plain floats: the same positions to the bit (executed in the BSB
environment, installed by ``bsb_compile.py``).

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
- The KD-tree's radius queries (290,000 neighbourhoods and 63 whole-tree passes at 400 x 400 µm;
  scikit-learn allocates two arrays as long as the tree per call) are answered by
  :class:`RadiusSearch`: scikit-learn's points in scikit-learn's order, the few whose distance
  is within rounding of the radius decided by scikit-learn itself. Packing factors sum the same
  volumes (the same float64 values in the same order), taken from a table made once per particle
  list instead of a list built per query.
- The pairs of a neighbourhood stay a Python loop: it holds one partner and seven neighbours on
  average (half of them no partner at all), too few for arrays to pay.

Checked against BSB 3.10.5 (``bsb/particles.py``) and scikit-learn 1.6.1
(``sklearn/neighbors/_binary_tree.pxi.tp``: ``query_radius``, ``_query_radius_single``);
``tests/test_bsb_particles.py`` runs both on the same seeded particles and compares every
position, the colliding flags where particles touch exactly, and the radius queries where points
lie exactly on the radius.
"""
import math

import numpy as np

NAN = float("nan")


def _divide(a, d):
    """``a / d`` as numpy divides float64 (nan or a signed inf where d == 0, no exception)."""
    if d != 0.0:
        return a / d
    return NAN if a == 0.0 or a != a else math.copysign(math.inf, a)


def _colliding(position, pairs):
    """BSB's ``Neighbourhood.colliding``: is a partner closer to a neighbour than their radii?
    (``distance(p, n) - p.radius - n.radius < 0``, distance ``np.sqrt(np.sum((n - p) ** 2))``)"""
    for i, j, p_radius, n_radius, _, _ in pairs:
        p, n = position[i], position[j]
        d0, d1, d2 = p[0] - n[0], p[1] - n[1], p[2] - n[2]  # squared as n - p: negation is exact
        if math.sqrt(d0 * d0 + d1 * d1 + d2 * d2) - p_radius - n_radius < 0:
            return True
    return False


def _displacements(position, pairs, totals):
    """Add BSB's ``Particle.displace_by`` term of each pair's neighbour to its partner's total,
    pair after pair."""
    for i, j, p_radius, n_radius, p_volume, n_volume in pairs:
        p, n, total = position[i], position[j], totals[i]
        a0, a1, a2 = p[0] - n[0], p[1] - n[1], p[2] - n[2]
        d = math.sqrt(a0 * a0 + a1 * a1 + a2 * a2)
        collision_radius = p_radius + n_radius
        if d != 0.0:
            # get_displacement_force; `** 2` of a numpy scalar is C pow, as Python's float `**`
            square = (d / collision_radius) ** 2
            push = 0.3 / square if square else math.inf
            force = push if push < 0.9 else 0.9  # min(0.9, push)
            u0, u1, u2 = a0 / d, a1 / d, a2 / d
        else:  # the same place: BSB's force 0.9 and numpy's division by zero
            force = 0.9
            u0, u1, u2 = _divide(a0, d), _divide(a1, d), _divide(a2, d)
        inert = force * n_volume / (n_volume + p_volume)
        total[0] = total[0] + u0 * inert * collision_radius
        total[1] = total[1] + u1 * inert * collision_radius
        total[2] = total[2] + u2 * inert * collision_radius


#: Relative width of the band round a query radius (or a collision distance) inside which a
#: point is left to scikit-learn itself: its node bounds round differently from point distances.
DOUBT = 1e-9
#: How much wider (relative) scipy's candidate search is than the query: more than any rounding.
MARGIN = 1e-6


class RadiusSearch:
    """scikit-learn's ``KDTree.query_radius`` answers for the points of one KD-tree, from scipy's
    cKDTree, which allocates nothing as long as the point set per query.

    scikit-learn reports a query's points in the order of its tree's ``idx_array`` (a depth-first
    walk, left child first, over consecutive slices of it), and decides a point by its squared
    distance ``(d0 * d0 + d1 * d1) + d2 * d2 <= r * r`` in a leaf, or, for a whole node, by the
    node's bounding box against ``r``. The candidates here (scipy, ``MARGIN`` wider) are sorted into
    that order and decided by that squared distance. Box and point decisions can only differ for a
    point within rounding of the radius: when a candidate lies within ``DOUBT`` of it, the query is
    asked of scikit-learn's tree instead. So every answer is scikit-learn's, to the bit.
    """

    def __init__(self, tree):
        from scipy.spatial import cKDTree

        data, order = tree.get_arrays()[:2]
        self.tree = tree
        self.points = np.asarray(data)
        self.order = np.asarray(order)
        self.rank = np.empty_like(self.order)
        self.rank[self.order] = np.arange(len(self.order))
        self.grid = cKDTree(self.points)
        self.asked = 0  # queries left to scikit-learn (a point within rounding of the radius)

    def within(self, point, *radii):
        """``tree.query_radius([point], r=radius)[0]`` for each of `radii` (the first the
        largest): one scipy query for all."""
        found = self.grid.query_ball_point(point, radii[0] * (1.0 + MARGIN))
        ids = self.order[np.sort(self.rank[found])]
        step = point - self.points[ids]
        squared = step[:, 0] * step[:, 0] + step[:, 1] * step[:, 1] + step[:, 2] * step[:, 2]
        answers = []
        for radius in radii:
            reach = radius * radius
            if (np.abs(squared - reach) <= DOUBT * reach).any():
                self.asked += 1
                answers.append(self.tree.query_radius([point], r=radius)[0])
            else:
                answers.append(ids[squared <= reach])
        return answers

    def pairs(self, radius):
        """Every pair of tree points closer than (a little more than) `radius`, once (i < j),
        with its squared distance as scikit-learn computes it."""
        first, second = self.grid.query_pairs(radius * (1.0 + MARGIN), output_type="ndarray").T
        step = self.points[first] - self.points[second]
        return first, second, step[:, 0] * step[:, 0] + step[:, 1] * step[:, 1] \
            + step[:, 2] * step[:, 2]


def _search(self):
    """The system's :class:`RadiusSearch`, made again whenever BSB freezes a new tree."""
    search = getattr(self, "_spinncer_search", None)
    if search is None or search.tree is not self.tree:
        search = self._spinncer_search = RadiusSearch(self.tree)
    return search


def resolve_neighbourhood(self, neighbourhood):
    """``ParticleSystem.resolve_neighbourhood``: push the colliding partners apart until the
    neighbourhood has no collision (at most 101 rounds, then BSB's "STUCK")."""
    partners, neighbours = neighbourhood.partners, neighbourhood.neighbours
    if not partners:  # no pair, so no collision (about half the neighbourhoods)
        return
    row = {}  # particle id -> row of `position`; the partners first
    for particle in (*partners, *neighbours):
        row.setdefault(particle.id, (len(row), particle))
    position = [particle.position.tolist() for _, particle in row.values()]
    pairs = [(row[p.id][0], row[n.id][0], p.radius, n.radius, p.volume, n.volume)
             for p in partners for n in neighbours if p.id != n.id]
    rounds, stuck = 0, False
    while _colliding(position, pairs):
        rounds += 1
        totals = [[0.0, 0.0, 0.0] for _ in partners]
        _displacements(position, pairs, totals)
        for k, total in enumerate(totals):
            old = position[k]
            position[k] = [old[0] + total[0], old[1] + total[1], old[2] + total[2]]
        if rounds > 100:
            stuck = True
            print("STUCK")
            break
    for k, p in enumerate(partners):
        p.position = np.array(position[k])
    if not stuck:
        self.colliding_count -= len(partners)
        for partner in partners:
            partner.colliding = False


def find_colliding_particles(self, freeze=False):
    """``ParticleSystem.find_colliding_particles``: flag every particle closer to another than
    their two radii, with the distances scikit-learn's whole-tree radius query gives
    (``sqrt`` of :class:`RadiusSearch`'s squared distances); a pair within rounding of the search
    radius or of its collision distance is left to scikit-learn's query of both its particles."""
    if not hasattr(self, "tree") or freeze:
        self.freeze()
    search = _search(self)
    first, second, squared = search.pairs(self.search_radius)
    radii = np.array(self.radii, dtype=float)
    reach = radii[first] + radii[second]
    distance = np.sqrt(squared)
    listed = self.search_radius * self.search_radius
    doubt = (np.abs(squared - listed) <= DOUBT * listed) \
        | (np.abs(distance - reach) <= DOUBT * reach)
    hit = ~doubt & (squared <= listed) & (distance <= reach)
    colliding = set(np.union1d(first[hit], second[hit]).tolist())
    for i in np.union1d(first[doubt], second[doubt]).tolist():
        ids, distances = self.tree.query_radius(search.points[i:i + 1], r=self.search_radius,
                                                return_distance=True)
        ids, distances = ids[0], distances[0]
        touching = (ids != i) & (distances <= radii[i] + radii[ids])
        if touching.any():
            colliding.add(i)
            colliding.update(ids[touching].tolist())
    for i in colliding:
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
    particles in it, and in it shrunk by the largest radius (the partners), pack below 0.5
    (neighbours and partners as scikit-learn's tree gives them: :class:`RadiusSearch`)."""
    from bsb.particles import Neighbourhood, sphere_volume

    particles, volumes = _tables(self)
    search = _search(self)
    epicenter = particle.position
    radius = self.max_radius * 2
    packed, expansions = True, 0
    while packed:
        expansions += 1
        radius += self.max_radius / min(expansions, 6)
        partner_radius = radius - self.max_radius
        neighbour_ids, partner_ids = search.within(epicenter, radius, partner_radius)
        # ndarray.sum is np.sum's reduction without its Python wrapper: the same sum
        packed = not (volumes[neighbour_ids].sum() / sphere_volume(radius) < 0.5
                      and volumes[partner_ids].sum() / sphere_volume(partner_radius) < 0.5)
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
