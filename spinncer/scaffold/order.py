"""Cell ids in a spatially coherent placement order, as in the published v3 scaffold.

Casali et al.'s placement (the scaffold the study simulated, ``scaffold_full_dcn_400.0x400.0_v3``)
numbered cells in the order it placed them, walking through the volume, so nearby ids are
nearby cells: in the study's own stimulus file (``400x400_stimulus_3.npz``) a glomerulus whose
predecessor id is stimulated is itself stimulated with probability 0.89 (0.40 for ids in random
spatial order). BSB 3.10 numbers particles in random spatial order. :func:`walk_order`
renumbers every population along a boustrophedon walk: horizontal sublayers along y (bottom
up), strips along z inside a sublayer (back and forth), x inside a strip (back and forth), so
that consecutive ids are neighbours and the walk never jumps across the volume. The exact walk
of the v3 builder is not recoverable without its file; the strip width is the one parameter,
chosen so that the built 400 x 400 µm scaffold shows the published locality
(``benchmarks/id_locality.py``).
"""
import numpy as np

#: Width (µm) of a strip along z, and thickness of a sublayer along y, of the placement walk:
#: fitted to the published glomerulus-id locality (0.89) by benchmarks/id_locality.py.
WALK_STRIP_UM = 20.0
WALK_SUBLAYER_UM = 1000.0


def walk_order(positions, strip_um=WALK_STRIP_UM, sublayer_um=WALK_SUBLAYER_UM):
    """``new_id`` (``new_id[old]`` = position along the walk) for cells at `positions` (n x 3,
    x, y vertical, z in µm)."""
    pos = np.asarray(positions, float).reshape(-1, 3)
    if len(pos) == 0:
        return np.zeros(0, np.int64)
    x, y, z = pos[:, 0], pos[:, 1], pos[:, 2]
    sub = np.floor((y - y.min()) / sublayer_um).astype(np.int64)
    strip = np.floor((z - z.min()) / strip_um).astype(np.int64)
    strip_key = np.where(sub % 2 == 0, strip, -strip)
    x_key = np.where(strip % 2 == 0, x, -x)
    order = np.lexsort((np.arange(len(pos)), x_key, strip_key, sub))
    new_id = np.empty(len(pos), np.int64)
    new_id[order] = np.arange(len(pos))
    return new_id


def walk_order_all(scaffold, **kwargs):
    """{population: new_id} along the walk for every population of `scaffold`."""
    return {pop: walk_order(pos, **kwargs) for pop, pos in scaffold.positions.items()}


def successor_locality(flags):
    """P(flag[i] | flag[i-1]) over consecutive ids, and its value for a random order (the mean):
    the locality measure of the published file's glomerulus ids."""
    flags = np.asarray(flags, bool)
    if flags[:-1].sum() == 0:
        return float("nan"), float(flags.mean()) if len(flags) else float("nan")
    return float(flags[1:][flags[:-1]].mean()), float(flags.mean())
