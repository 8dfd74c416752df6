"""Rule select_objects: apply the selection query to the source tables."""
from symfind.logs import job_logging
from symfind.selection import run_selection

with job_logging(snakemake.log[0]):
    run_selection(
        source=snakemake.params.source,
        selection=snakemake.params.selection,
        out_csv=snakemake.output.csv,
        out_parquet=snakemake.output.parquet,
        out_cutflow=snakemake.output.cutflow,
        out_tiles=snakemake.output.tiles,
        nside=snakemake.params.nside,
        sample_dir=snakemake.params.sample_dir,
        master_file=snakemake.params.master_file,
    )
