"""Configuration checks: one InputError naming the key, what was expected and what was found."""
from pathlib import Path

import pytest
import yaml

from spinncer.config import check_config, load_schema, schema_markdown
from spinncer.errors import InputError

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow/schemas/config.schema.yaml"


def smoke():
    return yaml.safe_load((REPO / "config/smoke.yaml").read_text())


def test_shipped_configs_are_valid():
    for name in ("config.yaml", "smoke.yaml", "paper.yaml", "reference.yaml"):
        check_config(yaml.safe_load((REPO / "config" / name).read_text()), SCHEMA, name)


def test_schema_defaults_are_the_library_defaults():
    from spinncer.validation.realisations import DEFAULT_REALISATIONS
    validation = load_schema(SCHEMA)["properties"]["validation"]["properties"]
    assert validation["realisations"]["default"] == DEFAULT_REALISATIONS


@pytest.mark.parametrize("edit, key, expected", [
    (lambda c: c["stimulus"].update(f_base=-1.0), "stimulus.f_base", "a value >= 0"),
    (lambda c: c["simulation"].update(threads="two"), "simulation.threads", "type integer"),
    (lambda c: c["stimulus"].update(fpeak=[1.0]), "stimulus", "only the keys"),
    (lambda c: c["simulation"].update(backends=["neuron"]), "simulation.backends.0", "one of"),
    (lambda c: c["stimulus"].update(type=["bursty"]), "stimulus.type.0", "one of"),
    (lambda c: c["spinnaker"].update(id_remap="hilbert"), "spinnaker.id_remap", "one of"),
    (lambda c: c["analysis"].update(compare=[["nest", "neuron"]]), "analysis.compare.0.1",
     "one of"),
    (lambda c: c["stimulus"].update(stim_times=[300.0, 50.0]), "stimulus.stim_times",
     "at least 3 items"),
    (lambda c: c["stimulus"].update(stim_times=[300.0, 0.0, 650.0]), "stimulus.stim_times.1",
     "a value > 0"),
    (lambda c: c["stimulus"].update(percentage_active_fibers=1.5),
     "stimulus.percentage_active_fibers", "a value <= 1"),
    (lambda c: c["scaffold"].update(sha256="abc"), "scaffold.sha256", "matching"),
    (lambda c: c["spinnaker"].update(neurons_per_core={"purkinj": 1}),
     "spinnaker.neurons_per_core", "found 'purkinj'"),
    (lambda c: c.pop("simulation"), "(top level)", "the keys"),
])
def test_violations_name_key_expected_found(edit, key, expected):
    config = smoke()
    edit(config)
    with pytest.raises(InputError) as info:
        check_config(config, SCHEMA, "smoke.yaml")
    message = str(info.value)
    assert message.startswith(f"smoke.yaml: key '{key}'"), message
    assert expected in message and "\n" not in message


def test_config_readme_is_generated_from_the_schema():
    expected = schema_markdown(load_schema(SCHEMA))
    assert (REPO / "config/README.md").read_text() == expected, \
        "regenerate: python -m spinncer.config > config/README.md"
    assert "| `simulation.threads` | integer |" in expected and ">= 1" in expected
