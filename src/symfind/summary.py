"""The end-of-run summary: how many objects each stage kept, the candidates, the known symbiotic
stars recovered, and where the products are."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from . import __version__


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


def summary_text(
    counts: list[tuple[str, int]], recovery: pd.DataFrame, comparison: pd.DataFrame, products: Mapping[str, str],
    skipped: Mapping[str, str] | None = None,
) -> str:
    """The summary as plain text (also what ``onsuccess`` prints); ``skipped``: ``{stage: reason}``
    of the stages that could not run on this sky."""
    width = max(len(name) for name, _ in counts)
    lines = [f"symfind {__version__}: run summary", "", "Objects per stage:"]
    lines += [f"  {name:<{width}s} {n:>12,d}" for name, n in counts]
    if skipped:
        lines += ["", "Stages that could not run in full on this sky (their products exist and say why):"]
        lines += [f"  {stage}: {reason}" for stage, reason in skipped.items()]
    lines += ["", "Known symbiotic stars among the candidates:"]
    for row in recovery.itertuples():
        recall = "no star of it was analysed" if row.n_in_sample == 0 or pd.isna(row.recall) else f"recall {row.recall:.1%}"
        lines.append(f"  {row.catalogue:<16s} {row.n_candidates_matched:>4d} of {row.n_in_sample:>4d} in the analysed sample ({recall})")
    if len(comparison):
        from .detectors import DETECTOR_LABELS

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
