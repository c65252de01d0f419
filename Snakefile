# spinncer: the Casali 2019 cerebellum scaffold on NEST (and SpiNNaker), after Bogdan et al. 2021.
#   snakemake --cores N                                   full reproduction (config/config.yaml)
#   snakemake --cores N --configfile config/smoke.yaml    100 x 100 µm smoke run
# Rules hold wiring only; the work is done by the `spinncer` library/CLI.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/scaffold.smk"
include: "workflow/rules/stimulus.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/spinnaker.smk"
include: "workflow/rules/validation.smk"
include: "workflow/rules/reference.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
        validation_outputs(),
