"""Stage 7: the detectors compared on the known symbiotic stars (and, on a mock sky, on its truth).

Every detector's scores come from the scored table (:mod:`symfind.detect.scored`); the figures of merit
from the one evaluator (:func:`symfind.rank.evaluation.evaluate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..detect.detectors import DETECTOR_LABELS, ML_BASELINES, VAE_VARIANTS, configured_variants, min_objects_problem
from .evaluation import evaluate
from ..detect.scored import COLOUR_RULE_COLUMN, baseline_column, scored_rows, variant_column


def label_sets(object_ids: np.ndarray, matches: pd.DataFrame, truth: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Boolean labels per object: ``catalogue`` (cross-match with the vendored catalogues) and,
    on the sample sky, ``truth`` (the injected symbiotic stars)."""
    sets = {"catalogue": np.isin(object_ids, matches["object_id"].to_numpy())}
    if truth is not None:
        symbiotic = truth.loc[truth["population"].str.startswith("symbiotic"), "object_id"].to_numpy()
        sets["truth"] = np.isin(object_ids, symbiotic)
    return sets


def compare_detectors(
    scored: pd.DataFrame,
    matches: pd.DataFrame,
    truth: pd.DataFrame | None,
    params: Mapping[str, Any],
    skipped: list[str] | None = None,
) -> pd.DataFrame:
    """The comparison table: one row per detector, use of the measurement errors, label set and top
    fraction (``vae.anomaly_fraction`` and half of it), on the objects the VAE scored.

    ``scored`` is the scored table (:mod:`symfind.detect.scored`): the configured VAE's two scores, the
    other VAE variants' where they were trained (:data:`VAE_VARIANTS`), the baselines on
    ``vae.features`` with and without the measurement errors and the colour rule. A baseline that
    could not run on this sky (too few objects) is left out and its reason appended to ``skipped``.
    """
    objects = scored_rows(scored)
    scores: dict[tuple[str, str], np.ndarray] = {}
    for name, column in configured_variants(params).items():
        scores[(name, "ignored" if name == "vae_seed" else "used")] = objects[column].to_numpy()
    for name in VAE_VARIANTS:
        if variant_column(name) in objects.columns and name not in configured_variants(params):
            scores[(name, "ignored" if name == "vae_seed" else "used")] = objects[variant_column(name)].fillna(-np.inf).to_numpy()
    for method in ML_BASELINES:
        problem = min_objects_problem(method, len(objects))
        if problem:
            if skipped is not None:
                skipped.append(problem)
            continue
        scores[(method, "ignored")] = objects[baseline_column(method, params["features"], False)].to_numpy()
        scores[(method, "used")] = objects[baseline_column(method, params["features"], True)].to_numpy()
    scores[("colour_rule", "ignored")] = objects[COLOUR_RULE_COLUMN].to_numpy()
    fraction = float(params["anomaly_fraction"])
    order = list(DETECTOR_LABELS)
    rows = []
    for label_name, labels in label_sets(objects["object_id"].to_numpy(), matches, truth).items():
        for top_fraction in (fraction, fraction / 2):
            for (detector, errors), score in sorted(scores.items(), key=lambda item: (order.index(item[0][0]), item[0][1])):
                features = "optical SED | giant IR" if detector.startswith("vae_conditional") else (
                    "magnitudes" if detector == "vae_seed" else params["features"])
                rows.append({"detector": detector, "errors": errors, "labels": label_name, "features": features,
                             "top_fraction": top_fraction, **evaluate(score, labels, top_fraction)})
    return pd.DataFrame(rows)
