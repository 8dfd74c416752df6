"""Rule apply_cuts: colour and absolute-magnitude cuts on one tile."""
from symfind.cuts import run_cuts
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_cuts(
        selected_parquet=snakemake.input.selected,
        distances_parquet=snakemake.input.distances,
        extinction_parquet=snakemake.input.extinction,
        cuts=snakemake.params.cuts,
        tile=int(snakemake.wildcards.tile),
        out_parquet=snakemake.output.parquet,
        out_cutflow=snakemake.output.cutflow,
    )
