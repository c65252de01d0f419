"""Custom BSB 3.10 strategies used by ``config/bsb/casali2019_spinncer.json``.

This module runs inside the BSB environment (BSB 3.10.5, numpy < 2): it imports only bsb, numpy,
scipy, the standard library and :mod:`spinncer.scaffold.order` (the written file's id order).
BSB loads the classes by dotted path, so the folder that holds the ``spinncer`` package must be
on ``PYTHONPATH`` when compiling (:mod:`spinncer.scaffold.build` sets it), e.g. from the
repository root::

    PYTHONPATH=. python spinncer/scaffold/bsb_compile.py 1 \
        -c config/bsb/casali2019_spinncer.json -o out.hdf5 compile -x 400 -z 400

Every random draw goes through numpy's global generator, which ``bsb_compile.py`` seeds, so one
seed gives one scaffold.

Why they exist (BSB 3.10.5's built-in strategies cannot express these rules):

* :class:`PlanarArrayPurkinje` -- ``ParallelArrayPlacement`` derives its count from a lattice
  whose rows are pruned at the volume border, so the number of Purkinje cells jumps with the
  random lattice offset and the volume; and cells whose dendritic tree sticks out of the volume
  lose parallel-fibre and ascending-axon synapses. This strategy places exactly
  ``round(planar_density * X * Z)`` cells, each with its dendritic tree (``extension_x`` wide)
  inside the volume and a ``z`` slot of its own, which is what the published file shows
  (ascending-axon synapses per Purkinje cell = the granules of one full dendritic slab).
* :class:`RoundedRelativeParticles` -- BSB truncates a relative count (``int(n * ratio)``), so a
  ratio that gives 12 DCN cells for 69 Purkinje cells gives none for the 4 Purkinje cells of a
  100 x 100 µm smoke volume. This particle placement rounds instead, with an optional floor.
* :class:`GlomerulusToGolgi` -- BSB's ``ConnectomeGlomerulusGolgi`` takes its radius from the
  Golgi morphology's ``dendrite_radius``, which the granule -> Golgi and Golgi gap-junction rules
  also use; this one has its own ``radius`` so the three rules can be fitted separately.
* :class:`PurkinjeToDCN` -- BSB's ``ConnectomePurkinjeDCN`` gives each Purkinje cell
  ``divergence`` or ``divergence - 1`` random DCN targets by a coin flip per cell, so its mean is
  fixed at divergence - 0.5 and its total carries binomial noise (±1.3% at 69 cells); this one
  takes a fractional mean divergence and spreads it without that noise (same random targets).
* :class:`GlomerulusToDCN` -- BSB's ``ConnectomeMossyDCN`` connects the mossy-fibre *entities*;
  the simulated input population is the glomeruli, so the published file's ``glom_dcn`` is drawn
  here as a per-DCN-cell convergence from the glomeruli (no spatial constraint: the DCN lie
  outside the cortex volume).
* :class:`GlomerulusToGranule2019`, :class:`GolgiToGlomerulus2019`, :class:`GolgiToGranule2019`,
  :class:`GranuleToGolgi2019`, :class:`ParallelFibreToInterneuron2019` -- the algorithms of the
  2019 scaffold code that made the published file, where BSB 3.10's legacy ports differ from them
  (table with both sources: ``spinncer/scaffold/ALGORITHMS.md``).
"""
import math

import numpy as np

from bsb.connectivity.strategy import ConnectionStrategy
from bsb.placement import ParticlePlacement
from bsb.placement.strategy import Layered, PlacementStrategy
from bsb.reporting import warn

from .order import walk_order


def _spread_counts(n, mean):
    """`n` integer counts whose sum is round(n * mean): every cell gets floor(mean), and a random
    round(n * frac(mean)) of them one more (a per-cell mean without the sampling noise of
    independent draws, so that the total follows the rule at every volume)."""
    base = math.floor(mean)
    counts = np.full(n, base, dtype=int)
    extra = int(round(n * (mean - base)))
    counts[np.random.permutation(n)[:extra]] += 1
    return counts


def _random_partners(anchor_ids, pool_ids, mean):
    """Each anchor cell gets `mean` partners (floor or ceil, :func:`_spread_counts`) drawn from
    `pool_ids` uniformly without replacement, capped at the pool size; returns the (anchor id,
    partner id) pairs, one (n, 2) float array."""
    blocks = []
    for anchor, k in zip(anchor_ids, _spread_counts(len(anchor_ids), mean)):
        k = min(k, len(pool_ids))
        chosen = np.sort(np.random.choice(len(pool_ids), k, replace=False))
        block = np.empty((k, 2))
        block[:, 0] = anchor
        block[:, 1] = pool_ids[chosen]
        blocks.append(block)
    return np.concatenate(blocks) if blocks else np.empty((0, 2))


class PlanarArrayPurkinje(Layered, PlacementStrategy):
    """Purkinje cells as a monolayer with a planar density (cells per µm² of the xz plane).

    Config keys: ``planar_density`` (µm^-2), ``extension_x`` (dendritic tree width along x, µm),
    ``extension_z`` (dendritic tree thickness along z, µm), ``soma_radius``; optional
    ``z_spacing_min`` (µm, default ``extension_z + 1``), the smallest z distance between two
    cells of one column, so that neighbouring dendritic slabs do not overlap.

    Cells are arranged in columns along z (as many as needed to keep ``z_spacing_min``), each
    column owning an equal share of the allowed x range; within a column the cells take evenly
    spaced z slots with a uniform jitter that keeps ``z_spacing_min``. The allowed x range keeps
    the whole dendritic tree inside the volume (``extension_x / 2`` from each border), or is the
    centre line when the volume is narrower than the tree. Soma height: uniform in the layer.
    """

    casts = {"extension_x": float, "extension_z": float, "z_spacing_min": float}
    required = ["extension_x", "extension_z"]

    def validate(self):
        super().validate()
        if getattr(self, "planar_density", None) is None:
            raise ValueError(f"{self.name}: 'planar_density' is required")
        if getattr(self, "z_spacing_min", None) is None:
            self.z_spacing_min = self.extension_z + 1.0

    def get_placement_count(self):
        layer = self.layer_instance
        return int(round(self.planar_density * layer.width * layer.depth))

    def place(self):
        layer = self.layer_instance
        n = self.get_placement_count()
        if n == 0:
            warn(f"Volume too small: no {self.cell_type.name} placed.")
            return
        half = min(self.extension_x / 2.0, layer.width / 2.0)
        x_lo, x_hi = half, layer.width - half
        n_columns = max(1, math.ceil(n * self.z_spacing_min / layer.depth))
        per_column = math.ceil(n / n_columns)
        slot = layer.depth / per_column
        jitter = max(0.0, (slot - self.z_spacing_min) / 2.0)
        positions = np.empty((n, 3))
        for i in range(n):
            column, row = i % n_columns, i // n_columns
            lo = x_lo + (x_hi - x_lo) * column / n_columns
            hi = x_lo + (x_hi - x_lo) * (column + 1) / n_columns
            # stagger the columns' slots so that neighbouring columns do not share a z
            z = (row + 0.5 + column / n_columns) * slot
            z = (z + np.random.uniform(-jitter, jitter)) % layer.depth
            positions[i] = (np.random.uniform(lo, hi),
                            np.random.uniform(self.radius, layer.height - self.radius), z)
        positions += layer.origin
        self.scaffold.place_cells(self.cell_type, layer, positions)


class RoundedRelativeParticles(ParticlePlacement):
    """``bsb.placement.ParticlePlacement`` whose relative count is rounded, not truncated.

    Extra config key: ``min_count`` (default 0), the fewest cells placed whenever the related
    cell type has at least one cell.
    """

    casts = {**ParticlePlacement.casts, "min_count": int}
    defaults = {**ParticlePlacement.defaults, "min_count": 0}

    def get_relative_count(self):
        related = self.relation.placement.get_placement_count()
        count = int(round(related * self.placement_count_ratio))
        return max(count, self.min_count) if related > 0 else 0


class GlomerulusToDCN(ConnectionStrategy):
    """Each DCN cell receives ``convergence`` glomeruli, drawn uniformly without replacement.

    ``convergence`` may be fractional: each DCN cell then gets floor or ceil of it, so that the
    total is round(n_dcn * convergence). It is capped at the number of glomeruli.
    """

    casts = {"convergence": float}
    required = ["convergence"]

    def validate(self):
        if self.convergence < 0:
            raise ValueError(f"{self.name}: convergence must be >= 0")

    def connect(self):
        glomeruli = self.from_cells[self.from_cell_types[0].name]
        dcn_cells = self.to_cells[self.to_cell_types[0].name]
        pairs = _random_partners(dcn_cells[:, 0], glomeruli[:, 0], self.convergence)
        self.scaffold.connect_cells(self, np.ascontiguousarray(pairs[:, ::-1]))  # (pre, post)


class GlomerulusToGolgi(ConnectionStrategy):
    """Every glomerulus within ``radius`` µm of a Golgi soma and not above it contacts that cell.

    The geometric rule of Casali et al. 2019 (glomeruli in reach of the Golgi basolateral
    dendrites, which run down from the soma); deterministic. Config key: ``radius`` (µm; default
    the Golgi morphology's ``dendrite_radius``).
    """

    casts = {"radius": float}

    def validate(self):
        pass

    def connect(self):
        glomeruli = self.from_cells[self.from_cell_types[0].name]
        golgis = self.to_cells[self.to_cell_types[0].name]
        radius = getattr(self, "radius", None)
        if radius is None:
            radius = float(self.to_cell_types[0].morphology.dendrite_radius)
        xyz = glomeruli[:, 2:5]
        blocks = []
        for golgi in golgis:
            near = (((xyz - golgi[2:5]) ** 2).sum(axis=1) <= radius ** 2) & (xyz[:, 1] <= golgi[3])
            block = np.empty((np.count_nonzero(near), 2))
            block[:, 0] = glomeruli[near, 0]
            block[:, 1] = golgi[0]
            blocks.append(block)
        matrix = np.concatenate(blocks) if blocks else np.empty((0, 2))
        self.scaffold.connect_cells(self, matrix)


class PurkinjeToDCN(ConnectionStrategy):
    """Each Purkinje cell inhibits ``divergence`` DCN cells drawn uniformly without replacement.

    ``divergence`` may be fractional (floor or ceil per cell, total round(n_pc * divergence));
    capped at the number of DCN cells. As in BSB's ``ConnectomePurkinjeDCN`` the targets are
    random (that strategy computes distances to random DCN dendritic planes but does not use them).
    """

    casts = {"divergence": float}
    required = ["divergence"]

    def validate(self):
        if self.divergence < 0:
            raise ValueError(f"{self.name}: divergence must be >= 0")

    def connect(self):
        purkinjes = self.from_cells[self.from_cell_types[0].name]
        dcn_cells = self.to_cells[self.to_cell_types[0].name]
        matrix = (_random_partners(purkinjes[:, 0], dcn_cells[:, 0], self.divergence)
                  if len(dcn_cells) else np.empty((0, 2)))
        self.scaffold.connect_cells(self, matrix)


# --- The algorithms of the 2019 scaffold code that made the published file -----------------------
# The published ``scaffold_full_dcn_400.0x400.0_v3.hdf5`` was written by the script scaffold of
# Casali et al. 2019 (``network_architecture.py``, ``scaffold_functions.py``,
# ``scaffold_params.py``; dbbs-lab/bsb-core history, commit 18ff9db4, 2019-07-08): its file name
# pattern ('{}_{}x{}_v3.hdf5'), its dataset names (glom_grc, goc_grc, ...) and its pf_goc count
# (219 x 1600 - 1: that code's tot_conn, less the row its ``[1:-1]`` trimming drops) are that
# code's. The classes below do what its functions did; where BSB 3.10's legacy ports changed an
# algorithm, the docstring says how. Side-by-side table: spinncer/scaffold/ALGORITHMS.md.


class GlomerulusToGranule2019(ConnectionStrategy):
    """Each granule cell takes its ``convergence`` nearest glomeruli within the granule
    morphology's ``dendrite_length`` (all of them when fewer are in reach); deterministic.

    2019: ``scaffold_functions.connectome_glom_grc``. BSB 3.10's ``ConnectomeGlomerulusGranule``
    first keeps one glomerulus per mossy fibre (a random one) and takes the nearest of those.
    """

    casts = {"convergence": int}
    required = ["convergence"]

    def validate(self):
        if self.convergence < 1:
            raise ValueError(f"{self.name}: convergence must be >= 1")

    def connect(self):
        from scipy.spatial import cKDTree

        glomeruli = self.from_cells[self.from_cell_types[0].name]
        granules = self.to_cells[self.to_cell_types[0].name]
        reach = float(self.to_cell_types[0].morphology.dendrite_length)
        if not len(glomeruli) or not len(granules):
            return
        k = min(self.convergence, len(glomeruli))
        distance, nearest = cKDTree(glomeruli[:, 2:5]).query(
            granules[:, 2:5], k=k, distance_upper_bound=np.nextafter(reach, np.inf))
        distance = distance.reshape(len(granules), k)
        nearest = nearest.reshape(len(granules), k)
        found = np.isfinite(distance)
        post = np.broadcast_to(granules[:, :1], found.shape)[found]
        self.scaffold.connect_cells(self, np.column_stack([glomeruli[nearest[found], 0], post]))


def _first_accepted(candidates, distance, scale, limit):
    """The 2019 code's acceptance loop over shuffled `candidates`: the i-th candidate is taken
    when a uniform draw exceeds the i-th *smallest* of the candidates' `distance` / `scale` (the
    code sorts the thresholds apart from the shuffled candidates, so a candidate's chance depends
    on its rank in the shuffle, not on its own distance), until `limit` are taken."""
    thresholds = np.sort(distance) / scale
    taken = candidates[np.random.random_sample(len(candidates)) > thresholds]
    return taken[:limit]


class GolgiToGlomerulus2019(ConnectionStrategy):
    """Golgi axons to glomeruli, each glomerulus to at most one Golgi cell.

    Golgi cells in random order; the candidates of one are the still free glomeruli whose soma
    (radius included) touches the axon box ``axon_x`` x ``axon_y`` x ``axon_z`` (Golgi morphology)
    centred on the Golgi soma; they are visited in random order and taken as
    :func:`_first_accepted` says, with distances in the x-y (vertical) plane over
    ``distance_scale`` (µm; 2019: 150), up to ``divergence`` (2019 ``n_conn_goc``: 40).

    2019: ``scaffold_functions.connectome_goc_glom``. BSB 3.10's ``ConnectomeGolgiGlomerulus``
    sorts the candidates by distance with their own thresholds, so it takes the nearest first.
    """

    casts = {"divergence": int, "distance_scale": float}
    defaults = {"distance_scale": 150.0}
    required = ["divergence"]

    def validate(self):
        if self.divergence < 0:
            raise ValueError(f"{self.name}: divergence must be >= 0")

    def connect(self):
        golgi_type = self.from_cell_types[0]
        golgis = self.from_cells[golgi_type.name]
        glomeruli = self.to_cells[self.to_cell_types[0].name]
        morphology = golgi_type.morphology
        reach = np.array([morphology.axon_x, morphology.axon_y, morphology.axon_z]) / 2.0 \
            + float(self.to_cell_types[0].placement.radius)
        xyz = glomeruli[:, 2:5]
        free = np.ones(len(glomeruli), dtype=bool)
        blocks = []
        for golgi in np.random.permutation(golgis):
            inside = free & np.all(np.abs(xyz - golgi[2:5]) <= reach, axis=1)
            candidates = np.random.permutation(np.flatnonzero(inside))
            planar = np.hypot(xyz[candidates, 0] - golgi[2], xyz[candidates, 1] - golgi[3])
            taken = _first_accepted(candidates, planar, self.distance_scale, self.divergence)
            free[taken] = False
            blocks.append(np.column_stack([np.full(len(taken), golgi[0]), glomeruli[taken, 0]]))
        self.scaffold.connect_cells(self, np.concatenate(blocks) if blocks else np.empty((0, 2)))


class GolgiToGranule2019(ConnectionStrategy):
    """Each Golgi cell inhibits every granule cell that one of its glomeruli excites, once.

    2019: ``scaffold_functions.connectome_goc_grc`` (``np.unique`` of the granules reached through
    the Golgi cell's glomeruli). BSB 3.10's ``ConnectomeGolgiGranule`` keeps one synapse per path,
    so a granule reached through two glomeruli of one Golgi cell gets two synapses from it.
    Config key ``after`` must list the two connections it reads (tags ``glomerulus_to_granule``
    and ``golgi_to_glomerulus``).

    ``granules_per_glomerulus`` (optional, default none: every granule): the 2019 code's
    truncation. ``connectome_goc_grc`` l. 394-397 (``scaffold_functions.py@18ff9db4``) stores
    each glomerulus's granules as a column ``glom_grc_df[key] = pd.Series(...)`` of a DataFrame
    whose index the first column (the lowest-id glomerulus) set, so pandas' alignment keeps only
    the first *n0* granules of every glomerulus, *n0* = that glomerulus's granule count. With it
    set, a glomerulus passes on only its first ``granules_per_glomerulus`` granules in the id
    order the written file gives them (the placement walk, :func:`spinncer.scaffold.order.
    walk_order`, as in the published file), in goc_grc only (glom_grc keeps them all). *n0* is
    one glomerulus's count in a file we cannot rebuild, so it is a fitted value
    (``config/bsb/casali2019_spinncer_truncated.json``).
    """

    casts = {"granules_per_glomerulus": int}
    defaults = {"granules_per_glomerulus": None}

    def validate(self):
        if self.granules_per_glomerulus is not None and self.granules_per_glomerulus < 1:
            raise ValueError(f"{self.name}: granules_per_glomerulus must be >= 1 (or absent)")

    def connect(self):
        glom_grc = self.scaffold.cell_connections_by_tag["glomerulus_to_granule"]
        goc_glom = self.scaffold.cell_connections_by_tag["golgi_to_glomerulus"]
        if self.granules_per_glomerulus is not None:
            glom_grc = self._first_granules(glom_grc, self.granules_per_glomerulus)
        order = np.argsort(glom_grc[:, 0], kind="stable")
        by_glom = glom_grc[order]
        first = np.searchsorted(by_glom[:, 0], goc_glom[:, 1], side="left")
        stop = np.searchsorted(by_glom[:, 0], goc_glom[:, 1], side="right")
        counts = stop - first
        rows = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        pairs = np.column_stack([np.repeat(goc_glom[:, 0], counts), by_glom[rows, 1]])
        self.scaffold.connect_cells(self, np.unique(pairs, axis=0))

    def _first_granules(self, glom_grc, n0):
        """The rows of `glom_grc` (glomerulus, granule) whose granule is among its glomerulus's
        first `n0` in the written file's id order (the placement walk)."""
        granules = self.to_cells[self.to_cell_types[0].name]
        granules = granules[np.argsort(granules[:, 0], kind="stable")]
        walk_rank = walk_order(granules[:, 2:5])
        rank = walk_rank[np.searchsorted(granules[:, 0], glom_grc[:, 1])]
        order = np.lexsort((rank, glom_grc[:, 0]))
        glom = glom_grc[order, 0]
        starts = np.flatnonzero(np.r_[True, glom[1:] != glom[:-1]])
        position = np.arange(len(glom)) - np.repeat(starts, np.diff(np.r_[starts, len(glom)]))
        return glom_grc[order[position < n0]]


class GranuleToGolgi2019(ConnectionStrategy):
    """Ascending axons and parallel fibres to Golgi cells, ``total_convergence`` per Golgi cell.

    Golgi cells in random order. Ascending axons: the granules within the Golgi
    ``dendrite_radius`` in the x-z plane not yet taken by another Golgi cell, visited in random
    order and taken as :func:`_first_accepted` says (distance over the radius), up to
    ``aa_convergence`` (2019 ``n_connAA``: 400). Parallel fibres: ``total_convergence`` minus the
    axons taken (2019 ``tot_conn``: 1600), drawn without replacement from the granules within the
    radius along x, less this cell's ascending axons. As in 2019 the parallel-fibre set lists the
    cell's ascending-axon granules too, so it has ``total_convergence`` rows per Golgi cell.

    2019: ``scaffold_functions.connectome_grc_goc``. BSB 3.10's ``ConnectomeGranuleGolgi`` visits
    the axons nearest first with their own thresholds, and its parallel-fibre set leaves the
    ascending-axon granules out.
    """

    casts = {"aa_convergence": int, "total_convergence": int}
    required = ["aa_convergence", "total_convergence"]
    defaults = {"tag_aa": "ascending_axon_to_golgi", "tag_pf": "parallel_fiber_to_golgi"}

    def validate(self):
        if not 0 <= self.aa_convergence <= self.total_convergence:
            raise ValueError(f"{self.name}: need 0 <= aa_convergence <= total_convergence")

    def connect(self):
        granules = self.from_cells[self.from_cell_types[0].name]
        golgi_type = self.to_cell_types[0]
        golgis = self.to_cells[golgi_type.name]
        radius = float(golgi_type.morphology.dendrite_radius)
        x, z = granules[:, 2], granules[:, 4]
        free = np.ones(len(granules), dtype=bool)
        aa_blocks, pf_blocks = [], []
        for golgi in np.random.permutation(golgis):
            planar = np.hypot(x - golgi[2], z - golgi[4])
            candidates = np.random.permutation(np.flatnonzero(free & (planar <= radius)))
            axons = _first_accepted(candidates, planar[candidates], radius, self.aa_convergence)
            free[axons] = False
            band = np.setdiff1d(np.flatnonzero(np.abs(x - golgi[2]) <= radius), axons)
            n_pf = min(self.total_convergence - len(axons), len(band))
            fibres = np.concatenate([axons, np.random.choice(band, n_pf, replace=False)])
            aa_blocks.append(np.column_stack([granules[axons, 0], np.full(len(axons), golgi[0])]))
            pf_blocks.append(np.column_stack([granules[fibres, 0],
                                              np.full(len(fibres), golgi[0])]))
        empty = np.empty((0, 2))
        self.scaffold.connect_cells(self, np.concatenate(aa_blocks) if aa_blocks else empty,
                                    self.tag_aa)
        self.scaffold.connect_cells(self, np.concatenate(pf_blocks) if pf_blocks else empty,
                                    self.tag_pf)


def _parallel_fibre_heights_2019(granule_y, bottom, top, offset, half_range, step):
    """One parallel-fibre height per granule, as ``network_architecture.py@18ff9db4`` l. 183-235
    drew it: uniform on the grid ``np.arange(low, high, step)`` (l. 194, 203, 213) with
    low/high = granule height + `offset` -/+ `half_range` (l. 190-191); when the range pokes out
    of the molecular layer [`bottom`, `top`] it is cut at the layer's edge and drawn within the
    rest (l. 200-215: a denser draw, not a clip); heights still outside go to 1 µm inside the
    layer (l. 223-229)."""
    low = granule_y + offset - half_range
    high = granule_y + offset + half_range
    start = np.where((high <= top) & (low <= bottom), bottom, low)  # l. 200-205
    stop = np.where(high <= top, high, top)                         # l. 210-215
    steps = np.ceil((stop - start) / step).astype(np.int64)        # len(np.arange(...))
    if len(steps) and steps.min() < 1:
        raise ValueError(f"a parallel fibre's height range [{low[steps < 1][0]:.1f}, "
                         f"{high[steps < 1][0]:.1f}] µm misses the molecular layer "
                         f"[{bottom:.1f}, {top:.1f}] µm")
    heights = start + step * np.random.randint(0, steps)            # np.random.choice(h_range)
    heights[heights < bottom] = bottom + 1.0                        # l. 224-225
    heights[heights >= top] = top - 1.0                             # l. 228-229
    return heights


class ParallelFibreToInterneuron2019(ConnectionStrategy):
    """Parallel fibres to basket and stellate cells, with one pf height per granule.

    Each granule's parallel fibre gets a height drawn by :func:`_parallel_fibre_heights_2019`
    (2019: ``network_architecture.py@18ff9db4`` l. 183-235; config keys ``height_offset``,
    ``height_half_range``, ``height_step``, ``layer``: the molecular layer); an interneuron takes
    every fibre within its morphology's ``dendrite_radius`` (2019 ``r_sb`` 15 µm,
    ``scaffold_params.py@18ff9db4`` l. 115) in the (x, height) plane -- fibres run along z
    through the whole volume. One height draw serves all ``to_cell_types``, as in 2019 (one
    ``h_pf`` for ``connectome_pf_bc`` and ``connectome_pf_sc``, ``scaffold_functions.py@18ff9db4``
    l. 539-579); their synapses go under ``post_tags`` (one per to-cell type, in order).

    BSB 3.10's ``ConnectomePFInterneuron`` puts every fibre 150 µm above its granule
    (``pf_interneuron.py`` l. 22), so the fibres fill 750-900 µm whatever the layer.
    """

    casts = {"height_offset": float, "height_half_range": float, "height_step": float}
    # 2019: h_m 151 (scaffold_params.py l. 111) + 30 (network_architecture.py l. 190-191); sd 66
    # (scaffold_params.py l. 112; named a standard deviation, used as a half-width); 0.01 µm grid
    # (network_architecture.py l. 194)
    defaults = {"height_offset": 181.0, "height_half_range": 66.0, "height_step": 0.01,
                "layer": "molecular_layer"}
    required = ["post_tags"]

    def validate(self):
        if len(self.post_tags) != len(self.to_cell_types):
            raise ValueError(f"{self.name}: 'post_tags' needs one tag per to_cell_types entry "
                             f"({len(self.to_cell_types)}), found {len(self.post_tags)}")
        if self.height_half_range < 0 or self.height_step <= 0:
            raise ValueError(f"{self.name}: need height_half_range >= 0 and height_step > 0")

    def connect(self):
        from scipy.spatial import cKDTree

        granules = self.from_cells[self.from_cell_types[0].name]
        layer = self.scaffold.configuration.layers[self.layer]
        bottom = float(layer.origin[1])
        heights = _parallel_fibre_heights_2019(
            granules[:, 3], bottom, bottom + float(layer.height), self.height_offset,
            self.height_half_range, self.height_step)
        fibres = cKDTree(np.column_stack([granules[:, 2], heights]))
        for cell_type, tag in zip(self.to_cell_types, self.post_tags):
            cells = self.to_cells[cell_type.name]
            radius = float(cell_type.morphology.dendrite_radius)
            found = fibres.query_ball_point(cells[:, 2:4], radius, return_sorted=True) \
                if len(cells) else []
            counts = np.array([len(f) for f in found], dtype=np.int64)
            rows = np.concatenate(found).astype(np.int64) if counts.sum() else \
                np.empty(0, np.int64)
            self.scaffold.connect_cells(
                self, np.column_stack([granules[rows, 0], np.repeat(cells[:, 0], counts)]), tag)
