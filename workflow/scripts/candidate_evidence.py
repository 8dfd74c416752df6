"""Rule candidate_evidence: one evidence figure per candidate at the top of both lists, and the browser."""
from symfind.logs import job_logging
from symfind.stages.report import candidate_evidence

with job_logging(snakemake.log[0]):
    candidate_evidence(
        scored_parquet=snakemake.input.scored,
        ranked_csv=snakemake.input.ranked,
        candidates_csv=snakemake.input.candidates,
        epochs_parquet=snakemake.input.epochs,
        matches_csv=snakemake.input.matches,
        params=snakemake.params.evidence,
        out_dir=snakemake.output.figures,
        out_html=snakemake.output.browser,
        config_used=snakemake.input.config_used,
        threads=snakemake.threads,
    )
