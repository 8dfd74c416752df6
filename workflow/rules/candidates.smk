# Stage 8: the candidate table (CSV, FITS, VOTable) with units and UCDs, for TOPCAT and friends.


rule candidate_table:
    input:
        scored=R("scored"),
        matches=R("known_matches"),
        config_used=R("config_used"),
    output:
        csv=report(R("candidates_csv"), caption="../report/candidates.rst", category="8. Candidates"),
        fits=R("candidates_fits"),
        vot=R("candidates_vot"),
    log:
        LOG("candidate_table"),
    benchmark:
        BENCH("candidate_table")
    priority: 2  # the evidence reads it (workflow/rules/ranking.smk: the late stages' lanes)
    conda:
        "../../envs/core.yaml"
    resources:
        mem_mb=MEM_MB,
    script:
        "../scripts/candidate_table.py"
