# Analyse: per-cell rates in the protocol windows, then per-population statistics.


rule analyse_cells:
    input:
        RUN + "/{backend}/spikes.h5",
    output:
        RUN + "/{backend}/cell_rates.csv",
    log:
        "logs/analyse/{scaffold}/{stim}/seed{seed}/{backend}_cells.log",
    shell:
        "{SPINNCER} analyse-cells {input} --stim-times {STIM_TIMES} -o {output} > {log} 2>&1"


rule analyse_populations:
    input:
        RUN + "/{backend}/cell_rates.csv",
    output:
        RUN + "/{backend}/stats.csv",
    log:
        "logs/analyse/{scaffold}/{stim}/seed{seed}/{backend}_populations.log",
    shell:
        "{SPINNCER} analyse-populations {input} --stim-times {STIM_TIMES} -o {output}"
        " > {log} 2>&1"
