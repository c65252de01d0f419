# Figures: a raster per population and the rate bar chart of one run.


rule figure_run:
    input:
        run=RUN + "/{backend}/spikes.h5",
        cell_rates=RUN + "/{backend}/cell_rates.csv",
    output:
        rasters=[RUN + f"/{{backend}}/figures/raster_{pop}.png" for pop in POPULATIONS],
        rates=RUN + "/{backend}/figures/rates.png",
    log:
        "logs/figures/{scaffold}/{stim}/seed{seed}/{backend}.log",
    params:
        outdir=lambda wc, output: Path(output.rates).parent,
        title=lambda wc: shlex.quote(f"[{wc.backend}, {wc.stim}, seed {wc.seed}]"),
    shell:
        "{SPINNCER} figures {input.run} --cell-rates {input.cell_rates}"
        " --stim-times {STIM_TIMES} --title {params.title} --outdir {params.outdir}"
        " > {log} 2>&1"
