# Stimulus: the mossy-fibre input of one run, generated from the protocol or loaded from a file.
# Every configured value is a param, so that changing it reruns what depends on it.


rule stimulus_generate:
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
    output:
        f"{RUN}/stimulus.npz",
    log:
        "logs/stimulus/{scaffold}/{stim}/seed{seed}.log",
    wildcard_constraints:
        stim=r"f[0-9.]+_r[0-9.]+_(poisson|periodic)",
    priority: PRIORITY["stimulus"]
    conda:
        SPINNCER_ENV
    params:
        point=sweep_point,
        f_base=STIM["f_base"],
        active=STIM["percentage_active_fibers"],
        stim_times=STIM_TIMES,
        timestep=SIM["timestep"],
    shell:
        cli(
            "stimulus --scaffold {input.scaffold}"
            " --f-base {params.f_base} --f-peak {params.point[0]}"
            " --stim-radius {params.point[1]} --type {params.point[2]}"
            " --percentage-active-fibers {params.active}"
            " --stim-times {params.stim_times} --seed {wildcards.seed}"
            " --timestep {params.timestep} -o {output} > {log} 2>&1"
        )


rule stimulus_from_file:
    # The file must have been made for this protocol and timestep (checked against its
    # recorded parameters when it has them).
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
        file=STIM["file"] or [],
    output:
        f"{RUN}/stimulus.npz",
    log:
        "logs/stimulus/{scaffold}/{stim}/seed{seed}.log",
    wildcard_constraints:
        stim=r"file-[A-Za-z0-9_.-]+",
    priority: PRIORITY["stimulus"]
    conda:
        SPINNCER_ENV
    params:
        point=sweep_point,  # checks the run path names the configured file
        allow_pickle="--allow-pickle" if STIM["allow_pickle"] else "",
        stim_times=STIM_TIMES,
        timestep=SIM["timestep"],
    shell:
        cli(
            "stimulus --scaffold {input.scaffold} --file {input.file}"
            " {params.allow_pickle} --stim-times {params.stim_times}"
            " --timestep {params.timestep} -o {output} > {log} 2>&1"
        )


rule stimulus_protocol:
    # a named protocol (stimulus.protocol; spinncer/stimulus.py PROTOCOLS) fixes every value
    # but the seed
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
    output:
        f"{RUN}/stimulus.npz",
    log:
        "logs/stimulus/{scaffold}/{stim}/seed{seed}.log",
    wildcard_constraints:
        stim=PROTOCOL_PATTERN,
    priority: PRIORITY["stimulus"]
    conda:
        SPINNCER_ENV
    params:
        timestep=SIM["timestep"],
    shell:
        cli(
            "stimulus --scaffold {input.scaffold} --protocol {wildcards.stim}"
            " --seed {wildcards.seed} --timestep {params.timestep} -o {output} > {log} 2>&1"
        )
