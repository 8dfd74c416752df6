"""Runner of ``workflow/rules/ranking.smk`` (stage 8): the ranking with the known symbiotic stars as labels."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..columns import REVERSED_COLOUR_COLUMNS
from ..io import read_parquet_without, write_table

log = logging.getLogger(__name__)


def _verdicts(scored: pd.DataFrame, labels_files: Sequence[str | Path]) -> pd.DataFrame | None:
    """The astronomer's verdicts of ``labels_files`` on the scored objects (None without files)."""
    from ..rank.vetting import read_labels

    if not labels_files:
        return None
    verdicts = read_labels(labels_files, scored["object_id"].to_numpy())
    log.info("%d verdicts from %s", len(verdicts), ", ".join(str(f) for f in labels_files))
    return verdicts


def rank_candidates(scored_parquet: str | Path, matches_csv: str | Path, params: Mapping[str, Any], out_ranked: str | Path,
                    out_importances: str | Path, out_status: str | Path | None = None, threads: int = 1,
                    labels_files: Sequence[str | Path] = ()) -> pd.DataFrame:
    """Rule ``rank_candidates``: the ranked list with the known symbiotic stars (and the vetted
    objects of ``labels_files``, ``vetting.labels``) as labels, the features that drive it, and the
    stage's status (a sky without a known star to learn from is listed in the VAE's order, and says
    so)."""
    from ..rank.ranking import rank_objects
    from ..status import write_status

    scored = read_parquet_without(scored_parquet, REVERSED_COLOUR_COLUMNS)
    ranked, importance, problem = rank_objects(scored, pd.read_csv(matches_csv), params, threads, _verdicts(scored, labels_files))
    write_table(ranked, out_ranked)
    write_table(importance, out_importances)
    if out_status is not None:
        write_status(out_status, "rank_candidates", problem)
    return ranked


def evaluate_ranking(scored_parquet: str | Path, matches_csv: str | Path, params: Mapping[str, Any], out_evaluation: str | Path,
                     out_plot: str | Path, truth_file: str | None = None, out_status: str | Path | None = None,
                     threads: int = 1, labels_files: Sequence[str | Path] = ()) -> pd.DataFrame:
    """Rule ``evaluate_ranking``: the ranking evaluated on known symbiotic stars hidden from it,
    against the VAE and the baselines (table and plot), and the stage's status. Its own rule, so
    the ranked list's tables, the evidence and the summary do not wait for it."""
    from ..present.plots.evaluation import ranking_plot
    from ..rank.ranking import evaluate_objects
    from ..present.plots.figure import skipped_figure
    from ..status import write_status

    truth = pd.read_parquet(truth_file, columns=["object_id", "population"]) if truth_file else None
    scored = read_parquet_without(scored_parquet, REVERSED_COLOUR_COLUMNS)
    evaluation, problem = evaluate_objects(scored, pd.read_csv(matches_csv), params, truth, threads, _verdicts(scored, labels_files))
    write_table(evaluation, out_evaluation)
    if problem is None:
        ranking_plot(evaluation, out_plot)
    else:
        skipped_figure(out_plot, "Ranking evaluation on hidden known symbiotic stars", str(problem))
    if out_status is not None:
        write_status(out_status, "evaluate_ranking", problem)
    return evaluation


def ranked_tables(ranked_csv: str | Path, out_fits: str | Path, out_vot: str | Path,
                  config_used: str | Path | None = None) -> pd.DataFrame:
    """Rule ``ranked_tables``: the ranked list as FITS and VOTable (units, UCDs, descriptions; which
    symfind and which ``config_used`` made them), for TOPCAT and friends."""
    from ..present.candidates import RANKED_COLUMN_META
    from ..rank.ranking import read_ranked_list
    from ..present.vo import provenance, write_fits, write_votable

    ranked = read_ranked_list(ranked_csv)
    origin = provenance(config_used)
    write_fits(ranked, RANKED_COLUMN_META, out_fits, origin, extname="RANKED")
    write_votable(ranked, RANKED_COLUMN_META, out_vot, origin)
    log.info("%d ranked objects -> %s, %s", len(ranked), out_fits, out_vot)
    return ranked
