import numpy as np
import pytest

from spinncer.params import CONNECTION_TYPES, PUBLISHED_CELLS
from spinncer.scaffold.summary import connection_table, in_degrees, population_table


def test_population_table_counts_and_expectation(scaffold):
    scaffold.attrs.update(volume_x_um=100.0, volume_z_um=100.0)
    table = population_table(scaffold).set_index("population")
    assert table.loc["granule", "n_cells"] == 6
    assert table.loc["granule", "expected_for_area"] == pytest.approx(
        PUBLISHED_CELLS["granule"] / 16)
    assert table.loc["dcn", "rel_diff"] == pytest.approx(1 / (12 / 16) - 1)


def test_connection_table_by_hand(scaffold):
    table = connection_table(scaffold).set_index("connection")
    assert sorted(table.index) == sorted(CONNECTION_TYPES)
    row = table.loc["glom_grc"]
    assert row["n_synapses"] == 24
    assert row["mean_in_degree"] == pytest.approx(4.0)  # 24 synapses on 6 granule cells
    assert row["mean_out_degree"] == pytest.approx(3.0)  # from 8 glomeruli
    # absent types are listed with 0 synapses
    assert table.loc["gj_bc", "n_synapses"] == 0
    assert table.loc["pc_dcn", "mean_distance_um"] == pytest.approx(
        np.mean([np.hypot(10.0, 460.0), np.hypot(20.0, 460.0)]))
    np.testing.assert_array_equal(in_degrees(scaffold, "pc_dcn"), [2])


def test_tolerance_rule(scaffold):
    # at the published area: 3% per row, or +-2 cells below 100 published cells
    scaffold.attrs.update(volume_x_um=400.0, volume_z_um=400.0)
    from spinncer.scaffold.summary import population_table
    scaffold.positions["granule"] = np.zeros((int(88158 * 1.029), 3))
    scaffold.positions["golgi"] = np.zeros((int(219 * 1.04), 3))
    scaffold.positions["dcn"] = np.zeros((14, 3))
    scaffold.positions["purkinje"] = np.zeros((72, 3))
    table = population_table(scaffold).set_index("population")["within_tolerance"]
    assert table["granule"] and not table["golgi"]
    assert table["dcn"] and not table["purkinje"]


def test_degree_distributions_by_hand(scaffold):
    table = connection_table(scaffold).set_index("connection")
    row = table.loc["glom_grc"]  # every granule 4 glomeruli; glomeruli feed 2 2 3 4 4 4 3 2
    assert row["in_degree_sd"] == 0.0 and row["in_degree_min"] == row["in_degree_max"] == 4
    assert row["out_degree_min"] == 2 and row["out_degree_max"] == 4
    assert row["out_degree_p50"] == 3.0 and row["out_degree_zero_frac"] == 0.0
    assert row["out_degree_sd"] == pytest.approx(np.std([2, 2, 3, 4, 4, 4, 3, 2]))
    assert row["published_mean_in_degree"] == pytest.approx(352474 / 88158)
    # an absent type: every cell of the population without a synapse
    assert table.loc["gj_bc", "in_degree_zero_frac"] == 1.0
    goc_grc = table.loc["goc_grc"]
    received = np.bincount(scaffold.connections["goc_grc"].post, minlength=6)
    assert goc_grc["in_degree_zero_frac"] == pytest.approx(np.mean(received == 0))
