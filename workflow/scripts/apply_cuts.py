"""Rule apply_cuts: colour and absolute-magnitude cuts on one tile."""
from symfind.logs import job_logging
from symfind.stages.cuts import apply_cuts

with job_logging(snakemake.log[0]):
    apply_cuts(
        selected_parquet=snakemake.input.selected,
        distances_parquet=snakemake.input.distances,
        extinction_parquet=snakemake.input.extinction,
        cuts=snakemake.params.cuts,
        tile=int(snakemake.wildcards.tile),
        out_parquet=snakemake.output.parquet,
        out_cutflow=snakemake.output.cutflow,
    )
