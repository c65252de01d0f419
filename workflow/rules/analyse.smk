# Analyse: per-cell rates and responses, per-population statistics, activity measures.
# Windows follow the protocol, shifted per population by its mossy-fibre latency when
# analysis.consider_delays (spinncer/analysis/stats.py).
WINDOW_ARGS = f"--stim-times {STIM_TIMES}" + (
    "" if config["analysis"]["consider_delays"] else " --no-consider-delays"
)


rule analyse_cells:
    input:
        f"{RUN}/{{backend}}/spikes.h5",
    output:
        cells=f"{RUN}/{{backend}}/cell_rates.csv",
        windows=f"{RUN}/{{backend}}/windows.csv",
    log:
        "logs/analyse/{scaffold}/{stim}/seed{seed}/{backend}_cells.log",
    conda:
        SPINNCER_ENV
    params:
        windows=WINDOW_ARGS,
    shell:
        cli(
            "analyse-cells {input} {params.windows} --windows {output.windows}"
            " -o {output.cells} > {log} 2>&1"
        )


rule analyse_populations:
    input:
        f"{RUN}/{{backend}}/cell_rates.csv",
    output:
        stats=report(
            f"{RUN}/{{backend}}/stats.csv",
            caption="../report/stats.rst",
            category="3. Statistics",
            labels={
                "point": "{stim} seed {seed}",
                "backend": "{backend}",
                "table": "rates",
            },
        ),
        responses=f"{RUN}/{{backend}}/responses.csv",
    log:
        "logs/analyse/{scaffold}/{stim}/seed{seed}/{backend}_populations.log",
    conda:
        SPINNCER_ENV
    params:
        windows=WINDOW_ARGS,
    shell:
        cli(
            "analyse-populations {input} {params.windows}"
            " --responses {output.responses} -o {output.stats} > {log} 2>&1"
        )


rule analyse_activity:
    input:
        f"{RUN}/{{backend}}/spikes.h5",
    output:
        worst_case=f"{RUN}/{{backend}}/worst_case.csv",
        isi=f"{RUN}/{{backend}}/isi.csv",
        isi_cells=f"{RUN}/{{backend}}/isi_cells.csv",
        psth=f"{RUN}/{{backend}}/psth.csv",
    log:
        "logs/analyse/{scaffold}/{stim}/seed{seed}/{backend}_activity.log",
    conda:
        SPINNCER_ENV
    params:
        bin=config["analysis"]["psth_bin"],
    shell:
        cli(
            "analyse-activity {input} --psth-bin {params.bin}"
            " --worst-case {output.worst_case} --isi {output.isi} --isi-cells {output.isi_cells}"
            " --psth {output.psth} > {log} 2>&1"
        )
