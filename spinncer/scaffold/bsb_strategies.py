"""Custom BSB 3.10 strategies used by ``config/bsb/casali2019_spinncer.json``.

This module runs inside the BSB environment (BSB 3.10.5, numpy < 2): it imports only bsb, numpy
and the standard library. BSB loads the classes by dotted path, so the folder that holds the
``spinncer`` package must be on ``PYTHONPATH`` when compiling (:mod:`spinncer.scaffold.build`
sets it), e.g. from the repository root::

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
"""
import math

import numpy as np

from bsb.connectivity.strategy import ConnectionStrategy
from bsb.placement import ParticlePlacement
from bsb.placement.strategy import Layered, PlacementStrategy
from bsb.reporting import warn


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
