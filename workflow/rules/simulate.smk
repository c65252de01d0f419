# Simulate: one run of the network on one backend -> spikes.h5 (spinncer/results.py).
#   nest           double-precision reference
#   nest-numerics  NEST with SpiNNaker's fixed-point weights (spinnaker.rb_left_shifts, r_mem)
#   brian2         Brian2 C++ standalone, in its own env (numpy < 2) made by rule env_brian2;
#                  compiled projects are kept in that env (one per scaffold and settings)
#   spinnaker      sPyNNaker on the configured board or spalloc server

BRIAN2_ENV = "resources/envs/brian2"


def simulate_command(wildcards):
    """The spinncer command running this backend: brian2 runs in the brian2 env."""
    if wildcards.backend == "brian2":
        return (f"SPINNCER_BRIAN2_CACHE={BRIAN2_ENV}/builds"
                f" {BRIAN2_ENV}/bin/python -m spinncer -v")
    return SPINNCER


rule env_brian2:
    # brian2 2.9 needs numpy < 2: its own virtual environment, from envs/brian2.txt, with
    # this checkout's spinncer on its path (spinncer.envs.make_env)
    input:
        "envs/brian2.txt",
    output:
        f"{BRIAN2_ENV}/.installed",
    log:
        "logs/env/brian2.log",
    shell:
        "{SPINNCER} make-env brian2 {BRIAN2_ENV} --log {log}"


rule simulate:
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
        stimulus=RUN + "/stimulus.npz",
        env=lambda wc: f"{BRIAN2_ENV}/.installed" if wc.backend == "brian2" else [],
    output:
        RUN + "/{backend}/spikes.h5",
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
        spinncer=simulate_command,
        variant=MODEL_VARIANT,
    shell:
        "{params.spinncer} simulate --backend {wildcards.backend} --scaffold {input.scaffold}"
        " --stimulus {input.stimulus} --timestep {params.timestep} --simtime {params.simtime}"
        " --threads {threads} --seed {wildcards.seed} {params.allow_pickle}"
        " --model-variant {params.variant}"
        " --backend-options-json {params.options} --config-json {params.config}"
        " -o {output} > {log} 2>&1"
