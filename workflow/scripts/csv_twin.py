"""Rules csv_twin_<product>: a Parquet product written under the original scripts' CSV name."""
from symfind.logs import job_logging
from symfind.stages.twins import csv_twin

with job_logging(snakemake.log[0]):
    csv_twin(product_parquet=snakemake.input[0], out_csv=snakemake.output[0])
