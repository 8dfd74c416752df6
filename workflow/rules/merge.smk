# Stage 5: the analysed objects: the objects after the cuts inner-joined with their colours on object_id,
# with their Gaia DR3 evidence (left join: missing where none).


rule merge_catalogue:
    input:
        after_cuts=R("after_cuts"),
        colours=R("colours"),
        gaia_dr3=R("gaia_dr3"),
        selection_cutflow=R("selection_cutflow"),
        cutflow=R("cutflow"),
    output:
        parquet=R("analysed"),
        status=R("status_merge_catalogue"),
    log:
        LOG("merge_catalogue"),
    benchmark:
        BENCH("merge_catalogue")
    priority: 3  # the critical path (workflow/rules/ranking.smk: the lanes)
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/merge_catalogue.py"
