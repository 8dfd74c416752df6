"""Rule select_tile: the selected objects of one HEALPix tile (the archive's query of it, over TAP)."""
from symfind.logs import job_logging
from symfind.stages.selection import select_tile

with job_logging(snakemake.log[0]):
    select_tile(
        source=snakemake.params.source,
        tile=int(snakemake.wildcards.tile),
        out_parquet=snakemake.output[0],
        selection_parquet=snakemake.input[0] if snakemake.input else None,
        selection=snakemake.params.selection,
        tap=snakemake.params.tap,
        nside=snakemake.params.nside,
        names=snakemake.params.names,
    )
