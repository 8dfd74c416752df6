"""Rule query_selection_tile: the selection query on one HEALPix tile over TAP."""
from symfind.logs import job_logging
from symfind.selection import run_selection_tile

with job_logging(snakemake.log[0]):
    run_selection_tile(
        selection=snakemake.params.selection,
        tap=snakemake.params.tap,
        nside=snakemake.params.nside,
        tile=int(snakemake.wildcards.tile),
        out_parquet=snakemake.output[0],
    )
