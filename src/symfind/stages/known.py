"""Runners of ``workflow/rules/known.smk`` (stage 7): the known symbiotic stars and the detectors compared on them."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..columns import REVERSED_COLOUR_COLUMNS
from ..io import read_parquet_without, write_table
from ..rank.known import match_known

log = logging.getLogger(__name__)


def crossmatch_known(scored_parquet: str | Path, catalogues: list[Mapping[str, Any]], out_matches: str | Path,
                     out_recovery: str | Path) -> pd.DataFrame:
    """Rule ``crossmatch_known``: the known symbiotic stars among the analysed objects, and the
    share of them the VAE's candidates recover, per catalogue."""
    scored = pd.read_parquet(scored_parquet, columns=["object_id", "raj2000", "dej2000", "rank", "is_candidate", "anomaly_score",
                                                      "reconstruction_loss"])
    candidates = scored.loc[scored["is_candidate"], "object_id"].to_numpy()
    matches, recovery = match_known(scored[["object_id", "raj2000", "dej2000"]], candidates, catalogues)
    matches = matches.merge(scored[["object_id", "rank", "anomaly_score", "reconstruction_loss"]], on="object_id", how="left")
    for row in recovery.itertuples():
        log.info(
            "known symbiotics (%s): %d in the analysed sample, %d among the %d candidates (recall %s)",
            row.catalogue, row.n_in_sample, row.n_candidates_matched, len(candidates),
            "n/a" if np.isnan(row.recall) else f"{row.recall:.1%}",
        )
    write_table(matches, out_matches)
    write_table(recovery, out_recovery)
    return recovery


def compare_detectors(scored_parquet: str | Path, matches_csv: str | Path, truth_file: str | None, params: Mapping[str, Any],
                      out_csv: str | Path, out_png: str | Path, out_magnitude_png: str | Path,
                      out_status: str | Path | None = None) -> pd.DataFrame:
    """Rule ``compare_detectors``: how well each detector of the scored table finds the known
    symbiotic stars (the comparison table and plot), and the score against u and J of each VAE."""
    from ..rank.comparison import compare_detectors as comparison_table
    from ..detect.detectors import configured_variants
    from ..present.plots.evaluation import comparison_plot
    from ..present.plots.scores import score_magnitude_plot
    from ..detect.scored import scored_rows, variant_column
    from ..status import write_status

    scored = read_parquet_without(scored_parquet, REVERSED_COLOUR_COLUMNS)
    matches = pd.read_csv(matches_csv)
    truth = pd.read_parquet(truth_file) if truth_file else None
    skipped: list[str] = []
    table = comparison_table(scored, matches, truth, params, skipped)
    for row in table.itertuples():
        log.info("%-27s errors %-7s %-9s top %4.1f%%: recall %.3f  precision %.3f  ROC-AUC %.3f", row.detector, row.errors,
                 row.labels, 100 * row.top_fraction, row.recall, row.precision, row.roc_auc)
    write_table(table, out_csv)
    comparison_plot(table, out_png)
    panels = {}
    for name in ("vae_plain_chi2", "vae_seed"):  # the variants trained beside the configured VAE, as they scored
        if variant_column(name) in scored.columns and name not in configured_variants(params):
            panel = scored[["object_id"]].assign(anomaly_score=scored[variant_column(name)])
            panels[name] = panel[panel["anomaly_score"].notna()]
    rows = scored_rows(scored)
    for name, column in configured_variants(params).items():
        panels[name] = rows[["object_id"]].assign(anomaly_score=rows[column])
    score_magnitude_plot(scored, panels, out_magnitude_png)
    if out_status is not None:
        write_status(out_status, "compare_detectors", partly=skipped)
    return table
