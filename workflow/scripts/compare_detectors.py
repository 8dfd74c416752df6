"""Rule compare_detectors: VAE vs IsolationForest, PCA, LOF and a colour rule on known symbiotic stars."""
from symfind.comparison import run_compare
from symfind.logs import job_logging

with job_logging(snakemake.log[0]):
    run_compare(
        merged_parquet=snakemake.input.merged,
        losses_csv=snakemake.input.losses,
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
