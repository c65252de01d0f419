# Scaffold: build with BSB 3 in its own environment, or convert a given file, into
# resources/scaffolds/<name>.hdf5 (v3 layout, see spinncer/scaffold/io.py).
BSB_ENV = "resources/envs/bsb"


rule env_bsb:
    # BSB 3 needs numpy < 2: its own virtual environment, made from envs/bsb.txt.
    input:
        "envs/bsb.txt",
    output:
        touch(f"{BSB_ENV}/.installed"),
    log:
        "logs/env/bsb.log",
    params:
        python=shlex.quote(sys.executable),
    shell:
        "({params.python} -m venv --clear {BSB_ENV}"
        " && {BSB_ENV}/bin/pip install --disable-pip-version-check -r {input}) > {log} 2>&1"


if config["scaffold"]["source"] == "build":

    rule scaffold_build:
        input:
            env=f"{BSB_ENV}/.installed",
        output:
            "resources/scaffolds/{scaffold}.hdf5",
        log:
            "logs/scaffold/{scaffold}.log",
        benchmark:
            "logs/benchmark/scaffold/{scaffold}.tsv"
        params:
            x=config["scaffold"]["build"]["x"],
            z=config["scaffold"]["build"]["z"],
            seed=config["scaffold"]["build"]["seed"],
            config=(
                f"--config {shlex.quote(config['scaffold']['build']['config'])}"
                if config["scaffold"]["build"]["config"]
                else ""
            ),
        shell:
            "{SPINNCER} scaffold-build --bsb-python {BSB_ENV}/bin/python"
            " --x {params.x} --z {params.z} --seed {params.seed} {params.config}"
            " -o {output} > {log} 2>&1"

else:

    rule scaffold_convert:
        input:
            config["scaffold"]["file"],
        output:
            "resources/scaffolds/{scaffold}.hdf5",
        log:
            "logs/scaffold/{scaffold}.log",
        shell:
            "{SPINNCER} scaffold-convert {input} -o {output} > {log} 2>&1"
