"""Rule gather_epochs: the per-tile epochs into one table."""
from symfind.epochs import run_gather_epochs
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_gather_epochs(paths=list(snakemake.input), out_parquet=snakemake.output[0])
