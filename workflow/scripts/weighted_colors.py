"""Rule weighted_colors: nightly weighted magnitudes and colours of one tile's objects."""
from symfind.colors import run_colors
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_colors(
        epochs_parquet=snakemake.input[0],
        error_floor=snakemake.params.error_floor,
        bad_flags=snakemake.params.bad_flags,
        clip_sigma=snakemake.params.clip_sigma,
        out_parquet=snakemake.output[0],
    )
