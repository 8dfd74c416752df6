"""Rule fetch_distances_tile (local tables): Bailer-Jones distances of one tile's Gaia sources."""
from symfind.distances import run_distances
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_distances(
        selected_parquet=snakemake.input.selected,
        distances_file=snakemake.input.distances,
        out_parquet=snakemake.output.found,
        out_missing=snakemake.output.missing,
    )
