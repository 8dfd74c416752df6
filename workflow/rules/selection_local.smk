# Stage 1 on local tables (source: sample or files): the selection query and per-epoch photometry, one job each.


rule select_objects:
    input:
        selection_inputs,
    output:
        csv=R("selection_csv"),
        parquet=R("selection"),
        cutflow=R("selection_cutflow"),
    params:
        source=config["source"],
        selection=config["selection"],
        sample_dir=SAMPLE_DIR,
        master_file=config["files"]["master"],
    log:
        LOG("select_objects"),
    benchmark:
        BENCH("select_objects")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/select_objects.py"


rule fetch_epochs:
    input:
        selected=R("selection"),
        photometry=source_table("photometry"),
        images=source_table("images"),
    output:
        R("epochs"),
    log:
        LOG("fetch_epochs"),
    benchmark:
        BENCH("fetch_epochs")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/fetch_epochs.py"
