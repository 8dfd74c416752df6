# Stage 2 on a local table, one job per tile: Bailer-Jones (2018) distances of the tile's Gaia sources.


rule fetch_distances_tile:
    input:
        selected=TILE_PRODUCT("selection"),
        distances=source_table("distances"),
    output:
        found=TILE_PRODUCT("distances"),
        missing=TILE_PRODUCT("distances_missing"),
    log:
        LOG("fetch_distances_tile", "{tile}"),
    benchmark:
        BENCH("fetch_distances_tile", "{tile}")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/fetch_distances.py"
