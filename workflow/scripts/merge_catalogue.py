"""Rule merge_catalogue: filtered catalogue x colours."""
from symfind.logs import job_logging
from symfind.merge import run_merge

with job_logging(snakemake.log[0]):
    run_merge(
        filtered_parquet=snakemake.input.filtered,
        colors_parquet=snakemake.input.colors,
        out_csv=snakemake.output.csv,
        out_parquet=snakemake.output.parquet,
        selection_cutflow_csv=snakemake.input.selection_cutflow,
        cutflow_csv=snakemake.input.cutflow,
    )
