# Stage 4: nightly inverse-variance weighted magnitudes and the 30 ordered colours of u v g r i z,
# per tile (an object's epochs all lie in its tile), gathered.


rule weighted_colors:
    input:
        TILE_PRODUCT("epochs"),
    output:
        TILE_PRODUCT("colors"),
    params:
        error_floor=config["colors"]["error_floor"],
        bad_flags=config["colors"]["bad_flags"],
        clip_sigma=config["colors"]["clip_sigma"],
    resources:
        mem_mb=8000,
        runtime=60,
    log:
        LOG("weighted_colors", "{tile}"),
    benchmark:
        BENCH("weighted_colors", "{tile}")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/weighted_colors.py"


rule gather_colors:
    input:
        tile_products("colors"),
    output:
        csv=R("colors_csv"),
        parquet=R("colors"),
    log:
        LOG("gather_colors"),
    benchmark:
        BENCH("gather_colors")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/gather_colors.py"
