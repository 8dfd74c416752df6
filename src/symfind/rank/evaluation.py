"""How well a score finds labelled objects: the one evaluator of the detector comparison and the ranking.

Every figure of merit is taken among the objects with the highest scores: ``n_flag`` of them, or a
top fraction (``ceil(fraction x n)``, at least 1), ties broken by the objects' order (stable).
"""

from __future__ import annotations

import numpy as np


def n_flagged(n_objects: int, fraction: float) -> int:
    """How many objects a top ``fraction`` of ``n_objects`` flags: ``ceil(fraction x n)``, at least 1."""
    return max(1, int(np.ceil(float(fraction) * n_objects)))


def top_hits(scores: np.ndarray, positives: np.ndarray, exclude: np.ndarray | None, n_flag: int,
             weights: np.ndarray | None = None) -> float:
    """How many ``positives`` are among the ``n_flag`` best-scored rows that are not ``exclude``d
    (``None``: none excluded). With ``weights`` (the objects each row stands for, as for a random
    subsample of a sky), the best rows are taken until they stand for ``n_flag`` objects, and the
    positives among them count by their weights."""
    candidates = np.arange(len(scores)) if exclude is None else np.flatnonzero(~np.asarray(exclude, dtype=bool))
    order = candidates[np.argsort(-np.asarray(scores)[candidates], kind="stable")]
    if weights is None:
        return int(np.asarray(positives)[order[:n_flag]].sum())
    weight = np.asarray(weights, dtype=np.float64)[order]
    flagged = (np.cumsum(weight) - weight) < n_flag  # a row whose objects start before the n_flag-th place
    return float((np.asarray(positives)[order] * weight)[flagged].sum())


def evaluate(scores: np.ndarray, labels: np.ndarray, fraction: float) -> dict[str, float]:
    """Recall and precision of ``labels`` among the top ``fraction`` by score, and the ROC-AUC."""
    from sklearn.metrics import roc_auc_score

    labels = np.asarray(labels, dtype=bool)
    n_flag = n_flagged(len(scores), fraction)
    n_pos = int(labels.sum())
    hits = top_hits(scores, labels, None, n_flag)
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
