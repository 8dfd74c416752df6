"""Rule weighted_colors: nightly weighted magnitudes and colours."""
from symfind.colors import run_colors
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_colors(
        epochs_parquet=snakemake.input[0],
        error_floor=snakemake.params.error_floor,
        bad_flags=snakemake.params.bad_flags,
        clip_sigma=snakemake.params.clip_sigma,
        out_csv=snakemake.output.csv,
        out_parquet=snakemake.output.parquet,
    )
