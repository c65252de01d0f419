# SpiNNaker without hardware: virtual-board mapping per cell ordering, communication load of
# any run on that mapping, and the fixed-point weight and saturation reports.
SPINNAKER_OPTIONS = shlex.quote(
    json.dumps(
        {k: SPINNAKER[k] for k in ("neurons_per_core", "rb_left_shifts", "r_mem")}
    )
)


rule spinnaker_map:
    # sPyNNaker only as far as routing tables (spinncer/mapping.py), at the simulation timestep;
    # its scratch files live in Snakemake's tmpdir resource and are removed by the job.
    # One thread of pure Python: two mappings fill two cores, and a simulation claiming all
    # cores waits for them (measured costs: benchmarks/README.md). Started early (priority):
    # the communication step of every run needs them.
    input:
        "resources/scaffolds/{scaffold}.hdf5",
    output:
        "results/{scaffold}/mapping/{ordering}.npz",
    log:
        "logs/mapping/{scaffold}/{ordering}.log",
    benchmark:
        "logs/benchmark/mapping/{scaffold}/{ordering}.tsv"
    priority: PRIORITY["mapping"]
    conda:
        SPINNCER_ENV
    threads: 1
    params:
        options=SPINNAKER_OPTIONS,
        timestep=SIM["timestep"],
    shell:
        cli(
            "spinnaker-map {input} --ordering {wildcards.ordering}"
            " --timestep {params.timestep} --options-json {params.options}"
            " --scratch {resources.tmpdir} -o {output} > {log} 2>&1"
        )


rule communication:
    input:
        run=f"{RUN}/{{backend}}/spikes.h5",
        scaffold="resources/scaffolds/{scaffold}.hdf5",
        mappings=mapping_inputs,
    output:
        table=report(
            f"{RUN}/{{backend}}/communication.csv",
            caption="../report/communication.rst",
            category="6. SpiNNaker communication",
            labels={
                "point": "{stim} seed {seed}",
                "backend": "{backend}",
                "item": "table",
            },
        ),
        reduction=report(
            f"{RUN}/{{backend}}/communication_reduction.csv",
            caption="../report/communication_reduction.rst",
            category="6. SpiNNaker communication",
            labels={
                "point": "{stim} seed {seed}",
                "backend": "{backend}",
                "item": "reduction",
            },
        ),
        figure=report(
            f"{RUN}/{{backend}}/figures/communication.png",
            caption="../report/communication.rst",
            category="6. SpiNNaker communication",
            labels={
                "point": "{stim} seed {seed}",
                "backend": "{backend}",
                "item": "figure",
            },
        ),
        heatmaps=[
            f"{RUN}/{{backend}}/figures/communication_heatmap_{o}.png"
            for o in ORDERINGS
        ],
    log:
        "logs/communication/{scaffold}/{stim}/seed{seed}/{backend}.log",
    conda:
        SPINNCER_ENV
    params:
        mappings=lambda wc, input: " ".join(
            f"--mapping {Path(m).stem}={m}" for m in input.mappings
        ),
        options=SPINNAKER_OPTIONS,
        heatmaps=lambda wc, output: str(output.figure).replace(".png", "_heatmap_"),
    shell:
        cli(
            "communication {input.run} --scaffold {input.scaffold} {params.mappings}"
            " --options-json {params.options}"
            " -o {output.table} --reduction {output.reduction} --figure {output.figure}"
            " --heatmaps {params.heatmaps}"
            " > {log} 2>&1"
        )


rule numerics_weights:
    input:
        "resources/scaffolds/{scaffold}.hdf5",
    output:
        weights=report(
            "results/{scaffold}/numerics/weights.csv",
            caption="../report/numerics.rst",
            category="6. SpiNNaker communication",
            labels={"item": "fixed-point weights"},
        ),
        saturation="results/{scaffold}/numerics/saturation_worst_case.csv",
    log:
        "logs/numerics/{scaffold}.log",
    conda:
        SPINNCER_ENV
    params:
        options=SPINNAKER_OPTIONS,
    shell:
        cli(
            "numerics-report --scaffold {input} --options-json {params.options}"
            " --weights {output.weights} --saturation {output.saturation} > {log} 2>&1"
        )


rule numerics_saturation:
    input:
        run=f"{RUN}/{{backend}}/spikes.h5",
        scaffold="resources/scaffolds/{scaffold}.hdf5",
    output:
        saturation=report(
            f"{RUN}/{{backend}}/saturation.csv",
            caption="../report/saturation.rst",
            category="6. SpiNNaker communication",
            labels={
                "point": "{stim} seed {seed}",
                "backend": "{backend}",
                "item": "saturation",
            },
        ),
        weights=temp(f"{RUN}/{{backend}}/.weights.csv"),
    log:
        "logs/numerics/{scaffold}/{stim}/seed{seed}/{backend}.log",
    conda:
        SPINNCER_ENV
    params:
        options=SPINNAKER_OPTIONS,
    shell:
        cli(
            "numerics-report --scaffold {input.scaffold} --run {input.run}"
            " --options-json {params.options} --weights {output.weights}"
            " --saturation {output.saturation} > {log} 2>&1"
        )
