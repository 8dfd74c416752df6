"""Rule gather_extinction: the per-tile E(B-V) tables into one."""
from symfind.extinction import run_gather_extinction
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_gather_extinction(paths=list(snakemake.input), out_parquet=snakemake.output[0])
