"""Each sweep point has one spelling; other spellings are refused with the canonical one."""
import pytest

from spinncer.errors import InputError
from spinncer.sweep import check_point_name, stimulus_name


def test_canonical_names_pass_and_round_trip():
    assert check_point_name("f100_r140_poisson", "1") == (100.0, 140.0, "poisson")
    assert check_point_name("f12.5_r50_periodic", "20") == (12.5, 50.0, "periodic")
    assert stimulus_name(100.0, 140, "poisson") == "f100_r140_poisson"
    assert stimulus_name(1e6, 0.25, "poisson") == "f1000000_r0.25_poisson"
    assert check_point_name("file-given", "1", "/data/given.npz") is None


@pytest.mark.parametrize("stim, seed, canonical", [
    ("f100.0_r140_poisson", "1", "f100_r140_poisson"),
    ("f0100_r140_poisson", "1", "f100_r140_poisson"),
    ("f100_r140.50_poisson", "1", "f100_r140.5_poisson"),
    ("f100_r140_poisson", "01", "seed1"),
])
def test_other_spellings_name_the_canonical_one(stim, seed, canonical):
    with pytest.raises(InputError, match=f"canonical spelling '{canonical}'"):
        check_point_name(stim, seed)


def test_malformed_and_unconfigured_names_are_refused():
    with pytest.raises(InputError, match="f1.2.3_r140_poisson"):
        check_point_name("f1.2.3_r140_poisson", "1")
    with pytest.raises(InputError, match="'file-given' .stimulus.file"):
        check_point_name("file-other", "1", "given.npz")
    with pytest.raises(InputError, match="stimulus.file is not set"):
        check_point_name("file-other", "1", None)
