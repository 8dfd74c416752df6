"""Rule compare_detectors: the VAE variants, IsolationForest, PCA, LOF and a colour rule on known symbiotic stars."""
from symfind.logs import job_logging
from symfind.stages.known import compare_detectors

with job_logging(snakemake.log[0]):
    compare_detectors(
        analysed_parquet=snakemake.input.analysed,
        vae_scores_parquet=snakemake.input.vae_scores,
        matches_csv=snakemake.input.matches,
        truth_file=snakemake.input.truth or None,
        params=snakemake.params.detectors,
        a_per_ebv=snakemake.params.a_per_ebv,
        out_csv=snakemake.output.table,
        out_png=snakemake.output.plot,
        out_magnitude_png=snakemake.output.magnitude_plot,
        out_status=snakemake.output.status,
        threads=snakemake.threads,
    )
