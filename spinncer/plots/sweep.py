"""Sweep figures (PNG): a statistic against the swept stimulus parameter, per population."""
from ..options import REFERENCE_BACKEND
from .figures import POPULATION_COLOURS, _save, panel_grid

WINDOW_STYLES = {"baseline": ":", "stimulus": "-", "post": "--",
                 "peak_events_default": ":", "peak_events_grid": "-"}
# Axis labels with units of the swept parameters, and legend names of the plotted series.
PARAMETER_LABELS = {"f_peak": "f_peak, peak stimulus rate (Hz)",
                    "stim_radius": "stim_radius, stimulated radius (µm)", "seed": "seed"}
SERIES_LABELS = {"baseline": "baseline window", "stimulus": "stimulus window",
                 "post": "post-stimulus window", "peak_events_default": "default ordering",
                 "peak_events_grid": "grid ordering"}


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


def sweep_figures(table, parameters, figure_prefix):
    """The figures of a sweep table (:func:`spinncer.sweep.sweep_table`): for each swept
    parameter with at least two values, ``<prefix><parameter>.png`` (mean rates of the
    reference backend, or of the first backend when it did not run, baseline and stimulus
    windows) and, when the communication load was joined, ``<prefix><parameter>_load.png``
    (peak events per core per step in the stimulus window, default vs grid ordering)."""
    backend = (REFERENCE_BACKEND if (table["backend"] == REFERENCE_BACKEND).any()
               else table["backend"].iloc[0])
    rates = table[(table["backend"] == backend) & (table["window"] != "post")]
    for parameter in parameters:
        if parameter not in rates or rates[parameter].nunique() < 2:
            continue
        sweep_curves(rates, f"{figure_prefix}{parameter}.png", parameter,
                     ylabel="mean rate (Hz)", title=f"[{backend}]")
        if "peak_events_grid" in rates:
            load = rates[rates["window"] == "stimulus"].drop(columns="window")
            sweep_curves(load.melt(id_vars=["population", parameter],
                                   value_vars=["peak_events_default", "peak_events_grid"],
                                   var_name="window", value_name="peak_events"),
                         f"{figure_prefix}{parameter}_load.png", parameter,
                         value="peak_events", ylabel="peak events per core per step",
                         title=f"[{backend}]")
