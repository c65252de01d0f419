"""The granular-layer rules of the 2019 scaffold code (spinncer/scaffold/bsb_strategies.py,
table in spinncer/scaffold/ALGORITHMS.md), checked on a real 100 x 100 µm BSB compile of
config/bsb/casali2019_spinncer.json (and of its variant with the 2019 goc_grc truncation,
casali2019_spinncer_truncated.json) against the rules written out here by brute force."""
import json
import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

from spinncer.envs import ensure_env
from spinncer.scaffold.bsb_layout import _expand_identifiers
from spinncer.scaffold.build import COMPILE_SCRIPT
from spinncer.scaffold.order import walk_order

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config" / "bsb" / "casali2019_spinncer.json"
TRUNCATED = REPO / "config" / "bsb" / "casali2019_spinncer_truncated.json"


def compile_raw(config, work):
    """Cells {type: (gids, xyz)} and connections {tag: (pre gids, post gids)} of a raw
    100 x 100 µm compile of `config` (seed 3) in `work`."""
    python = ensure_env("bsb", REPO / "resources" / "envs" / "bsb")
    (work / "pythonpath").mkdir()
    (work / "pythonpath" / "spinncer").symlink_to(REPO / "spinncer")
    out = work / "raw.hdf5"
    done = subprocess.run(
        [str(python), str(COMPILE_SCRIPT), "3", "-c", str(config), "-o", str(out), "compile",
         "-x", "100", "-z", "100"], cwd=work, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(work / "pythonpath")})
    assert done.returncode == 0, done.stderr[-3000:]
    with h5py.File(out, "r") as f:
        cells = {name: (_expand_identifiers(g["identifiers"][()], name), g["positions"][()])
                 for name, g in f["cells/placement"].items() if "positions" in g}
        conns = {tag: (d[()][:, 0].astype(int), d[()][:, 1].astype(int))
                 for tag, d in f["cells/connections"].items()}
    return cells, conns


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    return compile_raw(CONFIG, tmp_path_factory.mktemp("bsb2019"))


@pytest.fixture(scope="module")
def raw_truncated(tmp_path_factory):
    return compile_raw(TRUNCATED, tmp_path_factory.mktemp("bsb2019truncated"))


def rule(name, config=CONFIG):
    return json.loads(config.read_text())["connection_types"][name]


def morphology(cell_type):
    return json.loads(CONFIG.read_text())["cell_types"][cell_type]["morphology"]


def test_each_granule_takes_its_nearest_glomeruli_in_reach(raw):
    cells, conns = raw
    (glom_ids, glom_xyz), (grc_ids, grc_xyz) = cells["glomerulus"], cells["granule_cell"]
    reach, k = morphology("granule_cell")["dendrite_length"], rule("glomerulus_to_granule")[
        "convergence"]
    pre, post = conns["glomerulus_to_granule"]
    got = {g: set() for g in grc_ids}
    for a, b in zip(pre, post):
        got[b].add(a)
    for gid, xyz in zip(grc_ids, grc_xyz):
        d = np.linalg.norm(glom_xyz - xyz, axis=1)
        near = np.argsort(d)[:k]
        assert got[gid] == set(glom_ids[near[d[near] <= reach]])


def test_golgi_axons_take_free_glomeruli_in_their_box_once(raw):
    cells, conns = raw
    (goc_ids, goc_xyz), (glom_ids, glom_xyz) = cells["golgi_cell"], cells["glomerulus"]
    goc, glom = conns["golgi_to_glomerulus"]
    assert len(np.unique(glom)) == len(glom) > 0  # one Golgi cell per glomerulus
    assert np.bincount(goc).max() <= rule("golgi_to_glomerulus")["divergence"]
    m = morphology("golgi_cell")
    reach = np.array([m["axon_x"], m["axon_y"], m["axon_z"]]) / 2 + 1.5  # glomerulus radius
    where = {g: i for i, g in enumerate(goc_ids)}, {g: i for i, g in enumerate(glom_ids)}
    offsets = np.abs(glom_xyz[[where[1][g] for g in glom]] - goc_xyz[[where[0][g] for g in goc]])
    assert (offsets <= reach).all()


def test_golgi_inhibits_each_granule_of_its_glomeruli_once(raw):
    _, conns = raw
    goc, glom = conns["golgi_to_glomerulus"]
    glom_pre, grc_post = conns["glomerulus_to_granule"]
    expected = {(a, c) for a, b in zip(goc, glom) for c in grc_post[glom_pre == b]}
    pairs = list(zip(*conns["golgi_to_granule"]))
    assert len(pairs) == len(set(pairs)) and set(pairs) == expected
    assert len(expected) < sum(np.count_nonzero(glom_pre == b) for b in glom)  # shared granules


def test_truncated_variant_passes_on_each_glomerulus_first_granules_in_file_order(raw_truncated):
    """2019 ``connectome_goc_grc``'s pandas truncation: a glomerulus passes on to its Golgi cell
    only its first n0 granules in the written file's id order (the placement walk)."""
    cells, conns = raw_truncated
    n0 = rule("golgi_to_granule", TRUNCATED)["granules_per_glomerulus"]
    assert rule("golgi_to_glomerulus", TRUNCATED)["divergence"] == 40  # 2019 n_conn_goc
    grc_ids, grc_xyz = cells["granule_cell"]
    by_id = np.argsort(grc_ids)
    file_id = dict(zip(grc_ids[by_id], walk_order(grc_xyz[by_id])))
    glom_pre, grc_post = conns["glomerulus_to_granule"]
    granules = {b: sorted(grc_post[glom_pre == b], key=file_id.get) for b in set(glom_pre)}
    goc, glom = conns["golgi_to_glomerulus"]
    expected = {(a, c) for a, b in zip(goc, glom) for c in granules.get(b, [])[:n0]}
    untruncated = {(a, c) for a, b in zip(goc, glom) for c in granules.get(b, [])}
    pairs = list(zip(*conns["golgi_to_granule"]))
    assert len(pairs) == len(set(pairs)) and set(pairs) == expected
    assert expected < untruncated  # the truncation bites in this volume


def test_granule_to_golgi_axons_once_and_fibres_fill_the_total(raw):
    cells, conns = raw
    (grc_ids, grc_xyz), (goc_ids, goc_xyz) = cells["granule_cell"], cells["golgi_cell"]
    cfg, radius = rule("granule_to_golgi"), morphology("golgi_cell")["dendrite_radius"]
    aa_grc, aa_goc = conns["ascending_axon_to_golgi"]
    pf_grc, pf_goc = conns["parallel_fiber_to_golgi"]
    assert len(np.unique(aa_grc)) == len(aa_grc) > 0  # an ascending axon to one Golgi cell
    assert np.bincount(aa_goc).max() <= cfg["aa_convergence"]
    grc_at, goc_at = dict(zip(grc_ids, grc_xyz)), dict(zip(goc_ids, goc_xyz))
    for g in goc_ids:
        fibres = pf_grc[pf_goc == g]
        assert len(fibres) == cfg["total_convergence"] == len(set(fibres))
        assert set(aa_grc[aa_goc == g]) <= set(fibres)  # as in 2019: axons listed as fibres
        xz = np.array([grc_at[c][[0, 2]] for c in aa_grc[aa_goc == g]]).reshape(-1, 2)
        assert (np.hypot(*(xz - goc_at[g][[0, 2]]).T) <= radius).all()
        assert (np.abs(np.array([grc_at[c][0] for c in fibres]) - goc_at[g][0]) <= radius).all()


def test_interneurons_take_the_fibres_of_one_2019_height_per_granule(raw):
    """pf heights are not stored, so each granule's height is bounded by what its synapses imply:
    every interneuron it reaches puts it within the chord of that cell's (x, height) disc; one
    height per granule means those chords (and the granule's 2019 draw range) overlap, and
    every other interneuron whose chord holds that whole overlap must have the fibre too."""
    cells, conns = raw
    layers = json.loads(CONFIG.read_text())["layers"]
    stack = sorted(layers.values(), key=lambda layer: layer["stack"]["position_in_stack"])
    bottom = sum(layer["thickness"] for layer in stack[:3])  # dcn, granular, purkinje
    top = bottom + layers["molecular_layer"]["thickness"]
    cfg = rule("parallel_fiber_to_interneurons")
    grc_ids, grc_xyz = cells["granule_cell"]
    low = grc_xyz[:, 1] + cfg["height_offset"] - cfg["height_half_range"]
    high = grc_xyz[:, 1] + cfg["height_offset"] + cfg["height_half_range"]
    lo = np.where((high <= top) & (low <= bottom), bottom, low)
    hi = np.where(high <= top, high, top)
    chords = []  # (granule row, interneuron x, y, radius, connected)
    for cell, tag in zip(("basket_cell", "stellate_cell"), cfg["post_tags"]):
        ids, xyz = cells[cell]
        radius = morphology(cell)["dendrite_radius"]
        pre, post = conns[tag]
        linked = set(zip(pre, post))
        assert len(linked) == len(pre) and set(post) == set(ids)  # once, and every cell has pf
        for gid, (x, y) in zip(ids, xyz[:, :2]):
            near = np.flatnonzero(np.abs(grc_xyz[:, 0] - x) <= radius)
            chords += [(i, x, y, radius, (grc_ids[i], gid) in linked) for i in near]
    i, x, y, radius, linked = map(np.array, zip(*chords))
    half = np.sqrt(np.maximum(radius ** 2 - (grc_xyz[i, 0] - x) ** 2, 0))
    floor, ceil = lo.copy(), hi.copy()
    np.maximum.at(floor, i[linked], y[linked] - half[linked])
    np.minimum.at(ceil, i[linked], y[linked] + half[linked])
    assert (floor <= ceil + 1e-6).all()  # one height explains every synapse of a granule
    holds = (y - half <= floor[i] - 1e-6) & (ceil[i] + 1e-6 <= y + half)
    assert linked[holds].all()  # and nothing in reach of that height is missing
    # the heights are spread, not one offset above the soma (BSB 3.10: 150 µm, so every
    # synapse's interneuron would lie within 150 +- radius of its granule)
    rise = y[linked] - grc_xyz[i[linked], 1]
    assert rise.max() - rise.min() > 2 * radius.max() + 60
