# Paths and helpers shared by the rules (included first by the Snakefile).

RESULTS = config["results"]
SAMPLE_DIR = config["sample"]["dir"]
if not os.path.isabs(SAMPLE_DIR):
    SAMPLE_DIR = os.path.join(workflow.basedir, SAMPLE_DIR)


def R(key):
    """Path of a product (names in src/symfind/products.py)."""
    return product_path(RESULTS, key)


def LOG(rule_name):
    return os.path.join(RESULTS, "logs", f"{rule_name}.log")


def BENCH(rule_name):
    return os.path.join(RESULTS, "benchmarks", f"{rule_name}.tsv")


def source_table(name):
    """Input table ``name`` (master, photometry, images, distances) for the configured source."""
    if config["source"] == "sample":
        return os.path.join(SAMPLE_DIR, SAMPLE_FILES[name])
    if config["source"] == "files":
        return config["files"][name] or []
    raise WorkflowError("symfind: source 'tap' is not available yet; use source: sample or files")


def selection_inputs(wildcards):
    if config["source"] == "sample":
        return [os.path.join(SAMPLE_DIR, SAMPLE_FILES[t]) for t in ("master", "twomass_psc", "gaia_dr2", "allwise")]
    return [source_table("master")]
