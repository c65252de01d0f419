"""One source for the option sets and defaults every layer and the workflow share.

Backends and cell orderings are named here once (parameter defaults with their sources stay
in :mod:`spinncer.params`); the CLI, the config
schema checks and the workflow's wildcard constraints derive from these tuples.
"""

#: Simulator backends: NEST (double-precision reference), NEST with SpiNNaker's fixed-point
#: weights, Brian2 C++ standalone (an independent third simulator), sPyNNaker on hardware, and
#: SpiNNaker's arithmetic emulated without a board (spinncer's own C++, bit-exact per core).
BACKENDS = ("nest", "nest-numerics", "brian2", "spinnaker", "spinnaker-emulated")
#: The reference every other backend is compared with.
REFERENCE_BACKEND = BACKENDS[0]
#: Backends that run compiled code of their own in seconds per run at 400 x 400 µm (Brian2's
#: standalone project, the emulated SpiNNaker core), against NEST's and sPyNNaker's minutes.
COMPILED_BACKENDS = ("brian2", "spinnaker-emulated")

#: Fewest runs (seeds or builds) of ours for the gold standard's envelope
#: (:func:`spinncer.analysis.reference.gold_in_seed_envelope`): 3 give 3 pairs. Here so that the
#: workflow plans that table without importing the analysis (scipy) at every start.
MIN_ENVELOPE_SEEDS = 3

#: Kinds of generated mossy-fibre stimulus (:func:`spinncer.stimulus.generate`).
STIMULUS_TYPES = ("poisson", "periodic")

#: Cell orderings before SpiNNaker partitioning, by their workflow names: ``file`` = the
#: scaffold file's own id order (the study's default; spatially coherent in the published v3
#: file and in this project's builder), ``random`` = a seeded random permutation (ids in no
#: spatial order), ``grid`` = SpiNNCer's spatial grid.
ORDERINGS = ("file", "random", "grid")
#: The ordering that keeps the scaffold order.
DEFAULT_ORDERING = ORDERINGS[0]
#: The same orderings as ``id_remap`` values (config ``spinnaker.id_remap``, sPyNNaker runs):
#: None keeps the scaffold order.
ID_REMAPS = tuple(None if name == DEFAULT_ORDERING else name for name in ORDERINGS)

#: How far sPyNNaker runs for a mapping without hardware (:mod:`spinncer.mapping`): only as
#: far as routing tables, or the whole virtual-board run (data generation included).
MAPPING_MODES = ("routing", "full")


def alternatives_regex(names):
    """A regex matching exactly one of `names` (for Snakemake wildcard constraints)."""
    import re
    return "|".join(re.escape(name) for name in names)
