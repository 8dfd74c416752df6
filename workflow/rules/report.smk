# Stage 9: what an astronomer looks at (sky map, colour-colour and colour-magnitude diagrams, latent
# space), the configuration used, and the end-of-run summary. `snakemake --report` collects them.


rule diagnostic_plots:
    input:
        selection=R("selection"),
        scored=R("scored"),
        matches=R("known_matches"),
    output:
        sky=report(R("sky_map"), caption="../report/sky_map.rst", category="8. Candidates"),
        colour_colour=report(R("colour_colour_plot"), caption="../report/colour_colour.rst", category="8. Candidates"),
        cmd=report(R("colour_magnitude_plot"), caption="../report/colour_magnitude.rst", category="8. Candidates"),
        latent=report(R("latent_plot"), caption="../report/latent.rst", category="6. Anomaly detection"),
    params:
        cuts=config["cuts"],
        loss="hot_excess" if config["vae"]["score"] == "hot_excess" else config["vae"]["loss"],  # the score's label
    log:
        LOG("diagnostic_plots"),
    benchmark:
        BENCH("diagnostic_plots")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/diagnostic_plots.py"


rule config_used:
    output:
        report(R("config_used"), caption="../report/config_used.rst", category="0. Run"),
    params:
        config=config,
    log:
        LOG("config_used"),
    benchmark:
        BENCH("config_used")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/config_used.py"


rule summary:
    input:
        selection_cutflow=R("selection_cutflow"),
        cutflow=R("cutflow"),
        colours=R("colours"),
        scored=R("scored"),
        recovery=R("known_recovery"),
        comparison=R("detector_comparison"),
        statuses=[R("status_colour_pca"), R("status_compare_detectors"), R("status_rank_candidates")],
    output:
        report(R("summary"), caption="../report/summary.rst", category="0. Run"),
    params:
        products={
            "candidates (CSV, FITS, VOTable)": ", ".join(R(k) for k in ("candidates_csv", "candidates_fits", "candidates_vot")),
            "VAE scores of every object": R("vae_scores_csv"),
            "cut-flow": R("cutflow"),
            "detector comparison": R("detector_comparison"),
            "known symbiotic stars matched": R("known_matches"),
            "plots": os.path.join(RESULTS, "*.png"),
            "configuration used": R("config_used"),
            "logs": os.path.join(RESULTS, "logs"),
            "benchmarks": os.path.join(RESULTS, "benchmarks"),
        },
    log:
        LOG("summary"),
    benchmark:
        BENCH("summary")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/summary.py"
