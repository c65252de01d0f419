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


# The gold's per-cell rates against the envelope of our seeds of one point (issue 23): KS and
# EMD between the gold and each seed against those between pairs of seeds (spinncer/analysis/
# reference.py gold_in_seed_envelope), for each backend with three or more seeds at the point
# (with config.yaml's validation: Brian2's ten seeds, run for the seed envelope anyway).
rule reference_envelope:
    input:
        runs=lambda wc: [
            f"{RUN.format(scaffold=wc.scaffold, stim=wc.stim, seed=seed)}/{wc.backend}/spikes.h5"
            for seed in envelope_seeds(wc.stim).get(wc.backend, [])
        ],
        gold=REFERENCE["gold_standard"] or [],
    output:
        report(
            REFERENCE_ENVELOPE,
            caption="../report/reference_envelope.rst",
            category="6. Reference check",
            labels={
                "run": "{stim}, all seeds",
                "backend": "{backend}",
                "item": "envelope",
            },
        ),
    log:
        "logs/reference_envelope/{scaffold}/{stim}/{backend}.log",
    wildcard_constraints:
        stim=PROTOCOL_PATTERN,
    conda:
        SPINNCER_ENV
    params:
        stim_times=STIM_TIMES,
    shell:
        cli(
            "reference-envelope {input.runs} --gold {input.gold} --allow-pickle"
            " --stim-times {params.stim_times} -o {output} > {log} 2>&1"
        )
