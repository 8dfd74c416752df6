"""Rules gather_<product>: the per-tile tables of each input gathered into its product."""
from symfind.logs import job_logging
from symfind.stages.gather import gather_tiles

with job_logging(snakemake.log[0]):
    gather_tiles(
        inputs={name: list(paths) for name, paths in snakemake.input.items()},
        outputs=dict(snakemake.output.items()),
    )
