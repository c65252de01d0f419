"""Figures of one run: raster, mean rates, PSTH, per-cell rate distributions (PNG)."""
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from ..atomic import atomic_path  # noqa: E402

# One colour per population, fixed so that figures of different runs agree.
POPULATION_COLOURS = dict(zip(
    ("glomerulus", "granule", "golgi", "purkinje", "basket", "stellate", "dcn"),
    sns.color_palette("colorblind", 7)))


def panel_grid(names, width=3.0, height=3.0, max_cols=4):
    """A figure with one axis per name (row-major, at most `max_cols` per row); spare axes
    hidden. Returns (fig, axes for the names)."""
    n = max(len(names), 1)
    cols = min(n, max_cols)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.ravel()[len(names):]:
        ax.set_visible(False)
    return fig, axes.ravel()[:len(names)]


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


def rasters(spikes, windows, outdir, title=""):
    """``<outdir>/raster_<population>.png`` for every population of `windows` ({population:
    windows}); a population without spikes data gets an empty raster."""
    from ..results import PopulationSpikes
    for name, pop_windows in windows.items():
        pop = spikes.get(name, PopulationSpikes(np.empty(0, int), np.empty(0), 0))
        raster(pop, name, pop_windows, f"{outdir}/raster_{name}.png", title)


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


def _stimulus_span(windows, name):
    """(start, stop) of the stimulus window of `name` (flat or per-population windows)."""
    first = next(iter(windows.values()))
    return (windows[name] if isinstance(first, dict) else windows)["stimulus"]


def _panels(n, height=1.6, width=8.0, sharex=True):
    fig, axes = plt.subplots(n, 1, figsize=(width, 0.8 + height * n), sharex=sharex,
                             squeeze=False)
    return fig, axes[:, 0]


def psth(table, windows, path, title=""):
    """PSTH per population (Hz per cell vs time in ms), one panel each, stimulus window shaded.

    `table` is a :func:`spinncer.analysis.activity.psth` table; `windows` flat or per
    population (the shaded span follows each population's shifted stimulus window).
    """
    names = list(dict.fromkeys(table["population"]))
    fig, axes = _panels(max(len(names), 1))
    for ax, name in zip(axes, names):
        rows = table[table["population"] == name]
        ax.axvspan(*_stimulus_span(windows, name), color="0.85", zorder=0)
        ax.stairs(rows["rate_hz"].to_numpy(), np.append(rows["bin_start_ms"].to_numpy(),
                                                        rows["bin_stop_ms"].to_numpy()[-1:]),
                  color=POPULATION_COLOURS.get(name, "k"), fill=True, alpha=0.9)
        ax.set_ylabel("Hz")
        ax.set_title(name, fontsize=9, loc="left")
    if len(names):
        width = table["bin_stop_ms"].iloc[0] - table["bin_start_ms"].iloc[0]
        axes[-1].set_xlabel(f"time (ms), {width:g} ms bins")
        axes[-1].set_xlim(table["bin_start_ms"].min(), table["bin_stop_ms"].max())
    fig.suptitle(f"PSTH per population (rate per cell; stimulus shaded) {title}")
    fig.tight_layout()
    _save(fig, path)


def rate_distributions(rates, path, title=""):
    """Distribution of per-cell rates (Hz), baseline vs stimulus window, one panel per population.

    `rates` is a :func:`spinncer.analysis.stats.cell_rates` table.
    """
    names = list(dict.fromkeys(rates["population"]))
    fig, axes = plt.subplots(1, max(len(names), 1), figsize=(2.4 * max(len(names), 1) + 1, 3.4),
                             squeeze=False)
    for ax, name in zip(axes[0], names):
        long = rates[rates["population"] == name].melt(
            value_vars=["baseline", "stimulus"], var_name="window", value_name="rate (Hz)")
        sns.histplot(long, x="rate (Hz)", hue="window", ax=ax, stat="probability",
                     common_norm=False, element="step", bins=20,
                     palette={"baseline": "0.4", "stimulus": "tab:red"},
                     legend=ax is axes[0][0])
        ax.set(title=name, ylabel="fraction of cells" if ax is axes[0][0] else "")
    fig.suptitle(f"Per-cell firing rates, baseline vs stimulus {title}")
    fig.tight_layout()
    _save(fig, path)
