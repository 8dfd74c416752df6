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
    log:
        LOG("diagnostic_plots"),
    benchmark:
        BENCH("diagnostic_plots")
    conda:
        "../../envs/core.yaml"
    resources:
        mem_mb=MEM_MB,
    params:
        cuts=config["cuts"],
        loss=(config["vae"]["score"] if config["vae"]["score"] in ("hot_excess", "symbiotic") else config["vae"]["loss"]),
        # the score's label
    script:
        "../scripts/diagnostic_plots.py"


rule candidate_evidence:
    input:
        scored=R("scored"),
        ranked=R("candidates_ranked"),
        candidates=R("candidates_csv"),
        epochs=R("epochs"),
        matches=R("known_matches"),
        config_used=R("config_used"),
    output:
        figures=report(
            directory(R("candidate_figures")),
            patterns=["{name}.png"],
            caption="../report/candidate_evidence.rst",
            category="8. Candidates",
            subcategory="Evidence per candidate",
        ),
        browser=report(R("candidate_browser"), caption="../report/candidate_browser.rst", category="8. Candidates"),
    log:
        LOG("candidate_evidence"),
    benchmark:
        BENCH("candidate_evidence")
    priority: 2  # the longest late job (workflow/rules/ranking.smk: the late stages' lanes)
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB,
        runtime=30,
    params:
        evidence={key: config[key] for key in ("report", "colors", "dereddening", "cuts")},
    script:
        "../scripts/candidate_evidence.py"


rule config_used:
    output:
        report(R("config_used"), caption="../report/config_used.rst", category="0. Run"),
    log:
        LOG("config_used"),
    benchmark:
        BENCH("config_used")
    conda:
        "../../envs/core.yaml"
    params:
        config=config,
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
        ranking_evaluation=R("ranking_evaluation"),
        statuses=[
            R(k)
            for k in (
                "status_merge_catalogue",
                "status_colour_pca",
                "status_compare_detectors",
                "status_rank_candidates",
                "status_evaluate_ranking",
            )
        ],
    output:
        report(R("summary"), caption="../report/summary.rst", category="0. Run"),
    log:
        LOG("summary"),
    benchmark:
        BENCH("summary")
    conda:
        "../../envs/core.yaml"
    params:
        lists={
            "ranked": R("candidates_ranked"),
            "candidates": R("candidates_csv"),
            "rank_method": config["rank"]["method"],
            "top_fraction": config["vae"]["anomaly_fraction"],
            "report_command": report_command(),
            "browser": R("candidate_browser"),
        },
        products={
            "ranked list (CSV, FITS, VOTable)": ", ".join(
                R(k) for k in ("candidates_ranked", "candidates_ranked_fits", "candidates_ranked_vot")
            ),
            "VAE candidates (CSV, FITS, VOTable)": ", ".join(
                R(k) for k in ("candidates_csv", "candidates_fits", "candidates_vot")
            ),
            "VAE scores of every object": R("vae_scores_csv"),
            "cut-flow": R("cutflow"),
            "detector comparison": R("detector_comparison"),
            "known symbiotic stars matched": R("known_matches"),
            "plots": os.path.join(RESULTS, "*.png"),
            "configuration used": R("config_used"),
            "logs": os.path.join(RESULTS, "logs"),
            "benchmarks": os.path.join(RESULTS, "benchmarks"),
        },
    script:
        "../scripts/summary.py"
