"""Rule fetch_gaia_dr3: Gaia DR3's own evidence for one tile's objects, from the optional tables."""
from symfind.logs import job_logging
from symfind.stages.gaia_dr3 import fetch_gaia_dr3

with job_logging(snakemake.log[0]):
    fetch_gaia_dr3(
        selected_parquet=snakemake.input.selected,
        out_parquet=snakemake.output.evidence,
        source=snakemake.params.source,
        tap=snakemake.params.tap,
        release=snakemake.params.release,
        settings=snakemake.params.settings,
        tables={name: path for name, path in snakemake.input.items() if name != "selected"},
    )
