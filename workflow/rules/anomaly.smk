# Stage 6: variational-autoencoder anomaly detection (its fit, then its score), the other VAE
# variants the comparison shows (trained beside it), the scored table that every later stage reads,
# and the plots of the score.


# One thread each: training costs per step, not arithmetic (two threads are no faster, and give the
# same numbers), so on two cores the VAE and its variants train side by side.
rule train_vae:
    input:
        R("analysed"),
    output:
        fit=R("vae_fit"),
        history=R("vae_history"),
    log:
        LOG("train_vae"),
    benchmark:
        BENCH("train_vae")
    priority: 3  # the critical path (workflow/rules/ranking.smk: the lanes)
    conda:
        "../../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB,
        runtime=120,
    params:
        vae=vae_fit_settings(config["vae"]),  # not the score's settings: they rerun score_vae only
        a_per_ebv=config["dereddening"]["a_per_ebv"],
        aj_per_ebv=config["cuts"]["aj_per_ebv"],
    script:
        "../scripts/train_vae.py"


# The score that ranks (vae.score), the symbiotic score's weights (vae.symbiotic) and the candidate
# fraction (vae.anomaly_fraction), from the fit: a changed weight reruns this, not the training.
rule score_vae:
    input:
        analysed=R("analysed"),
        fit=R("vae_fit"),
    output:
        parquet=R("vae_scores"),
        ids=R("candidate_ids"),
    log:
        LOG("score_vae"),
    benchmark:
        BENCH("score_vae")
    priority: 3  # the critical path (workflow/rules/ranking.smk: the lanes)
    conda:
        "../../envs/core.yaml"
    resources:
        mem_mb=MEM_MB,
        runtime=30,
    params:
        vae=vae_scoring_settings(config["vae"]),
    script:
        "../scripts/score_vae.py"


rule train_vae_variants:
    input:
        R("analysed"),
    output:
        R("vae_variants"),
    log:
        LOG("train_vae_variants"),
    benchmark:
        BENCH("train_vae_variants")
    priority: 3  # the critical path (workflow/rules/ranking.smk: the lanes)
    conda:
        "../../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB,
        runtime=120,
    params:
        vae=vae_variant_settings(config["vae"]),
        a_per_ebv=config["dereddening"]["a_per_ebv"],
        aj_per_ebv=config["cuts"]["aj_per_ebv"],
    script:
        "../scripts/train_vae_variants.py"


rule score_objects:
    input:
        analysed=R("analysed"),
        vae_scores=R("vae_scores"),
        variants=R("vae_variants"),
    output:
        R("scored"),
    log:
        LOG("score_objects"),
    benchmark:
        BENCH("score_objects")
    priority: 3  # the critical path (workflow/rules/ranking.smk: the lanes)
    conda:
        "../../envs/core.yaml"
    resources:
        mem_mb=MEM_MB,
        runtime=60,
    params:
        vae=config["vae"],
        rank_features=config["rank"]["features"],
    script:
        "../scripts/score_objects.py"


rule plot_scores:
    input:
        R("vae_scores"),
    output:
        histogram=report(R("score_histogram"), caption="../report/loss_histogram.rst", category="6. Anomaly detection"),
        boxplot=report(R("score_boxplot"), caption="../report/loss_boxplot.rst", category="6. Anomaly detection"),
        scatter=report(R("score_scatter"), caption="../report/loss_scatter.rst", category="6. Anomaly detection"),
    log:
        LOG("plot_scores"),
    benchmark:
        BENCH("plot_scores")
    conda:
        "../../envs/core.yaml"
    params:
        loss=config["vae"]["loss"],
        score=config["vae"]["score"],
    script:
        "../scripts/plot_scores.py"
