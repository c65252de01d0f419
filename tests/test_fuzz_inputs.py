"""Randomly corrupted small inputs either load or fail with the one InputError."""
import signal
import zipfile

import h5py
import numpy as np
import pytest

from spinncer import stimulus
from spinncer.errors import InputError
from spinncer.scaffold import read_scaffold

CASES = 120


@pytest.fixture
def alarm():
    """Fail a case that hangs instead of blocking the suite."""
    def timeout(*_):
        raise TimeoutError("loader hung on a corrupted input")
    previous = signal.signal(signal.SIGALRM, timeout)
    yield lambda seconds: signal.alarm(seconds)
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def corrupt(data, rng):
    data = bytearray(data)
    kind = rng.integers(3)
    if kind == 0:  # truncate
        return bytes(data[: rng.integers(len(data))])
    if kind == 1:  # flip bytes
        for pos in rng.integers(len(data), size=rng.integers(1, 40)):
            data[pos] ^= 1 << int(rng.integers(8))
        return bytes(data)
    start = int(rng.integers(len(data)))  # overwrite a block with zeros
    n = min(512, len(data) - start)
    data[start:start + n] = bytes(n)
    return bytes(data)


def drop_dataset(src, dst, rng):
    with h5py.File(src) as f, h5py.File(dst, "w") as g:
        keys = ["positions"] + [f"connections/{k}" for k in f["connections"]]
        dropped = keys[rng.integers(len(keys))]
        for key in keys:
            if key != dropped:
                g.create_dataset(key, data=f[key][()])


def outcome(load, path, alarm):
    alarm(20)
    try:
        load(path)
        return "loaded"
    except InputError as err:
        assert str(path.name) in str(err)
        return "error"
    finally:
        alarm(0)


def test_corrupted_scaffolds(tmp_path, scaffold_file, alarm):
    rng = np.random.default_rng(7)
    original = scaffold_file.read_bytes()
    seen = set()
    for case in range(CASES):
        path = tmp_path / f"case{case}.hdf5"
        if case % 4 == 3:
            drop_dataset(scaffold_file, path, rng)
        else:
            path.write_bytes(corrupt(original, rng))
        seen.add(outcome(read_scaffold, path, alarm))
    assert "error" in seen


def test_corrupted_stimuli(tmp_path, alarm):
    rng = np.random.default_rng(11)
    stim = stimulus.Stimulus.from_trains([np.sort(rng.uniform(0, 1000, 5)) for _ in range(30)])
    source = tmp_path / "stim.npz"
    stimulus.save(stim, source)
    original = source.read_bytes()
    seen = set()
    for case in range(CASES):
        path = tmp_path / f"case{case}.npz"
        if case % 4 == 3:  # drop one member of the archive
            with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
                names = zin.namelist()
                drop = names[rng.integers(len(names))]
                for name in names:
                    if name != drop:
                        zout.writestr(name, zin.read(name))
        else:
            path.write_bytes(corrupt(original, rng))
        seen.add(outcome(stimulus.load, path, alarm))
    assert "error" in seen


def test_corrupted_pickled_spinncer_stimulus(tmp_path, real_stimulus_file, alarm):
    rng = np.random.default_rng(5)
    original = real_stimulus_file.read_bytes()
    for case in range(30):
        path = tmp_path / f"case{case}.npz"
        path.write_bytes(corrupt(original, rng))
        outcome(lambda p: stimulus.load(p, allow_pickle=True), path, alarm)
