"""Rule candidate_table: the candidates as CSV, FITS and VOTable."""
from symfind.logs import job_logging
from symfind.stages.candidates import candidate_table

with job_logging(snakemake.log[0]):
    candidate_table(
        scored_parquet=snakemake.input.scored,
        matches_csv=snakemake.input.matches,
        out_csv=snakemake.output.csv,
        out_fits=snakemake.output.fits,
        out_vot=snakemake.output.vot,
        config_used=snakemake.input.config_used,
    )
