# Analyse: per-cell rates and responses, per-population statistics, activity measures.
# Windows follow the protocol, shifted per population by its mossy-fibre latency when
# analysis.consider_delays (spinncer/analysis/stats.py).
WINDOW_ARGS = f"--stim-times {STIM_TIMES}" + (
    "" if config["analysis"]["consider_delays"] else " --no-consider-delays"
)


rule analyse_cells:
    input:
        RUN + "/{backend}/spikes.h5",
    output:
        cells=RUN + "/{backend}/cell_rates.csv",
        windows=RUN + "/{backend}/windows.csv",
    log:
        "logs/analyse/{scaffold}/{stim}/seed{seed}/{backend}_cells.log",
    params:
        windows=WINDOW_ARGS,
    shell:
        "{SPINNCER} analyse-cells {input} {params.windows} --windows {output.windows}"
        " -o {output.cells} > {log} 2>&1"


rule analyse_populations:
    input:
        RUN + "/{backend}/cell_rates.csv",
    output:
        stats=report(
            RUN + "/{backend}/stats.csv",
            caption="../report/stats.rst",
            category="3. Statistics",
            labels={"point": "{stim} seed {seed}", "backend": "{backend}", "table": "rates"},
        ),
        responses=RUN + "/{backend}/responses.csv",
    log:
        "logs/analyse/{scaffold}/{stim}/seed{seed}/{backend}_populations.log",
    params:
        windows=WINDOW_ARGS,
    shell:
        "{SPINNCER} analyse-populations {input} {params.windows}"
        " --responses {output.responses} -o {output.stats} > {log} 2>&1"


rule analyse_activity:
    input:
        RUN + "/{backend}/spikes.h5",
    output:
        worst_case=RUN + "/{backend}/worst_case.csv",
        isi=RUN + "/{backend}/isi.csv",
        isi_cells=RUN + "/{backend}/isi_cells.csv",
        psth=RUN + "/{backend}/psth.csv",
    log:
        "logs/analyse/{scaffold}/{stim}/seed{seed}/{backend}_activity.log",
    params:
        bin=config["analysis"]["psth_bin"],
    shell:
        "{SPINNCER} analyse-activity {input} --psth-bin {params.bin}"
        " --worst-case {output.worst_case} --isi {output.isi} --isi-cells {output.isi_cells}"
        " --psth {output.psth} > {log} 2>&1"
