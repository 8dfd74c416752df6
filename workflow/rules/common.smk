# Paths and helpers shared by the rules (included first by the Snakefile).

RESULTS = config["results"]
SAMPLE_DIR = config["sample"]["dir"]
if not os.path.isabs(SAMPLE_DIR):
    SAMPLE_DIR = os.path.join(workflow.basedir, SAMPLE_DIR)


def R(key):
    """Path of a product (names in src/symfind/products.py)."""
    return product_path(RESULTS, key)


def LOG(rule_name, tile=None):
    name = rule_name if tile is None else f"{rule_name}/{tile}"
    return os.path.join(RESULTS, "logs", f"{name}.log")


def BENCH(rule_name, tile=None):
    name = rule_name if tile is None else f"{rule_name}/{tile}"
    return os.path.join(RESULTS, "benchmarks", f"{name}.tsv")


def TILE_PRODUCT(name):
    """Per-tile intermediate product (wildcard {tile}: nested HEALPix index at sky.nside)."""
    return os.path.join(RESULTS, "tiles", "{tile}", f"{name}.parquet")


TILES = tile_list(config["sky"]) if config["source"] == "tap" else []


def selection_tiles():
    """The tiles the per-tile stages run on: the configured tiles over TAP; with local tables, the
    tiles that hold selected objects (listed by the checkpoint select_objects)."""
    if config["source"] == "tap":
        return TILES
    return read_tile_list(checkpoints.select_objects.get().output.tiles)


def tile_products(name):
    """Input function: the per-tile product ``name`` of every tile (for the gather rules)."""

    def inputs(wildcards):
        return expand(TILE_PRODUCT(name), tile=selection_tiles())

    return inputs


wildcard_constraints:
    tile=r"\d+",


def source_table(name):
    """Input table ``name`` (master, photometry, images, distances) for the configured source."""
    if config["source"] == "sample":
        return os.path.join(SAMPLE_DIR, SAMPLE_FILES[name])
    if config["source"] == "files":
        return config["files"][name] or []
    raise WorkflowError(f"symfind: no local table {name!r} with source {config['source']!r}")


def selection_inputs(wildcards):
    if config["source"] == "sample":
        return [os.path.join(SAMPLE_DIR, SAMPLE_FILES[t]) for t in ("master", "twomass_psc", "gaia_dr2", "allwise")]
    return [source_table("master")]


def truth_table():
    """The sample sky's truth table (labels for the evaluation only), or nothing for real data."""
    return os.path.join(SAMPLE_DIR, SAMPLE_FILES["truth"]) if config["source"] == "sample" else []
