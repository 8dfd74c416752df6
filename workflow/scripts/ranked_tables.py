"""Rule ranked_tables: the ranked list as FITS and VOTable."""
from symfind.logs import job_logging
from symfind.stages.ranking import ranked_tables

with job_logging(snakemake.log[0]):
    ranked_tables(
        ranked_csv=snakemake.input.ranked,
        out_fits=snakemake.output.fits,
        out_vot=snakemake.output.vot,
        config_used=snakemake.input.config_used,
    )
