# Stage 2: E(B-V) in front of each selected star, per tile: SFD (optionally scaled by a dust layer)
# in the core environment, or an mwdust 3-D map in its own.


rule extinction:
    input:
        selected=TILE_PRODUCT("selection"),
        distances=TILE_PRODUCT("distances"),
    output:
        TILE_PRODUCT("extinction"),
    log:
        LOG("extinction", "{tile}"),
    benchmark:
        BENCH("extinction", "{tile}")
    conda:
        "../../envs/mwdust.yaml" if config["extinction"]["model"].startswith("mwdust:") else "../../envs/core.yaml"
    params:
        extinction=config["extinction"],
    script:
        "../scripts/extinction.py"
