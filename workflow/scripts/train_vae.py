"""Rule train_vae: the VAE's fit of every analysed object and its training history."""
from symfind.logs import job_logging
from symfind.stages.anomaly import train_vae

with job_logging(snakemake.log[0]):
    train_vae(
        analysed_parquet=snakemake.input[0],
        params=snakemake.params.vae,
        a_per_ebv=snakemake.params.a_per_ebv,
        aj_per_ebv=snakemake.params.aj_per_ebv,
        out_fit=snakemake.output.fit,
        out_history=snakemake.output.history,
        threads=snakemake.threads,
    )
