# Stage 1: the selection query (SkyMapper DR2 x 2MASS x Gaia DR2 x AllWISE) and per-epoch photometry:
# one job on local tables (source: sample | files), or one job per HEALPix tile over TAP (source: tap).


if config["source"] == "tap":

    include: "selection_tap.smk"

else:

    include: "selection_local.smk"
