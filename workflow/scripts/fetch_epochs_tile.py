"""Rule fetch_epochs_tile: per-epoch photometry of one tile's objects over TAP."""
from symfind.epochs import run_epochs_tile
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_epochs_tile(tile_selection=snakemake.input[0], tap=snakemake.params.tap, out_parquet=snakemake.output[0])
