# Simulate: one run of the network on one backend -> spikes.h5 (spinncer/results.py).


rule simulate_nest:
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
        stimulus=RUN + "/stimulus.npz",
    output:
        RUN + "/nest/spikes.h5",
    log:
        "logs/simulate/{scaffold}/{stim}/seed{seed}/nest.log",
    benchmark:
        "logs/benchmark/simulate/{scaffold}/{stim}/seed{seed}/nest.tsv"
    threads: SIM["threads"]
    params:
        config=lambda wc: run_config(wc, "nest"),
    shell:
        "{SPINNCER} simulate --backend nest --scaffold {input.scaffold}"
        " --stimulus {input.stimulus} --timestep {SIM[timestep]} --simtime {SIMTIME}"
        " --threads {threads} --seed {wildcards.seed} --config-json {params.config}"
        " -o {output} > {log} 2>&1"
