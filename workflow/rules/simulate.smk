# Simulate: one run of the network on one backend -> spikes.h5 (spinncer/results.py).
#   nest           double-precision reference
#   nest-numerics  NEST with SpiNNaker's fixed-point weights (spinnaker.rb_left_shifts, r_mem)
#   brian2         Brian2 C++ standalone, in its own env (numpy < 2) made by rule env_brian2;
#                  compiled projects are kept in that env (one per scaffold and settings)
#   spinnaker      sPyNNaker on the configured board or spalloc server
#   spinnaker-emulated  what SpiNNaker cores compute (spinncer's C++ core, compiled on first use)


rule env_brian2:
    # brian2 2.9 needs numpy < 2: its own virtual environment, from envs/brian2.txt, with
    # this checkout's spinncer on its path (spinncer.envs.make_env)
    input:
        "envs/brian2.txt",
    output:
        f"{BRIAN2_ENV}/.installed",
    log:
        "logs/env/brian2.log",
    conda:
        SPINNCER_ENV
    params:
        env=lambda wc, output: Path(output[0]).parent,
    shell:
        cli("make-env brian2 {params.env} --log {log}")


rule simulate:
    # sPyNNaker's own files (configuration, reports) go to a directory of this run under the
    # job's tmpdir, removed afterwards (spinncer/backends/workdir.py)
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
        stimulus=f"{RUN}/stimulus.npz",
        env=lambda wc: f"{BRIAN2_ENV}/.installed" if wc.backend == "brian2" else [],
    output:
        f"{RUN}/{{backend}}/spikes.h5",
    log:
        "logs/simulate/{scaffold}/{stim}/seed{seed}/{backend}.log",
    benchmark:
        "logs/benchmark/simulate/{scaffold}/{stim}/seed{seed}/{backend}.tsv"
    priority: simulate_priority
    conda:
        SPINNCER_ENV
    threads: simulate_threads
    params:
        config=lambda wc: run_config(wc, wc.backend),
        options=lambda wc: backend_options(wc.backend),
        allow_pickle="--allow-pickle" if STIM["allow_pickle"] else "",
        timestep=SIM["timestep"],
        simtime=SIMTIME,
        spinncer=simulate_command,
        variant=MODEL_VARIANT,
        signals=signals_flag,
    shell:
        "{params.spinncer} simulate --backend {wildcards.backend} --scaffold {input.scaffold}"
        " --stimulus {input.stimulus} --timestep {params.timestep} --simtime {params.simtime}"
        " --threads {threads} --seed {wildcards.seed} {params.allow_pickle} {params.signals}"
        " --model-variant {params.variant}"
        " --backend-options-json {params.options} --config-json {params.config}"
        " --scratch {resources.tmpdir} -o {output} > {log} 2>&1"
