"""Stage 7a: principal component analysis of the colour space (standardised, complete rows)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .features import feature_matrix
from .io import write_table
from .plots import pca_plot
from .status import Skipped, skipped_figure, write_status

log = logging.getLogger(__name__)


def colour_pca(X: np.ndarray, names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """PCA of the rows of ``X`` without missing values, after standardising each feature.

    Returns ``(explained, loadings, scores)``: explained-variance ratios per component, the
    loadings (components x features) and the projected rows.
    """
    from sklearn.decomposition import PCA

    complete = np.isfinite(X).all(axis=1)
    if complete.sum() < X.shape[1] + 1:
        raise Skipped(f"the PCA needs at least {X.shape[1] + 1} objects with every colour, got {int(complete.sum())}")
    Z = X[complete]
    Z = (Z - Z.mean(axis=0)) / np.where(Z.std(axis=0) > 0, Z.std(axis=0), 1.0)
    pca = PCA().fit(Z)
    ratio = pca.explained_variance_ratio_
    explained = pd.DataFrame(
        {"component": np.arange(1, len(ratio) + 1), "explained_variance_ratio": ratio, "cumulative": np.cumsum(ratio)}
    )
    loadings = pd.DataFrame(pca.components_, columns=names)
    loadings.insert(0, "component", np.arange(1, len(ratio) + 1))
    return explained, loadings, pca.transform(Z)


def run_pca(merged_parquet: str | Path, feature_set: str, out_explained: str | Path, out_loadings: str | Path, out_png: str | Path,
            out_status: str | Path | None = None) -> pd.DataFrame:
    """Stage 7a: write the explained variance, loadings and plot. On a sky with too few complete
    objects the stage is skipped: empty tables, a figure and the status file say why."""
    merged = pd.read_parquet(merged_parquet)
    X, names = feature_matrix(merged, feature_set)
    try:
        explained, loadings, scores = colour_pca(X, names)
    except Skipped as skipped:
        explained = pd.DataFrame({"component": pd.Series(dtype="int64"), "explained_variance_ratio": pd.Series(dtype="float64"),
                                  "cumulative": pd.Series(dtype="float64")})
        write_table(explained, out_explained)
        write_table(pd.DataFrame(columns=["component", *names]), out_loadings)
        skipped_figure(out_png, "PCA of the colour space", str(skipped))
        if out_status is not None:
            write_status(out_status, "colour_pca", skipped)
        return explained
    log.info("PCA on %d complete objects of %d: first 3 components explain %.1f%%", len(scores), len(X), 100 * explained["cumulative"].iloc[min(2, len(explained) - 1)])
    write_table(explained, out_explained)
    write_table(loadings, out_loadings)
    pca_plot(explained, scores, out_png)
    if out_status is not None:
        write_status(out_status, "colour_pca")
    return explained
