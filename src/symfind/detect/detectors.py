"""Baseline detectors beside the VAE, on the same features, and their comparison on known symbiotic stars.

- ``isolation_forest``: scikit-learn IsolationForest (Liu et al. 2008), 200 trees.
- ``pca``: reconstruction error from the principal components that explain 90% of the variance.
- ``lof``: LocalOutlierFactor (Breunig et al. 2000), 35 neighbours.
- ``colour_rule``: a non-ML rule in the spirit of Akras et al. 2019 (MNRAS 483, 5077), who found
  J-H, W1-W4 and Ks-W3 the most discriminating 2MASS/WISE colours of symbiotic stars: objects are
  ranked by the sum of those three colours after standardising each. (Their classification-tree
  thresholds are not reproduced here.)

The ML baselines see the standardised features with a missing value replaced by the median of its
feature, in a copy (scikit-learn cannot take NaN); higher score = more anomalous for every detector.
With measurement errors (``errors = used``) they see error-normalised features instead: each
value's deviation from the feature's median divided by its own uncertainty,
``(x - median) / sqrt(sigma_meas^2 + sigma_int^2)`` (0 where the value or its error is missing),
the counterpart of the VAE's chi2 loss. The comparison shows every detector both ways.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..config import VAE_PRESETS, with_defaults
from .features import standardised_filled


#: The machine-learning baselines (scored on features, with or without the errors).
ML_BASELINES = ("isolation_forest", "pca", "lof")

def error_normalised(X: np.ndarray, E: np.ndarray, sigma_int: float) -> np.ndarray:
    """``(x - median) / sqrt(sigma_meas^2 + sigma_int^2)`` per entry; 0 where value or error is missing."""
    center = np.nanmedian(X, axis=0)
    Z = (X - center) / np.sqrt(E**2 + float(sigma_int) ** 2)
    return np.where(np.isfinite(Z), Z, 0.0)


#: The fewest objects each baseline can work with (LOF needs a neighbour, PCA two rows).
MIN_OBJECTS = {"isolation_forest": 2, "pca": 3, "lof": 3}


def min_objects_problem(method: str, n_objects: int) -> str | None:
    """Why baseline ``method`` cannot run on ``n_objects`` objects, or None if it can."""
    if method in MIN_OBJECTS and n_objects < MIN_OBJECTS[method]:
        return f"{method} needs at least {MIN_OBJECTS[method]} objects, got {n_objects}"
    return None


def subsample_rows(n_objects: int, max_objects: int | None, seed: int) -> np.ndarray | None:
    """A random (seeded) subsample of ``max_objects`` of ``n_objects`` rows, as row numbers in
    order, or None (every row) where there are no more than that: the rows a detector is fitted on
    (:func:`ml_scores`, the VAE's ``train_max_objects``) and the others the ranking's evaluation
    ranks (:func:`symfind.rank.ranking.evaluation_rows`)."""
    if not max_objects or n_objects <= int(max_objects):
        return None
    return np.sort(np.random.default_rng(seed).choice(n_objects, int(max_objects), replace=False))


def ml_scores(X: np.ndarray, method: str, seed: int, E: np.ndarray | None = None, sigma_int: float = 0.0,
              max_fit_objects: int | None = None) -> np.ndarray:
    """Anomaly score (higher = more anomalous) of each row of ``X`` (NaN = missing); with the
    measurement errors ``E`` (same units), on error-normalised features. Raises
    :class:`symfind.status.Skipped` below :data:`MIN_OBJECTS`.

    ``max_fit_objects``: above that many rows the detector is fitted on a random (seeded)
    subsample of that many (:func:`subsample_rows`) and scores every row, so that its time stops growing
    with the sky but for the scoring; LOF then scores each row against the subsample (novelty
    mode: a row of the subsample is not its own neighbour either way)."""
    from ..status import Skipped

    problem = min_objects_problem(method, len(X))
    if problem:
        raise Skipped(problem)
    Z = standardised_filled(X) if E is None else error_normalised(X, E, sigma_int)
    rows = subsample_rows(len(Z), max_fit_objects, seed)
    Z_fit = Z if rows is None else Z[rows]
    if method == "isolation_forest":
        from sklearn.ensemble import IsolationForest

        model = IsolationForest(n_estimators=200, random_state=seed).fit(Z_fit)
        return -model.score_samples(Z)
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=0.9 if min(Z.shape) > 1 else None, svd_solver="full", random_state=seed).fit(Z_fit)
        recon = pca.inverse_transform(pca.transform(Z))
        return ((Z - recon) ** 2).mean(axis=1)
    if method == "lof":
        from sklearn.neighbors import LocalOutlierFactor

        if rows is None:
            lof = LocalOutlierFactor(n_neighbors=min(35, len(Z) - 1)).fit(Z)
            return -lof.negative_outlier_factor_
        lof = LocalOutlierFactor(n_neighbors=min(35, len(Z_fit) - 1), novelty=True).fit(Z_fit)
        return -lof.score_samples(Z)
    raise ValueError(f"unknown detector {method!r}")


def colour_rule_scores(table: pd.DataFrame) -> np.ndarray:
    """Sum of standardised J-H, K-W3 and W1-W4 (mag); missing colours count as typical (0)."""
    colours = np.column_stack([
        table["j_m"].to_numpy(dtype=np.float64) - table["h_m"].to_numpy(dtype=np.float64),
        table["k_m"].to_numpy(dtype=np.float64) - table["w3mpro"].to_numpy(dtype=np.float64),
        table["w1mpro"].to_numpy(dtype=np.float64) - table["w4mpro"].to_numpy(dtype=np.float64),
    ])
    return standardised_filled(colours).sum(axis=1)


#: The VAE variants of the comparison: name -> (what overrides the configured ``vae`` block, score column).
VAE_VARIANTS: dict[str, tuple[dict[str, Any], str]] = {
    "vae_conditional_symbiotic": ({"model": "conditional", "score": "symbiotic", "loss": "chi2", "missing": "mask"}, "score_symbiotic"),
    "vae_conditional_hot_excess": ({"model": "conditional", "score": "hot_excess", "loss": "chi2", "missing": "mask"}, "score_hot_excess"),
    "vae_conditional_any": ({"model": "conditional", "score": "any", "loss": "chi2", "missing": "mask"}, "score_any"),
    "vae_plain_chi2": ({"model": "plain", "score": "any", "loss": "chi2", "missing": "mask"}, "score_any"),
    "vae_seed": (VAE_PRESETS["seed"], "score_any"),
}
#: Readable names of the detectors, for plots and the summary.
DETECTOR_LABELS: dict[str, str] = {
    "vae_conditional_symbiotic": "VAE, giant-conditioned, symbiotic (jump, phase, flicker)",
    "vae_conditional_hot_excess": "VAE, giant-conditioned, hot excess",
    "vae_conditional_any": "VAE, giant-conditioned, any residual",
    "vae_plain_chi2": "VAE, plain, chi2",
    "vae_seed": "VAE, seed recipe (MSE)",
    "isolation_forest": "IsolationForest",
    "pca": "PCA reconstruction",
    "lof": "LocalOutlierFactor",
    "colour_rule": "colour rule (Akras-like)",
}


def configured_variants(params: Mapping[str, Any]) -> dict[str, str]:
    """The comparison's names of the configured VAE's two scores: ``{name: score column}``."""
    params = with_defaults("vae", params)
    if params["model"] == "conditional":
        return {"vae_conditional_symbiotic": "score_symbiotic", "vae_conditional_hot_excess": "score_hot_excess",
                "vae_conditional_any": "score_any"}
    if params["preset"] == "seed" or params["loss"] == "mse":
        return {"vae_seed": "score_any"}
    return {"vae_plain_chi2": "score_any"}


def same_fit(name: str) -> tuple[str, ...]:
    """The VAE variants that one fit of variant ``name`` gives: those whose settings differ from its
    only in the score (every fit computes both scores), ``name`` among them."""
    def model(variant: str) -> dict[str, Any]:
        return {key: value for key, value in VAE_VARIANTS[variant][0].items() if key != "score"}

    return tuple(other for other in VAE_VARIANTS if model(other) == model(name))


def other_variants(params: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The VAE fits to make for the comparison besides the configured VAE: name -> params, one per
    model (:func:`same_fit`: the two conditional variants are one fit). Each trains on a random
    subsample of at most ``vae.compare_max_objects`` objects and scores every object, so the
    comparison costs a bounded time however large the sky (the configured VAE trains on all)."""
    covered = set(configured_variants(params))
    todo: dict[str, dict[str, Any]] = {}
    for name, (overrides, _) in VAE_VARIANTS.items():
        if covered & set(same_fit(name)):
            continue
        todo[name] = {**params, **overrides, "train_max_objects": params.get("compare_max_objects")}
        covered |= set(same_fit(name))
    return todo
