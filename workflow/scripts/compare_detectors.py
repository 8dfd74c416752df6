"""Rule compare_detectors: the VAE variants, IsolationForest, PCA, LOF and a colour rule on known symbiotic stars."""
from symfind.logs import job_logging
from symfind.stages.known import compare_detectors

with job_logging(snakemake.log[0]):
    compare_detectors(
        scored_parquet=snakemake.input.scored,
        matches_csv=snakemake.input.matches,
        truth_file=snakemake.input.truth or None,
        params=snakemake.params.detectors,
        out_csv=snakemake.output.table,
        out_png=snakemake.output.plot,
        out_magnitude_png=snakemake.output.magnitude_plot,
        out_status=snakemake.output.status,
    )
