"""Sweep figures (PNG): a statistic against the swept stimulus parameter, per population."""
from ..options import REFERENCE_BACKEND
from .figures import POPULATION_COLOURS, _save, panel_grid

WINDOW_STYLES = {"baseline": ":", "stimulus": "-", "post": "--"}
ORDERING_STYLES = {"file": ":", "random": "--", "grid": "-"}
# Axis labels with units of the swept parameters, and legend names of the plotted series.
PARAMETER_LABELS = {"f_peak": "f_peak, peak stimulus rate (Hz)",
                    "stim_radius": "stim_radius, stimulated radius (µm)", "seed": "seed"}
SERIES_LABELS = {"baseline": "baseline window", "stimulus": "stimulus window",
                 "post": "post-stimulus window"}


def sweep_curves(table, path, parameter, value="mean_rate_hz", ylabel=None, title=""):
    """Plot `value` vs `parameter`, one panel per population, one line per window.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy: one row per (parameter value, population[, window][, seed]) with columns
        `parameter`, ``population``, `value` and optionally ``window``. Rows that share a
        parameter value, population and window (e.g. seeds) are averaged, with their s.d. as
        error bars.
    path : str or Path
        Output PNG.
    parameter : str
        Column of the swept parameter (e.g. ``f_peak``, Hz).
    value : str, optional
        Column plotted. Default: ``mean_rate_hz``; e.g. ``peak_spikes_per_step`` (no window
        column) for the communication load.
    """
    keys = ["population"] + (["window"] if "window" in table else [])
    names = list(dict.fromkeys(table["population"]))
    fig, axes = panel_grid(names, width=3.1, height=2.7)
    summary = (table.groupby(keys + [parameter], sort=True)[value]
               .agg(["mean", "std", "count"]).reset_index())
    for ax, name in zip(axes, names):
        sel = summary[summary["population"] == name]
        if "window" in sel:
            order = list(WINDOW_STYLES) + sorted(set(sel["window"]) - set(WINDOW_STYLES))
            groups = [(w, sel[sel["window"] == w]) for w in order if (sel["window"] == w).any()]
        else:
            groups = [(None, sel)]
        for window, rows_ in groups:
            ax.errorbar(rows_[parameter], rows_["mean"],
                        yerr=rows_["std"].where(rows_["count"] > 1), marker="o", ms=3,
                        ls=WINDOW_STYLES.get(window, "-"), capsize=2,
                        color=POPULATION_COLOURS.get(name, "k"),
                        label=SERIES_LABELS.get(window, window))
        ax.set(title=name, xlabel=PARAMETER_LABELS.get(parameter, parameter),
               ylabel=ylabel or value)
        if "window" in sel:
            ax.legend(fontsize=7)
    fig.suptitle(f"{ylabel or value} vs {PARAMETER_LABELS.get(parameter, parameter)} {title}")
    fig.tight_layout()
    _save(fig, path)


def sweep_load(load, path, parameter, value="packets_peak", ylabel=None, title=""):
    """Per-core peak load against a swept parameter, one panel per population, one line per
    ordering: median over seeds with 5th-95th percentile bars, and the best of the linear,
    quadratic and exponential fits (its R² in the legend; all fits in the returned table).

    `load`: :func:`spinncer.sweep.load_table` rows (ordering, population, `parameter`,
    `value`). Returns a list of fit rows (population, ordering, model, params, r2 or error).
    """
    import numpy as np

    from ..sweep import FIT_MODELS, fit_curves, percentile_summary
    names = list(dict.fromkeys(load["population"]))
    fig, axes = panel_grid(names, width=3.4, height=2.9)
    summary = percentile_summary(load, ["population", "ordering", parameter], value)
    fits = []
    for ax, name in zip(axes, names):
        sel = summary[summary["population"] == name]
        for ordering in dict.fromkeys(sel["ordering"]):
            rows_ = sel[sel["ordering"] == ordering]
            x, med = rows_[parameter].to_numpy(float), rows_["median"].to_numpy(float)
            line = ax.errorbar(x, med, yerr=[med - rows_["p5"], rows_["p95"] - med],
                               marker="o", ms=3, capsize=2, ls="none")
            # seeds are repeats, not an axis a curve can be fitted along
            result = fit_curves(x, med) if parameter != "seed" else {}
            best, best_r2 = None, -np.inf
            for model, fit in result.items():
                fits.append(dict(population=name, ordering=ordering, value=value,
                                 parameter=parameter, model=model, **fit))
                if "r2" in fit and fit["r2"] > best_r2:
                    best, best_r2 = model, fit["r2"]
            if best is not None:
                grid = np.linspace(x.min(), x.max(), 50)
                curve = FIT_MODELS[best][0](grid, *result[best]["params"])
                ax.plot(grid, curve, ls=ORDERING_STYLES.get(ordering, "-"),
                        color=line.lines[0].get_color(),
                        label=f"{ordering}: {best} R²={best_r2:.2f}")
            else:
                line.set_label(f"{ordering} (no fit)")
        ax.set(title=name, xlabel=PARAMETER_LABELS.get(parameter, parameter),
               ylabel=ylabel or value)
        ax.legend(fontsize=6)
    fig.suptitle(f"{ylabel or value} vs {PARAMETER_LABELS.get(parameter, parameter)}: median, "
                 f"5th-95th percentile {title}")
    fig.tight_layout()
    _save(fig, path)
    return fits


def sweep_figures(table, parameters, figure_prefix, load=None):
    """The figures of a sweep table (:func:`spinncer.sweep.sweep_table`): for each swept
    parameter with at least two values, ``<prefix><parameter>.png`` (mean rates of the
    reference backend, or of the first backend when it did not run, baseline and stimulus
    windows) and, with the communication tables of the points (`load`,
    :func:`spinncer.sweep.load_table`), ``<prefix><parameter>_packets_peak.png`` and
    ``<prefix><parameter>_packets_mean_core_peak.png`` (:func:`sweep_load`). Returns the fit
    rows of the load figures."""
    backend = (REFERENCE_BACKEND if (table["backend"] == REFERENCE_BACKEND).any()
               else table["backend"].iloc[0])
    rates = table[(table["backend"] == backend) & (table["window"] != "post")]
    if load is not None:
        load = load[(load["backend"] == backend) & (load["population"] != "all")]
    fits = []
    for parameter in parameters:
        if parameter not in rates or rates[parameter].nunique() < 2:
            continue
        sweep_curves(rates, f"{figure_prefix}{parameter}.png", parameter,
                     ylabel="mean rate (Hz)", title=f"[{backend}]")
        if load is not None and parameter in load:
            for value, label in LOAD_FIGURES.items():
                fits += sweep_load(load, f"{figure_prefix}{parameter}_{value}.png", parameter,
                                   value=value, ylabel=label, title=f"[{backend}]")
    return fits


#: Load figures of a sweep: column of the communication table -> axis label.
LOAD_FIGURES = {"packets_peak": "max over cores of per-core packet peak",
                "packets_mean_core_peak": "mean over cores of per-core packet peak"}
