"""Communication load figures: per-core peaks per ordering, and chip-grid heat maps."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402

from .figures import _save  # noqa: E402

#: Measures of :class:`spinncer.communication.LoadProfile`, as plotted.
MEASURES = ("packets", "packets_lower_bound", "rows", "events")


def load_figure(rows, reductions, path, title=""):
    """Grouped bars of the max (over cores) of the per-core peak per population and ordering,
    one panel per measure; titles give grid's network-wide reduction against each baseline.

    `rows` is the table of :func:`spinncer.communication.compare_orderings`; `reductions` has
    baseline, population and ``<measure>_peak_reduction`` (1 - grid / baseline).
    """
    fig, axes = plt.subplots(1, len(MEASURES), figsize=(5.5 * len(MEASURES), 4))
    for ax, measure in zip(axes, MEASURES):
        sns.barplot(rows, x="population", y=f"{measure}_peak", hue="ordering", ax=ax,
                    palette="Set2")
        ax.set(yscale="log", ylabel=f"peak {measure} per core per timestep",
               title=f"{measure}: grid vs " + ", ".join(
                   f"{b} {_reduction(reductions, measure, b)}"
                   for b in dict.fromkeys(reductions.get("baseline", []))) + " (study: 41%)")
        ax.tick_params(axis="x", rotation=30)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    _save(fig, path)


def _reduction(reductions, measure, baseline):
    row = reductions[(reductions["population"] == "all") & (reductions["baseline"] == baseline)]
    value = row[f"{measure}_peak_reduction"].iloc[0] if len(row) else None
    return "n/a" if value is None or value != value else f"{value:.0%}"


def chip_heatmaps(core_xyp, values, path, title=""):
    """One heat map per metric over the chip grid: each chip shows the max over its cores.

    `core_xyp` (n, 3) chip x, chip y, processor per core; `values` {metric: (n,) per-core
    values, e.g. the per-core packet peak}. Chips without a core of the mapping stay blank.
    """
    xyp = np.asarray(core_xyp, int).reshape(-1, 3)
    width, height = xyp[:, 0].max() + 1, xyp[:, 1].max() + 1
    fig, axes = plt.subplots(1, len(values), figsize=(4.2 * len(values), 3.8), squeeze=False)
    for ax, (metric, v) in zip(axes[0], values.items()):
        grid = np.full((height, width), np.nan)
        np.fmax.at(grid, (xyp[:, 1], xyp[:, 0]), np.asarray(v, float))
        image = ax.imshow(grid, origin="lower", cmap="viridis")
        fig.colorbar(image, ax=ax, shrink=0.8)
        ax.set(title=f"{metric} (max over a chip's cores)", xlabel="chip x", ylabel="chip y")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    _save(fig, path)
