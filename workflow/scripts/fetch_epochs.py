"""Rule fetch_epochs_tile (local tables): per-epoch photometry of one tile's selected objects."""
from symfind.epochs import run_epochs
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_epochs(
        selected_parquet=snakemake.input.selected,
        photometry_file=snakemake.input.photometry,
        images_file=snakemake.input.images or None,
        out_parquet=snakemake.output[0],
    )
