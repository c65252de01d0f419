"""Model variants: the casali2019 parameter set builds and runs on NEST with its own tables."""
import nest
import numpy as np
import pytest

from spinncer import stimulus
from spinncer.backends import open_session
from spinncer.errors import InputError
from spinncer.params import (CELL_PARAMS, CONNECTION_TYPES, MODEL_VARIANTS, Model,
                             model_variant)
from spinncer.results import read_run
from spinncer.simulate import run_simulation, weight_scaled_model


def test_casali2019_differs_from_spinncer_where_the_script_does():
    casali, ours = model_variant("casali2019"), model_variant("spinncer")
    differing = {name for name in CONNECTION_TYPES
                 if casali.connection_types.get(name) != ours.connection_types[name]}
    assert differing == {"aa_pc", "pf_goc", "pf_pc", "bc_pc", "gj_bc", "gj_goc", "glom_dcn"}
    assert casali.connection_types["bc_pc"].delay == 0.5
    assert casali.connection_types["pf_pc"].weight == pytest.approx(0.0002)
    assert casali.cell_params["purkinje"]["i_offset"] == pytest.approx(0.7)
    assert casali.cell_params["golgi"]["tau_m"] == pytest.approx(21.111, abs=1e-3)
    assert {p["e_rev_I"] for p in casali.cell_params.values()} == {-85.0}
    assert casali.v_init("purkinje") == -70.0
    assert ours.v_init("purkinje") == CELL_PARAMS["purkinje"]["v_rest"]
    assert set(MODEL_VARIANTS) == {"spinncer", "casali2019"}


def test_unknown_variant_is_one_input_error():
    with pytest.raises(InputError, match="model.variant.*casali2019.*'nope'"):
        model_variant("nope")


def test_casali2019_run_skips_its_omitted_connections_and_starts_at_minus_70(
        tmp_path, scaffold, scaffold_file):
    stim = stimulus.generate(scaffold.positions["glomerulus"], f_base=20.0, f_peak=150.0,
                             stim_radius=30.0, stim_times=(100.0, 50.0, 100.0),
                             percentage_active_fibers=1.0, kind="poisson", seed=1,
                             timestep=0.1)
    stimulus.save(stim, tmp_path / "s.npz")
    runs = {}
    for name in ("spinncer", "casali2019"):
        out = tmp_path / f"{name}.h5"
        run_simulation(scaffold_file, tmp_path / "s.npz", out, timestep=0.1, simtime=250.0,
                       model=model_variant(name))
        runs[name] = read_run(out)
    assert runs["casali2019"].metadata["model_variant"] == "casali2019"
    assert runs["spinncer"].metadata["model_variant"] == "spinncer"
    assert "gj_goc" in runs["spinncer"].metadata["n_synapses"]
    assert not {"gj_goc", "glom_dcn"} & set(runs["casali2019"].metadata["n_synapses"])
    # a 700 pA purkinje drive fires more than 600 pA does
    pc = {name: len(run.spikes["purkinje"]) for name, run in runs.items()}
    assert pc["casali2019"] > pc["spinncer"]


def test_initial_v_reaches_the_simulator(scaffold):
    stim = stimulus.Stimulus.from_trains([[] for _ in range(8)])
    for variant, expected in (("casali2019", -70.0), ("spinncer", CELL_PARAMS["dcn"]["v_rest"])):
        session = open_session("nest", timestep=0.1, model=model_variant(variant))
        try:
            session.build(scaffold, stim)
            v = nest.GetStatus(session.populations["dcn"].node_collection, "V_m")
        finally:
            session.end()
        assert np.allclose(v, expected)


def test_model_without_initial_v_starts_at_rest():
    model = Model("x", CELL_PARAMS, CONNECTION_TYPES)
    assert model.v_init("granule") == CELL_PARAMS["granule"]["v_rest"]


def test_weight_scaled_model_keeps_the_variants_initial_v():
    casali = model_variant("casali2019")
    scaled = weight_scaled_model(casali, {"pf_pc": 1.5})
    assert scaled.v_init("purkinje") == -70.0 and scaled.resolution == casali.resolution
    assert scaled.connection_types["pf_pc"].weight == 1.5 * casali.connection_types["pf_pc"].weight
    assert scaled.name == "casali2019+weight_scale"
