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
    """A parameter set of the network: cell parameters per population, connection types and the
    membrane potential every cell starts from. Backends build from a Model, never from the module
    tables directly. A connection type the model lacks is not simulated even when the scaffold
    has it (``casali2019`` omits gj_goc and glom_dcn)."""

    name: str
    cell_params: dict
    connection_types: dict
    #: v at t = 0 (mV), one value for every cell; None = each population's v_rest
    initial_v: float | None = None
    #: integration step (ms) of the model's own reference runs; runs use the configured one
    resolution: float = 0.1

    def v_init(self, population):
        """Membrane potential (mV) the cells of `population` start from."""
        if self.initial_v is None:
            return self.cell_params[population]["v_rest"]
        return float(self.initial_v)


# ---- Variant ``casali2019``: the model author's own NEST script --------------------------------
# Source [CasaliNEST]: `nest_microrcircuit.py` of
# github.com/stefanocasali984/scaffold_model_cerebellum (commit 18ff9db, 2019-07-08, "structure
# file and NEST"); l. = line in that file. NEST units there (pF, nS, pA) are converted to
# PyNN's: tau_m = C_m / g_L. The script sets no reversal
# potentials and no V_m, so NEST's iaf_cond_exp defaults hold: E_ex 0 mV, E_in -85 mV,
# V_m -70 mV (NEST 2.x and 3.x model documentation; `nest.GetDefaults('iaf_cond_exp')`).
# The SpiNNCer gold-standard run (shared data gold_standard_results_400_casali_nest.npz) was made
# with this script by its author.
#
# | value                        | casali2019          | spinncer       | source (CasaliNEST) |
# |------------------------------|---------------------|----------------|---------------------|
# | golgi tau_m                  | 76/3.6 = 21.11 ms   | 21.0           | l. 89, 92           |
# | golgi i_offset               | 36.75 pA            | 36.8 pA        | l. 94               |
# | purkinje tau_m               | 620/7.0 = 88.57 ms  | 88.0           | l. 111, 114         |
# | purkinje i_offset            | 700 pA              | 600 pA         | l. 116              |
# | basket / stellate tau_refrac | 1.59 ms             | 1.6            | l. 122              |
# | dcn tau_m                    | 89/1.56 = 57.05 ms  | 57.0           | l. 134, 137         |
# | dcn i_offset                 | 55.75 pA            | 55.8 pA        | l. 139              |
# | e_rev_I (all)                | -85 mV (NEST dflt)  | -90            | not set in script   |
# | initial V_m (all)            | -70 mV (NEST dflt)  | v_rest         | not set in script   |
# | resolution                   | 0.01 ms             | 0.1            | l. 31 `resolution`  |
# | aa_pc delay                  | 0.9 ms              | 2.0            | l. 174              |
# | pf_goc weight                | 0.2 nS              | 0.4            | l. 187              |
# | pf_pc weight                 | 0.2 nS              | 0.02           | l. 193              |
# | bc_pc weight, delay          | -10 nS, 0.5 ms      | -9, 4.0        | l. 228              |
# | gj_bc weight                 | -9 nS               | -2.5           | l. 235              |
# | gj_goc, glom_dcn             | not connected       | -8 nS, 0.006   | l. 43-65, 167-257   |
# Every other value equals the spinncer variant (same lines of the script: cells l. 86-141,
# connections l. 168-256).
_CASALI_E_REV = {"e_rev_E": 0.0, "e_rev_I": -85.0}  # mV, NEST iaf_cond_exp defaults
_CASALI_INTERNEURON = dict(tau_refrac=1.59, cm=0.0146, v_thresh=-53.0, v_rest=-68.0,
                           v_reset=-78.0, tau_m=14.6 / 1.0, i_offset=0.0156, tau_syn_E=0.64,
                           tau_syn_I=2.0, **_CASALI_E_REV)  # l. 120-130: basket and stellate
CASALI2019_CELL_PARAMS = {
    "golgi": dict(tau_refrac=2.0, cm=0.076, v_thresh=-55.0, v_rest=-65.0, v_reset=-75.0,
                  tau_m=76.0 / 3.6, i_offset=0.03675, tau_syn_E=0.5, tau_syn_I=10.0,
                  **_CASALI_E_REV),  # l. 86-96
    "granule": dict(tau_refrac=1.5, cm=0.003, v_thresh=-42.0, v_rest=-74.0, v_reset=-84.0,
                    tau_m=3.0 / 1.5, i_offset=0.0, tau_syn_E=0.5, tau_syn_I=10.0,
                    **_CASALI_E_REV),  # l. 97-107
    "purkinje": dict(tau_refrac=0.8, cm=0.62, v_thresh=-47.0, v_rest=-62.0, v_reset=-72.0,
                     tau_m=620.0 / 7.0, i_offset=0.7, tau_syn_E=0.5, tau_syn_I=1.6,
                     **_CASALI_E_REV),  # l. 108-118
    "basket": dict(_CASALI_INTERNEURON),
    "stellate": dict(_CASALI_INTERNEURON),
    "dcn": dict(tau_refrac=3.7, cm=0.089, v_thresh=-48.0, v_rest=-59.0, v_reset=-69.0,
                tau_m=89.0 / 1.56, i_offset=0.05575, tau_syn_E=7.1, tau_syn_I=13.6,
                **_CASALI_E_REV),  # l. 131-141
}
# µS (the script's nS / 1000), ms; `syn_param` of each numbered block of the script.
CASALI2019_CONNECTION_TYPES = {
    "aa_goc": ConnectionType("granule", "golgi", 0.020, 2.0),      # l. 168
    "aa_pc": ConnectionType("granule", "purkinje", 0.075, 0.9),    # l. 174
    "pf_bc": ConnectionType("granule", "basket", 0.0002, 5.0),     # l. 181
    "pf_goc": ConnectionType("granule", "golgi", 0.0002, 5.0),     # l. 187
    "pf_pc": ConnectionType("granule", "purkinje", 0.0002, 5.0),   # l. 193
    "pf_sc": ConnectionType("granule", "stellate", 0.0002, 5.0),   # l. 200
    "glom_goc": ConnectionType("glomerulus", "golgi", 0.002, 4.0),  # l. 207
    "glom_grc": ConnectionType("glomerulus", "granule", 0.009, 4.0),  # l. 214
    "goc_grc": ConnectionType("golgi", "granule", -0.005, 2.0),    # l. 221
    "bc_pc": ConnectionType("basket", "purkinje", -0.010, 0.5),    # l. 228
    "gj_bc": ConnectionType("basket", "basket", -0.009, 4.0),      # l. 235
    "sc_pc": ConnectionType("stellate", "purkinje", -0.0085, 5.0),  # l. 242
    "gj_sc": ConnectionType("stellate", "stellate", -0.002, 1.0),  # l. 249
    "pc_dcn": ConnectionType("purkinje", "dcn", -0.00003, 4.0),    # l. 256
}

#: Model variants by name; ``spinncer`` (Bogdan 2021 / SpiNNCer constants) is the default.
MODEL_VARIANTS = {
    "spinncer": Model("spinncer", CELL_PARAMS, CONNECTION_TYPES),
    "casali2019": Model("casali2019", CASALI2019_CELL_PARAMS, CASALI2019_CONNECTION_TYPES,
                        initial_v=-70.0, resolution=0.01),  # initial_v, resolution: see table
}
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
