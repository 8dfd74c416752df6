"""The end-of-run summary: how many objects each stage kept, the candidates, the known symbiotic
stars recovered, and where the products are."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import __version__


def stage_counts(
    selection_cutflow: pd.DataFrame, cutflow: pd.DataFrame, colours_rows: int, analysed_rows: int, n_candidates: int
) -> list[tuple[str, int]]:
    """``(stage, objects)`` from the first query row to the candidates."""
    total = cutflow[cutflow["tile"].astype(str) == "all"].set_index("cut")["rows_left"]
    first = selection_cutflow.iloc[0]
    counts = [(f"rows in: {first['criterion']}", int(first["rows_left"]))]
    counts.append(("selected by the query", int(total["selected"])))
    counts += [(f"after cut {cut}", int(rows)) for cut, rows in total.items() if cut != "selected"]
    counts.append(("with SkyMapper colours", int(colours_rows)))
    counts.append(("analysed (cuts and colours joined)", int(analysed_rows)))
    counts.append(("VAE candidates", int(n_candidates)))
    return counts


def recall_at(evaluation: pd.DataFrame, method: str, fraction: float) -> float:
    """Mean recall of the hidden known stars in the top ``fraction`` by ``method`` (NaN if not evaluated)."""
    rows = evaluation[(evaluation["split"].astype(str) == "mean") & (evaluation["method"] == method)
                      & np.isclose(evaluation["top_fraction"].astype(float), fraction)]
    return float(rows["recall"].iloc[0]) if len(rows) else float("nan")


def start_here(ranked: str, candidates: str, evaluation: pd.DataFrame, rank_method: str, fraction: float,
               n_candidates: int, ranking_problem: str | None, report_command: str, browser: str | None = None) -> list[str]:
    """Which list to open first, and why: the ranked list (learned from the known symbiotic stars)
    or the VAE's candidates, whichever found more of the hidden known stars in its top
    ``fraction`` on this sky (the ranked list where the ranking ran but could not be evaluated;
    the VAE's where the ranking could not learn). Then the browser and the report command."""
    evaluated = evaluation.loc[evaluation["split"].astype(str) == "mean", "top_fraction"].astype(float)
    if len(evaluated) and not np.isclose(evaluated, fraction).any():
        fraction = float(evaluated.max())  # the candidates' fraction was not evaluated: the largest that was
    ranking_recall = recall_at(evaluation, f"rank:{rank_method}", fraction)
    vae_recall = recall_at(evaluation, "vae", fraction)
    ranked_line = f"{ranked} (also .fits, .vot): every analysed object ranked by how much it looks like the known symbiotic stars"
    vae_line = f"{candidates} (also .fits, .vot): the VAE's {n_candidates} candidates, each with the features that made it stand out"
    if ranking_problem:
        first, second = vae_line, f"{ranked}: in the VAE's order; the ranking could not learn here ({ranking_problem})"
        why = "the ranking could not run on this sky"
    elif np.isfinite(ranking_recall) and np.isfinite(vae_recall):
        better = ranking_recall >= vae_recall
        first, second = (ranked_line, vae_line) if better else (vae_line, ranked_line)
        why = (f"on known symbiotic stars hidden from it, the ranking finds {ranking_recall:.0%} in its top {fraction:.0%}, "
               f"the VAE alone {vae_recall:.0%}")
    else:
        first, second = ranked_line, vae_line
        why = "the ranking learned from the known symbiotic stars here (too few to test it on hidden ones)"
    lines = ["Start here:", f"  1. {first}", f"  2. {second}", f"     ({why})"]
    if browser:
        lines.append(f"  Both lists in a browser, each candidate with its evidence figure: {browser}")
    lines.append(f"  The report (every figure and table, offline): {report_command}")
    return lines


def gaia_dr3_lines(analysed: pd.DataFrame) -> list[str]:
    """What Gaia DR3's own evidence held for the analysed objects (:mod:`symfind.query.gaia_dr3`): how
    many had a DR3 id and a row in each table, Halpha emission at 3 sigma, the LPV and SYST
    classes; or that no table was given."""
    from ..query.gaia_dr3 import GAIA_DR3_TABLE_NAMES, evidence_counts

    if "gaia_dr3_source_id" not in analysed.columns:
        return ["Gaia DR3 evidence: not in this run's analysed table"]
    counts = evidence_counts(analysed)
    if not any(counts[name] for name in GAIA_DR3_TABLE_NAMES):
        return ["Gaia DR3 evidence: no table given or matched (files.astrophysical_parameters, files.vari_classifier_result, "
                "files.vari_long_period_variable; gaia_dr3.tables): the scores use the photometry alone"]
    n = counts["objects"]
    rows = ", ".join(f"{name} {counts[name]:,d}" for name in GAIA_DR3_TABLE_NAMES)
    return [f"Gaia DR3 evidence: {counts['with_dr3_id']:,d} of {n:,d} analysed objects with a DR3 id; rows in {rows}",
            f"  Halpha in emission at >= 3 sigma: {counts['halpha_emission_3sigma']:,d}; classed LPV: {counts['lpv']:,d}; "
            f"classed SYST (symbiotic): {counts['syst']:,d}"]


def summary_text(
    counts: list[tuple[str, int]], recovery: pd.DataFrame, comparison: pd.DataFrame, products: Mapping[str, str],
    skipped: Mapping[str, str] | None = None, first_look: list[str] | None = None, evidence_lines: list[str] | None = None,
) -> str:
    """The summary as plain text (also what ``onsuccess`` prints); ``skipped``: ``{stage: reason}``
    of the stages that could not run on this sky; ``first_look``: the lines of :func:`start_here`."""
    width = max(len(name) for name, _ in counts)
    lines = [f"symfind {__version__}: run summary", ""]
    if first_look:
        lines += [*first_look, ""]
    lines += ["Objects per stage:"]
    lines += [f"  {name:<{width}s} {n:>12,d}" for name, n in counts]
    if skipped:
        lines += ["", "Stages that could not run in full on this sky (their products exist and say why):"]
        lines += [f"  {stage}: {reason}" for stage, reason in skipped.items()]
    if evidence_lines:
        lines += ["", *evidence_lines]
    lines += ["", "Known symbiotic stars among the candidates:"]
    for row in recovery.itertuples():
        recall = "no star of it was analysed" if row.n_in_sample == 0 or pd.isna(row.recall) else f"recall {row.recall:.1%}"
        lines.append(f"  {row.catalogue:<16s} {row.n_candidates_matched:>4d} of {row.n_in_sample:>4d} in the analysed sample ({recall})")
    if len(comparison):
        from ..detect.detectors import DETECTOR_LABELS

        fraction = float(comparison["top_fraction"].max())
        lines += ["", f"Detectors in the top {fraction:.0%} (recall of the labelled symbiotic stars; chance = {fraction:.0%}):"]
        for labels, group in comparison[comparison["top_fraction"] == fraction].groupby("labels", sort=False):
            lines.append(f"  labels {labels}:")
            vae = group[group["detector"].str.startswith("vae")]
            best = group[~group["detector"].str.startswith("vae")].sort_values("recall", ascending=False, kind="stable")
            for row in [*vae.itertuples(), *best.head(1).itertuples()]:
                errors = " (errors used)" if row.errors == "used" and not row.detector.startswith("vae") else ""
                recall = "n/a (no labelled star)" if pd.isna(row.recall) else f"{row.recall:.3f}"
                lines.append(f"    {DETECTOR_LABELS.get(row.detector, row.detector) + errors:<44s} {recall}")
    lines += ["", "Products:"]
    lines += [f"  {what:<34s} {path}" for what, path in products.items()]
    return "\n".join(lines) + "\n"
