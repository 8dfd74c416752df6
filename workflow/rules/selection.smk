# Stage 1: the selection query (SkyMapper DR2 x 2MASS x Gaia DR2 x AllWISE) and per-epoch photometry.
# Local tables (source: sample | files): one selection job (a checkpoint that lists the tiles holding
# selected objects), then one job per HEALPix tile. Over TAP (source: tap): one query job per
# configured tile, gathered. Either way the later stages run per tile on results/tiles/<tile>/.


if config["source"] == "tap":

    include: "selection_tap.smk"

else:

    include: "selection_local.smk"


rule gather_epochs:
    input:
        tile_products("epochs"),
    output:
        R("epochs"),
    log:
        LOG("gather_epochs"),
    benchmark:
        BENCH("gather_epochs")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/gather_epochs.py"
