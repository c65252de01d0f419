"""Scaffold summary figure: cell positions by population and in-degree distributions."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..scaffold.summary import in_degrees  # noqa: E402
from .figures import POPULATION_COLOURS, _save  # noqa: E402

MAX_POINTS = 4000  # per population in the position panel, for a readable figure


def scaffold_summary(scaffold, path, title=""):
    every = np.concatenate([xyz[:, :2] for xyz in scaffold.positions.values()] or
                           [np.zeros((1, 2))])
    span = np.ptp(every, axis=0) + 1.0
    ratio = float(np.clip(span[0] / span[1], 0.2, 1.5))  # width of the to-scale panel
    fig, (side, key, degrees) = plt.subplots(1, 3, figsize=(13, 5.5),
                                             width_ratios=[ratio, 0.45, 1.6])
    rng = np.random.default_rng(0)
    for name, xyz in scaffold.positions.items():
        shown = xyz if len(xyz) <= MAX_POINTS else xyz[rng.choice(len(xyz), MAX_POINTS, False)]
        side.scatter(shown[:, 0], shown[:, 1], s=2 if name == "granule" else 6,
                     color=POPULATION_COLOURS.get(name, "k"), label=f"{name} ({len(xyz)})")
    side.set(xlabel="x (µm)", ylabel="y, height (µm)", title=f"cell positions {title}")
    side.set_aspect("equal", adjustable="box")  # to scale: 1 µm is 1 µm on both axes
    key.axis("off")
    key.legend(*side.get_legend_handles_labels(), fontsize=8, markerscale=3, loc="center",
               title="population (cells)", title_fontsize=8)
    names = [n for n in scaffold.connections if len(scaffold.connections[n])]
    data = [np.maximum(in_degrees(scaffold, n), 0.5) for n in names]
    degrees.boxplot(data, vert=False, tick_labels=names, flierprops={"markersize": 2})
    degrees.set(xscale="log", xlabel="synapses received per post cell (0 shown at 0.5)",
                title="in-degree per connection type")
    fig.tight_layout()
    _save(fig, path)
