# Validation at the field's standard (spinncer/validation/): every validated backend runs
# validation.seeds at each validated point (the ordinary simulate rule); the seed envelope of
# the reference judges the others; the reference also runs each seed on the stimulus with one
# input spike moved by one timestep (paired envelope of same-input lead/lag) and, for a backend
# that runs fewer seeds, on those seeds' stimuli jittered (realisations); membrane
# potentials of the first seed are compared cell by cell (functions in common.smk).
rule stimulus_perturb:
    # one stimulus-window input spike moved by one timestep (spinncer/validation/paired.py)
    input:
        f"{RUN}/stimulus.npz",
    output:
        f"{RUN}/perturbed/stimulus.npz",
    log:
        "logs/validation/{scaffold}/{stim}/seed{seed}/stimulus_perturb.log",
    priority: PRIORITY["stimulus"]
    conda:
        SPINNCER_ENV
    params:
        allow_pickle="--allow-pickle" if STIM["allow_pickle"] else "",
        timestep=SIM["timestep"],
        stim_times=STIM_TIMES,
    shell:
        cli(
            "stimulus-perturb {input} {params.allow_pickle} --seed {wildcards.seed}"
            " --timestep {params.timestep} --stim-times {params.stim_times} -o {output}"
            " > {log} 2>&1"
        )


use rule simulate as simulate_perturbed with:
    # the reference on the perturbed stimulus (the simulate rule; spikes only)
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
        stimulus=f"{RUN}/perturbed/stimulus.npz",
        env=lambda wc: f"{BRIAN2_ENV}/.installed" if wc.backend == "brian2" else [],
    output:
        f"{RUN}/perturbed/{{backend}}/spikes.h5",
    log:
        "logs/validation/{scaffold}/{stim}/seed{seed}/perturbed_{backend}.log",
    benchmark:
        "logs/benchmark/validation/{scaffold}/{stim}/seed{seed}/perturbed_{backend}.tsv"
    params:
        allow_pickle="",
        signals="--no-signals",


rule stimulus_jitter:
    # every input spike moved by one timestep at random: a realisation of the seed for the
    # envelope of a backend that runs fewer seeds (spinncer/validation/realisations.py)
    input:
        f"{RUN}/stimulus.npz",
    output:
        f"{RUN}/realisation{{draw}}/stimulus.npz",
    log:
        "logs/validation/{scaffold}/{stim}/seed{seed}/stimulus_jitter{draw}.log",
    wildcard_constraints:
        draw=r"[1-9][0-9]*",
    priority: PRIORITY["stimulus"]
    conda:
        SPINNCER_ENV
    params:
        allow_pickle="--allow-pickle" if STIM["allow_pickle"] else "",
        timestep=SIM["timestep"],
    shell:
        cli(
            "stimulus-jitter {input} {params.allow_pickle} --seed {wildcards.seed}"
            " --draw {wildcards.draw} --timestep {params.timestep} -o {output} > {log} 2>&1"
        )


use rule simulate as simulate_realisation with:
    # the reference on a jittered stimulus (the simulate rule; spikes only)
    input:
        scaffold="resources/scaffolds/{scaffold}.hdf5",
        stimulus=f"{RUN}/realisation{{draw}}/stimulus.npz",
        env=lambda wc: f"{BRIAN2_ENV}/.installed" if wc.backend == "brian2" else [],
    output:
        f"{RUN}/realisation{{draw}}/{{backend}}/spikes.h5",
    log:
        "logs/validation/{scaffold}/{stim}/seed{seed}/realisation{draw}_{backend}.log",
    benchmark:
        "logs/benchmark/validation/{scaffold}/{stim}/seed{seed}/realisation{draw}_{backend}.tsv"
    wildcard_constraints:
        draw=r"[1-9][0-9]*",
    params:
        allow_pickle="",
        signals="--no-signals",


rule validate:
    input:
        unpack(
            lambda wc: {run_key(b): paths for b, paths in validation_runs(wc).items()}
        ),
        perturbed=lambda wc: (
            [
                f"results/{wc.scaffold}/{wc.stim}/seed{s}/perturbed/"
                f"{VALIDATION['reference']}/spikes.h5"
                for s in VALIDATION["seeds"]
            ]
            if VALIDATION["paired"]
            else []
        ),
        realisations=realisation_runs,
        power=VALIDATION["power"] or [],
    output:
        verdicts=report(
            f"{VALIDATION_DIR}/verdicts.csv",
            caption="../report/validation_verdicts.rst",
            category="6. Validation",
            labels={"point": "{stim}", "item": "verdicts"},
        ),
        scores=f"{VALIDATION_DIR}/scores.csv",
        envelope=f"{VALIDATION_DIR}/envelope.csv",
        distributions=f"{VALIDATION_DIR}/distributions.csv",
        summary=report(
            f"{VALIDATION_DIR}/summary.csv",
            caption="../report/validation_verdicts.rst",
            category="6. Validation",
            labels={"point": "{stim}", "item": "tests outside per backend"},
        ),
        paired=report(
            f"{VALIDATION_DIR}/paired.csv",
            caption="../report/validation_paired.rst",
            category="6. Validation",
            labels={"point": "{stim}", "item": "paired envelope"},
        ),
        figures=[
            report(
                f"{VALIDATION_DIR}/score_envelope_{score}.png",
                caption="../report/validation_envelope.rst",
                category="6. Validation",
                labels={"point": "{stim}", "item": f"{score} vs envelope"},
            )
            for score in ("ks", "emd")
        ]
        + [
            report(
                f"{VALIDATION_DIR}/distributions_{pop}.png",
                caption="../report/validation_distributions.rst",
                category="6. Validation",
                labels={"point": "{stim}", "item": f"distributions {pop}"},
            )
            for pop in POPULATIONS
        ],
    log:
        "logs/validation/{scaffold}/{stim}/validate.log",
    priority: PRIORITY["validate"]
    conda:
        SPINNCER_ENV
    params:
        runs=lambda wc, input: " ".join(
            f"--run {b}={path}"
            for b in validation_runs(wc)
            for path in input[run_key(b)]
        ),
        perturbed=lambda wc, input: (
            f"--perturbed {' '.join(input.perturbed)}" if input.perturbed else ""
        ),
        realisations=lambda wc, input: (
            f"--realisation {' '.join(input.realisations)}"
            if input.realisations
            else ""
        ),
        power=lambda wc, input: f"--power {input.power}" if input.power else "",
        reference=VALIDATION["reference"],
        windows=WINDOW_ARGS,
        outdir=lambda wc, output: Path(output.verdicts).parent,
    shell:
        cli(
            "validate {params.runs} {params.perturbed} {params.realisations} {params.power}"
            " --reference {params.reference}"
            " {params.windows} --outdir {params.outdir} > {log} 2>&1"
        )


rule validate_signals:
    # membrane potential and conductances of the same cells, first validation seed
    input:
        a=lambda wc: first_validation_run(wc, wc.a),
        b=lambda wc: first_validation_run(wc, wc.b),
    output:
        summary=report(
            f"{VALIDATION_DIR}/membrane/{{a}}_vs_{{b}}/summary.csv",
            caption="../report/validation_membrane.rst",
            category="6. Validation",
            labels={"point": "{stim}", "item": "membrane {a} vs {b}"},
        ),
        cells=f"{VALIDATION_DIR}/membrane/{{a}}_vs_{{b}}/cells.csv",
        figure=report(
            f"{VALIDATION_DIR}/membrane/{{a}}_vs_{{b}}/traces.png",
            caption="../report/validation_membrane.rst",
            category="6. Validation",
            labels={"point": "{stim}", "item": "membrane traces {a} vs {b}"},
        ),
    log:
        "logs/validation/{scaffold}/{stim}/membrane_{a}_vs_{b}.log",
    wildcard_constraints:
        a=alternatives_regex(BACKENDS),
        b=alternatives_regex(BACKENDS),
    conda:
        SPINNCER_ENV
    shell:
        cli(
            "validate-signals {input.a} {input.b} --cells {output.cells}"
            " -o {output.summary} --figure {output.figure} > {log} 2>&1"
        )
