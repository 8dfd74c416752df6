"""Rule train_vae: VAE anomaly scores and candidates."""
from symfind.logs import job_logging
from symfind.vae import run_vae

with job_logging(snakemake.log[0]):
    run_vae(
        merged_parquet=snakemake.input[0],
        params=snakemake.params.vae,
        a_per_ebv=snakemake.params.a_per_ebv,
        out_losses=snakemake.output.losses,
        out_ids=snakemake.output.ids,
        out_history=snakemake.output.history,
        threads=snakemake.threads,
    )
