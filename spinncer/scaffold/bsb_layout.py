"""Read BSB 3 `compile` output into a :class:`Scaffold`.

BSB 3 layout (measured on BSB 3.10.5): ``cells/placement/<type>/identifiers`` is a flat list of
``[start, count, ...]`` runs of global ids, ``cells/placement/<type>/positions`` is N x 3
(x, y, z in µm, y vertical); ``cells/connections/<tag>`` is M x 2 (pre, post global ids, stored
as floats; a pair may repeat for multiple synapses). Distances are not stored, so they are
computed here from the soma positions.
"""
import numpy as np

from ..errors import InputError
from .model import Connectivity, Scaffold

# BSB cell type name -> population. `mossy_fibers` is an entity without positions: the
# glomeruli (one per fibre terminal) are the input population.
BSB_CELL_TYPES = {
    "golgi_cell": "golgi",
    "glomerulus": "glomerulus",
    "granule_cell": "granule",
    "purkinje_cell": "purkinje",
    "basket_cell": "basket",
    "stellate_cell": "stellate",
    "dcn_cell": "dcn",
}
BSB_ENTITIES = ("mossy_fibers",)

# BSB connection tag -> short name of spinncer.params.CONNECTION_TYPES (None: not simulated).
BSB_CONNECTIONS = {
    "glomerulus_to_granule": "glom_grc",
    "glomerulus_to_golgi": "glom_goc",
    "glomerulus_to_dcn": "glom_dcn",
    "golgi_to_granule": "goc_grc",
    "golgi_to_golgi": "gj_goc",
    "ascending_axon_to_golgi": "aa_goc",
    "parallel_fiber_to_golgi": "pf_goc",
    "ascending_axon_to_purkinje": "aa_pc",
    "parallel_fiber_to_purkinje": "pf_pc",
    "parallel_fiber_to_basket": "pf_bc",
    "parallel_fiber_to_stellate": "pf_sc",
    "basket_to_purkinje": "bc_pc",
    "stellate_to_purkinje": "sc_pc",
    "basket_to_basket": "gj_bc",
    "stellate_to_stellate": "gj_sc",
    "purkinje_to_dcn": "pc_dcn",
    # not simulated: golgi -> glomerulus targets a spike source; mossy fibres are not cells
    "golgi_to_glomerulus": None,
    "mossy_to_glomerulus": None,
    # empty placeholders whose synapses BSB stores under the split tags above
    "granule_to_golgi": None,
    "basket_and_stellate_to_purkinje": None,
    "parallel_fiber_to_interneurons": None,
}


def _expand_identifiers(runs, where):
    runs = np.asarray(runs, dtype=np.int64).ravel()
    if runs.size % 2:
        raise InputError(where, "[start, count] pairs", f"{runs.size} values")
    starts, counts = runs[0::2], runs[1::2]
    return np.concatenate([np.arange(s, s + c) for s, c in zip(starts, counts)]) \
        if runs.size else np.empty(0, np.int64)


def read_bsb3(f, path):
    """Read an open BSB 3 HDF5 file (`f`, an h5py.File) named `path`."""
    placement = f["cells/placement"]
    positions, gid_to_pop = {}, {}
    for bsb_type, group in placement.items():
        if bsb_type in BSB_ENTITIES:
            continue
        where = f"{path}: group 'cells/placement/{bsb_type}'"
        if bsb_type not in BSB_CELL_TYPES:
            raise InputError(where, f"a cell type in {sorted(BSB_CELL_TYPES)}", f"'{bsb_type}'")
        for key in ("identifiers", "positions"):
            if key not in group:
                raise InputError(where, f"dataset '{key}'", "none")
        gids = _expand_identifiers(group["identifiers"][()], where)
        xyz = group["positions"][()]
        if xyz.ndim != 2 or xyz.shape != (len(gids), 3):
            raise InputError(f"{where}/positions", f"shape ({len(gids)}, 3)", f"{xyz.shape}")
        name = BSB_CELL_TYPES[bsb_type]
        positions[name] = xyz.astype(np.float64)
        gid_to_pop[name] = gids
    # global id -> (population, local index) through one lookup table
    n_total = max((g.max() + 1 for g in gid_to_pop.values() if g.size), default=0)
    local = np.full(n_total, -1, np.int64)
    owner = np.full(n_total, -1, np.int64)
    names = list(positions)
    for k, name in enumerate(names):
        local[gid_to_pop[name]] = np.arange(len(gid_to_pop[name]))
        owner[gid_to_pop[name]] = k

    from ..params import CONNECTION_TYPES
    connections = {}
    for tag, data in f.get("cells/connections", {}).items():
        where = f"{path}: dataset 'cells/connections/{tag}'"
        if tag not in BSB_CONNECTIONS:
            raise InputError(where, f"a connection tag in {sorted(BSB_CONNECTIONS)}", f"'{tag}'")
        short = BSB_CONNECTIONS[tag]
        if short is None:
            continue
        table = data[()]
        if table.ndim != 2 or table.shape[1] < 2:
            raise InputError(where, "shape (M, 2)", f"{table.shape}")
        kind = CONNECTION_TYPES[short]
        ends = []
        for col, pop in ((0, kind.pre), (1, kind.post)):
            gids = table[:, col].astype(np.int64)
            if pop not in names:
                raise InputError(where, f"placed cells of '{pop}'", "none")
            ok = (gids >= 0) & (gids < n_total)
            ok[ok] = owner[gids[ok]] == names.index(pop)
            if not ok.all():
                raise InputError(where, f"column {col} ids of '{pop}' cells",
                                 f"{int((~ok).sum())} ids of other or no cells")
            ends.append(local[gids])
        pre, post = ends
        distance = np.linalg.norm(positions[kind.pre][pre] - positions[kind.post][post], axis=1)
        connections[short] = Connectivity(pre, post, distance)
    return Scaffold(positions, connections, source=str(path),
                    attrs={"bsb_version": str(f.attrs.get("version", ""))})
