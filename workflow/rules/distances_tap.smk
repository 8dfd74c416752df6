# Stage 2 over TAP: distances per tile (source ids uploaded in chunks).


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
