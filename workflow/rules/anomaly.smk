# Stage 6: variational-autoencoder anomaly detection and the loss plots.


rule train_vae:
    input:
        R("merged"),
    output:
        losses=R("vae_losses"),
        ids=R("anomalous_ids"),
        history=R("vae_history"),
    params:
        vae=config["vae"],
        a_per_ebv=config["dereddening"]["a_per_ebv"],
    threads: 2
    resources:
        mem_mb=8000,
        runtime=120,
    log:
        LOG("train_vae"),
    benchmark:
        BENCH("train_vae")
    conda:
        "../../envs/torch.yaml"
    script:
        "../scripts/train_vae.py"


rule plot_losses:
    input:
        R("vae_losses"),
    output:
        histogram=report(R("loss_histogram"), caption="../report/loss_histogram.rst", category="3. Anomaly detection"),
        boxplot=report(R("loss_boxplot"), caption="../report/loss_boxplot.rst", category="3. Anomaly detection"),
        scatter=report(R("loss_scatter"), caption="../report/loss_scatter.rst", category="3. Anomaly detection"),
    params:
        loss=config["vae"]["loss"],
        score=config["vae"]["score"],
    log:
        LOG("plot_losses"),
    benchmark:
        BENCH("plot_losses")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/plot_losses.py"
