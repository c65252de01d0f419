# Stimulus: the mossy-fibre input of one run, generated from the protocol or loaded from a file.


rule stimulus_generate:
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
    output:
        RUN + "/stimulus.npz",
    log:
        "logs/stimulus/{scaffold}/{stim}/seed{seed}.log",
    wildcard_constraints:
        stim=r"f[0-9.]+_r[0-9.]+_(poisson|periodic)",
    params:
        point=lambda wc: parse_stimulus_name(wc.stim),
    shell:
        "{SPINNCER} stimulus --scaffold {input.scaffold}"
        " --f-base {STIM[f_base]} --f-peak {params.point[0]}"
        " --stim-radius {params.point[1]} --type {params.point[2]}"
        " --percentage-active-fibers {STIM[percentage_active_fibers]}"
        " --stim-times {STIM_TIMES} --seed {wildcards.seed} --timestep {SIM[timestep]}"
        " -o {output} > {log} 2>&1"


rule stimulus_from_file:
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
        file=STIM["file"] or [],
    output:
        RUN + "/stimulus.npz",
    log:
        "logs/stimulus/{scaffold}/{stim}/seed{seed}.log",
    wildcard_constraints:
        stim=r"file-[A-Za-z0-9_.-]+",
    params:
        allow_pickle="--allow-pickle" if STIM["allow_pickle"] else "",
    shell:
        "{SPINNCER} stimulus --scaffold {input.scaffold} --file {input.file}"
        " {params.allow_pickle} -o {output} > {log} 2>&1"
