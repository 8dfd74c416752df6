"""Rule summary: objects per stage, candidates, known symbiotic stars recovered, products."""
from symfind.logs import job_logging
from symfind.summary import run_summary

with job_logging(snakemake.log[0]):
    run_summary(
        selection_cutflow_csv=snakemake.input.selection_cutflow,
        cutflow_csv=snakemake.input.cutflow,
        colors_parquet=snakemake.input.colors,
        merged_parquet=snakemake.input.merged,
        losses_csv=snakemake.input.losses,
        recovery_csv=snakemake.input.recovery,
        comparison_csv=snakemake.input.comparison,
        status_files=snakemake.input.statuses,
        products=snakemake.params.products,
        out_txt=snakemake.output[0],
    )
