# Stage 7: cross-match with catalogues of known symbiotic stars; recall of the candidates.


rule crossmatch_known:
    input:
        scored=R("scored"),
        user_catalogues=[entry["path"] for entry in config["known"]["catalogues"] if "path" in entry],
    output:
        matches=R("known_matches"),
        recovery=report(R("known_recovery"), caption="../report/known_recovery.rst", category="7. Known symbiotic stars"),
    log:
        LOG("crossmatch_known"),
    benchmark:
        BENCH("crossmatch_known")
    priority: 3  # the critical path (workflow/rules/ranking.smk: the lanes)
    conda:
        "../../envs/core.yaml"
    params:
        catalogues=config["known"]["catalogues"],
    script:
        "../scripts/crossmatch_known.py"


rule compare_detectors:
    input:
        scored=R("scored"),
        matches=R("known_matches"),
        truth=truth_table(),
    output:
        table=report(R("detector_comparison"), caption="../report/detector_comparison.rst", category="7. Known symbiotic stars"),
        plot=report(
            R("detector_comparison_plot"), caption="../report/detector_comparison.rst", category="7. Known symbiotic stars"
        ),
        magnitude_plot=report(R("score_magnitude_plot"), caption="../report/score_magnitude.rst", category="6. Anomaly detection"),
        status=R("status_compare_detectors"),
    log:
        LOG("compare_detectors"),
    benchmark:
        BENCH("compare_detectors")
    conda:
        "../../envs/core.yaml"
    resources:
        mem_mb=MEM_MB,
    params:
        detectors=config["vae"],
    script:
        "../scripts/compare_detectors.py"
