"""The simulation time grid: which timestep a spike time (ms) falls in, in one place."""
import numpy as np

from .errors import InputError

#: Spike times on the grid may be stored a rounding error below it.
GRID_TOLERANCE = 1e-6


def step_index(times, timestep):
    r"""Index :math:`k = \lfloor t / \Delta t + \epsilon \rfloor` of the timestep of each spike.

    :math:`\epsilon` = :data:`GRID_TOLERANCE` guards spike times that lie on the grid but are
    stored a rounding error below it.
    """
    if timestep <= 0:
        raise InputError("timestep", "a positive timestep in ms", timestep)
    return np.floor(np.asarray(times, dtype=float) / timestep + GRID_TOLERANCE).astype(np.int64)
