"""Rule summary: objects per stage, candidates, known symbiotic stars recovered, products."""
from symfind.logs import job_logging
from symfind.stages.report import summary

with job_logging(snakemake.log[0]):
    summary(
        selection_cutflow_csv=snakemake.input.selection_cutflow,
        cutflow_csv=snakemake.input.cutflow,
        colours_parquet=snakemake.input.colours,
        scored_parquet=snakemake.input.scored,
        recovery_csv=snakemake.input.recovery,
        comparison_csv=snakemake.input.comparison,
        status_files=snakemake.input.statuses,
        products=snakemake.params.products,
        ranking_evaluation_csv=snakemake.input.ranking_evaluation,
        lists=snakemake.params.lists,
        out_txt=snakemake.output[0],
    )
