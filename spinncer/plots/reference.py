"""Figure of the reference check: our rate vs the gold standard's, per population and window."""
import numpy as np

from ..analysis.reference import CHECKED_WINDOWS, TOLERANCE
from .figures import POPULATION_COLOURS, _save, plt


def reference_bars(table, path, title=""):
    """Grouped bars (log rate) of ours vs gold per population, one panel per checked window;
    the tolerance band around the gold standard drawn as an error bar."""
    fig, axes = plt.subplots(1, len(CHECKED_WINDOWS), figsize=(11, 4), squeeze=False)
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
