"""Rule crossmatch_known: the analysed objects vs catalogues of known symbiotic stars."""
from symfind.logs import job_logging
from symfind.stages.known import crossmatch_known

with job_logging(snakemake.log[0]):
    crossmatch_known(
        scored_parquet=snakemake.input.scored,
        catalogues=[dict(entry) for entry in snakemake.params.catalogues],
        out_matches=snakemake.output.matches,
        out_recovery=snakemake.output.recovery,
    )
