"""The analysis core (stage 6): the scored table, one row per analysed object with every detector's scores.

Everything after the anomaly detection reads this one table (``scored.parquet``): the cross-match
with the known symbiotic stars, the candidate table, the detector comparison, the ranking, the
plots and the summary. It holds, in ``object_id`` order:

- every column of the analysed table (the objects after the cuts, with their colours);
- the configured VAE's columns (``vae_scores``: ``anomaly_score``, ``score_any``,
  ``score_hot_excess``, ``rank``, ``is_candidate``, latent means, shares, ``excess_z_*``...); an
  object the VAE could not score (no observed feature) has none, and is no candidate;
- the other VAE variants' scores (``score_vae_<variant>``, :data:`symfind.detect.detectors.VAE_VARIANTS`),
  where the comparison trains them (``vae.compare_losses``);
- the baselines' scores (:func:`baseline_column`): IsolationForest, PCA and LOF on ``vae.features``
  with and without the measurement errors, IsolationForest on ``rank.features`` (the ranking's
  yardstick) and the colour rule, computed once, on the objects the VAE scored (those the
  comparison and the ranking evaluate). A baseline that cannot run on the sky (too few objects)
  has no column; :func:`symfind.detect.detectors.min_objects_problem` says why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .detectors import ML_BASELINES, colour_rule_scores, min_objects_problem, ml_scores
from .features import feature_errors, feature_matrix
from ..io import InputError

log = logging.getLogger(__name__)

#: The VAE's integer columns: nullable in the scored table (an object the VAE did not score has none).
VAE_INTEGER_COLUMNS = ("rank", "n_hot_features", "n_features_observed", "n_features_scored")
COLOUR_RULE_COLUMN = "score_colour_rule"


def variant_column(name: str) -> str:
    """The scored table's column of VAE variant ``name`` (the score the comparison evaluates)."""
    return f"score_{name}"


def baseline_column(method: str, feature_set: str, errors: bool = False) -> str:
    """The scored table's column of an ML baseline on a feature set, with or without the errors."""
    return f"score_{method}_{feature_set}" + ("_errors" if errors else "")


def baseline_runs(vae_features: str, rank_features: str) -> list[tuple[str, str, bool]]:
    """The baselines the later stages evaluate, ``(method, feature set, errors used)``: every ML
    baseline on ``vae.features`` both ways (the comparison), IsolationForest on ``rank.features``
    (the ranking's evaluation)."""
    runs = [(method, vae_features, errors) for method in ML_BASELINES for errors in (False, True)]
    if ("isolation_forest", rank_features, False) not in runs:
        runs.append(("isolation_forest", rank_features, False))
    return runs


def baseline_scores(rows: pd.DataFrame, runs: Iterable[tuple[str, str, bool]], seed: int, sigma_int: float,
                    max_fit_objects: int | None = None) -> dict[str, np.ndarray]:
    """The baselines' scores of ``rows`` (higher = more anomalous), by column name; a baseline that
    cannot run on so few objects is left out (logged). Each is fitted on at most ``max_fit_objects``
    rows (:func:`symfind.detect.detectors.ml_scores`) and scores every row."""
    out: dict[str, np.ndarray] = {}
    for method, feature_set, errors in runs:
        problem = min_objects_problem(method, len(rows))
        if problem:
            log.info("no %s score: %s", method, problem)
            continue
        X, _ = feature_matrix(rows, feature_set)
        E = feature_errors(rows, feature_set) if errors else None
        out[baseline_column(method, feature_set, errors)] = ml_scores(X, method, seed, E, sigma_int, max_fit_objects)
    out[COLOUR_RULE_COLUMN] = colour_rule_scores(rows)
    return out


def _integers(frame: pd.DataFrame, dtype: str) -> pd.DataFrame:
    present = [c for c in VAE_INTEGER_COLUMNS if c in frame.columns]
    return frame.astype({c: dtype for c in present}) if present else frame


def scored_table(analysed: pd.DataFrame, vae_scores: pd.DataFrame, variants: pd.DataFrame | None, params: Mapping[str, object],
                 rank_features: str) -> pd.DataFrame:
    """The scored table: ``analysed`` (one row per object, in its order) with the VAE's columns,
    the variants' (``object_id`` + :func:`variant_column` columns) and the baselines' scores.
    ``params``: the ``vae`` config block (``features``, ``seed``, ``sigma_int``, ``compare_max_objects``:
    the most objects a baseline is fitted on)."""
    clash = (set(analysed.columns) & set(vae_scores.columns)) - {"object_id"}
    if clash:
        raise InputError(f"VAE scores: column(s) {sorted(clash)} also exist in the analysed table")
    table = analysed.merge(vae_scores, on="object_id", how="left", validate="one_to_one")
    table = _integers(table, "Int64")
    table["is_candidate"] = table["is_candidate"].astype("boolean").fillna(False).astype(bool)
    if variants is not None and len(variants.columns) > 1:
        table = table.merge(variants, on="object_id", how="left", validate="one_to_one")
    scored = table["rank"].notna().to_numpy()
    rows = table.loc[scored].reset_index(drop=True)
    runs = baseline_runs(str(params["features"]), rank_features)
    baselines = {}
    for column, values in baseline_scores(rows, runs, int(params["seed"]), float(params["sigma_int"]),
                                           params.get("compare_max_objects")).items():
        full = np.full(len(table), np.nan)
        full[scored] = values
        baselines[column] = full
    return pd.concat([table, pd.DataFrame(baselines, index=table.index)], axis=1)  # at once: no fragmented frame


def scored_rows(scored: pd.DataFrame) -> pd.DataFrame:
    """The objects the VAE scored, in ``object_id`` order (the rows the comparison and the ranking
    evaluate), with the VAE's integer columns as plain integers."""
    return _integers(scored.loc[scored["rank"].notna()].reset_index(drop=True), "int64")


def vae_view(scored: pd.DataFrame) -> pd.DataFrame:
    """The objects the VAE scored, in the VAE's rank order (its candidates first), as the VAE wrote them."""
    return scored_rows(scored).sort_values("rank", kind="stable", ignore_index=True)


def variant_scores(table: pd.DataFrame, name: str, column: str) -> pd.DataFrame:
    """``object_id`` and the score ``column`` of VAE variant ``name``, named :func:`variant_column`."""
    return table[["object_id", column]].rename(columns={column: variant_column(name)})
