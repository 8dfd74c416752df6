# Stage 1 on local tables (source: sample or files): the selection, split into HEALPix tiles, and
# each tile's per-epoch photometry.


checkpoint select_objects:
    input:
        selection_inputs,
    output:
        csv=R("selection_csv"),
        parquet=R("selection"),
        cutflow=report(R("selection_cutflow"), caption="../report/selection_cutflow.rst", category="1. Selection"),
        tiles=R("selection_tiles"),
    params:
        source=config["source"],
        selection=config["selection"],
        sample_dir=SAMPLE_DIR,
        master_file=config["files"]["master"],
        nside=config["sky"]["nside"],
    log:
        LOG("select_objects"),
    benchmark:
        BENCH("select_objects")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/select_objects.py"


rule split_selection_tile:
    input:
        R("selection"),
    output:
        TILE_PRODUCT("selection"),
    params:
        nside=config["sky"]["nside"],
    log:
        LOG("split_selection_tile", "{tile}"),
    benchmark:
        BENCH("split_selection_tile", "{tile}")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/split_selection_tile.py"


rule fetch_epochs_tile:
    input:
        selected=TILE_PRODUCT("selection"),
        photometry=source_table("photometry"),
        images=source_table("images"),
    output:
        TILE_PRODUCT("epochs"),
    log:
        LOG("fetch_epochs_tile", "{tile}"),
    benchmark:
        BENCH("fetch_epochs_tile", "{tile}")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/fetch_epochs.py"
