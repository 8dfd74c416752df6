# Stage 3: the extinction-corrected colour cut and the absolute-magnitude cut, per tile.


rule apply_cuts:
    input:
        selected=TILE_PRODUCT("selection"),
        distances=TILE_PRODUCT("distances"),
        extinction=TILE_PRODUCT("extinction"),
    output:
        parquet=TILE_PRODUCT("after_cuts"),
        cutflow=TILE_PRODUCT("cutflow"),
    log:
        LOG("apply_cuts", "{tile}"),
    benchmark:
        BENCH("apply_cuts", "{tile}")
    conda:
        "../../envs/core.yaml"
    params:
        cuts=config["cuts"],
    script:
        "../scripts/apply_cuts.py"
