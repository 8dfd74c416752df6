"""Rule train_vae_variants: the other VAE variants the detector comparison shows."""
from symfind.logs import job_logging
from symfind.stages.anomaly import train_vae_variants

with job_logging(snakemake.log[0]):
    train_vae_variants(
        analysed_parquet=snakemake.input[0],
        params=snakemake.params.vae,
        a_per_ebv=snakemake.params.a_per_ebv,
        aj_per_ebv=snakemake.params.aj_per_ebv,
        out_parquet=snakemake.output[0],
        threads=snakemake.threads,
    )
