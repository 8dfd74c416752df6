"""Rule crossmatch_known: candidates vs catalogues of known symbiotic stars."""
from symfind.known import run_known
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_known(
        merged_parquet=snakemake.input.merged,
        losses_csv=snakemake.input.losses,
        catalogues=[dict(entry) for entry in snakemake.params.catalogues],
        out_matches=snakemake.output.matches,
        out_recovery=snakemake.output.recovery,
    )
