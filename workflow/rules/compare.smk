# Compare: a run against its reference at the same sweep point (analysis.compare pairs),
# and the summary of a whole sweep.


rule compare_backends:
    input:
        a=f"{RUN}/{{a}}/spikes.h5",
        b=f"{RUN}/{{b}}/spikes.h5",
    output:
        verdicts=report(
            f"{RUN}/compare/{{a}}_vs_{{b}}/verdicts.csv",
            caption="../report/compare.rst",
            category="4. Comparison",
            labels={
                "point": "{stim} seed {seed}",
                "pair": "{a} vs {b}",
                "item": "verdicts",
            },
        ),
        rates=f"{RUN}/compare/{{a}}_vs_{{b}}/rates.csv",
        timing=f"{RUN}/compare/{{a}}_vs_{{b}}/timing.csv",
        cells=f"{RUN}/compare/{{a}}_vs_{{b}}/cells.csv",
        provenance=f"{RUN}/compare/{{a}}_vs_{{b}}/provenance.csv",
        scatter=report(
            f"{RUN}/compare/{{a}}_vs_{{b}}/rates.png",
            caption="../report/compare_scatter.rst",
            category="4. Comparison",
            labels={
                "point": "{stim} seed {seed}",
                "pair": "{a} vs {b}",
                "item": "rates",
            },
        ),
        shifts=report(
            f"{RUN}/compare/{{a}}_vs_{{b}}/timing.png",
            caption="../report/compare_timing.rst",
            category="4. Comparison",
            labels={
                "point": "{stim} seed {seed}",
                "pair": "{a} vs {b}",
                "item": "timing",
            },
        ),
    log:
        "logs/compare/{scaffold}/{stim}/seed{seed}/{a}_vs_{b}.log",
    wildcard_constraints:
        a=alternatives_regex(BACKENDS),
        b=alternatives_regex(BACKENDS),
    conda:
        SPINNCER_ENV
    params:
        outdir=lambda wc, output: Path(output.verdicts).parent,
        windows=WINDOW_ARGS,
    shell:
        cli(
            "compare {input.a} {input.b} {params.windows} --outdir {params.outdir}"
            " > {log} 2>&1"
        )


rule compare_named:
    # any two run folders named in analysis.compare_runs (e.g. seed vs seed)
    input:
        a=lambda wc: f"{ANALYSIS['compare_runs'][wc.name][0]}/spikes.h5",
        b=lambda wc: f"{ANALYSIS['compare_runs'][wc.name][1]}/spikes.h5",
    output:
        verdicts=report(
            "results/compare/{name}/verdicts.csv",
            caption="../report/compare.rst",
            category="4. Comparison",
            labels={"pair": "{name}", "item": "verdicts"},
        ),
        rates="results/compare/{name}/rates.csv",
    log:
        "logs/compare/{name}.log",
    conda:
        SPINNCER_ENV
    params:
        outdir=lambda wc, output: Path(output.verdicts).parent,
        windows=WINDOW_ARGS,
        labels=lambda wc: " ".join(
            f"--label-{side} {shlex.quote('/'.join(Path(path).parts[-2:]))}"
            for side, path in zip("ab", ANALYSIS["compare_runs"][wc.name])
        ),
    shell:
        cli(
            "compare {input.a} {input.b} {params.windows} {params.labels}"
            " --outdir {params.outdir} > {log} 2>&1"
        )


# One summary per named sweep (config `sweeps`), plotting the axes that sweep varies.
for _sweep in SWEEPS:

    rule:
        name:
            f"sweep_summary_{_sweep}"
        input:
            stats=[
                f"{p}/{b}/stats.csv"
                for p in sweep_points(_sweep)
                for b in SIM["backends"]
            ],
            communication=[
                f"{p}/{b}/communication.csv"
                for p in sweep_points(_sweep)
                for b in SIM["backends"]
            ],
        output:
            table=report(
                f"results/{SCAFFOLD}/sweep/{_sweep}/summary.csv",
                caption="../report/sweep.rst",
                category="5. Sweep",
                subcategory=_sweep,
                labels={"item": "table"},
            ),
            figures=[
                report(
                    f"results/{SCAFFOLD}/sweep/{_sweep}/{p}{kind}.png",
                    caption="../report/sweep.rst",
                    category="5. Sweep",
                    subcategory=_sweep,
                    labels={"item": f"{p}{kind}"},
                )
                for p in swept_parameters(_sweep)
                for kind in SWEEP_FIGURE_KINDS
            ],
            fits=f"results/{SCAFFOLD}/sweep/{_sweep}/load_fits.csv",
        log:
            f"logs/sweep/{SCAFFOLD}/{_sweep}.log",
        conda:
            SPINNCER_ENV
        params:
            parameters=" ".join(swept_parameters(_sweep)) or "f_peak",
            prefix=lambda wc, output: f"{Path(output.table).parent}/",
        shell:
            cli(
                "sweep-summary --stats {input.stats} --communication {input.communication}"
                " --parameters {params.parameters} --figure-prefix {params.prefix}"
                " -o {output.table} > {log} 2>&1"
            )
