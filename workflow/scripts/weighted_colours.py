"""Rule weighted_colours: nightly weighted magnitudes and colours of one tile's objects."""
from symfind.logs import job_logging
from symfind.stages.colours import weighted_colours

with job_logging(snakemake.log[0]):
    weighted_colours(
        epochs_parquet=snakemake.input[0],
        error_floor=snakemake.params.error_floor,
        bad_flags=snakemake.params.bad_flags,
        clip_sigma=snakemake.params.clip_sigma,
        flicker_max_mag=snakemake.params.flicker_max_mag,
        flicker_v_to_u_max=snakemake.params.flicker_v_to_u_max,
        out_parquet=snakemake.output[0],
    )
