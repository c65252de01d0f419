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


def raster_marker(n_cells, row_height_pt):
    """(marker, size in pt², line width pt) of a raster with `n_cells` rows sharing an axis
    `row_height_pt` points high: a tick filling 80 % of a row (at most 12 pt) while rows are at
    least 2 pt high, else a dot of about one point, so that few cells are not near-invisible
    and many cells do not merge into a block."""
    row = row_height_pt / max(n_cells, 1)
    if row >= 2.0:
        tick = min(0.8 * row, 12.0)
        return "|", tick ** 2, max(0.6, min(1.5, tick / 6))
    return ".", 1.0, 0.0


def raster(pop_spikes, name, windows, path, title=""):
    """Spike raster of one population (time in ms vs cell index), stimulus window shaded;
    marker size follows the number of cells (:func:`raster_marker`), cell ticks are integers."""
    from matplotlib.ticker import MaxNLocator
    fig, ax = plt.subplots(figsize=(8, 3.5))
    start, stop = windows["stimulus"]
    ax.axvspan(start, stop, color="0.85", zorder=0, label="stimulus")
    fig.tight_layout()  # the axis height in points decides the marker
    height_pt = ax.get_position().height * fig.get_figheight() * 72
    marker, size, width = raster_marker(pop_spikes.n_cells, height_pt)
    ax.scatter(pop_spikes.time, pop_spikes.cell, s=size, marker=marker, linewidths=width,
               color=POPULATION_COLOURS.get(name, "k"), rasterized=True)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
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
    """Mean rate per population (Hz), baseline vs stimulus window, with the 95 % bootstrap
    confidence interval of the mean over cells (percentile interval of 1000 resamples,
    seeded: reruns draw the same figure). The interval is asymmetric and stays within the
    cells' rates, so never below 0 Hz; the spread over cells is in rate_distributions.png."""
    long = rates.melt(id_vars=["population", "cell"], value_vars=["baseline", "stimulus"],
                      var_name="window", value_name="rate (Hz)")
    fig, ax = plt.subplots(figsize=(8, 4))
    sns.barplot(long, x="population", y="rate (Hz)", hue="window", errorbar=("ci", 95),
                n_boot=1000, seed=0, order=list(dict.fromkeys(rates["population"])),
                palette=["0.6", "tab:red"], ax=ax)
    ax.set_ylabel("mean rate over cells (Hz)")
    ax.set_title(f"Mean firing rate per population, 95 % CI of the mean {title}")
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
    fig, axes = panel_grid(names, width=3.2, height=2.8)
    for k, (ax, name) in enumerate(zip(axes, names)):
        long = rates[rates["population"] == name].melt(
            value_vars=["baseline", "stimulus"], var_name="window", value_name="rate (Hz)")
        sns.histplot(long, x="rate (Hz)", hue="window", ax=ax, stat="probability",
                     common_norm=False, element="step", bins=20,
                     palette={"baseline": "0.4", "stimulus": "tab:red"}, legend=k == 0)
        ax.set(title=f"{name} ({len(long) // 2} cells)",
               ylabel="fraction of cells" if k % 4 == 0 else "")
    fig.suptitle(f"Per-cell firing rates, baseline vs stimulus {title}")
    fig.tight_layout()
    _save(fig, path)
