"""How well the detectors and the ranking find the known symbiotic stars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .figure import figure, save

def comparison_plot(table: pd.DataFrame, out_png: str | Path) -> None:
    """Recall among the flagged fraction, per detector and label set."""
    from ...detect.detectors import DETECTOR_LABELS

    plt = figure()
    table = table[table["top_fraction"] == table["top_fraction"].max()]
    sets = list(dict.fromkeys(table["labels"]))
    readable = table["detector"].map(DETECTOR_LABELS).fillna(table["detector"]).str.replace(", ", ",\n", n=1)
    is_baseline = ~table["detector"].str.startswith("vae")
    table = table.assign(name=np.where(is_baseline & (table["errors"] == "used"), readable + "\n(errors used)", readable))
    detectors = list(dict.fromkeys(table["name"]))
    fig, ax = plt.subplots(figsize=(12.0, 4.8), layout="constrained")
    width = 0.8 / len(sets)
    for k, label in enumerate(sets):
        part = table[table["labels"] == label].set_index("name").reindex(detectors)
        xs = np.arange(len(detectors)) + (k - (len(sets) - 1) / 2) * width
        ax.bar(xs, part["recall"], width, label=f"{label} labels (n = {int(part['n_known'].iloc[0])})")
    ax.set_xticks(np.arange(len(detectors)), detectors, fontsize=7, rotation=30, ha="right")
    flagged = int(table["n_flagged"].iloc[0])
    fraction = float(table["top_fraction"].iloc[0])
    ax.axhline(fraction, color="0.3", ls=":", lw=1, label=f"chance ({fraction:.0%})")
    ax.set(ylabel=f"recall of known symbiotic stars\nin the top {flagged} objects ({fraction:.0%})",
           ylim=(0, min(1.0, max(0.1, 1.15 * float(np.nanmax(table["recall"]))))),
           title=f"Detectors compared (baselines on {table.loc[is_baseline, 'features'].iloc[0] if is_baseline.any() else '-'})")
    ax.legend(fontsize=8)
    save(fig, out_png)
    plt.close(fig)


def ranking_plot(evaluation: pd.DataFrame, out_png: str | Path) -> None:
    """Mean recall (with the spread over splits) of the hidden symbiotic stars, per method and top fraction."""
    plt = figure()
    mean = evaluation[evaluation["split"] == "mean"]
    std = evaluation[evaluation["split"] == "std"].set_index(["method", "top_fraction"])["recall"]
    methods = list(dict.fromkeys(mean["method"]))
    fractions = sorted(set(mean["top_fraction"]), reverse=True)
    fig, ax = plt.subplots(figsize=(8.0, 4.4), layout="constrained")
    width = 0.8 / len(fractions)
    for k, fraction in enumerate(fractions):
        part = mean[mean["top_fraction"] == fraction].set_index("method").reindex(methods)
        xs = np.arange(len(methods)) + (k - (len(fractions) - 1) / 2) * width
        errors = [std.get((m, fraction), 0.0) for m in methods]
        ax.bar(xs, part["recall"], width, yerr=errors, capsize=3, label=f"top {fraction:.0%}")
    ax.set_xticks(np.arange(len(methods)), [m.replace("rank:", "rank: ") for m in methods], rotation=15)
    n_known, n_hidden = int(mean["n_known"].iloc[0]), int(round(mean["n_hidden"].iloc[0]))
    n_splits = int((evaluation["split"].str.isdigit()).sum() / max(len(methods) * len(fractions), 1))
    ax.set(ylabel="recall of the hidden symbiotic stars", ylim=(0, 1),
           title=f"{n_known} known, {n_hidden} hidden symbiotic stars; mean and spread over {n_splits} splits")
    ax.legend(fontsize=8)
    save(fig, out_png)
    plt.close(fig)
