"""Stage 7c: the detector comparison (runs in the VAE's environment: with ``vae.compare_losses``
it trains the other VAE variants of :data:`symfind.detectors.VAE_VARIANTS`, so that the table holds
the seed recipe, the plain chi2 VAE and the giant-conditioned VAE with both of its scores beside the
baselines)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .detectors import VAE_VARIANTS, compare_detectors, comparison_plot, configured_variants
from .io import write_table
from .plots import score_magnitude_plot
from .status import write_status
from .vae import score_table

log = logging.getLogger(__name__)


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


def run_compare(merged_parquet: str | Path, losses_csv: str | Path, matches_csv: str | Path, truth_file: str | None,
                params: Mapping[str, Any], out_csv: str | Path, out_png: str | Path, out_magnitude_png: str | Path,
                threads: int = 1, a_per_ebv: Mapping[str, float] | None = None, out_status: str | Path | None = None) -> pd.DataFrame:
    """Stage 7c: the detector comparison table and plot, and the score against u and J of each VAE."""
    merged = pd.read_parquet(merged_parquet)
    losses = pd.read_csv(losses_csv)
    matches = pd.read_csv(matches_csv)
    truth = pd.read_parquet(truth_file) if truth_file else None
    other_vaes: dict[str, pd.DataFrame] = {}
    if params.get("compare_losses", True):
        for name, variant in other_variants(params).items():
            log.info("training the VAE variant %s for the comparison", name)
            other_vaes[name], _ = score_table(merged, variant, threads, a_per_ebv)
            if name.startswith("vae_conditional"):  # one fit gives both conditional scores
                other_vaes["vae_conditional_any"] = other_vaes[name]
    else:
        log.info("vae.compare_losses is false: only the configured VAE appears")
    skipped: list[str] = []
    table = compare_detectors(merged, losses, matches, truth, params, other_vaes, skipped)
    for row in table.itertuples():
        log.info("%-27s errors %-7s %-9s top %4.1f%%: recall %.3f  precision %.3f  ROC-AUC %.3f", row.detector, row.errors,
                 row.labels, 100 * row.top_fraction, row.recall, row.precision, row.roc_auc)
    write_table(table, out_csv)
    comparison_plot(table, out_png)
    panels = {name: other for name, other in other_vaes.items() if name in ("vae_seed", "vae_plain_chi2")}
    for name, column in configured_variants(params).items():
        panels[name] = losses.assign(anomaly_score=losses[column])
    score_magnitude_plot(merged, panels, out_magnitude_png)
    if out_status is not None:
        write_status(out_status, "compare_detectors", partly=skipped)
    return table
