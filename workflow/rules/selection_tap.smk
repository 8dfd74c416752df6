# Stage 1 over TAP (source: tap): one query job per HEALPix tile, gathered; epochs per tile.


rule query_selection_tile:
    output:
        TILE_PRODUCT("selection"),
    params:
        selection=config["selection"],
        tap=config["tap"],
        nside=config["sky"]["nside"],
    resources:
        mem_mb=4000,
        runtime=240,
    log:
        LOG("query_selection_tile", "{tile}"),
    benchmark:
        BENCH("query_selection_tile", "{tile}")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/query_selection_tile.py"


rule gather_selection:
    input:
        expand(TILE_PRODUCT("selection"), tile=TILES),
    output:
        csv=R("selection_csv"),
        parquet=R("selection"),
        cutflow=report(R("selection_cutflow"), caption="../report/selection_cutflow.rst", category="1. Selection"),
        tiles=R("selection_tiles"),
    params:
        tiles=TILES,
    log:
        LOG("gather_selection"),
    benchmark:
        BENCH("gather_selection")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/gather_selection.py"


rule fetch_epochs_tile:
    input:
        TILE_PRODUCT("selection"),
    output:
        TILE_PRODUCT("epochs"),
    params:
        tap=config["tap"],
    log:
        LOG("fetch_epochs_tile", "{tile}"),
    benchmark:
        BENCH("fetch_epochs_tile", "{tile}")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/fetch_epochs_tile.py"
