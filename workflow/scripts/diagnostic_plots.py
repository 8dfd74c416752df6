"""Rule diagnostic_plots: sky map, colour-colour and colour-magnitude diagrams, VAE latent space."""
from symfind.logs import job_logging
from symfind.plots import run_diagnostic_plots

with job_logging(snakemake.log[0]):
    run_diagnostic_plots(
        selected_parquet=snakemake.input.selected,
        merged_parquet=snakemake.input.merged,
        losses_csv=snakemake.input.losses,
        matches_csv=snakemake.input.matches,
        cuts=snakemake.params.cuts,
        loss_kind=snakemake.params.loss,
        out_sky=snakemake.output.sky,
        out_colour_colour=snakemake.output.colour_colour,
        out_cmd=snakemake.output.cmd,
        out_latent=snakemake.output.latent,
    )
