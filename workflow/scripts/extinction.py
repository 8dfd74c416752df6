"""Rules extinction_sfd / extinction_mwdust: E(B-V) in front of each selected star."""
from symfind.extinction import run_extinction
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_extinction(
        selected_parquet=snakemake.input.selected,
        distances_parquet=snakemake.input.distances,
        extinction=snakemake.params.extinction,
        out_parquet=snakemake.output[0],
    )
