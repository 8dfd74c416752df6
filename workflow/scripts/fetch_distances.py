"""Rule fetch_distances: Bailer-Jones distances of the selected sources."""
from symfind.distances import run_distances
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_distances(
        selected_parquet=snakemake.input.selected,
        distances_file=snakemake.input.distances,
        out_csv=snakemake.output.csv,
        out_parquet=snakemake.output.parquet,
        out_missing=snakemake.output.missing,
    )
