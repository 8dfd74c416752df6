"""File names of every product: the one place they are written down (rules, scripts and docs use these).

The original scripts' names are kept for the CSV products so their users find them; each CSV that a
later stage reads has a Parquet twin with exact types (64-bit ids survive), which is what the
workflow passes between stages.
"""

from __future__ import annotations

from pathlib import Path

PRODUCTS: dict[str, str] = {
    # stage 1: selection query and per-epoch photometry
    "selection_csv": "Dr2_table.csv",
    "selection": "Dr2_table.parquet",
    "selection_cutflow": "selection_cutflow.csv",
    "selection_tiles": "selection_tiles.csv",
    "epochs": "photometry_epochs.parquet",
    # stage 2: Bailer-Jones distances
    "distances_csv": "bailer_jones_distances.csv",
    "distances": "bailer_jones_distances.parquet",
    "distances_missing": "bailer_jones_missing.csv",
    "extinction": "extinction_ebv.parquet",
    # stage 3: cuts
    "filtered_csv": "filtered_data_ebmv_cut_Dr2_table_after_bailer_jones.csv",
    "filtered": "filtered_data_ebmv_cut_Dr2_table_after_bailer_jones.parquet",
    "cutflow": "cutflow.csv",
    # stage 4: colours
    "colors_csv": "adrian_all_weighted_colors.csv",
    "colors": "adrian_all_weighted_colors.parquet",
    # stage 5: merge
    "merged_csv": "merged_df_w3w4_final_all_colors.csv",
    "merged": "merged_df_w3w4_final_all_colors.parquet",
    # stage 6: anomaly detection
    "vae_losses": "vae_reconstruction_losses.csv",
    "vae_history": "vae_training_history.csv",
    "anomalous_ids": "anomalous_object_ids.txt",
    "loss_histogram": "vae_loss_histogram.png",
    "loss_boxplot": "vae_loss_boxplot.png",
    "loss_scatter": "vae_loss_scatter.png",
    # stage 7: PCA and known symbiotic stars
    "pca_explained": "pca_explained_variance.csv",
    "pca_loadings": "pca_loadings.csv",
    "pca_plot": "pca_colour_space.png",
    "known_matches": "known_symbiotics_crossmatch.csv",
    "known_recovery": "known_symbiotics_recovery.csv",
    "detector_comparison": "detector_comparison.csv",
    # stage 8: what an astronomer opens
    "candidates_csv": "candidates.csv",
    "candidates_fits": "candidates.fits",
    "candidates_vot": "candidates.vot",
    "detector_comparison_plot": "detector_comparison.png",
    "score_magnitude_plot": "vae_score_vs_magnitude.png",
    "sky_map": "sky_map.png",
    "colour_colour_plot": "colour_colour_diagrams.png",
    "colour_magnitude_plot": "jk_vs_abs_j.png",
    "latent_plot": "vae_latent_space.png",
    # stage 8b: ranking with the known symbiotic stars
    "candidates_ranked": "candidates_ranked.csv",
    "ranking_evaluation": "ranking_evaluation.csv",
    "ranking_evaluation_plot": "ranking_evaluation.png",
    "ranking_features": "ranking_features.csv",
    # what each stage that can be skipped on a sky did ("ran" or "skipped: <reason>")
    "status_colour_pca": "status/colour_pca.txt",
    "status_compare_detectors": "status/compare_detectors.txt",
    "status_rank_candidates": "status/rank_candidates.txt",
    # the run as a whole
    "config_used": "config_used.yaml",
    "summary": "summary.txt",
}


def product_path(results_dir: str | Path, key: str) -> str:
    """Path of product ``key`` under ``results_dir``."""
    return str(Path(results_dir) / PRODUCTS[key])
