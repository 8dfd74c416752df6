"""Rule plot_scores: histogram, box plot and scatter of the VAE's anomaly score."""
from symfind.logs import job_logging
from symfind.stages.anomaly import plot_scores

with job_logging(snakemake.log[0]):
    plot_scores(
        vae_scores_parquet=snakemake.input[0],
        out_hist=snakemake.output.histogram,
        out_box=snakemake.output.boxplot,
        out_scatter=snakemake.output.scatter,
        loss_kind=snakemake.params.loss,
        score_kind=snakemake.params.score,
    )
