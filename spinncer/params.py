"""Model parameters of the cerebellum scaffold, each with its source.

Sources
-------
- [Casali2019] Casali S, Marenzana E, Medini C, Casellato C, D'Angelo E (2019). Reconstruction and
  simulation of a scaffold model of the cerebellar network. Front. Neuroinform. 13:37.
- [Bogdan2021] Bogdan PA, Marcinnò B, Casellato C, Casali S, Rowley AGD, Hopkins M, Leporati F,
  D'Angelo E, Rhodes O (2021). Towards a bio-inspired real-time neuromorphic cerebellum.
  Front. Cell. Neurosci. 15:622870.
- [SpiNNCer] the public SpiNNaker port used by [Bogdan2021], `spinncer/utilities/constants.py`
  (CELL_PARAMS, CONNECTIVITY_MAP, POPULATION_ID), whose values follow [Casali2019] Tables 1-2.

Units are PyNN's: ms, mV, nF, nA, µS.
"""
from dataclasses import dataclass

# Cell type ids used in the scaffold HDF5 `positions` column 1 [SpiNNCer POPULATION_ID].
POPULATION_IDS = {
    "golgi": 1,
    "glomerulus": 2,
    "granule": 3,
    "purkinje": 4,
    "basket": 5,
    "stellate": 6,
    "dcn": 7,
}
POPULATION_NAMES = {type_id: name for name, type_id in POPULATION_IDS.items()}

# Order of global ids in the published 400x400 file; also the order our builder writes.
GLOBAL_ID_ORDER = ("golgi", "glomerulus", "granule", "purkinje", "basket", "stellate", "dcn")

# The mossy-fibre input: glomeruli are spike sources, every other population is IF_cond_exp.
INPUT_POPULATION = "glomerulus"
# Display order, input to output along the main pathway.
CELL_POPULATIONS = ("granule", "golgi", "purkinje", "basket", "stellate", "dcn")
ALL_POPULATIONS = (INPUT_POPULATION,) + CELL_POPULATIONS


def in_pathway_order(mapping):
    """Copy of a dict keyed by population name, keys in :data:`ALL_POPULATIONS` order."""
    rank = {name: i for i, name in enumerate(ALL_POPULATIONS)}
    return {key: mapping[key] for key in sorted(mapping, key=lambda k: rank.get(k, len(rank)))}

# Reversal potentials shared by every cell type [SpiNNCer CELL_PARAMS; Casali2019 Table 1].
_E_REV = {"e_rev_E": 0.0, "e_rev_I": -90.0}  # mV

# IF_cond_exp parameters per population [Casali2019 Table 1; SpiNNCer CELL_PARAMS].
# tau_refrac ms, cm nF, v_* mV, tau_m ms, i_offset nA, tau_syn_* ms.
CELL_PARAMS = {
    "golgi": dict(tau_refrac=2.0, cm=0.076, v_thresh=-55.0, v_rest=-65.0, v_reset=-75.0,
                  tau_m=21.0, i_offset=0.0368, tau_syn_E=0.5, tau_syn_I=10.0, **_E_REV),
    "granule": dict(tau_refrac=1.5, cm=0.003, v_thresh=-42.0, v_rest=-74.0, v_reset=-84.0,
                    tau_m=2.0, i_offset=0.0, tau_syn_E=0.5, tau_syn_I=10.0, **_E_REV),
    "purkinje": dict(tau_refrac=0.8, cm=0.62, v_thresh=-47.0, v_rest=-62.0, v_reset=-72.0,
                     tau_m=88.0, i_offset=0.6, tau_syn_E=0.5, tau_syn_I=1.6, **_E_REV),
    "basket": dict(tau_refrac=1.6, cm=0.0146, v_thresh=-53.0, v_rest=-68.0, v_reset=-78.0,
                   tau_m=14.6, i_offset=0.0156, tau_syn_E=0.64, tau_syn_I=2.0, **_E_REV),
    "stellate": dict(tau_refrac=1.6, cm=0.0146, v_thresh=-53.0, v_rest=-68.0, v_reset=-78.0,
                     tau_m=14.6, i_offset=0.0156, tau_syn_E=0.64, tau_syn_I=2.0, **_E_REV),
    "dcn": dict(tau_refrac=3.7, cm=0.089, v_thresh=-48.0, v_rest=-59.0, v_reset=-69.0,
                tau_m=57.0, i_offset=0.0558, tau_syn_E=7.1, tau_syn_I=13.6, **_E_REV),
}


@dataclass(frozen=True)
class ConnectionType:
    """One typed connection: `weight` in µS (negative = inhibitory receptor), `delay` in ms."""

    pre: str
    post: str
    weight: float
    delay: float

    @property
    def receptor(self):
        return "inhibitory" if self.weight < 0 else "excitatory"


# Connection types [SpiNNCer CONNECTIVITY_MAP, from Casali2019 Table 2; the paper's weights are
# in nS, these in µS]. Gap junctions (gj_*) are modelled as inhibitory chemical synapses
# [Bogdan2021 Methods]. pc_dcn is -0.03 nS as in SpiNNCer (a typo fix of the original table).
CONNECTION_TYPES = {
    "aa_goc": ConnectionType("granule", "golgi", 0.02, 2.0),
    "aa_pc": ConnectionType("granule", "purkinje", 0.075, 2.0),
    "bc_pc": ConnectionType("basket", "purkinje", -0.009, 4.0),
    "gj_bc": ConnectionType("basket", "basket", -0.0025, 4.0),
    "gj_goc": ConnectionType("golgi", "golgi", -0.008, 1.0),
    "gj_sc": ConnectionType("stellate", "stellate", -0.002, 1.0),
    "glom_dcn": ConnectionType("glomerulus", "dcn", 0.000006, 4.0),
    "glom_goc": ConnectionType("glomerulus", "golgi", 0.002, 4.0),
    "glom_grc": ConnectionType("glomerulus", "granule", 0.009, 4.0),
    "goc_grc": ConnectionType("golgi", "granule", -0.005, 2.0),
    "pc_dcn": ConnectionType("purkinje", "dcn", -0.00003, 4.0),
    "pf_bc": ConnectionType("granule", "basket", 0.0002, 5.0),
    "pf_goc": ConnectionType("granule", "golgi", 0.0004, 5.0),
    "pf_pc": ConnectionType("granule", "purkinje", 0.00002, 5.0),
    "pf_sc": ConnectionType("granule", "stellate", 0.0002, 5.0),
    "sc_pc": ConnectionType("stellate", "purkinje", -0.0085, 5.0),
}


@dataclass(frozen=True)
class Model:
    """A parameter set of the network: cell parameters per population and connection types.
    Backends build from a Model, never from the module tables directly."""

    name: str
    cell_params: dict
    connection_types: dict


#: Model variants by name; ``spinncer`` (Bogdan 2021 / SpiNNCer constants) is the default.
MODEL_VARIANTS = {"spinncer": Model("spinncer", CELL_PARAMS, CONNECTION_TYPES)}
DEFAULT_MODEL_VARIANT = "spinncer"


def model_variant(name=DEFAULT_MODEL_VARIANT):
    """The :class:`Model` called `name`."""
    from .errors import InputError
    if name not in MODEL_VARIANTS:
        raise InputError("model.variant", f"one of {tuple(MODEL_VARIANTS)}", repr(name))
    return MODEL_VARIANTS[name]


# Present in some scaffold files (golgi -> glomerulus) but not simulated: a spike source has no
# synapses [SpiNNCer cerebellum.py].
IGNORED_CONNECTIONS = ("goc_glom",)

# Paper protocol [Bogdan2021 Methods; SpiNNCer spinncer_argparser defaults].
DEFAULT_TIMESTEP = 0.1  # ms
DEFAULT_STIM_TIMES = (300.0, 50.0, 650.0)  # ms: before, stimulus, after
DEFAULT_F_BASE = 1.0  # Hz, background on every glomerulus
DEFAULT_F_PEAK = 150.0  # Hz, added inside stim_radius during the stimulus
DEFAULT_STIM_RADIUS = 140.0  # µm (SpiNNCer code; the paper text says 70)
# The study's runs record 0.8, but for v3 scaffolds its code stimulated every glomerulus inside
# the radius [SpiNNCer cerebellum.py `__compute_stimulus`]: 1.0 reproduces what was simulated.
DEFAULT_PERCENTAGE_ACTIVE_FIBERS = 1.0

# Counts of the published 400x400 µm scaffold `scaffold_full_dcn_400.0x400.0_v3.hdf5`, the file
# [Bogdan2021] simulated, as printed by SpiNNCer's conversion notebook
# (`spinncer/utilities/assembling_results_npys.ipynb`); ~97k cells and ~4.2M synapses
# [Casali2019; Bogdan2021]. A scaffold standing in for it must match these within a few percent.
PUBLISHED_AREA_UM2 = 400.0 * 400.0
PUBLISHED_CELLS = {
    "granule": 88158, "glomerulus": 7073, "golgi": 219, "purkinje": 69, "basket": 603,
    "stellate": 603, "dcn": 12,
}
PUBLISHED_SYNAPSES = {
    "glom_grc": 352474, "goc_grc": 206092, "glom_goc": 14302, "aa_goc": 79072,
    "pf_goc": 350399, "gj_goc": 7395, "aa_pc": 17256, "pf_pc": 1957902, "sc_pc": 1379,
    "bc_pc": 1379, "pf_sc": 615177, "gj_sc": 2411, "pf_bc": 604489, "gj_bc": 2411,
    "glom_dcn": 1763, "pc_dcn": 314,
}
