"""Rule gather_selection: the per-tile selections into Dr2_table."""
from symfind.logs import job_logging
from symfind.selection import run_gather_selection

with job_logging(snakemake.log[0]):
    run_gather_selection(
        tiles=list(snakemake.params.tiles),
        paths=list(snakemake.input),
        out_csv=snakemake.output.csv,
        out_parquet=snakemake.output.parquet,
        out_cutflow=snakemake.output.cutflow,
        out_tiles=snakemake.output.tiles,
    )
