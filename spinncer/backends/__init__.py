"""Simulator backends: only what differs per simulator (setup, bulk connector, versions)."""
BACKENDS = ("nest",)


def get_backend(name):
    from ..errors import InputError
    if name == "nest":
        from . import nest
        return nest
    raise InputError("backend", f"one of {BACKENDS}", repr(name))
