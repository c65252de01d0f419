import numpy as np
import pytest

from spinncer import stimulus
from spinncer.errors import InputError

PROTOCOL = dict(f_base=1.0, f_peak=150.0, stim_radius=140.0, stim_times=(300.0, 50.0, 650.0),
                percentage_active_fibers=0.8, kind="poisson", seed=3, timestep=0.1)


def grid_positions(n_side=40, spacing=10.0):
    """Glomeruli on a flat square grid, centred so the median is (195, 0, 195)."""
    g = np.arange(n_side) * spacing
    x, z = np.meshgrid(g, g)
    return np.column_stack([x.ravel(), np.zeros(x.size), z.ravel()])


def in_window(stim, start, stop):
    cells = np.repeat(np.arange(stim.n_sources), stim.counts)
    inside = (stim.times >= start) & (stim.times < stop)
    return np.bincount(cells[inside], minlength=stim.n_sources)


def test_stimulated_glomeruli_are_a_fraction_of_those_inside_the_radius():
    pos = grid_positions()
    stim = stimulus.generate(pos, **PROTOCOL)
    centre = np.median(pos, axis=0)
    inside = np.linalg.norm(pos - centre, axis=1) < 140.0
    assert not stim.stimulated[~inside].any()
    assert stim.stimulated.sum() == int(0.8 * inside.sum())


def test_poisson_rates_match_protocol():
    pos = grid_positions()
    stim = stimulus.generate(pos, **PROTOCOL)
    during = in_window(stim, 300.0, 350.0)
    # stimulated: (1 + 150) Hz * 50 ms = 7.55 spikes expected; others 0.05
    assert during[stim.stimulated].mean() == pytest.approx(7.55, rel=0.05)
    assert during[~stim.stimulated].mean() == pytest.approx(0.05, abs=0.03)
    baseline = in_window(stim, 0.0, 300.0)
    assert baseline.mean() == pytest.approx(0.3, rel=0.15)  # 1 Hz * 300 ms


def test_periodic_stimulus_is_evenly_spaced():
    pos = grid_positions(10)
    stim = stimulus.generate(pos, **{**PROTOCOL, "kind": "periodic", "f_peak": 99.0})
    trains = stim.spike_trains()
    first = np.flatnonzero(stim.stimulated)[0]
    t = trains[first]
    t = t[(t >= 300.0) & (t < 350.0)]
    # 100 Hz for 50 ms: 5 spikes every 10 ms from the window start
    np.testing.assert_allclose(t, [300.0, 310.0, 320.0, 330.0, 340.0])


def test_same_seed_same_spikes_other_seed_differs():
    pos = grid_positions(20)
    a, b = stimulus.generate(pos, **PROTOCOL), stimulus.generate(pos, **PROTOCOL)
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_array_equal(a.counts, b.counts)
    c = stimulus.generate(pos, **{**PROTOCOL, "seed": 4})
    assert len(c.times) != len(a.times) or not np.array_equal(c.times, a.times)


def test_times_lie_on_the_time_grid_and_after_zero():
    np.testing.assert_allclose(stimulus.snap_to_grid([0.0, 0.04, 0.15, 0.3, 12.349], 0.1),
                               [0.2, 0.2, 0.2, 0.3, 12.3])
    stim = stimulus.generate(grid_positions(10), **PROTOCOL)
    steps = stim.times / 0.1
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-6)
    assert stim.times.min() >= 0.2 - 1e-12


def test_save_load_round_trip(tmp_path):
    stim = stimulus.generate(grid_positions(10), **PROTOCOL)
    path = tmp_path / "s.npz"
    stimulus.save(stim, path)
    back = stimulus.load(path)
    np.testing.assert_array_equal(back.times, stim.times)
    np.testing.assert_array_equal(back.stimulated, stim.stimulated)
    assert back.params == stim.params


def test_spinncer_file_needs_explicit_pickle_permission(real_stimulus_file):
    with pytest.raises(InputError, match="allow_pickle"):
        stimulus.load(real_stimulus_file)
    stim = stimulus.load(real_stimulus_file, allow_pickle=True)
    assert stim.n_sources == 7073
    assert len(stim.times) == 29040
    assert stim.params["f_peak"] == 150.0 and stim.params["stim_times"] == [300, 50, 650]
    assert (in_window(stim, 300, 350) > 3).sum() == 2746
    # loaded onto the 0.1 ms grid of the run it was made for
    steps = stim.times / 0.1
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-6)
    assert all((np.diff(t) >= 0).all() for t in stim.spike_trains())


def test_generator_matches_reference_file_statistics(real_stimulus_file):
    """Same protocol, statistically similar trains: background rate, and the spikes of the
    glomeruli that responded (> 3 spikes in the 50 ms window) during the stimulus."""
    ref = stimulus.load(real_stimulus_file, allow_pickle=True)
    rng = np.random.default_rng(0)
    pos = rng.uniform([0, 0, 0], [400, 150, 400], size=(ref.n_sources, 3))
    ours = stimulus.generate(pos, **{**PROTOCOL, "percentage_active_fibers": 1.0})
    base_ref, base_ours = in_window(ref, 0, 300).mean(), in_window(ours, 0, 300).mean()
    assert base_ours == pytest.approx(base_ref, rel=0.1)  # 1 Hz background: ~0.3 spikes
    during_ref, during_ours = in_window(ref, 300, 350), in_window(ours, 300, 350)
    assert during_ours[during_ours > 3].mean() == pytest.approx(
        during_ref[during_ref > 3].mean(), rel=0.05)


def test_unknown_kind_and_bad_files(tmp_path):
    with pytest.raises(InputError, match="stimulus.type"):
        stimulus.generate(grid_positions(3), **{**PROTOCOL, "kind": "bursty"})
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 broken zip")
    with pytest.raises(InputError, match="bad.npz"):
        stimulus.load(bad)
    other = tmp_path / "other.npz"
    np.savez(other, x=np.arange(3))
    with pytest.raises(InputError, match="keys"):
        stimulus.load(other)


def test_gold_protocol_bursts_the_glomeruli_nearest_the_centre_over_background():
    pos = grid_positions()  # 1600 glomeruli
    stim = stimulus.generate_protocol("gold-casali2019", pos, seed=1, timestep=0.1)
    n_expected = round(1600 * 539 / 7070)
    assert stim.stimulated.sum() == n_expected
    distance = np.linalg.norm(pos - np.median(pos, axis=0), axis=1)
    assert distance[stim.stimulated].max() <= distance[~stim.stimulated].min()
    # 15 burst spikes between 300 and 400.2 ms, ~7 ms apart, as in the gold-standard file
    burst = np.asarray(stim.params["burst_times"])
    assert len(burst) == 15 and burst[0] == pytest.approx(300.2) and burst[-1] == \
        pytest.approx(400.2)
    assert set(np.round(np.diff(burst))) == {7.0, 8.0}
    during = in_window(stim, 300.0, 401.0)
    assert (during[stim.stimulated] >= 15).all()
    assert during[~stim.stimulated].mean() < 0.5
    # ~1 Hz background everywhere, outside the burst too
    before = in_window(stim, 0.0, 300.0)
    assert 0.8 < before.mean() / 0.3 < 1.2
    assert stim.params["stim_times"] == [300.0, 100.0, 600.0]


def test_unknown_protocol_is_bad_input():
    with pytest.raises(InputError, match="protocol"):
        stimulus.generate_protocol("gold-other", grid_positions(), seed=1, timestep=0.1)
