"""In-memory scaffold: positions per population, (pre, post) index arrays per connection type."""
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..params import CONNECTION_TYPES, in_pathway_order


@dataclass
class Connectivity:
    """Synapses of one connection type as population-local indices (0-based per population).

    `distance` is the soma-to-soma distance in µm when the source file has it, else None.
    """

    pre: np.ndarray
    post: np.ndarray
    distance: np.ndarray | None = None

    def __len__(self):
        return len(self.pre)


@dataclass
class Scaffold:
    """Cell positions (µm; columns x, y, z with y the vertical/layer axis, as in BSB) per
    population, and connectivity per connection type."""

    positions: dict[str, np.ndarray]
    connections: dict[str, Connectivity]
    source: str = ""
    attrs: dict = field(default_factory=dict)

    def __post_init__(self):
        self.positions = in_pathway_order(self.positions)
        self.connections = dict(sorted(self.connections.items()))

    def n_cells(self, population):
        return len(self.positions[population])

    @property
    def n_synapses(self):
        return sum(len(c) for c in self.connections.values())

    def validate(self):
        """Check connection names, endpoint populations and index ranges; raise InputError."""
        for name, conn in self.connections.items():
            where = f"{self.source or 'scaffold'}: connection '{name}'"
            if name not in CONNECTION_TYPES:
                raise InputError(where, f"one of {sorted(CONNECTION_TYPES)}", f"'{name}'")
            kind = CONNECTION_TYPES[name]
            if len(conn.pre) != len(conn.post):
                raise InputError(where, "equal numbers of pre and post ids",
                                 f"{len(conn.pre)} vs {len(conn.post)}")
            for side, pop, ids in (("pre", kind.pre, conn.pre), ("post", kind.post, conn.post)):
                if pop not in self.positions:
                    raise InputError(where, f"population '{pop}' in the file", "none")
                n = self.n_cells(pop)
                if len(ids) and (ids.min() < 0 or ids.max() >= n):
                    raise InputError(where, f"{side} ids of '{pop}' in [0, {n})",
                                     f"range [{ids.min()}, {ids.max()}]")
        return self


def permute_scaffold(scaffold, new_ids, connection_types=CONNECTION_TYPES):
    """The scaffold with cells renumbered: cell `old` of population p becomes new_ids[p][old];
    connections not in `connection_types` (a model variant omits them) are left out."""
    positions = {}
    for pop, pos in scaffold.positions.items():
        out = np.empty_like(pos)
        out[new_ids[pop]] = pos
        positions[pop] = out
    connections = {}
    for name, conn in scaffold.connections.items():
        kind = connection_types.get(name)
        if kind is None:
            continue
        connections[name] = Connectivity(new_ids[kind.pre][conn.pre],
                                         new_ids[kind.post][conn.post], conn.distance)
    return Scaffold(positions, connections, source=scaffold.source, attrs=dict(scaffold.attrs))
