"""Reading sPyNNaker 7.4.1 provenance databases written by sPyNNaker's own writer."""
import os
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from spinncer.errors import InputError
from spinncer.results import PopulationSpikes
from spinncer.routing import RoutingMap, packet_load
from spinncer.spinnaker_provenance import (MAX_RECEIVED, PROCESSED, measured_beside_predicted,
                                           measured_summary, population_of_label,
                                           read_core_provenance)
from tests.test_routing import SLICE, _mapping

WRITER = textwrap.dedent("""
    import sys
    from spynnaker.pyNN.config_setup import unittest_setup
    unittest_setup()
    from spinn_utilities.config_holder import set_config
    set_config("Reports", "write_provenance", "True")
    from spinn_front_end_common.interface.provenance import ProvenanceWriter
    with ProvenanceWriter(sys.argv[1]) as db:
        db.insert_core(0, 0, 2, "Max_spikes_received_in_time_step", 2)
        db.insert_core(0, 0, 2, "How many spikes were processed", 3)
        db.insert_core(1, 0, 3, "Max_spikes_received_in_time_step", 1)
        db.insert_core(1, 0, 3, "Times_the_input_buffer_lost_packets", 0)
        db.insert_core(0, 0, 1, "Number_of_late_spikes", 0)
        db.insert_router(0, 0, "Local_Multicast_Packets", 5)
""")


@pytest.fixture(scope="module")
def provenance_db(tmp_path_factory):
    where = tmp_path_factory.mktemp("prov")
    path = where / "data.sqlite3"
    env = dict(os.environ, HOME=str(where), XDG_CONFIG_HOME=str(where / ".config"))
    subprocess.run([sys.executable, "-c", WRITER, str(path)], check=True, env=env, cwd=where,
                   capture_output=True, timeout=300)
    return path


def test_measured_beside_predicted_per_core(provenance_db):
    cores = read_core_provenance(provenance_db)
    assert cores[(0, 0, 2)][MAX_RECEIVED] == 2 and cores[(0, 0, 2)][PROCESSED] == 3
    arrays = _mapping([SLICE], [(0, 0, 0x10000, 0xFFFFFFC0, 1 << 2),
                                (1, 0, 0x10000, 0xFFFFFFC0, 1 << 3)],
                      pynn={"pre": np.arange(4)},
                      arrays={"core_xyp": np.array([[0, 0, 2], [1, 0, 3]]),
                              "core_population": np.array(["post", "post"]),
                              "core_role": np.array(["combined", "combined"])})
    spikes = {"pre": PopulationSpikes(np.array([0, 1, 3]), np.array([0.0, 0.0, 0.1]), 4)}
    load = packet_load(spikes, RoutingMap.from_arrays(arrays), 0.1)
    rows = measured_beside_predicted(cores, load)
    by_core = {(r["x"], r["y"], r["p"]): r for r in rows}
    assert set(by_core) == {(0, 0, 2), (1, 0, 3)}  # (0,0,1) holds no load counter
    assert by_core[(0, 0, 2)][MAX_RECEIVED] == 2
    assert by_core[(0, 0, 2)]["predicted_packets_peak"] == 2
    assert by_core[(1, 0, 3)]["population"] == "post"
    summary = {r["population"]: r for r in measured_summary(rows)}
    assert summary["post"]["measured_max"] == 2 and summary["post"]["measured_mean"] == 1.5
    assert summary["post"]["predicted_max"] == 2


def test_core_names_name_populations():
    pops = ["golgi", "granule", "glomerulus"]
    assert population_of_label("granule(0:63)", pops) == ("granule", "neurons")
    assert population_of_label("Delay extension for golgi", pops) == ("golgi", "delay")
    assert population_of_label("SCAMP(OS)_0:0", pops) == (None, None)


def test_damaged_or_foreign_database_is_one_input_error(tmp_path, provenance_db):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(provenance_db.read_bytes()[:2000])
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE something(a)")
    text = tmp_path / "text.sqlite3"
    text.write_text("not a database")
    for path in (damaged, foreign, text, tmp_path / "missing.sqlite3"):
        with pytest.raises(InputError, match="provenance database"):
            read_core_provenance(path)


def test_cli_reads_a_database_and_refuses_a_foreign_one(tmp_path, provenance_db, capsys):
    from spinncer.cli import main
    out, summary = tmp_path / "cores.csv", tmp_path / "summary.csv"
    assert main(["spinnaker-provenance", str(provenance_db), "-o", str(out),
                 "--summary", str(summary)]) == 0
    import pandas as pd
    cores = pd.read_csv(out)
    assert sorted(cores[MAX_RECEIVED].dropna().tolist()) == [1, 2]
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE something(a)")
    capsys.readouterr()
    out2 = tmp_path / "cores2.csv"
    assert main(["spinnaker-provenance", str(foreign), "-o", str(out2),
                 "--summary", str(summary)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("spinncer: error: ")
    assert "provenance database" in err[0] and not out2.exists()
