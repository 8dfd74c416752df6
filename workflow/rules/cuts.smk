# Stage 3: extinction-corrected colour cut and distance/extinction-corrected absolute-magnitude cut.


rule apply_cuts:
    input:
        selected=R("selection"),
        distances=R("distances"),
        extinction=R("extinction"),
    output:
        csv=R("filtered_csv"),
        parquet=R("filtered"),
        cutflow=R("cutflow"),
    params:
        cuts=config["cuts"],
        nside=config["sky"]["nside"],
    log:
        LOG("apply_cuts"),
    benchmark:
        BENCH("apply_cuts")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/apply_cuts.py"
