# Stage 2: Bailer-Jones (2018) distances of the selected Gaia DR2 sources: one job on local tables,
# or one upload job per HEALPix tile to the Gaia archive (source: tap).


if config["source"] == "tap":

    include: "distances_tap.smk"

else:

    include: "distances_local.smk"
