"""Rule gather_cuts: the per-tile filtered catalogues and cut-flows."""
from symfind.cuts import run_gather_cuts
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_gather_cuts(
        paths=list(snakemake.input.filtered),
        cutflow_paths=list(snakemake.input.cutflow),
        out_csv=snakemake.output.csv,
        out_parquet=snakemake.output.parquet,
        out_cutflow=snakemake.output.cutflow,
    )
