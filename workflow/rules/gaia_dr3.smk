# Stage 2: Gaia DR3's own evidence per tile, beside the distances (Halpha emission, variability
# classes, long-period variables), from the optional tables the source has.


rule fetch_gaia_dr3:
    input:
        unpack(gaia_dr3_tables()),
        selected=TILE_PRODUCT("selection"),
    output:
        evidence=TILE_PRODUCT("gaia_dr3"),
    log:
        LOG("fetch_gaia_dr3", "{tile}"),
    benchmark:
        BENCH("fetch_gaia_dr3", "{tile}")
    conda:
        "../../envs/core.yaml"
    params:
        source=SOURCE,
        tap=TAP,
        release=config["release"],
        settings=config["gaia_dr3"],
    script:
        "../scripts/fetch_gaia_dr3.py"
