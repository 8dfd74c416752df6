"""Rule config_used: the validated configuration of this run."""
from symfind.logs import job_logging
from symfind.summary import run_config_used

with job_logging(snakemake.log[0]):
    run_config_used(config=snakemake.params.config, out_yaml=snakemake.output[0])
