# Simulate: one run of the network on one backend -> spikes.h5 (spinncer/results.py).
#   nest           double-precision reference
#   nest-numerics  NEST with SpiNNaker's fixed-point weights (spinnaker.rb_left_shifts, r_mem)
#   spinnaker      sPyNNaker on the configured board or spalloc server


rule simulate:
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
        stimulus=f"{RUN}/stimulus.npz",
    output:
        f"{RUN}/{{backend}}/spikes.h5",
    log:
        "logs/simulate/{scaffold}/{stim}/seed{seed}/{backend}.log",
    benchmark:
        "logs/benchmark/simulate/{scaffold}/{stim}/seed{seed}/{backend}.tsv"
    threads: SIM["threads"]
    params:
        config=lambda wc: run_config(wc, wc.backend),
        options=lambda wc: backend_options(wc.backend),
        allow_pickle="--allow-pickle" if STIM["allow_pickle"] else "",
        timestep=SIM["timestep"],
        simtime=SIMTIME,
    shell:
        "spinncer -v --console-fd 3 3>&2 simulate --backend {wildcards.backend} --scaffold {input.scaffold}"
        " --stimulus {input.stimulus} --timestep {params.timestep} --simtime {params.simtime}"
        " --threads {threads} --seed {wildcards.seed} {params.allow_pickle}"
        " --backend-options-json {params.options} --config-json {params.config}"
        " -o {output} > {log} 2>&1"
