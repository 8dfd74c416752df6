"""Rule diagnostic_plots: sky map, colour-colour and colour-magnitude diagrams, VAE latent space."""
from symfind.logs import job_logging
from symfind.stages.report import diagnostic_plots

with job_logging(snakemake.log[0]):
    diagnostic_plots(
        selection_parquet=snakemake.input.selection,
        scored_parquet=snakemake.input.scored,
        matches_csv=snakemake.input.matches,
        cuts=snakemake.params.cuts,
        loss_kind=snakemake.params.loss,
        out_sky=snakemake.output.sky,
        out_colour_colour=snakemake.output.colour_colour,
        out_cmd=snakemake.output.cmd,
        out_latent=snakemake.output.latent,
    )
