"""Rule merge_catalogue: the analysed objects (after the cuts, with colours)."""
from symfind.logs import job_logging
from symfind.stages.merge import merge_catalogue

with job_logging(snakemake.log[0]):
    merge_catalogue(
        after_cuts_parquet=snakemake.input.after_cuts,
        colours_parquet=snakemake.input.colours,
        gaia_dr3_parquet=snakemake.input.gaia_dr3,
        selection_cutflow_csv=snakemake.input.selection_cutflow,
        cutflow_csv=snakemake.input.cutflow,
        out_parquet=snakemake.output.parquet,
        out_status=snakemake.output.status,
    )
