"""Communication load figure: peak synaptic events and packets per core, default vs grid."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from .figures import _save  # noqa: E402


def load_figure(rows, reduction, path, title=""):
    """Grouped bars of the peak load (per core and timestep) per population and ordering.

    `rows` is the table of :func:`spinncer.communication.compare_orderings`; `reduction` has a
    population column and ``<measure>_peak_reduction`` (1 - grid / default).
    """
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, measure in zip(axes, ("events", "packets")):
        sns.barplot(rows, x="population", y=f"{measure}_peak", hue="ordering", ax=ax,
                    palette="Set2")
        ax.set(yscale="log", ylabel=f"peak {measure} per core per timestep",
               title=f"{measure}: network peak reduction "
               f"{_reduction(reduction, measure):.0%} (study: 41%)")
        ax.tick_params(axis="x", rotation=30)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    _save(fig, path)


def _reduction(reduction, measure):
    row = reduction[reduction["population"] == "all"]
    return float(row[f"{measure}_peak_reduction"].iloc[0]) if len(row) else float("nan")
