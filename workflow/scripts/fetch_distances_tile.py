"""Rule fetch_distances_tile: Bailer-Jones distances of one tile's Gaia sources over TAP."""
from symfind.distances import run_distances_tile
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_distances_tile(
        tile_selection=snakemake.input[0],
        tap=snakemake.params.tap,
        out_parquet=snakemake.output.found,
        out_missing=snakemake.output.missing,
    )
