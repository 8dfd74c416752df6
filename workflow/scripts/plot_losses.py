"""Rule plot_losses: histogram, box plot and scatter of the VAE loss."""
from symfind.logs import job_logging
from symfind.plots import run_loss_plots

with job_logging(snakemake.log[0]):
    run_loss_plots(
        losses_csv=snakemake.input[0],
        out_hist=snakemake.output.histogram,
        out_box=snakemake.output.boxplot,
        out_scatter=snakemake.output.scatter,
        loss_kind=snakemake.params.loss,
        score_kind=snakemake.params.score,
    )
