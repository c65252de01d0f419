"""Export a run to Neurodata Without Borders (NWB 2, through pynwb).

One ``Units`` table per neuron population that fired (the others are named in the module's
description), in the processing module ``spikes``: one row per cell
(its ``id`` is the population-local cell index, as in the run file), its spike times in seconds
(NWB's unit), ascending, with the simulation timestep as ``resolution``. The glomeruli are the
mossy-fibre stimulus, not neurons (a glomerulus may fire twice in one timestep, which NWB does
not allow a unit): they are the stimulus ``TimeSeries`` ``glomerulus`` (data = glomerulus index
of each spike, timestamps = its time, s). The run's metadata (config, versions, inputs and their
sha256) goes into the file's ``notes`` as JSON. No electrodes (simulated point neurons).

The ``Subject`` is the simulated network (:func:`subject`), which DANDI requires
(nwbinspector's subject checks at CRITICAL: subject_id, species, sex, age): species Mus musculus
(the scaffold models the mouse cerebellar cortex [Casali2019]), sex "U" and age "P0D/" (an open
ISO 8601 range: a model has neither; DANDI's and nwbinspector's form for an unknown upper
bound), a description saying that it is simulated, and an id naming the model variant and the
scaffold file's sha256, so that every run on one network is one subject.

[Casali2019] Casali S, Marenzi E, Medini C, Casellato C, D'Angelo E (2019) Reconstruction and
simulation of a scaffold model of the cerebellar network. Front. Neuroinform. 13:37 (mouse).

NWB: Rübel et al. 2022, eLife 11:e78362; checked with nwbinspector (tests/test_nwb.py).
"""
import datetime
import json
import uuid
from pathlib import Path

import numpy as np

from .atomic import atomic_path
from .errors import InputError
from .params import INPUT_POPULATION

MODULE = "spikes"


def _units(name, pop, n_spikes_note, resolution_s):
    from hdmf.common import ElementIdentifiers, VectorData, VectorIndex
    from pynwb.misc import Units

    ids = ElementIdentifiers(name="id", data=np.arange(pop.n_cells))
    description = (f"{name} cells of the scaffold ({pop.n_cells} cells, {n_spikes_note} spikes); "
                   "id = population-local cell index")
    order = np.lexsort((pop.time, pop.cell))
    cell = np.asarray(pop.cell, np.int64)[order]
    times = VectorData(name="spike_times", description="spike times of each cell, s",
                       data=np.asarray(pop.time, float)[order] / 1000.0)
    ends = np.searchsorted(cell, np.arange(pop.n_cells), side="right")
    index = VectorIndex(name="spike_times_index", data=ends, target=times)
    return Units(name=name, description=description, id=ids, columns=[times, index],
                 resolution=resolution_s)


def _stimulus(name, pop):
    from pynwb import TimeSeries

    order = np.lexsort((pop.cell, pop.time))
    return TimeSeries(name=name, data=np.asarray(pop.cell, np.int64)[order], unit="n.a.",
                      timestamps=np.asarray(pop.time, float)[order] / 1000.0,
                      description=f"spikes of the {pop.n_cells} {name} spike sources (the "
                      "mossy-fibre stimulus): data = source index, timestamps = spike time (s)",
                      continuity="instantaneous")


def subject(run):
    """The pynwb ``Subject`` of `run`: the simulated network (module docstring)."""
    from pynwb.file import Subject

    variant = run.metadata.get("model_variant", "spinncer")
    scaffold_sha = run.metadata.get("inputs", {}).get("scaffold", {}).get("sha256", "")
    return Subject(
        subject_id="-".join(filter(None, ["simulated", variant, scaffold_sha[:12]])),
        species="Mus musculus", sex="U", age="P0D/",
        description="simulated: no animal. A spiking network model of the mouse cerebellar "
        f"cortex (Casali et al. 2019 scaffold, model variant {variant}) run on "
        f"{run.backend}; sex and age do not apply (U, P0D/).")


def write_nwb(run, path, session_start=None):
    """Write `run` (:class:`~spinncer.results.RunResult`) to the NWB file `path` (atomically).

    `session_start` (aware datetime): the session start NWB requires; default: the run's
    ``finished`` metadata if present, else now.
    """
    try:
        from pynwb import NWBHDF5IO, NWBFile
    except ImportError:
        raise InputError("export-nwb", "pynwb installed (envs/spinncer.txt)",
                         "no pynwb module") from None
    start = session_start or datetime.datetime.now(datetime.timezone.utc)
    digest = run.metadata.get("config_sha256") or json.dumps(run.metadata, sort_keys=True,
                                                             default=str)
    nwbfile = NWBFile(
        session_description=f"spinncer simulation of the Casali 2019 cerebellum scaffold on "
        f"{run.backend}: {run.simtime:g} ms at {run.timestep:g} ms, seed {run.seed}",
        identifier=str(uuid.uuid5(uuid.NAMESPACE_URL, f"spinncer:{digest}:{run.backend}")),
        session_start_time=start, timestamps_reference_time=start,
        source_script="spinncer export-nwb", source_script_file_name="spinncer/nwb.py",
        notes=json.dumps(run.metadata, sort_keys=True, default=str),
        experiment_description="Bogdan et al. 2021 (Front. Cell. Neurosci. 15:622870) mossy-fibre "
        "stimulus protocol on the Casali et al. 2019 cerebellum scaffold model",
        keywords=["cerebellum", "simulation", "spiking network", run.backend],
        subject=subject(run))
    # A population without spikes has no table (NWB's empty ragged spike_times column makes
    # nwbinspector 0.7.2 fail, a table without it is a best-practice violation): the module's
    # description names it and its size.
    silent = [f"{name} ({pop.n_cells} cells)" for name, pop in run.spikes.items()
              if len(pop) == 0 and name != INPUT_POPULATION]
    module = nwbfile.create_processing_module(
        MODULE, "spike times per population of a simulated network (one Units table each); "
        f"populations without spikes: {', '.join(silent) or 'none'}")
    for name, pop in run.spikes.items():
        if len(pop) == 0 and name != INPUT_POPULATION:
            continue
        if name == INPUT_POPULATION:
            nwbfile.add_stimulus(_stimulus(name, pop))
        else:
            module.add(_units(name, pop, len(pop), run.timestep / 1000.0))
    with atomic_path(path) as tmp:
        with NWBHDF5IO(str(tmp), "w") as io:
            io.write(nwbfile)
    return Path(path)
