"""Runner of ``workflow/rules/pca.smk`` (stage 7): PCA of the colour space."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..detect import pca as kernel
from ..detect.features import feature_matrix, unobserved_features
from ..columns import REVERSED_COLOUR_COLUMNS
from ..io import read_parquet_without, write_table
from ..present.plots.sky import pca_plot
from ..present.plots.figure import skipped_figure
from ..status import Skipped, write_status

log = logging.getLogger(__name__)


def colour_pca(analysed_parquet: str | Path, feature_set: str, out_explained: str | Path, out_loadings: str | Path, out_png: str | Path,
               out_status: str | Path | None = None) -> pd.DataFrame:
    """Rule ``colour_pca``: the explained variance, loadings and plot. On a sky with too few
    complete objects the stage is skipped: empty tables, a figure and the status file say why. The
    colours that no object has (a sky without epochs in a band) are left out, their loadings
    empty, and the status file names them."""
    analysed = read_parquet_without(analysed_parquet, REVERSED_COLOUR_COLUMNS)
    X, all_names = feature_matrix(analysed, feature_set)
    unformed = unobserved_features(X, all_names) if len(X) else []
    names = [name for name in all_names if name not in unformed]
    X = X[:, [k for k, name in enumerate(all_names) if name not in unformed]]
    partly = [f"the colour(s) no object has left out: {', '.join(unformed)}"] if unformed else None
    try:
        if not names:
            raise Skipped("no colour is observed for any analysed object")
        explained, loadings, scores = kernel.colour_pca(X, names)
        loadings = loadings.assign(**{name: float("nan") for name in unformed})[["component", *all_names]]
    except Skipped as skipped:
        explained = pd.DataFrame({"component": pd.Series(dtype="int64"), "explained_variance_ratio": pd.Series(dtype="float64"),
                                  "cumulative": pd.Series(dtype="float64")})
        write_table(explained, out_explained)
        write_table(pd.DataFrame(columns=["component", *all_names]), out_loadings)
        skipped_figure(out_png, "PCA of the colour space", str(skipped))
        if out_status is not None:
            write_status(out_status, "colour_pca", skipped)
        return explained
    log.info("PCA on %d complete objects of %d: first 3 components explain %.1f%%", len(scores), len(X),
             100 * explained["cumulative"].iloc[min(2, len(explained) - 1)])
    write_table(explained, out_explained)
    write_table(loadings, out_loadings)
    pca_plot(explained, scores, out_png)
    if out_status is not None:
        write_status(out_status, "colour_pca", partly=partly)
    return explained
