"""Rule evaluate_ranking: the ranking evaluated on known symbiotic stars hidden from it."""
from symfind.logs import job_logging
from symfind.stages.ranking import evaluate_ranking

with job_logging(snakemake.log[0]):
    evaluate_ranking(
        scored_parquet=snakemake.input.scored,
        matches_csv=snakemake.input.matches,
        params=snakemake.params.rank,
        out_evaluation=snakemake.output.evaluation,
        out_plot=snakemake.output.plot,
        truth_file=snakemake.input.truth or None,
        out_status=snakemake.output.status,
        threads=snakemake.threads,
        labels_files=list(snakemake.input.labels),
    )
