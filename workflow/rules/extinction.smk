# Stage 2b: E(B-V) in front of each selected star, per tile (SFD, SFD x dust layer, or an mwdust
# 3-D map in its own environment), gathered into one table.


if config["extinction"]["model"].startswith("mwdust:"):

    rule extinction_mwdust:
        input:
            selected=TILE_PRODUCT("selection"),
            distances=TILE_PRODUCT("distances"),
        output:
            TILE_PRODUCT("extinction"),
        params:
            extinction=config["extinction"],
        log:
            LOG("extinction", "{tile}"),
        benchmark:
            BENCH("extinction", "{tile}")
        conda:
            "../../envs/mwdust.yaml"
        script:
            "../scripts/extinction.py"

else:

    rule extinction_sfd:
        input:
            selected=TILE_PRODUCT("selection"),
            distances=TILE_PRODUCT("distances"),
        output:
            TILE_PRODUCT("extinction"),
        params:
            extinction=config["extinction"],
        log:
            LOG("extinction", "{tile}"),
        benchmark:
            BENCH("extinction", "{tile}")
        conda:
            "../../envs/core.yaml"
        script:
            "../scripts/extinction.py"


rule gather_extinction:
    input:
        tile_products("extinction"),
    output:
        R("extinction"),
    log:
        LOG("gather_extinction"),
    benchmark:
        BENCH("gather_extinction")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/gather_extinction.py"
