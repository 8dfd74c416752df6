"""Rule colour_pca: PCA of the colour space."""
from symfind.logs import job_logging
from symfind.stages.pca import colour_pca

with job_logging(snakemake.log[0]):
    colour_pca(
        analysed_parquet=snakemake.input[0],
        feature_set=snakemake.params.features,
        out_explained=snakemake.output.explained,
        out_loadings=snakemake.output.loadings,
        out_png=snakemake.output.plot,
        out_status=snakemake.output.status,
    )
