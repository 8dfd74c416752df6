# Stage 1: the selection (SkyMapper DR2 x 2MASS x Gaia DR2 x AllWISE) and per-epoch photometry.
# The source (config key `source`) is a param. With local tables or HATS catalogues (source: hats,
# read pixel by pixel with LSDB on a Dask cluster of the job's threads), select_objects (a checkpoint)
# selects every object at once, stores each one's tile and lists the tiles; select_tile then takes
# each tile's objects. Over TAP, select_tile is the archive's query of one configured tile and
# select_objects gathers them (a failed tile is retried alone). Every later per-tile job reads
# results/tiles/<tile>/.


rule select_tile:
    input:
        R("selection") if SOURCE != "tap" else [],
    output:
        TILE_PRODUCT("selection"),
    log:
        LOG("select_tile", "{tile}"),
    benchmark:
        BENCH("select_tile", "{tile}")
    conda:
        "../../envs/core.yaml"
    resources:
        mem_mb=4000,
        runtime=240 if SOURCE == "tap" else 60,
    params:
        source=SOURCE,
        selection=config["selection"] if SOURCE == "tap" else None,
        tap=TAP,
        nside=config["sky"]["nside"],
        names=archive_names(),
    script:
        "../scripts/select_tile.py"


checkpoint select_objects:
    input:
        unpack(local_tables("master", "twomass_psc", "gaia_dr2", "allwise")),
        queried=expand(TILE_PRODUCT("selection"), tile=TILES),
    output:
        parquet=R("selection"),
        cutflow=report(R("selection_cutflow"), caption="../report/selection_cutflow.rst", category="1. Selection"),
        tiles=R("selection_tiles"),
    log:
        LOG("select_objects"),
    benchmark:
        BENCH("select_objects")
    conda:
        SOURCE_ENV
    threads: workflow.cores if SOURCE == "hats" else 1
    resources:
        mem_mb=MEM_MB,
    params:
        source=SOURCE,
        selection=config["selection"],
        nside=config["sky"]["nside"],
        tiles=TILES,
        names=archive_names(),
        hats=HATS,
        dask=DASK,
    script:
        "../scripts/select_objects.py"


rule fetch_epochs:
    input:
        unpack(local_tables("photometry", "images")),
        selected=TILE_PRODUCT("selection"),
    output:
        TILE_PRODUCT("epochs"),
    log:
        LOG("fetch_epochs", "{tile}"),
    benchmark:
        BENCH("fetch_epochs", "{tile}")
    conda:
        SOURCE_ENV
    params:
        source=SOURCE,
        tap=TAP,
        names=archive_names(),
        hats=HATS,
        dask=DASK,
        nside=config["sky"]["nside"],
    script:
        "../scripts/fetch_epochs.py"
