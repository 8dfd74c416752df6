# Stages 1-4: each per-tile product gathered into one table (one runner, symfind.stages.gather;
# the product's order from its entry below; CSV twins: twins.smk). Rule gather_<product>: per-tile parts ->
# outputs (product keys of src/symfind/products.py).

GATHERED = {
    "epochs": {"parts": ["epochs"], "outputs": {"epochs": "epochs"}},
    "distances": {"parts": ["distances", "distances_missing"],
                  "outputs": {"distances": "distances", "distances_missing": "distances_missing"}},
    "extinction": {"parts": ["extinction"], "outputs": {"extinction": "extinction"}},
    "cuts": {"parts": ["after_cuts", "cutflow"],
             "outputs": {"after_cuts": "after_cuts", "cutflow": "cutflow"}},
    "colours": {"parts": ["colours"], "outputs": {"colours": "colours"}},
}
#: Gathered products that the Snakemake report shows (output name -> caption, category).
GATHER_REPORT = {"cutflow": ("../report/cutflow.rst", "3. Cuts")}


def gather_outputs(spec):
    return {name: report(R(key), caption=GATHER_REPORT[name][0], category=GATHER_REPORT[name][1]) if name in GATHER_REPORT else R(key)
            for name, key in spec["outputs"].items()}


for product, spec in GATHERED.items():

    rule:
        name:
            f"gather_{product}"
        input:
            **{part: tile_products(part) for part in spec["parts"]},
        output:
            **gather_outputs(spec),
        log:
            LOG(f"gather_{product}"),
        benchmark:
            BENCH(f"gather_{product}")
        conda:
            "../../envs/core.yaml"
        script:
            "../scripts/gather.py"
