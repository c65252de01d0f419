"""Simulator backends: only what differs per simulator (setup, bulk connector, versions).

- ``nest``: NEST through pyNN.nest, double precision: the reference.
- ``nest-numerics``: NEST with every weight replaced by what SpiNNaker's fixed point represents
  for the configured ring-buffer left shifts (:mod:`spinncer.numerics`), to separate
  fixed-point effects from hardware effects.
- ``spinnaker``: sPyNNaker on a board or spalloc server from the configuration.
"""
from ..errors import InputError

BACKENDS = ("nest", "nest-numerics", "spinnaker")


def get_backend(name):
    """The backend module running `name` (nest-numerics runs on the nest module)."""
    if name in ("nest", "nest-numerics"):
        from . import nest
        return nest
    if name == "spinnaker":
        from . import spinnaker
        return spinnaker
    raise InputError("backend", f"one of {BACKENDS}", repr(name))


def backend_weights(name, options, model=None):
    """Weights (µS, by connection type of `model`) to load instead of the model's, or None."""
    if name != "nest-numerics":
        return None
    from ..numerics import quantised_connection_types, refuse_r_mem
    refuse_r_mem(options.get("r_mem"))
    from ..params import model_variant
    table = quantised_connection_types(options.get("rb_left_shifts"),
                                       connection_types=(model or model_variant()).connection_types)
    return {conn: kind.weight for conn, kind in table.items()}
