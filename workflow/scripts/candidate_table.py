"""Rule candidate_table: the candidates as CSV, FITS and VOTable."""
from symfind.candidates import run_candidates
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_candidates(
        merged_parquet=snakemake.input.merged,
        losses_csv=snakemake.input.losses,
        matches_csv=snakemake.input.matches,
        out_csv=snakemake.output.csv,
        out_fits=snakemake.output.fits,
        out_vot=snakemake.output.vot,
    )
