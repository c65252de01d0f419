# Figures of one run: a raster per population, rate bars and distributions, PSTH.


rule figure_run:
    input:
        run=f"{RUN}/{{backend}}/spikes.h5",
        cell_rates=f"{RUN}/{{backend}}/cell_rates.csv",
        psth=f"{RUN}/{{backend}}/psth.csv",
    output:
        rasters=[
            report(
                f"{RUN}/{{backend}}/figures/raster_{pop}.png",
                caption="../report/raster.rst",
                category="2. Rasters",
                labels=report_labels(pop),
            )
            for pop in POPULATIONS
        ],
        rates=report(
            f"{RUN}/{{backend}}/figures/rates.png",
            caption="../report/rates.rst",
            category="3. Statistics",
            labels=report_labels("rates"),
        ),
        distributions=report(
            f"{RUN}/{{backend}}/figures/rate_distributions.png",
            caption="../report/rate_distributions.rst",
            category="3. Statistics",
            labels=report_labels("rate distributions"),
        ),
        psth=report(
            f"{RUN}/{{backend}}/figures/psth.png",
            caption="../report/psth.rst",
            category="3. Statistics",
            labels=report_labels("PSTH"),
        ),
    log:
        "logs/figures/{scaffold}/{stim}/seed{seed}/{backend}.log",
    conda:
        SPINNCER_ENV
    params:
        outdir=lambda wc, output: Path(output.rates).parent,
        title=lambda wc: shlex.quote(f"[{wc.backend}, {wc.stim}, seed {wc.seed}]"),
        windows=WINDOW_ARGS,
    shell:
        cli(
            "figures {input.run} --cell-rates {input.cell_rates} --psth {input.psth}"
            " {params.windows} --title {params.title} --outdir {params.outdir} > {log} 2>&1"
        )
