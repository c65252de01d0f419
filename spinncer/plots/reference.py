"""Figure of the reference check: our rate vs the gold standard's, per population and window."""
import numpy as np

from ..analysis.reference import CHECKED_WINDOWS, TOLERANCE
from .figures import POPULATION_COLOURS, _save, plt


def reference_bars(table, path, title=""):
    """Top row: grouped bars (log rate) of ours vs gold per population, one panel per checked
    window, the tolerance band around the gold standard drawn as an error bar. Bottom row: the
    per-cell rate distributions (5th-95th percentile line, median dot, silent fraction and KS
    statistic written below) of both runs."""
    fig, axes = plt.subplots(2, len(CHECKED_WINDOWS), figsize=(11, 8), squeeze=False)
    for ax, window in zip(axes[1], CHECKED_WINDOWS):
        _distribution_panel(ax, table[table.window == window], window)
    for ax, window in zip(axes[0], CHECKED_WINDOWS):
        rows = table[table.window == window]
        x = np.arange(len(rows))
        gold, ours = rows.gold_hz.to_numpy(), rows.ours_hz.to_numpy()
        colours = [POPULATION_COLOURS.get(p, "k") for p in rows.population]
        ax.bar(x - 0.2, gold, 0.4, color="0.75", edgecolor="k", label="gold standard",
               yerr=TOLERANCE * gold, capsize=3)
        ax.bar(x + 0.2, ours, 0.4, color=colours, edgecolor="k", label="ours")
        for xi, (o, ok) in enumerate(zip(ours, rows.within)):
            ax.text(xi + 0.2, max(o, 1e-2) * 1.15, "ok" if ok else "x", ha="center", fontsize=8)
        ax.set_xticks(x, rows.population, rotation=30)
        ax.set(yscale="log", ylabel="mean rate (Hz)",
               title=f"{window} {rows.start_ms.iloc[0]:g}-{rows.stop_ms.iloc[0]:g} ms")
        ax.legend(fontsize=8)
    fig.suptitle(f"Reference check (bars: gold standard ±{TOLERANCE:.0%}) {title}")
    fig.tight_layout()
    _save(fig, path)


def _distribution_panel(ax, rows, window):
    x = np.arange(len(rows))
    floor = 1e-2  # log axis: silent percentiles drawn at the floor
    for shift, label, colour in ((-0.15, "gold", "0.45"), (0.15, "ours", "C3")):
        low = np.maximum(rows[f"{label}_p5_hz"].to_numpy(), floor)
        mid = np.maximum(rows[f"{label}_p50_hz"].to_numpy(), floor)
        high = np.maximum(rows[f"{label}_p95_hz"].to_numpy(), floor)
        ax.vlines(x + shift, low, high, color=colour, lw=3, label=f"{label} p5-p95")
        ax.plot(x + shift, mid, "o", color=colour, mec="k", ms=5)
    for xi, row in zip(x, rows.itertuples()):
        ks = f"KS {row.ks_statistic:.2f}" if np.isfinite(row.ks_statistic) else "KS: few cells"
        ax.text(xi, floor * 0.6, f"silent {row.ours_silent_fraction:.0%}/"
                f"{row.gold_silent_fraction:.0%}\n{ks}", ha="center", va="top", fontsize=6)
    ax.set_xticks(x, rows.population, rotation=30)
    ax.set(yscale="log", ylim=(floor * 0.1, None), ylabel="per-cell rate (Hz)",
           title=f"{window}: per-cell rates (dot: median; silent ours/gold)")
    ax.legend(fontsize=8)
