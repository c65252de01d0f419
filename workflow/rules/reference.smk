# Reference check: a run of the gold-standard protocol against the SpiNNCer NEST gold standard
# made by the model's author (config reference_check.gold_standard), per population and window
# (spinncer/analysis/reference.py). Meant for model.variant casali2019 (config/reference.yaml).


rule reference_check:
    input:
        run=f"{RUN}/{{backend}}/spikes.h5",
        gold=REFERENCE["gold_standard"] or [],
    output:
        table=report(
            f"{RUN}/{{backend}}/reference_check.csv",
            caption="../report/reference_check.rst",
            category="6. Reference check",
            labels={
                "run": "{stim} seed {seed}",
                "backend": "{backend}",
                "item": "table",
            },
        ),
        figure=report(
            f"{RUN}/{{backend}}/figures/reference_check.png",
            caption="../report/reference_check.rst",
            category="6. Reference check",
            labels={
                "run": "{stim} seed {seed}",
                "backend": "{backend}",
                "item": "figure",
            },
        ),
    log:
        "logs/reference_check/{scaffold}/{stim}/seed{seed}/{backend}.log",
    wildcard_constraints:
        stim=PROTOCOL_PATTERN,
    conda:
        SPINNCER_ENV
    params:
        stim_times=STIM_TIMES,
        title=lambda wc: f"[{wc.backend}, model {MODEL_VARIANT}, {wc.stim}, seed {wc.seed}]",
    shell:
        cli(
            # naming the gold-standard file in the config is the trust its pickles need
            "reference-check {input.run} --gold {input.gold} --allow-pickle"
            " --stim-times {params.stim_times} --title {params.title:q}"
            " --figure {output.figure} -o {output.table} > {log} 2>&1"
        )
