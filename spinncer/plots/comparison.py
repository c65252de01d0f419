"""Figures comparing two runs (PNG): per-cell rates of run A vs run B, matched-spike shifts."""
import numpy as np

from .figures import POPULATION_COLOURS, _save, panel_grid


def rate_scatter(rates_a, rates_b, path, window="stimulus", labels=("A", "B"), title=""):
    """Per-cell rate (Hz) in run A vs run B, one panel per population, identity line dashed.

    `rates_a`, `rates_b` are :func:`spinncer.analysis.stats.cell_rates` tables of the same
    cells; `window` is the column plotted.
    """
    merged = rates_a[["population", "cell", window]].merge(
        rates_b[["population", "cell", window]], on=["population", "cell"], suffixes=("_a", "_b"))
    names = list(dict.fromkeys(merged["population"]))
    fig, axes = panel_grid(names)
    for ax, name in zip(axes, names):
        sel = merged[merged["population"] == name]
        x, y = sel[f"{window}_a"].to_numpy(), sel[f"{window}_b"].to_numpy()
        top = max(x.max(initial=0), y.max(initial=0)) * 1.05 or 1.0
        ax.plot([0, top], [0, top], ls="--", color="0.5", lw=1)
        ax.scatter(x, y, s=4, alpha=0.5, color=POPULATION_COLOURS.get(name, "k"),
                   rasterized=True)
        ax.set(xlim=(0, top), ylim=(0, top), title=f"{name} (n={len(sel)})",
               xlabel=f"{labels[0]} rate (Hz)", ylabel=f"{labels[1]} rate (Hz)")
        ax.set_aspect("equal")
    fig.suptitle(f"Per-cell {window}-window rate, {labels[0]} vs {labels[1]} {title}")
    fig.tight_layout()
    _save(fig, path)


def shift_histograms(cells, path, labels=("A", "B"), title=""):
    """Histogram of per-cell mean shift (ms, B - A) of matched spikes, one panel per population.

    `cells` is the per-cell table of :func:`spinncer.analysis.compare.compare_timing`; only
    cells with equal spike counts in both runs have a shift.
    """
    names = list(dict.fromkeys(cells["population"])) if len(cells) else []
    fig, axes = panel_grid(names or [""], width=3.2, height=2.8)
    for ax, name in zip(axes, names):
        shift = cells.loc[(cells["population"] == name) & cells["matched"], "mean_shift_ms"]
        if len(shift):
            lo, hi = shift.min(), shift.max()
            pad = max(0.0, 0.1 - (hi - lo)) / 2  # equal shifts: one readable 0.1 ms wide range
            ax.hist(shift, bins=np.linspace(lo - pad, hi + pad, 22),
                    color=POPULATION_COLOURS.get(name, "k"))
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set(title=f"{name} ({len(shift)} cells)", xlabel="shift (ms)")
    for ax in axes[::4]:
        ax.set_ylabel("cells")
    fig.suptitle(f"Spike shift {labels[1]} - {labels[0]}, cells with equal spike counts {title}")
    fig.tight_layout()
    _save(fig, path)
