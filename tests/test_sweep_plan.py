"""The study's sweeps as named sweeps: points, overlaps and the cost estimate."""
from pathlib import Path

import pytest
import yaml

from spinncer.sweep import (RUN_CPU_SECONDS_400, cost_estimate, parse_run_path, plan_sweeps,
                            swept_axes, unique_points)

REPO = Path(__file__).resolve().parents[1]


def config(name):
    return yaml.safe_load((REPO / "config" / name).read_text())


def test_paper_config_states_the_study_sweeps():
    paper = config("paper.yaml")
    plan = plan_sweeps(paper["stimulus"], paper["simulation"]["seeds"], paper["sweeps"])
    # 9 f_peak values x 2 types x 10 runs; 9 radii x 2 x 10; 5 seeds x 2 types at the paper point
    assert {name: len(points) for name, points in plan.items()} == {
        "f_peak": 180, "stim_radius": 180, "variance": 10}
    # shared runs (150 Hz at 140 µm, 2 types x 10 seeds) run once
    assert len(unique_points(plan)) == 340
    assert set(paper["simulation"]["backends"]) == {"nest", "nest-numerics", "brian2"}
    axes = {name: swept_axes(paper["stimulus"], paper["simulation"]["seeds"], spec)
            for name, spec in paper["sweeps"].items()}
    assert axes == {"f_peak": ["f_peak"], "stim_radius": ["stim_radius"], "variance": ["seed"]}
    assert ("f30_r140_periodic", 10) in plan["f_peak"]
    assert ("f150_r20_poisson", 1) in plan["stim_radius"]


def test_without_named_sweeps_the_stimulus_lists_are_one_product():
    base = config("config.yaml")
    stim = dict(base["stimulus"], f_peak=[100.0, 150.0], type=["poisson", "periodic"])
    plan = plan_sweeps(stim, [1, 2], {})
    assert list(plan) == ["default"] and len(plan["default"]) == 8
    assert plan_sweeps(dict(stim, protocol="gold-casali2019"), [1], {}) == {
        "gold-casali2019": [("gold-casali2019", 1)]}
    assert plan_sweeps(dict(stim, file="a/given.npz"), [3], {}) == {
        "file": [("file-given", 3)]}


def test_every_point_is_addressable_by_its_path():
    point = parse_run_path("results/s/f30_r140_periodic/seed10/brian2/stats.csv")
    assert point == {"scaffold": "s", "stimulus": "f30_r140_periodic", "seed": 10,
                     "backend": "brian2", "f_peak": 30.0, "stim_radius": 140.0,
                     "type": "periodic"}
    gold = parse_run_path("results/s/gold-casali2019/seed1/nest/reference_check.csv")
    assert gold["stimulus"] == "gold-casali2019" and "f_peak" not in gold


def test_cost_scales_with_runs_area_and_timestep():
    assert cost_estimate(3600, 400.0 ** 2, 0.1) == pytest.approx(RUN_CPU_SECONDS_400)
    full = cost_estimate(10, 400.0 ** 2, 0.1)
    assert cost_estimate(10, 400.0 ** 2, 0.01) == pytest.approx(10 * full)
    assert cost_estimate(10, 100.0 ** 2, 0.1) == pytest.approx(full / 16)
