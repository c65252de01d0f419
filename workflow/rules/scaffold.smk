# Scaffold: build with BSB 3 in its own environment, download the published file, or read a
# given file; every path ends in resources/scaffolds/<name>.hdf5 (v3 layout, written by
# spinncer/scaffold/io.py) and its summary tables and figure.
from spinncer.scaffold.build import build_sources_digest

BSB_ENV = "resources/envs/bsb"
SCAFFOLD_CONFIG = config["scaffold"]


rule env_bsb:
    # BSB 3 needs numpy < 2: its own virtual environment, from envs/bsb.txt
    # (spinncer.envs.make_env; it runs BSB only)
    input:
        "envs/bsb.txt",
    output:
        f"{BSB_ENV}/.installed",
    log:
        "logs/env/bsb.log",
    conda:
        SPINNCER_ENV
    params:
        env=lambda wc, output: Path(output[0]).parent,
    shell:
        cli("make-env bsb {params.env} --log {log}")


if SCAFFOLD_CONFIG["source"] == "build":

    rule scaffold_build:
        input:
            env=f"{BSB_ENV}/.installed",
            config=SCAFFOLD_CONFIG["build"]["config"] or [],
        output:
            "resources/scaffolds/{scaffold}.hdf5",
        log:
            "logs/scaffold/{scaffold}.log",
        benchmark:
            "logs/benchmark/scaffold/{scaffold}.tsv"
        conda:
            SPINNCER_ENV
        params:
            x=SCAFFOLD_CONFIG["build"]["x"],
            z=SCAFFOLD_CONFIG["build"]["z"],
            seed=SCAFFOLD_CONFIG["build"]["seed"],
            bsb_python=f"{BSB_ENV}/bin/python",
            config=lambda wc, input: f"--config {input.config}" if input.config else "",
            # the library's BSB strategies and id order, by content (not by path: the
            # package need not lie in the project, and a moved project rebuilds nothing)
            sources=build_sources_digest(),
        shell:
            cli(
                "scaffold-build --bsb-python {params.bsb_python}"
                " --x {params.x} --z {params.z} --seed {params.seed} {params.config}"
                " -o {output} > {log} 2>&1"
            )

else:

    rule scaffold_download:
        # Resumable; verified against scaffold.sha256, or the digest recorded on first download.
        output:
            scaffold_input_file(),
        log:
            f"logs/download/{Path(scaffold_input_file()).name}.log",
        conda:
            SPINNCER_ENV
        params:
            url=shlex.quote(SCAFFOLD_CONFIG["url"] or ""),
            sha256=shlex.quote(SCAFFOLD_CONFIG["sha256"]),
        shell:
            cli(
                "scaffold-download {params.url} --sha256 {params.sha256}"
                " -o {output} > {log} 2>&1"
            )

    rule scaffold_convert:
        input:
            scaffold_input_file(),
        output:
            "resources/scaffolds/{scaffold}.hdf5",
        log:
            "logs/scaffold/{scaffold}.log",
        conda:
            SPINNCER_ENV
        params:
            sha256=shlex.quote(SCAFFOLD_CONFIG["sha256"]),
        shell:
            cli(
                "scaffold-convert {input} --sha256 {params.sha256}"
                " -o {output} > {log} 2>&1"
            )


rule scaffold_summary:
    input:
        "resources/scaffolds/{scaffold}.hdf5",
    output:
        populations="resources/scaffolds/{scaffold}_summary_populations.csv",
        connections=report(
            "resources/scaffolds/{scaffold}_summary_connections.csv",
            caption="../report/scaffold.rst",
            category="1. Scaffold",
            labels={"item": "connections"},
        ),
        figure=report(
            "resources/scaffolds/{scaffold}_summary.png",
            caption="../report/scaffold.rst",
            category="1. Scaffold",
            labels={"item": "figure"},
        ),
    log:
        "logs/scaffold/{scaffold}_summary.log",
    conda:
        SPINNCER_ENV
    shell:
        cli(
            "scaffold-summary {input} --populations {output.populations}"
            " --connections {output.connections} --figure {output.figure}"
            " --title {wildcards.scaffold} > {log} 2>&1"
        )
