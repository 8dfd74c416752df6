"""Rule split_selection_tile: the selected objects of one HEALPix tile."""
from symfind.logs import job_logging
from symfind.selection import run_split_selection

with job_logging(snakemake.log[0]):
    run_split_selection(
        selection_parquet=snakemake.input[0],
        nside=snakemake.params.nside,
        tile=int(snakemake.wildcards.tile),
        out_parquet=snakemake.output[0],
    )
