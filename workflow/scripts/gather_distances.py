"""Rule gather_distances: the per-tile distances and missing ids."""
from symfind.distances import run_gather_distances
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_gather_distances(
        paths=list(snakemake.input.found),
        missing_paths=list(snakemake.input.missing),
        out_csv=snakemake.output.csv,
        out_parquet=snakemake.output.parquet,
        out_missing=snakemake.output.missing,
    )
