# Stage 3: extinction-corrected colour cut and distance/extinction-corrected absolute-magnitude cut,
# per tile, gathered (with the cut-flow summed over tiles).


rule apply_cuts:
    input:
        selected=TILE_PRODUCT("selection"),
        distances=TILE_PRODUCT("distances"),
        extinction=TILE_PRODUCT("extinction"),
    output:
        parquet=TILE_PRODUCT("filtered"),
        cutflow=TILE_PRODUCT("cutflow"),
    params:
        cuts=config["cuts"],
    log:
        LOG("apply_cuts", "{tile}"),
    benchmark:
        BENCH("apply_cuts", "{tile}")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/apply_cuts.py"


rule gather_cuts:
    input:
        filtered=tile_products("filtered"),
        cutflow=tile_products("cutflow"),
    output:
        csv=R("filtered_csv"),
        parquet=R("filtered"),
        cutflow=report(R("cutflow"), caption="../report/cutflow.rst", category="2. Cuts"),
    log:
        LOG("gather_cuts"),
    benchmark:
        BENCH("gather_cuts")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/gather_cuts.py"
