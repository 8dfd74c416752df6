# Stage 7: PCA of the colour space.


rule colour_pca:
    input:
        R("analysed"),
    output:
        explained=R("pca_explained"),
        loadings=R("pca_loadings"),
        plot=report(R("pca_plot"), caption="../report/pca.rst", category="6. Anomaly detection"),
        status=R("status_colour_pca"),
    log:
        LOG("colour_pca"),
    benchmark:
        BENCH("colour_pca")
    conda:
        "../../envs/core.yaml"
    resources:
        mem_mb=MEM_MB,
    params:
        features=config["pca"]["features"],
    script:
        "../scripts/colour_pca.py"
