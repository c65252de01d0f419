# Figures of one run: a raster per population, rate bars and distributions, PSTH.


def _labels(name):
    return {"point": "{stim} seed {seed}", "backend": "{backend}", "figure": name}


rule figure_run:
    input:
        run=RUN + "/{backend}/spikes.h5",
        cell_rates=RUN + "/{backend}/cell_rates.csv",
        psth=RUN + "/{backend}/psth.csv",
    output:
        rasters=[
            report(
                RUN + f"/{{backend}}/figures/raster_{pop}.png",
                caption="../report/raster.rst",
                category="2. Rasters",
                labels=_labels(pop),
            )
            for pop in POPULATIONS
        ],
        rates=report(
            RUN + "/{backend}/figures/rates.png",
            caption="../report/rates.rst",
            category="3. Statistics",
            labels=_labels("rates"),
        ),
        distributions=report(
            RUN + "/{backend}/figures/rate_distributions.png",
            caption="../report/rate_distributions.rst",
            category="3. Statistics",
            labels=_labels("rate distributions"),
        ),
        psth=report(
            RUN + "/{backend}/figures/psth.png",
            caption="../report/psth.rst",
            category="3. Statistics",
            labels=_labels("PSTH"),
        ),
    log:
        "logs/figures/{scaffold}/{stim}/seed{seed}/{backend}.log",
    params:
        outdir=lambda wc, output: Path(output.rates).parent,
        title=lambda wc: shlex.quote(f"[{wc.backend}, {wc.stim}, seed {wc.seed}]"),
        windows=WINDOW_ARGS,
    shell:
        "{SPINNCER} figures {input.run} --cell-rates {input.cell_rates} --psth {input.psth}"
        " {params.windows} --title {params.title} --outdir {params.outdir} > {log} 2>&1"
