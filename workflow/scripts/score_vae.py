"""Rule score_vae: the VAE's anomaly scores and candidates, from its fit."""
from symfind.logs import job_logging
from symfind.stages.anomaly import score_vae

with job_logging(snakemake.log[0]):
    score_vae(
        analysed_parquet=snakemake.input.analysed,
        fit_parquet=snakemake.input.fit,
        params=snakemake.params.vae,
        out_parquet=snakemake.output.parquet,
        out_ids=snakemake.output.ids,
    )
