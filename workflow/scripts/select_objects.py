"""Rule select_objects: the selection from the source, each object with its tile, and the tile list."""
from symfind.logs import job_logging
from symfind.stages.selection import select_objects

with job_logging(snakemake.log[0]):
    select_objects(
        source=snakemake.params.source,
        selection=snakemake.params.selection,
        nside=snakemake.params.nside,
        tables={name: path for name, path in snakemake.input.items() if name != "queried"},
        tile_parquets=list(snakemake.input.queried),
        tiles=list(snakemake.params.tiles),
        names=snakemake.params.names,
        hats=snakemake.params.hats,
        dask=snakemake.params.dask,
        threads=snakemake.threads,
        out_parquet=snakemake.output.parquet,
        out_cutflow=snakemake.output.cutflow,
        out_tiles=snakemake.output.tiles,
    )
