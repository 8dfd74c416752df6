# symfind: symbiotic-star candidates from SkyMapper DR2 x 2MASS x Gaia DR2 x AllWISE.
# Run: snakemake --cores 8      (README.md explains every product and config key)
import os
import sys

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

min_version("9.0")

# The rules call the symfind package in src/. It is importable here from src/, and in every job
# (whatever its environment) through the link workflow/scripts/symfind -> src/symfind, because
# Snakemake puts a script's own folder on its sys.path.
sys.path.insert(0, os.path.join(workflow.basedir, "src"))

from symfind.config import ConfigError, vae_fit_settings, vae_scoring_settings, vae_variant_settings  # noqa: E402
from symfind.validate import validate_config  # noqa: E402
from symfind.products import LEGACY_CSV, product_path  # noqa: E402
from symfind.query.releases import archive_schema  # noqa: E402
from symfind.query.sources.local import TRUTH_FILE, survey_folder_tables  # noqa: E402
from symfind.query.gaia_dr3 import GAIA_DR3_FILES  # noqa: E402
from symfind.query.tiles import read_tile_list, tile_list  # noqa: E402


configfile: os.path.join(workflow.basedir, "config.yaml")


try:
    _validated = validate_config(config)
except ConfigError as err:
    raise WorkflowError(f"symfind: {err}")
config.clear()
config.update(_validated)


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/selection.smk"
include: "workflow/rules/distances.smk"
include: "workflow/rules/gaia_dr3.smk"
include: "workflow/rules/extinction.smk"
include: "workflow/rules/cuts.smk"
include: "workflow/rules/colours.smk"
include: "workflow/rules/gather.smk"
include: "workflow/rules/merge.smk"
include: "workflow/rules/anomaly.smk"
include: "workflow/rules/pca.smk"
include: "workflow/rules/known.smk"
include: "workflow/rules/candidates.smk"
include: "workflow/rules/ranking.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/twins.smk"


rule all:
    default_target: True
    input:
        R("selection"),
        R("selection_csv"),
        R("selection_cutflow"),
        R("selection_tiles"),
        R("epochs"),
        R("extinction"),
        R("distances"),
        R("distances_csv"),
        R("distances_missing"),
        R("gaia_dr3"),
        R("after_cuts"),
        R("after_cuts_csv"),
        R("cutflow"),
        R("colours"),
        R("colours_csv"),
        R("analysed"),
        R("analysed_csv"),
        R("vae_scores"),
        R("vae_scores_csv"),
        R("candidate_ids"),
        R("score_histogram"),
        R("score_boxplot"),
        R("score_scatter"),
        R("pca_explained"),
        R("pca_plot"),
        R("known_matches"),
        R("known_recovery"),
        R("detector_comparison"),
        R("detector_comparison_plot"),
        R("score_magnitude_plot"),
        R("candidates_csv"),
        R("candidates_fits"),
        R("candidates_vot"),
        R("sky_map"),
        R("colour_colour_plot"),
        R("colour_magnitude_plot"),
        R("latent_plot"),
        R("candidate_figures"),
        R("candidate_browser"),
        R("candidates_ranked"),
        R("candidates_ranked_fits"),
        R("candidates_ranked_vot"),
        R("ranking_evaluation"),
        R("ranking_evaluation_plot"),
        R("ranking_features"),
        R("config_used"),
        R("summary"),


onsuccess:
    if os.path.exists(R("summary")):
        print(open(R("summary"), encoding="utf-8").read())
