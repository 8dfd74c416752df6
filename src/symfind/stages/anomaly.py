"""Runners of ``workflow/rules/anomaly.smk`` (stage 6): the VAE's anomaly scores and their plots."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import with_defaults
from ..io import read_parquet_chosen, write_table, write_text
from ..present.plots.scores import score_plots

log = logging.getLogger(__name__)


def train_vae(analysed_parquet: str | Path, params: Mapping[str, Any], out_fit: str | Path, out_history: str | Path,
              threads: int = 1, a_per_ebv: Mapping[str, float] | None = None,
              aj_per_ebv: float | None = None) -> pd.DataFrame:
    """Rule ``train_vae``: train the VAE on the analysed objects; write what the fit says of each
    object (:func:`symfind.detect.vae.fit_table`) and the training history. ``params``: the ``vae``
    block, of which the fit reads only :func:`symfind.config.vae_fit_settings`."""
    from ..detect.vae import fit_table, vae_input_columns

    analysed = read_parquet_chosen(analysed_parquet, vae_input_columns)  # only what a VAE reads
    fit, history = fit_table(analysed, params, threads, a_per_ebv, aj_per_ebv)
    last = history.iloc[-1]
    log.info("final epoch: reconstruction %.4f, KL %.4f", last["reconstruction_loss"], last["kl"])
    write_table(fit, out_fit)
    write_table(history, out_history)
    return fit


def score_vae(analysed_parquet: str | Path, fit_parquet: str | Path, params: Mapping[str, Any], out_parquet: str | Path,
              out_ids: str | Path) -> pd.DataFrame:
    """Rule ``score_vae``: the VAE's score of each object from its fit (``vae.score``, the symbiotic
    score's weights ``vae.symbiotic``; :func:`symfind.detect.symbiotic.score_fit`); write the score table
    (by rank) and the candidates' ids (the top ``vae.anomaly_fraction``)."""
    from ..detect.symbiotic import score_fit, symbiotic_input_columns

    scores = score_fit(pd.read_parquet(fit_parquet), read_parquet_chosen(analysed_parquet, symbiotic_input_columns), params)
    settings = with_defaults("vae", params)
    log.info("%d candidates (top %.2f%%) by score %s", int(scores["is_candidate"].sum()),
             100 * float(settings["anomaly_fraction"]), settings["score"])
    write_table(scores, out_parquet)
    write_text("".join(f"{i}\n" for i in scores.loc[scores["is_candidate"], "object_id"]), out_ids)
    return scores


def train_vae_variants(analysed_parquet: str | Path, params: Mapping[str, Any], out_parquet: str | Path, threads: int = 1,
                       a_per_ebv: Mapping[str, float] | None = None, aj_per_ebv: float | None = None) -> pd.DataFrame:
    """Rule ``train_vae_variants``: the other VAE variants the comparison shows beside the
    configured one (:func:`symfind.detect.detectors.other_variants`: the seed recipe, the plain chi2 VAE,
    the giant-conditioned VAE with both of its scores), each on a subsample of at most
    ``vae.compare_max_objects`` objects, scoring every object: ``object_id`` and one column per
    variant (:func:`symfind.detect.scored.variant_column`); only ``object_id`` with ``vae.compare_losses``
    false. It needs only the analysed objects, so it runs beside ``train_vae``."""
    from ..detect.detectors import VAE_VARIANTS, other_variants, same_fit
    from ..detect.scored import variant_scores
    from ..detect.vae import score_table, vae_input_columns

    analysed = read_parquet_chosen(analysed_parquet, vae_input_columns)  # only what a VAE reads
    variants = analysed[["object_id"]]
    if params.get("compare_losses", True):
        for name, variant in other_variants(params).items():
            log.info("training the VAE variant %s for the comparison", name)
            table, _ = score_table(analysed, variant, threads, a_per_ebv, aj_per_ebv)
            for each in same_fit(name):  # one fit gives both conditional scores
                variants = variants.merge(variant_scores(table, each, VAE_VARIANTS[each][1]), on="object_id", how="left")
    else:
        log.info("vae.compare_losses is false: only the configured VAE appears in the comparison")
    write_table(variants, out_parquet)
    return variants


def score_objects(analysed_parquet: str | Path, vae_scores_parquet: str | Path, variants_parquet: str | Path,
                  params: Mapping[str, Any], rank_features: str, out_parquet: str | Path) -> pd.DataFrame:
    """Rule ``score_objects``: the scored table (:mod:`symfind.detect.scored`), which every later stage reads."""
    from ..detect.scored import scored_table

    scored = scored_table(pd.read_parquet(analysed_parquet), pd.read_parquet(vae_scores_parquet),
                          pd.read_parquet(variants_parquet), params, rank_features)
    log.info("scored table: %d analysed objects, %d scored by the VAE, %d columns", len(scored), int(scored["rank"].notna().sum()),
             len(scored.columns))
    write_table(scored, out_parquet)
    return scored


def plot_scores(vae_scores_parquet: str | Path, out_hist: str | Path, out_box: str | Path, out_scatter: str | Path,
                loss_kind: str = "mse", score_kind: str = "any") -> None:
    """Rule ``plot_scores``: histogram, box plot and scatter of the VAE's anomaly score."""
    score_plots(pd.read_parquet(vae_scores_parquet), out_hist, out_box, out_scatter, loss_kind, score_kind)
