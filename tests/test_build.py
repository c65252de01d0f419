import sys

import pytest

from spinncer.errors import InputError
from spinncer.scaffold.build import build_with_bsb, bundled_config


def test_failed_bsb_compile_names_the_configuration_and_writes_nothing(tmp_path):
    config = tmp_path / "network.json"
    config.write_text("{}")
    out = tmp_path / "out" / "scaffold.hdf5"
    # this interpreter has no BSB: the compile fails like a broken configuration would
    with pytest.raises(InputError) as info:
        build_with_bsb(sys.executable, out, x=10, z=10, seed=1, config=config)
    assert "network.json" in str(info.value) and "BSB exit" in str(info.value)
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_environment_without_bsb_is_bad_input(tmp_path):
    with pytest.raises(InputError, match="bsb 3 installed"):
        bundled_config(sys.executable)
