"""Figure plumbing: a headless matplotlib with the project's style, PNGs written atomically."""

from __future__ import annotations

from pathlib import Path

from ..io import atomic_path


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
