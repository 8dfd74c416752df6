# Paths and helpers shared by the rules (included first by the Snakefile).

RESULTS = config["results"]
#: The sample folder: a relative sample.dir is relative to the workflow's folder, and is written
#: relative to the working directory (never made absolute), so that a finished project that is
#: moved or copied elsewhere names the same input files and is up to date there.
SAMPLE_DIR = config["sample"]["dir"]
if not os.path.isabs(SAMPLE_DIR):
    SAMPLE_DIR = os.path.relpath(os.path.join(workflow.basedir, SAMPLE_DIR))
SOURCE = config["source"]
#: The tap config section for the rules that talk to the archives (None with local tables, so that
#: a changed TAP setting reruns nothing there).
TAP = config["tap"] if SOURCE == "tap" or (SOURCE == "hats" and not (config.get("hats") or {}).get("photometry")) else None
#: The HATS catalogues and the Dask settings (source: hats; None otherwise, for the same reason).
HATS = config.get("hats") if SOURCE == "hats" else None
DASK = config.get("dask") if SOURCE == "hats" else None
#: What the rules that hold many objects ask a scheduler for (config memory.job_mb; resources: mem_mb).
MEM_MB = int(config["memory"]["job_mb"])
#: The conda env of the rules that read the source: LSDB and Dask beside the core for HATS catalogues.
SOURCE_ENV = "../../envs/hats.yaml" if SOURCE == "hats" else "../../envs/core.yaml"


def report_command():
    """The command that makes the HTML report of this run: with the same --configfile and --config
    as the run, so that the report describes the configuration the run used."""
    import shlex

    parts = ["snakemake", "--report", os.path.join(RESULTS, "report.html")]
    here = os.getcwd()
    files = [str(f) for f in workflow.overwrite_configfiles]
    if files:
        parts += ["--configfile"] + [os.path.relpath(f) if f.startswith(here + os.sep) else f for f in files]
    overrides = workflow.config_settings.config_args
    if overrides:
        parts += ["--config", *overrides]
    return " ".join(shlex.quote(part) for part in parts)


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


#: The tiles the archive is queried on (source: tap); with local tables the tiles come from the data.
TILES = tile_list(config["sky"]) if SOURCE == "tap" else []


def selection_tiles():
    """The tiles the per-tile stages run on: over TAP the configured tiles (known before any query,
    so that each tile's chain runs on its own and a failed tile stops no other); with local tables
    the tiles that hold selected objects, as listed by the checkpoint select_objects."""
    if SOURCE == "tap":
        return TILES
    return read_tile_list(checkpoints.select_objects.get().output.tiles)


def tile_products(name):
    """Input function: the per-tile product ``name`` of every tile (for the gather rules)."""

    def inputs(wildcards):
        return expand(TILE_PRODUCT(name), tile=selection_tiles())

    return inputs


wildcard_constraints:
    tile=r"\d+",


def archive_names(*sections):
    """The table and column names a source uses (symfind.query.releases.archive_schema): the release and
    its overrides, with ``sections`` (``distances``) where the rule needs them, so that changing a
    distance setting reruns the distances, not the selection."""
    return {key: config[key] for key in ("release", "archive", *sections)}


#: The names of this run's release, for the files of a folder of survey tables.
ARCHIVE_SCHEMA = archive_schema(config)


def local_tables(*names):
    """Input function: the source's tables ``names`` that exist, as named inputs (name -> path):
    the sample's files, the user's files (config key files.<name>), or none over TAP."""

    def inputs(wildcards):
        if SOURCE == "sample":
            return survey_folder_tables(SAMPLE_DIR, names, ARCHIVE_SCHEMA)
        if SOURCE == "files":
            return {name: config["files"][name] for name in names if config["files"].get(name)}
        if SOURCE == "hats":  # the catalogues are params (folders or URLs); the plain tables beside them
            return {name: config["files"][name] for name in names if name not in HATS and config["files"].get(name)}
        return {}

    return inputs


def vetting_labels():
    """The astronomer's labels files (config vetting.labels: one path or a list), as the ranking's
    inputs, so that a changed file reruns the ranking and its readers."""
    labels = config.get("vetting", {}).get("labels") or []
    return [labels] if isinstance(labels, str) else list(labels)


def truth_table():
    """The sample sky's truth table (labels for the evaluation only), or nothing for real data."""
    return os.path.join(SAMPLE_DIR, TRUTH_FILE) if SOURCE == "sample" else []


def gaia_dr3_tables():
    """Input function: the Gaia DR3 tables of config gaia_dr3.tables that the source has (and
    gaiadr3.dr2_neighbourhood for release dr2), as named inputs: the sample's files where they
    exist, the user's files (config key files.<table>), or none over TAP. Optional, every one."""
    wanted = list(config["gaia_dr3"]["tables"])
    if wanted and config["release"] == "dr2":
        wanted.append("dr2_neighbourhood")

    def inputs(wildcards):
        if SOURCE == "sample":
            paths = {name: os.path.join(SAMPLE_DIR, GAIA_DR3_FILES[name]) for name in wanted}
            return {name: path for name, path in paths.items() if os.path.exists(path)}
        if SOURCE in ("files", "hats"):
            return {name: config["files"][name] for name in wanted if config["files"].get(name)}
        return {}

    return inputs
