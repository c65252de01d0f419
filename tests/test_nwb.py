"""NWB export: one Units table per neuron population, read back with pynwb, and nwbinspector
reports nothing at its error levels."""
import numpy as np
import pytest

from spinncer.cli import main
from spinncer.results import PopulationSpikes, RunResult, write_run

pynwb = pytest.importorskip("pynwb")  # envs/spinncer.txt
nwbinspector = pytest.importorskip("nwbinspector")  # envs/test.txt


def test_export_nwb_reads_back_and_passes_nwbinspector(tmp_path):
    spikes = {
        # two spikes of one glomerulus in the same timestep: allowed for a spike source
        "glomerulus": PopulationSpikes(np.array([1, 1, 0]), np.array([300.1, 300.1, 12.0]), 3),
        "granule": PopulationSpikes(np.array([2, 0, 0]), np.array([5.0, 320.0, 310.0]), 4),
        "dcn": PopulationSpikes(np.zeros(0, int), np.zeros(0), 1),
    }
    run_file, out = tmp_path / "spikes.h5", tmp_path / "run.nwb"
    write_run(RunResult(spikes, "nest", 0.1, 1000.0, 3, {"config_sha256": "ab"}), run_file)
    assert main(["export-nwb", str(run_file), "-o", str(out)]) == 0
    with pynwb.NWBHDF5IO(str(out), "r") as io:
        nwbfile = io.read()
        granule = nwbfile.processing["spikes"]["granule"]
        assert len(granule) == 4 and granule.resolution == pytest.approx(1e-4)
        assert [list(granule["spike_times"][i]) for i in range(4)] == [[0.31, 0.32], [], [0.005],
                                                                       []]
        assert "dcn" not in nwbfile.processing["spikes"].data_interfaces
        assert "without spikes: dcn (1 cells)" in nwbfile.processing["spikes"].description
        glom = nwbfile.stimulus["glomerulus"]
        assert glom.data[()].tolist() == [0, 1, 1]
        assert glom.timestamps[()].tolist() == pytest.approx([0.012, 0.3001, 0.3001])
        subject = nwbfile.subject
        assert subject.species == "Mus musculus" and subject.sex == "U"
        assert subject.description.startswith("simulated")
        assert subject.subject_id.startswith("simulated-spinncer")
    # DANDI's configuration of nwbinspector (its checks' importance as DANDI weighs them)
    dandi = nwbinspector.load_config("dandi")
    messages = list(nwbinspector.inspect_nwbfile(str(out), config=dandi))
    serious = [m for m in messages if m.importance.name in
               ("ERROR", "PYNWB_VALIDATION", "CRITICAL", "BEST_PRACTICE_VIOLATION")]
    assert serious == [], serious


def test_nwb_subject_names_model_and_scaffold():
    from spinncer.nwb import subject
    meta = {"model_variant": "casali2019", "inputs": {"scaffold": {"sha256": "0123456789abcdef"}}}
    run = RunResult({}, "brian2", 0.1, 10.0, 1, meta)
    found = subject(run)
    assert found.subject_id == "simulated-casali2019-0123456789ab"
    assert "brian2" in found.description and "casali2019" in found.description
