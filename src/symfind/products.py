"""File names of every product: the one place they are written down (rules, runners and docs use these).

Each product is named for what it holds (``selection``, ``epochs``, ``after_cuts``, ``colours``,
``analysed``, ``vae_scores``, ...); the tables that the stages pass on are Parquet, with exact
types (64-bit ids survive). The original scripts' CSV names are still written, as CSV twins of
those tables, so that their users find them: :data:`LEGACY_CSV` says which twin has which name.
"""

from __future__ import annotations

from pathlib import Path

#: The stages, one numbering everywhere: rule files, runners, config comments, report categories, README.
STAGES: dict[int, str] = {
    1: "Selection", 2: "Distances and extinction", 3: "Cuts", 4: "Colours", 5: "Merge", 6: "Anomaly detection",
    7: "Known symbiotic stars", 8: "Candidates", 9: "Report",
}

#: The stage of each config section that belongs to one.
CONFIG_STAGES: dict[str, int] = {"selection": 1, "gaia_dr3": 2, "extinction": 2, "cuts": 3, "colors": 4, "vae": 6, "pca": 7, "known": 7, "rank": 8,
                                  "report": 9}

PRODUCTS: dict[str, str] = {
    # stage 1: the selection and the per-epoch photometry
    "selection": "selection.parquet",
    "selection_csv": "Dr2_table.csv",
    "selection_cutflow": "selection_cutflow.csv",
    "selection_tiles": "selection_tiles.csv",
    "epochs": "epochs.parquet",
    # stage 2: Bailer-Jones distances and the extinction in front of each star
    "distances": "distances.parquet",
    "distances_csv": "bailer_jones_distances.csv",
    "distances_missing": "distances_missing.csv",
    "extinction": "extinction.parquet",
    # stage 2: Gaia DR3's own evidence (Halpha, variability classes; missing where not given)
    "gaia_dr3": "gaia_dr3.parquet",
    # stage 3: the colour and absolute-magnitude cuts
    "after_cuts": "after_cuts.parquet",
    "after_cuts_csv": "filtered_data_ebmv_cut_Dr2_table_after_bailer_jones.csv",
    "cutflow": "cutflow.csv",
    # stage 4: nightly weighted colours
    "colours": "colours.parquet",
    "colours_csv": "adrian_all_weighted_colors.csv",
    # stage 5: the analysed objects (the objects after the cuts, with their colours)
    "analysed": "analysed.parquet",
    "analysed_csv": "merged_df_w3w4_final_all_colors.csv",
    # stage 6: the VAE's fit, its anomaly scores, the candidates it flags, and the scored table (every
    # detector's scores of every analysed object: what the later stages read)
    "vae_fit": "vae_fit.parquet",
    "vae_scores": "vae_scores.parquet",
    "vae_scores_csv": "vae_reconstruction_losses.csv",
    "vae_history": "vae_training_history.csv",
    "candidate_ids": "anomalous_object_ids.txt",
    "vae_variants": "vae_variant_scores.parquet",
    "scored": "scored.parquet",
    "score_histogram": "vae_loss_histogram.png",
    "score_boxplot": "vae_loss_boxplot.png",
    "score_scatter": "vae_loss_scatter.png",
    # stage 7: PCA, known symbiotic stars, the detectors compared
    "pca_explained": "pca_explained_variance.csv",
    "pca_loadings": "pca_loadings.csv",
    "pca_plot": "pca_colour_space.png",
    "known_matches": "known_symbiotics_crossmatch.csv",
    "known_recovery": "known_symbiotics_recovery.csv",
    "detector_comparison": "detector_comparison.csv",
    "detector_comparison_plot": "detector_comparison.png",
    "score_magnitude_plot": "vae_score_vs_magnitude.png",
    # stage 8: the candidate tables
    "candidates_csv": "candidates.csv",
    "candidates_fits": "candidates.fits",
    "candidates_vot": "candidates.vot",
    "candidates_ranked": "candidates_ranked.csv",
    "candidates_ranked_fits": "candidates_ranked.fits",
    "candidates_ranked_vot": "candidates_ranked.vot",
    "ranking_evaluation": "ranking_evaluation.csv",
    "ranking_evaluation_plot": "ranking_evaluation.png",
    "ranking_features": "ranking_features.csv",
    # stage 9: what an astronomer looks at, and the run as a whole
    "sky_map": "sky_map.png",
    "colour_colour_plot": "colour_colour_diagrams.png",
    "colour_magnitude_plot": "jk_vs_abs_j.png",
    "latent_plot": "vae_latent_space.png",
    "candidate_figures": "candidates",
    "candidate_browser": "candidates.html",
    "config_used": "config_used.yaml",
    "summary": "summary.txt",
    # what each stage that can be skipped on a sky did ("ran" or "skipped: <reason>")
    "status_merge_catalogue": "status/merge_catalogue.txt",
    "status_colour_pca": "status/colour_pca.txt",
    "status_compare_detectors": "status/compare_detectors.txt",
    "status_rank_candidates": "status/rank_candidates.txt",
    "status_evaluate_ranking": "status/evaluate_ranking.txt",
}

#: The original scripts' CSV names, still written: CSV twin key -> the product it copies.
LEGACY_CSV: dict[str, str] = {
    "selection_csv": "selection",
    "distances_csv": "distances",
    "after_cuts_csv": "after_cuts",
    "colours_csv": "colours",
    "analysed_csv": "analysed",
    "vae_scores_csv": "vae_scores",
}


def product_path(results_dir: str | Path, key: str) -> str:
    """Path of product ``key`` under ``results_dir``."""
    return str(Path(results_dir) / PRODUCTS[key])
