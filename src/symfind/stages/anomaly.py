"""Runners of ``workflow/rules/anomaly.smk`` (stage 6): the VAE's anomaly scores and their plots."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..io import write_table, write_text
from ..plots import score_plots

log = logging.getLogger(__name__)


def train_vae(analysed_parquet: str | Path, params: Mapping[str, Any], out_parquet: str | Path, out_csv: str | Path,
              out_ids: str | Path, out_history: str | Path, threads: int = 1, a_per_ebv: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Rule ``train_vae``: train the VAE on the analysed objects; write each object's scores (by
    rank), the training history and the candidates' ids (the top ``vae.anomaly_fraction``)."""
    from ..vae import score_table

    analysed = pd.read_parquet(analysed_parquet)
    scores, history = score_table(analysed, params, threads, a_per_ebv)
    last = history.iloc[-1]
    log.info("final epoch: reconstruction %.4f, KL %.4f", last["reconstruction_loss"], last["kl"])
    log.info("%d candidates (top %.2f%%) by score %s", int(scores["is_candidate"].sum()), 100 * float(params["anomaly_fraction"]),
             params.get("score", "any"))
    write_table(scores, out_parquet)
    write_table(scores, out_csv)
    write_table(history, out_history)
    write_text("".join(f"{i}\n" for i in scores.loc[scores["is_candidate"], "object_id"]), out_ids)
    return scores


def plot_scores(vae_scores_parquet: str | Path, out_hist: str | Path, out_box: str | Path, out_scatter: str | Path,
                loss_kind: str = "mse", score_kind: str = "any") -> None:
    """Rule ``plot_scores``: histogram, box plot and scatter of the VAE's anomaly score."""
    score_plots(pd.read_parquet(vae_scores_parquet), out_hist, out_box, out_scatter, loss_kind, score_kind)
