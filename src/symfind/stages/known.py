"""Runners of ``workflow/rules/known.smk`` (stage 7): the known symbiotic stars and the detectors compared on them."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..io import write_table
from ..known import match_known

log = logging.getLogger(__name__)


def crossmatch_known(analysed_parquet: str | Path, vae_scores_parquet: str | Path, catalogues: list[Mapping[str, Any]],
                     out_matches: str | Path, out_recovery: str | Path) -> pd.DataFrame:
    """Rule ``crossmatch_known``: the known symbiotic stars among the analysed objects, and the
    share of them the VAE's candidates recover, per catalogue."""
    analysed = pd.read_parquet(analysed_parquet, columns=["object_id", "raj2000", "dej2000"])
    scores = pd.read_parquet(vae_scores_parquet)
    candidates = scores.loc[scores["is_candidate"].astype(bool), "object_id"].to_numpy()
    matches, recovery = match_known(analysed, candidates, catalogues)
    matches = matches.merge(scores[["object_id", "rank", "anomaly_score", "reconstruction_loss"]], on="object_id", how="left")
    for row in recovery.itertuples():
        log.info(
            "known symbiotics (%s): %d in the analysed sample, %d among the %d candidates (recall %s)",
            row.catalogue, row.n_in_sample, row.n_candidates_matched, len(candidates),
            "n/a" if np.isnan(row.recall) else f"{row.recall:.1%}",
        )
    write_table(matches, out_matches)
    write_table(recovery, out_recovery)
    return recovery


def compare_detectors(analysed_parquet: str | Path, vae_scores_parquet: str | Path, matches_csv: str | Path, truth_file: str | None,
                      params: Mapping[str, Any], out_csv: str | Path, out_png: str | Path, out_magnitude_png: str | Path,
                      threads: int = 1, a_per_ebv: Mapping[str, float] | None = None, out_status: str | Path | None = None) -> pd.DataFrame:
    """Rule ``compare_detectors`` (in the VAE's environment: with ``vae.compare_losses`` it trains
    the other VAE variants of :data:`symfind.detectors.VAE_VARIANTS`): the comparison table and
    plot, and the score against u and J of each VAE."""
    from ..detectors import comparison_plot, configured_variants, other_variants
    from ..detectors import compare_detectors as comparison_table
    from ..plots import score_magnitude_plot
    from ..status import write_status
    from ..vae import score_table

    analysed = pd.read_parquet(analysed_parquet)
    scores = pd.read_parquet(vae_scores_parquet)
    matches = pd.read_csv(matches_csv)
    truth = pd.read_parquet(truth_file) if truth_file else None
    other_vaes: dict[str, pd.DataFrame] = {}
    if params.get("compare_losses", True):
        for name, variant in other_variants(params).items():
            log.info("training the VAE variant %s for the comparison", name)
            other_vaes[name], _ = score_table(analysed, variant, threads, a_per_ebv)
            if name.startswith("vae_conditional"):  # one fit gives both conditional scores
                other_vaes["vae_conditional_any"] = other_vaes[name]
    else:
        log.info("vae.compare_losses is false: only the configured VAE appears")
    skipped: list[str] = []
    table = comparison_table(analysed, scores, matches, truth, params, other_vaes, skipped)
    for row in table.itertuples():
        log.info("%-27s errors %-7s %-9s top %4.1f%%: recall %.3f  precision %.3f  ROC-AUC %.3f", row.detector, row.errors,
                 row.labels, 100 * row.top_fraction, row.recall, row.precision, row.roc_auc)
    write_table(table, out_csv)
    comparison_plot(table, out_png)
    panels = {name: other for name, other in other_vaes.items() if name in ("vae_seed", "vae_plain_chi2")}
    for name, column in configured_variants(params).items():
        panels[name] = scores.assign(anomaly_score=scores[column])
    score_magnitude_plot(analysed, panels, out_magnitude_png)
    if out_status is not None:
        write_status(out_status, "compare_detectors", partly=skipped)
    return table
