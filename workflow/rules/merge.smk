# Stage 5: the filtered catalogue inner-joined with the colours on object_id.


rule merge_catalogue:
    input:
        filtered=R("filtered"),
        colors=R("colors"),
        selection_cutflow=R("selection_cutflow"),
        cutflow=R("cutflow"),
    output:
        csv=R("merged_csv"),
        parquet=R("merged"),
    log:
        LOG("merge_catalogue"),
    benchmark:
        BENCH("merge_catalogue")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/merge_catalogue.py"
