"""Rule candidate_table: the candidates as CSV, FITS and VOTable."""
from symfind.logs import job_logging
from symfind.stages.candidates import candidate_table

with job_logging(snakemake.log[0]):
    candidate_table(
        analysed_parquet=snakemake.input.analysed,
        vae_scores_parquet=snakemake.input.vae_scores,
        matches_csv=snakemake.input.matches,
        out_csv=snakemake.output.csv,
        out_fits=snakemake.output.fits,
        out_vot=snakemake.output.vot,
    )
