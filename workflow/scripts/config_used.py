"""Rule config_used: the validated configuration of this run."""
from symfind.logs import job_logging
from symfind.stages.report import config_used

with job_logging(snakemake.log[0]):
    config_used(config=snakemake.params.config, out_yaml=snakemake.output[0])
