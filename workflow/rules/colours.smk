# Stage 4: nightly inverse-variance weighted magnitudes and the 30 ordered colours of u v g r i z,
# per tile (an object's epochs all lie in its tile).


rule weighted_colours:
    input:
        TILE_PRODUCT("epochs"),
    output:
        TILE_PRODUCT("colours"),
    log:
        LOG("weighted_colours", "{tile}"),
    benchmark:
        BENCH("weighted_colours", "{tile}")
    conda:
        "../../envs/core.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        error_floor=config["colors"]["error_floor"],
        bad_flags=config["colors"]["bad_flags"],
        clip_sigma=config["colors"]["clip_sigma"],
        flicker_max_mag=config["colors"]["flicker_max_mag"],
        flicker_v_to_u_max=config["colors"]["flicker_v_to_u_max"],
    script:
        "../scripts/weighted_colours.py"
