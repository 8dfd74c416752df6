"""Rule fetch_epochs: per-epoch photometry of one tile's selected objects, from the source."""
from symfind.logs import job_logging
from symfind.stages.selection import fetch_epochs

with job_logging(snakemake.log[0]):
    fetch_epochs(
        selected_parquet=snakemake.input.selected,
        source=snakemake.params.source,
        tables={name: path for name, path in snakemake.input.items() if name != "selected"},
        tap=snakemake.params.tap,
        names=snakemake.params.names,
        hats=snakemake.params.hats,
        dask=snakemake.params.dask,
        threads=snakemake.threads,
        tile=int(snakemake.wildcards.tile),
        nside=snakemake.params.nside,
        out_parquet=snakemake.output[0],
    )
