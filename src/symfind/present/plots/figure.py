"""Figure plumbing: a headless matplotlib with the project's style, PNGs written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...io import atomic_path

#: The most background points one scatter panel draws. Beyond it a fixed random subset is drawn
#: (the marked objects, candidates and known stars, always whole): at a figure's resolution more
#: points only fill in the same cloud, and each costs matplotlib time (on the 10^6-object sky a
#: panel of 180,000 points took seconds to lay out).
MAX_BACKGROUND_POINTS = 30_000


def drawn(rows: np.ndarray, limit: int = MAX_BACKGROUND_POINTS) -> np.ndarray:
    """``rows`` (a boolean mask) with at most ``limit`` of its True entries kept: all of them, or a
    fixed random subset (the same on every run)."""
    rows = np.asarray(rows, dtype=bool)
    chosen = np.flatnonzero(rows)
    if len(chosen) <= limit:
        return rows
    kept = np.zeros(len(rows), dtype=bool)
    kept[np.random.default_rng(0).choice(chosen, size=limit, replace=False)] = True
    return kept


def drawn_note(n_rows: int, limit: int = MAX_BACKGROUND_POINTS) -> str:
    """What a legend adds where :func:`drawn` kept a subset of ``n_rows``: ``"; 30,000 drawn"``."""
    return f"; {limit:,d} drawn" if n_rows > limit else ""


def figure():
    """``matplotlib.pyplot`` on the Agg backend (no display needed), with the project's style."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.dpi": 110, "axes.grid": True, "grid.alpha": 0.3, "font.size": 10})
    return plt


def save(fig, path: str | Path) -> None:
    """Write ``fig`` as PNG, atomically, without a software stamp (the same figure, the same bytes)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", bbox_inches="tight", metadata={"Software": None})


def skipped_figure(out_png: str | Path, title: str, reason: str) -> None:
    """A figure that says the plot was skipped and why (so that the product exists and is honest)."""
    plt = figure()
    fig, ax = plt.subplots(figsize=(7.0, 2.6))
    ax.set_axis_off()
    ax.text(0.5, 0.62, title, ha="center", va="center", fontsize=12, transform=ax.transAxes)
    ax.text(0.5, 0.35, f"skipped on this sky: {reason}", ha="center", va="center", fontsize=9, wrap=True,
            transform=ax.transAxes)
    save(fig, out_png)
    plt.close(fig)
