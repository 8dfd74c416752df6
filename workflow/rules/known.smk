# Stage 7b: cross-match with catalogues of known symbiotic stars; recall of the candidates.


rule crossmatch_known:
    input:
        merged=R("merged"),
        losses=R("vae_losses"),
    output:
        matches=R("known_matches"),
        recovery=R("known_recovery"),
    params:
        radius_arcsec=config["known"]["radius_arcsec"],
    log:
        LOG("crossmatch_known"),
    benchmark:
        BENCH("crossmatch_known")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/crossmatch_known.py"
