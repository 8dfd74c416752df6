# Stage 2: Bailer-Jones (2018) distances of the selected Gaia DR2 sources, per tile (from the
# source: a local table, or ids uploaded in chunks to the Gaia archive).


rule fetch_distances:
    input:
        unpack(local_tables("distances")),
        selected=TILE_PRODUCT("selection"),
    output:
        found=TILE_PRODUCT("distances"),
        missing=TILE_PRODUCT("distances_missing"),
    log:
        LOG("fetch_distances", "{tile}"),
    benchmark:
        BENCH("fetch_distances", "{tile}")
    conda:
        SOURCE_ENV
    params:
        source=SOURCE,
        tap=TAP,
        names=archive_names("distances"),
        hats=HATS,
        dask=DASK,
        nside=config["sky"]["nside"],
    script:
        "../scripts/fetch_distances.py"
