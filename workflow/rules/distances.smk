# Stage 2: Bailer-Jones (2018) distances of the selected Gaia DR2 sources, per HEALPix tile: looked up
# in a local table, or uploaded in chunks to the Gaia archive (source: tap); then gathered.


if config["source"] == "tap":

    include: "distances_tap.smk"

else:

    include: "distances_local.smk"


rule gather_distances:
    input:
        found=tile_products("distances"),
        missing=tile_products("distances_missing"),
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
