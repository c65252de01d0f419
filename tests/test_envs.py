"""The conda environment every rule declares (envs/spinncer.yaml) carries the pins of
envs/spinncer.txt, generated from it (spinncer.envs.conda_env_yaml)."""
from pathlib import Path

import yaml

from spinncer.envs import conda_env_yaml

REPO = Path(__file__).resolve().parents[1]


def test_conda_env_is_generated_from_the_pip_pins():
    generated = conda_env_yaml()
    assert (REPO / "envs/spinncer.yaml").read_text() == generated, \
        "regenerate: python -m spinncer.envs > envs/spinncer.yaml"
    lines = [line.strip() for line in (REPO / "envs/spinncer.txt").read_text().splitlines()]
    pins = [line for line in lines if line and not line.startswith("#") and line != "-e ."]
    env = yaml.safe_load(generated)
    assert env["dependencies"][-1] == {"pip": pins}
    assert "sPyNNaker==1!7.4.1" in pins and "python=3.11" in env["dependencies"]
    # Snakemake runs <env>.post-deploy.sh beside the yaml: it installs the checkout (-e .)
    assert "-e ." in lines and "--no-deps" in (REPO / "envs/spinncer.post-deploy.sh").read_text()
