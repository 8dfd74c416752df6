# Stage 2 on local tables: Bailer-Jones (2018) distances of the selected Gaia DR2 sources.


rule fetch_distances:
    input:
        selected=R("selection"),
        distances=source_table("distances"),
    output:
        csv=R("distances_csv"),
        parquet=R("distances"),
        missing=R("distances_missing"),
    log:
        LOG("fetch_distances"),
    benchmark:
        BENCH("fetch_distances")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/fetch_distances.py"
