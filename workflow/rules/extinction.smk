# Stage 2b: E(B-V) in front of each star (SFD, SFD x dust layer, or an mwdust 3-D map in its own env).


if config["extinction"]["model"].startswith("mwdust:"):

    rule extinction_mwdust:
        input:
            selected=R("selection"),
            distances=R("distances"),
        output:
            R("extinction"),
        params:
            extinction=config["extinction"],
        log:
            LOG("extinction"),
        benchmark:
            BENCH("extinction")
        conda:
            "../../envs/mwdust.yaml"
        script:
            "../scripts/extinction.py"

else:

    rule extinction_sfd:
        input:
            selected=R("selection"),
            distances=R("distances"),
        output:
            R("extinction"),
        params:
            extinction=config["extinction"],
        log:
            LOG("extinction"),
        benchmark:
            BENCH("extinction")
        conda:
            "../../envs/core.yaml"
        script:
            "../scripts/extinction.py"
