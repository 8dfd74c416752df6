"""Rule gather_colors: the per-tile colours into one table."""
from symfind.colors import run_gather_colors
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_gather_colors(paths=list(snakemake.input), out_csv=snakemake.output.csv, out_parquet=snakemake.output.parquet)
