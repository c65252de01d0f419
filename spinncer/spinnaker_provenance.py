"""Per-core load counters of a real sPyNNaker 7.4.1 run, read from its provenance database.

A hardware run of sPyNNaker 7.4.1 writes its provenance into ``data.sqlite3`` under the run's
report directory (in its work directory: ``spinncer simulate --keep-workdir DIR`` keeps it; by
default it is the run's own temporary directory, removed afterwards); this module reads it through sPyNNaker's own reader
(``spinn_front_end_common.interface.provenance.ProvenanceReader``, view
``core_provenance_view``: core_name, x, y, p, description, the_value), assigns each core to a
population through the run's placements (a mapping ``.npz``, or the vertex labels that
sPyNNaker stores as core names: ``<population>(lo:hi)``, ``Delay extension for ...``), and
puts the measured counters beside the prediction of :mod:`spinncer.routing`.

Counters (sPyNNaker 7.4.1 names; see :mod:`spinncer.routing` for what each counts):

- ``Max_spikes_received_in_time_step``: synapse cores of split populations only;
- ``How many spikes were processed``: run total of synaptic rows processed (combined and
  synapse cores);
- ``Max_filled_size_input_buffer``, ``Times_the_input_buffer_lost_packets``,
  ``Total_pre_synaptic_events``.
"""
from pathlib import Path

import numpy as np

from .errors import InputError

MAX_RECEIVED = "Max_spikes_received_in_time_step"
PROCESSED = "How many spikes were processed"
LOAD_COUNTERS = (MAX_RECEIVED, "Max_spikes_processed_in_time_step", PROCESSED,
                 "Max_filled_size_input_buffer", "Times_the_input_buffer_lost_packets",
                 "Total_pre_synaptic_events")


def read_core_provenance(path):
    """{(x, y, p): {"core_name": str|None, description: value, ...}} of every core.

    A missing, damaged or foreign file raises one :class:`InputError`.
    """
    path = Path(path)
    expected = "a sPyNNaker 7.4.1 provenance database (data.sqlite3 with core_provenance_view)"
    if not path.is_file():
        raise InputError(path, expected, "no such file")
    try:
        from spinn_front_end_common.interface.provenance import ProvenanceReader
        with ProvenanceReader(str(path)) as reader:
            rows = reader.run_query("SELECT core_name, x, y, p, description, the_value "
                                    "FROM core_provenance_view")
    except Exception as err:  # sqlite3.DatabaseError, OperationalError, sPyNNaker errors
        raise InputError(path, expected, f"{type(err).__name__}: {err}") from None
    cores = {}
    for name, x, y, p, description, value in rows:
        core = cores.setdefault((int(x), int(y), int(p)), {"core_name": name})
        core[str(description)] = value
    return cores


def population_of_label(label, populations):
    """(population, role) from a sPyNNaker vertex label, or (None, None)."""
    if not label:
        return None, None
    label = label.decode() if isinstance(label, bytes) else str(label)
    role = "delay" if label.startswith("Delay extension for") else (
        "synapses" if "Synapses" in label else "neurons")
    text = label.removeprefix("Delay extension for").strip()
    for pop in sorted(populations, key=len, reverse=True):
        if text.startswith(pop):
            return pop, role
    return None, None


def measured_beside_predicted(cores, load=None, populations=None):
    """Rows per core with a counter: x, y, p, population, role, measured values of
    :data:`LOAD_COUNTERS` and the predicted per-core packet peak and total.

    Populations come from the prediction's placements (``load.population``), else from the
    core names. Cores of the run that the prediction does not know (or all, without `load`)
    get ``predicted_*`` = None.
    """
    index, peak, total = {}, None, None
    if load is not None:
        index = {tuple(int(v) for v in xyp): k for k, xyp in enumerate(load.receivers)}
        peak, total = load.peak(), load.packets.sum(axis=1)
        populations = populations or sorted(set(load.population.tolist()) - {"?"})
    if populations is None:
        from .params import ALL_POPULATIONS
        populations = list(ALL_POPULATIONS)
    rows = []
    for xyp in sorted(cores):
        values = cores[xyp]
        if not any(c in values for c in LOAD_COUNTERS):
            continue
        k = index.get(xyp)
        pop, role = ((str(load.population[k]), str(load.role[k])) if k is not None
                     and load.population[k] != "?" else
                     population_of_label(values.get("core_name"), populations))
        row = dict(x=xyp[0], y=xyp[1], p=xyp[2], population=pop, role=role)
        row.update({c: values.get(c) for c in LOAD_COUNTERS})
        row["predicted_packets_peak"] = int(peak[k]) if k is not None else None
        row["predicted_packets_total"] = int(total[k]) if k is not None else None
        rows.append(row)
    if not rows:
        raise InputError("provenance database", f"cores with any of {LOAD_COUNTERS}", "none")
    return rows


def measured_summary(rows, counter=MAX_RECEIVED):
    """Per population: cores, mean and max over cores of a measured counter and of the
    prediction (the study's provenance analysis: mean and max of the per-core peak)."""
    out = []
    pops = list(dict.fromkeys(r["population"] for r in rows))
    for pop in pops + ["all"]:
        sel = [r for r in rows if pop == "all" or r["population"] == pop]
        meas = np.array([r[counter] for r in sel if r[counter] is not None], float)
        pred = np.array([r["predicted_packets_peak"] for r in sel
                         if r["predicted_packets_peak"] is not None], float)
        out.append(dict(population=pop, n_cores=len(sel), counter=counter,
                        measured_n=len(meas),
                        measured_mean=float(meas.mean()) if len(meas) else None,
                        measured_max=float(meas.max()) if len(meas) else None,
                        predicted_mean=float(pred.mean()) if len(pred) else None,
                        predicted_max=float(pred.max()) if len(pred) else None))
    return out
