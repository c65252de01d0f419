# Snakemake (`--sdm conda`) runs this once in the new conda env of envs/spinncer.yaml, activated,
# from its own process, whose SPINNCER_CHECKOUT workflow/rules/common.smk sets to the checkout
# the workflow's library is imported from. It installs that checkout editable and without
# dependencies (the yaml pins them), as `-e .` of envs/spinncer.txt does: the env's `spinncer`
# command runs this checkout's code. Not exercised here (no conda channel reachable).
set -eu
python -m pip install --disable-pip-version-check --no-deps \
    -e "${SPINNCER_CHECKOUT:?expected the checkout, set by workflow/rules/common.smk}"
