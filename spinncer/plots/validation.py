"""Validation figures (PNG): scores against the seed envelope, distributions of all backends,
membrane-potential overlays."""
import numpy as np
import pandas as pd

from .figures import _save, panel_grid, plt


def score_envelope(scores, envelope, path, score="ks", percentile=95.0, title=""):
    """Per population: each candidate's median split score (dots) against the reference's
    seed envelope (bar: median to the `percentile`), per window and statistic; a candidate
    that ran fewer seeds than the reference gets its own envelope's percentile as a dash.

    `scores`, `envelope` are the tables of :func:`spinncer.validation.envelope.seed_envelope`.
    Lines that are not scored (too few cells) are marked with an x at zero.
    """
    pct = f"{score}_p{percentile:g}"
    if "seeds" in envelope:  # the bars: the envelope of the reference's halves ("5 vs 5")
        halves = envelope["seeds"].str.fullmatch(r"(\d+) vs \1")
        envelope = envelope[envelope["seeds"] == envelope.loc[halves, "seeds"].iloc[0]]
    names = list(dict.fromkeys(envelope["population"]))
    fig, axes = panel_grid(names, width=4.5, height=3.2, max_cols=3)
    backends = list(dict.fromkeys(scores["backend"]))
    for ax, name in zip(axes, names):
        env = envelope[envelope["population"] == name].reset_index(drop=True)
        labels = [f"{r.statistic}\n{r.window[:4]}" for r in env.itertuples()]
        x = np.arange(len(env))
        p50 = env[f"{score}_p50"].astype(float).to_numpy()
        top = env[pct].astype(float).to_numpy()
        ax.bar(x, top - np.nan_to_num(p50), bottom=np.nan_to_num(p50), color="0.8",
               label=f"envelope p50-p{percentile:g}")
        for k, backend in enumerate(backends):
            sel = scores[(scores["backend"] == backend) & (scores["population"] == name)]
            merged = env[["window", "statistic"]].merge(sel, on=["window", "statistic"],
                                                        how="left")
            y = merged[f"{score}_median"].astype(float).to_numpy()
            at = x + 0.1 * (k - (len(backends) - 1) / 2)
            line = ax.plot(at, y, "o", ms=4, label=backend)[0]
            # a candidate with fewer seeds is read against its own envelope: a dash
            own = merged[f"{score}_envelope"].astype(float).to_numpy()
            if "seeds" in merged and (merged["seeds"].dropna() != env["seeds"].iloc[0]).any():
                ax.plot(at, own, "_", ms=8, color=line.get_color())
            missing = ~np.isfinite(y)
            ax.plot(x[missing], np.zeros(missing.sum()), "x", color="k")
        ax.set_xticks(x, labels, fontsize=6)
        ax.set(title=f"{name} (n={int(env['n_cells'].iloc[0]) if len(env) else 0})",
               ylabel=score)
    if len(axes):
        axes[0].legend(fontsize=6)
    fig.suptitle(f"{score} to the reference vs the reference's seed envelope "
                 f"(x: too few cells or values) {title}")
    fig.tight_layout()
    _save(fig, path)


def distributions(values, population, path, units=None, title=""):
    """Distributions (pooled over seeds) of each statistic and window of one population, all
    backends overlaid (step histograms, density). `values`: the rows of `population` in the
    long table :attr:`spinncer.validation.Validation.values` (millions at full size: grouped
    once, never filtered per panel)."""
    stats = list(pd.unique(values["statistic"])) or [""]
    windows = list(pd.unique(values["window"])) or [""]
    panels = dict(tuple(values.groupby(["window", "statistic"], sort=False)))
    fig, axes = plt.subplots(len(windows), max(len(stats), 1),
                             figsize=(3.0 * max(len(stats), 1), 2.4 * max(len(windows), 1)),
                             squeeze=False)
    for i, window in enumerate(windows):
        for j, stat in enumerate(stats):
            ax = axes[i][j]
            cell = panels.get((window, stat), values.iloc[:0])
            data = cell["value"].to_numpy(float)
            if len(data) == 0:
                ax.text(0.5, 0.5, "no values" if stat else f"no {population} cells",
                        ha="center", va="center", transform=ax.transAxes)
            else:
                bins = np.histogram_bin_edges(data, bins=30)
                for backend, frame in cell.groupby("backend", sort=False):
                    ax.hist(frame["value"], bins=bins, density=True, histtype="step",
                            label=f"{backend} (n={len(frame)})")
                ax.legend(fontsize=5)
            unit = (units or {}).get(stat, "")
            ax.set_xlabel(f"{stat} ({unit})" if unit and unit != "1" else stat, fontsize=7)
            ax.set_title(window, fontsize=8)
    fig.suptitle(f"{population}: per-cell statistics, all seeds pooled {title}")
    fig.tight_layout()
    _save(fig, path)


def membrane_overlay(a, b, path, labels=("A", "B"), n_cells=3, title=""):
    """v of the first `n_cells` cells recorded in both runs, per population, A and B overlaid
    (one row per population)."""
    names = [p for p in a.signals if p in b.signals]
    fig, axes = plt.subplots(max(len(names), 1), n_cells,
                             figsize=(3.5 * n_cells, 1.8 * max(len(names), 1)), squeeze=False)
    for i, name in enumerate(names):
        sa, sb = a.signals[name], b.signals[name]
        common = np.intersect1d(sa.cells, sb.cells)[:n_cells]
        for j in range(n_cells):
            ax = axes[i][j]
            if j >= len(common):
                ax.axis("off")
                continue
            cell = common[j]
            for sig, label, style in ((sa, labels[0], "-"), (sb, labels[1], "--")):
                k = int(np.flatnonzero(sig.cells == cell)[0])
                ax.plot(sig.times, sig.v[:, k], style, lw=0.6, label=label)
            ax.set_title(f"{name} cell {cell}", fontsize=7)
            ax.tick_params(labelsize=6)
        axes[i][0].set_ylabel("v (mV)", fontsize=7)
    if not names:
        axes[0][0].text(0.5, 0.5, "no analog signals recorded in both runs", ha="center",
                        va="center", transform=axes[0][0].transAxes)
    else:
        axes[0][0].legend(fontsize=6)
    fig.suptitle(f"Membrane potential, {labels[0]} (solid) vs {labels[1]} (dashed) {title}")
    fig.tight_layout()
    _save(fig, path)
