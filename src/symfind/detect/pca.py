"""Stage 7: principal component analysis of the colour space (standardised, complete rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .features import Standardiser
from ..status import Skipped


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
    Z = Standardiser.fit(Z, centre="mean").transform(Z)
    pca = PCA().fit(Z)
    ratio = pca.explained_variance_ratio_
    explained = pd.DataFrame(
        {"component": np.arange(1, len(ratio) + 1), "explained_variance_ratio": ratio, "cumulative": np.cumsum(ratio)}
    )
    loadings = pd.DataFrame(pca.components_, columns=names)
    loadings.insert(0, "component", np.arange(1, len(ratio) + 1))
    return explained, loadings, pca.transform(Z)
