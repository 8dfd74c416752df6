"""Rule extinction: E(B-V) in front of each selected star of one tile."""
from symfind.logs import job_logging
from symfind.stages.distances import extinction

with job_logging(snakemake.log[0]):
    extinction(
        selected_parquet=snakemake.input.selected,
        distances_parquet=snakemake.input.distances,
        params=snakemake.params.extinction,
        out_parquet=snakemake.output[0],
    )
