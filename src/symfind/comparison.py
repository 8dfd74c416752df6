"""Stage 7c: the detector comparison (runs in the VAE's environment: it trains the VAE once more
with the other loss, so the VAE appears with and without the measurement errors, like the baselines)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .detectors import compare_detectors, comparison_plot, other_loss
from .io import write_table
from .plots import score_magnitude_plot
from .vae import score_table

log = logging.getLogger(__name__)


def run_compare(merged_parquet: str | Path, losses_csv: str | Path, matches_csv: str | Path, truth_file: str | None,
                params: Mapping[str, Any], out_csv: str | Path, out_png: str | Path, out_magnitude_png: str | Path,
                threads: int = 1) -> pd.DataFrame:
    """Stage 7c: the detector comparison table and plot; the VAE is trained once more with the
    other loss (MSE or chi2) so both appear, and the score against u and J is drawn for both."""
    merged = pd.read_parquet(merged_parquet)
    losses = pd.read_csv(losses_csv)
    matches = pd.read_csv(matches_csv)
    truth = pd.read_parquet(truth_file) if truth_file else None
    second = other_loss(params["loss"])
    other_losses = None
    if params.get("compare_losses", True):
        log.info("training the VAE once more with loss %s for the comparison", second)
        other_losses, _ = score_table(merged, {**params, "loss": second, "missing": "mask"}, threads)
    else:
        log.info("vae.compare_losses is false: the VAE appears with loss %s only", params["loss"])
    table = compare_detectors(merged, losses, matches, truth, params, other_losses)
    for row in table.itertuples():
        log.info("%-16s errors %-7s %-9s recall %.3f  precision %.3f  ROC-AUC %.3f", row.detector, row.errors, row.labels,
                 row.recall, row.precision, row.roc_auc)
    write_table(table, out_csv)
    comparison_plot(table, out_png)
    by_loss = {params["loss"]: losses, second: other_losses}
    score_magnitude_plot(merged, {k: by_loss[k] for k in ("mse", "chi2") if by_loss[k] is not None}, out_magnitude_png)
    return table
