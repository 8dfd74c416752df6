"""Rule score_objects: the scored table (the analysed objects with every detector's scores)."""
from symfind.logs import job_logging
from symfind.stages.anomaly import score_objects

with job_logging(snakemake.log[0]):
    score_objects(
        analysed_parquet=snakemake.input.analysed,
        vae_scores_parquet=snakemake.input.vae_scores,
        variants_parquet=snakemake.input.variants,
        params=snakemake.params.vae,
        rank_features=snakemake.params.rank_features,
        out_parquet=snakemake.output[0],
    )
