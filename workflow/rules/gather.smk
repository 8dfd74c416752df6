# Stages 1-4: each per-tile product gathered into one table (one runner, symfind.stages.gather,
# which orders each product; CSV twins: twins.smk). Rule gather_<product>: the per-tile parts of
# each product listed below -> the gathered product of the same name (product keys of
# src/symfind/products.py).

GATHERED = {
    "epochs": ["epochs"],
    "distances": ["distances", "distances_missing"],
    "extinction": ["extinction"],
    "gaia_dr3": ["gaia_dr3"],
    "cuts": ["after_cuts", "cutflow"],
    "colours": ["colours"],
}
#: Gathered products on the critical path, before the VAE (workflow/rules/ranking.smk: the lanes).
GATHER_PRIORITY = {"colours": 3, "cuts": 3}
#: Gathered products that the Snakemake report shows (output name -> caption, category).
GATHER_REPORT = {"cutflow": ("../report/cutflow.rst", "3. Cuts")}


def gather_outputs(names):
    return {
        key: report(R(key), caption=GATHER_REPORT[key][0], category=GATHER_REPORT[key][1]) if key in GATHER_REPORT else R(key)
        for key in names
    }


for product, names in GATHERED.items():

    rule:
        name:
            f"gather_{product}"
        input:
            **{part: tile_products(part) for part in names},
        output:
            **gather_outputs(names),
        log:
            LOG(f"gather_{product}"),
        benchmark:
            BENCH(f"gather_{product}")
        priority: GATHER_PRIORITY.get(product, 0)
        conda:
            "../../envs/core.yaml"
        script:
            "../scripts/gather.py"
