"""Raster and rate figures of one run."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from ..atomic import atomic_path  # noqa: E402

# One colour per population, fixed so that figures of different runs agree.
POPULATION_COLOURS = dict(zip(
    ("glomerulus", "granule", "golgi", "purkinje", "basket", "stellate", "dcn"),
    sns.color_palette("colorblind", 7)))


def _save(fig, path):
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)


def raster(pop_spikes, name, windows, path, title=""):
    """Spike raster of one population (time in ms vs cell index), stimulus window shaded."""
    fig, ax = plt.subplots(figsize=(8, 3.5))
    start, stop = windows["stimulus"]
    ax.axvspan(start, stop, color="0.85", zorder=0, label="stimulus")
    size = max(0.2, min(4.0, 2000.0 / max(len(pop_spikes), 1)))
    ax.scatter(pop_spikes.time, pop_spikes.cell, s=size, marker="|" if size > 1 else ".",
               color=POPULATION_COLOURS.get(name, "k"), linewidths=0.5, rasterized=True)
    ax.set(xlim=(0, windows["post"][1]), ylim=(-0.5, max(pop_spikes.n_cells, 1) - 0.5),
           xlabel="time (ms)", ylabel="cell index",
           title=f"{name} ({pop_spikes.n_cells} cells, {len(pop_spikes)} spikes) {title}")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    _save(fig, path)


def rate_bars(rates, path, title=""):
    """Mean rate per population (Hz, ± s.d. over cells), baseline vs stimulus window."""
    long = rates.melt(id_vars=["population", "cell"], value_vars=["baseline", "stimulus"],
                      var_name="window", value_name="rate (Hz)")
    fig, ax = plt.subplots(figsize=(8, 4))
    sns.barplot(long, x="population", y="rate (Hz)", hue="window", errorbar="sd",
                order=list(dict.fromkeys(rates["population"])), palette=["0.6", "tab:red"],
                ax=ax)
    ax.set_title(f"Mean firing rate per population {title}")
    fig.tight_layout()
    _save(fig, path)
