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

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import VAE_PRESETS
from .features import feature_errors, feature_matrix

log = logging.getLogger(__name__)

BASELINES = ("isolation_forest", "pca", "lof", "colour_rule")
DETECTORS = ("vae", *BASELINES)
def standardised_filled(X: np.ndarray) -> np.ndarray:
    """``(x - median) / std`` per feature, 0 where missing (a copy, for detectors that cannot take NaN)."""
    center = np.nanmedian(X, axis=0)
    scale = np.nanstd(X, axis=0)
    Z = (X - center) / np.where(scale > 0, scale, 1.0)
    return np.where(np.isfinite(Z), Z, 0.0)


def error_normalised(X: np.ndarray, E: np.ndarray, sigma_int: float) -> np.ndarray:
    """``(x - median) / sqrt(sigma_meas^2 + sigma_int^2)`` per entry; 0 where value or error is missing."""
    center = np.nanmedian(X, axis=0)
    Z = (X - center) / np.sqrt(E**2 + float(sigma_int) ** 2)
    return np.where(np.isfinite(Z), Z, 0.0)


#: The fewest objects each baseline can work with (LOF needs a neighbour, PCA two rows).
MIN_OBJECTS = {"isolation_forest": 2, "pca": 3, "lof": 3}


def ml_scores(X: np.ndarray, method: str, seed: int, E: np.ndarray | None = None, sigma_int: float = 0.0) -> np.ndarray:
    """Anomaly score (higher = more anomalous) of each row of ``X`` (NaN = missing); with the
    measurement errors ``E`` (same units), on error-normalised features. Raises
    :class:`symfind.status.Skipped` below :data:`MIN_OBJECTS`."""
    from .status import Skipped

    if method in MIN_OBJECTS and len(X) < MIN_OBJECTS[method]:
        raise Skipped(f"{method} needs at least {MIN_OBJECTS[method]} objects, got {len(X)}")
    Z = standardised_filled(X) if E is None else error_normalised(X, E, sigma_int)
    if method == "isolation_forest":
        from sklearn.ensemble import IsolationForest

        model = IsolationForest(n_estimators=200, random_state=seed).fit(Z)
        return -model.score_samples(Z)
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=0.9 if min(Z.shape) > 1 else None, svd_solver="full", random_state=seed).fit(Z)
        recon = pca.inverse_transform(pca.transform(Z))
        return ((Z - recon) ** 2).mean(axis=1)
    if method == "lof":
        from sklearn.neighbors import LocalOutlierFactor

        lof = LocalOutlierFactor(n_neighbors=min(35, len(Z) - 1)).fit(Z)
        return -lof.negative_outlier_factor_
    raise ValueError(f"unknown detector {method!r}")


def colour_rule_scores(table: pd.DataFrame) -> np.ndarray:
    """Sum of standardised J-H, K-W3 and W1-W4 (mag); missing colours count as typical (0)."""
    colours = np.column_stack([
        table["j_m"].to_numpy(dtype=np.float64) - table["h_m"].to_numpy(dtype=np.float64),
        table["k_m"].to_numpy(dtype=np.float64) - table["w3mpro"].to_numpy(dtype=np.float64),
        table["w1mpro"].to_numpy(dtype=np.float64) - table["w4mpro"].to_numpy(dtype=np.float64),
    ])
    return standardised_filled(colours).sum(axis=1)


def evaluate(scores: np.ndarray, labels: np.ndarray, fraction: float) -> dict[str, float]:
    """Recall and precision of ``labels`` among the top ``fraction`` by score, and the ROC-AUC."""
    from sklearn.metrics import roc_auc_score

    n_flag = max(1, int(np.ceil(fraction * len(scores))))
    order = np.argsort(-scores, kind="stable")
    flagged = np.zeros(len(scores), dtype=bool)
    flagged[order[:n_flag]] = True
    n_pos = int(labels.sum())
    hits = int((flagged & labels).sum())
    auc = roc_auc_score(labels, scores) if 0 < n_pos < len(labels) else np.nan
    return {
        "n_objects": len(scores),
        "n_known": n_pos,
        "n_flagged": n_flag,
        "n_known_flagged": hits,
        "recall": hits / n_pos if n_pos else np.nan,
        "precision": hits / n_flag,
        "roc_auc": auc,
    }


def label_sets(object_ids: np.ndarray, matches: pd.DataFrame, truth: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Boolean labels per object: ``catalogue`` (cross-match with the vendored catalogues) and,
    on the sample sky, ``truth`` (the injected symbiotic stars)."""
    sets = {"catalogue": np.isin(object_ids, matches["object_id"].to_numpy())}
    if truth is not None:
        symbiotic = truth.loc[truth["population"].str.startswith("symbiotic"), "object_id"].to_numpy()
        sets["truth"] = np.isin(object_ids, symbiotic)
    return sets


#: The VAE variants of the comparison: name -> (what overrides the configured ``vae`` block, score column).
VAE_VARIANTS: dict[str, tuple[dict[str, Any], str]] = {
    "vae_conditional_hot_excess": ({"model": "conditional", "score": "hot_excess", "loss": "chi2", "missing": "mask"}, "score_hot_excess"),
    "vae_conditional_any": ({"model": "conditional", "score": "any", "loss": "chi2", "missing": "mask"}, "score_any"),
    "vae_plain_chi2": ({"model": "plain", "score": "any", "loss": "chi2", "missing": "mask"}, "score_any"),
    "vae_seed": (VAE_PRESETS["seed"], "score_any"),
}
#: Readable names of the detectors, for plots and the summary.
DETECTOR_LABELS: dict[str, str] = {
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
    if params.get("model", "plain") == "conditional":
        return {"vae_conditional_hot_excess": "score_hot_excess", "vae_conditional_any": "score_any"}
    if params.get("preset") == "seed" or params.get("loss") == "mse":
        return {"vae_seed": "score_any"}
    return {"vae_plain_chi2": "score_any"}


def other_variants(params: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The VAE variants to train for the comparison besides the configured one: name -> params.
    The two conditional variants are one model (both scores come from one fit). Each trains on a
    random subsample of at most ``vae.compare_max_objects`` objects and scores every object, so the
    comparison costs a bounded time however large the sky (the configured VAE trains on all)."""
    have = set(configured_variants(params))
    todo: dict[str, dict[str, Any]] = {}
    for name, (overrides, _) in VAE_VARIANTS.items():
        if name in have or (name.startswith("vae_conditional") and any(n.startswith("vae_conditional") for n in have | set(todo))):
            continue
        todo[name] = {**params, **overrides, "train_max_objects": params.get("compare_max_objects")}
    return todo


def compare_detectors(
    merged: pd.DataFrame,
    losses: pd.DataFrame,
    matches: pd.DataFrame,
    truth: pd.DataFrame | None,
    params: Mapping[str, Any],
    other_vaes: Mapping[str, pd.DataFrame] | None = None,
    skipped: list[str] | None = None,
) -> pd.DataFrame:
    """The comparison table: one row per detector, use of the measurement errors, label set and top
    fraction (``vae.anomaly_fraction`` and half of it).

    ``losses`` are the configured VAE's scores (both of its scores appear); ``other_vaes`` (optional)
    the scores of the other VAE variants (:data:`VAE_VARIANTS`), by name. The baselines run on the
    features of ``vae.features``, with and without the measurement errors; one that cannot run on
    this sky (too few objects) is left out and its reason appended to ``skipped``.
    """
    from .status import Skipped

    scored = merged.merge(losses[["object_id", "score_any", "score_hot_excess"]], on="object_id", how="inner")
    X, _ = feature_matrix(scored, params["features"])
    E = feature_errors(scored, params["features"])
    seed, sigma_int = int(params["seed"]), float(params["sigma_int"])
    scores: dict[tuple[str, str], np.ndarray] = {}
    for name, column in configured_variants(params).items():
        scores[(name, "ignored" if name == "vae_seed" else "used")] = scored[column].to_numpy()
    for name, other in (other_vaes or {}).items():
        column = VAE_VARIANTS[name][1]
        joined = scored[["object_id"]].merge(other[["object_id", column]], on="object_id", how="left")
        scores[(name, "ignored" if name == "vae_seed" else "used")] = joined[column].fillna(-np.inf).to_numpy()
    for method in ("isolation_forest", "pca", "lof"):
        try:
            scores[(method, "ignored")] = ml_scores(X, method, seed)
            scores[(method, "used")] = ml_scores(X, method, seed, E, sigma_int)
        except Skipped as reason:
            if skipped is not None:
                skipped.append(str(reason))
    scores[("colour_rule", "ignored")] = colour_rule_scores(scored)
    fraction = float(params["anomaly_fraction"])
    order = list(DETECTOR_LABELS)
    rows = []
    for label_name, labels in label_sets(scored["object_id"].to_numpy(), matches, truth).items():
        for top_fraction in (fraction, fraction / 2):
            for (detector, errors), score in sorted(scores.items(), key=lambda item: (order.index(item[0][0]), item[0][1])):
                features = "optical SED | giant IR" if detector.startswith("vae_conditional") else (
                    "magnitudes" if detector == "vae_seed" else params["features"])
                rows.append({"detector": detector, "errors": errors, "labels": label_name, "features": features,
                             "top_fraction": top_fraction, **evaluate(score, labels, top_fraction)})
    return pd.DataFrame(rows)


def comparison_plot(table: pd.DataFrame, out_png: str | Path) -> None:
    """Recall among the flagged fraction, per detector and label set."""
    from .plots import _figure, _save

    plt = _figure()
    table = table[table["top_fraction"] == table["top_fraction"].max()]
    sets = list(dict.fromkeys(table["labels"]))
    readable = table["detector"].map(DETECTOR_LABELS).fillna(table["detector"]).str.replace(", ", ",\n", n=1)
    is_baseline = ~table["detector"].str.startswith("vae")
    table = table.assign(name=np.where(is_baseline & (table["errors"] == "used"), readable + "\n(errors used)", readable))
    detectors = list(dict.fromkeys(table["name"]))
    fig, ax = plt.subplots(figsize=(12.0, 4.8), layout="constrained")
    width = 0.8 / len(sets)
    for k, label in enumerate(sets):
        part = table[table["labels"] == label].set_index("name").reindex(detectors)
        xs = np.arange(len(detectors)) + (k - (len(sets) - 1) / 2) * width
        ax.bar(xs, part["recall"], width, label=f"{label} labels (n = {int(part['n_known'].iloc[0])})")
    ax.set_xticks(np.arange(len(detectors)), detectors, fontsize=7, rotation=30, ha="right")
    flagged = int(table["n_flagged"].iloc[0])
    fraction = float(table["top_fraction"].iloc[0])
    ax.axhline(fraction, color="0.3", ls=":", lw=1, label=f"chance ({fraction:.0%})")
    ax.set(ylabel=f"recall of known symbiotic stars\nin the top {flagged} objects ({fraction:.0%})",
           ylim=(0, min(1.0, max(0.1, 1.15 * float(np.nanmax(table["recall"]))))),
           title=f"Detectors compared (baselines on {table.loc[is_baseline, 'features'].iloc[0] if is_baseline.any() else '-'})")
    ax.legend(fontsize=8)
    _save(fig, out_png)
    plt.close(fig)
