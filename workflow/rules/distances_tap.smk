# Stage 2 over TAP: distances per tile (source ids uploaded in chunks), gathered.


rule fetch_distances_tile:
    input:
        TILE_PRODUCT("selection"),
    output:
        found=TILE_PRODUCT("distances"),
        missing=TILE_PRODUCT("distances_missing"),
    params:
        tap=config["tap"],
    log:
        LOG("fetch_distances_tile", "{tile}"),
    benchmark:
        BENCH("fetch_distances_tile", "{tile}")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/fetch_distances_tile.py"


rule gather_distances:
    input:
        found=expand(TILE_PRODUCT("distances"), tile=TILES),
        missing=expand(TILE_PRODUCT("distances_missing"), tile=TILES),
    output:
        csv=R("distances_csv"),
        parquet=R("distances"),
        missing=R("distances_missing"),
    log:
        LOG("gather_distances"),
    benchmark:
        BENCH("gather_distances")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/gather_distances.py"
