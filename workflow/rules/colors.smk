# Stage 4: nightly inverse-variance weighted magnitudes and the 30 ordered colours of u v g r i z.


rule weighted_colors:
    input:
        R("epochs"),
    output:
        csv=R("colors_csv"),
        parquet=R("colors"),
    params:
        error_floor=config["colors"]["error_floor"],
        bad_flags=config["colors"]["bad_flags"],
        clip_sigma=config["colors"]["clip_sigma"],
    resources:
        mem_mb=16000,
        runtime=60,
    log:
        LOG("weighted_colors"),
    benchmark:
        BENCH("weighted_colors")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/weighted_colors.py"
