"""Rule rank_candidates: the ranking with the known symbiotic stars as labels."""
from symfind.logs import job_logging
from symfind.stages.ranking import rank_candidates

with job_logging(snakemake.log[0]):
    rank_candidates(
        scored_parquet=snakemake.input.scored,
        matches_csv=snakemake.input.matches,
        params=snakemake.params.rank,
        out_ranked=snakemake.output.ranked,
        out_importances=snakemake.output.importances,
        out_status=snakemake.output.status,
        threads=snakemake.threads,
        labels_files=list(snakemake.input.labels),
    )
