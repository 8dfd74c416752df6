"""Plots of the anomaly scores: histogram, box plot and scatter of the VAE reconstruction loss."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .io import atomic_path


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.dpi": 110, "axes.grid": True, "grid.alpha": 0.3, "font.size": 10})
    return plt


def _save(fig, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", bbox_inches="tight", metadata={"Software": None})


def loss_plots(losses: pd.DataFrame, out_hist: str | Path, out_box: str | Path, out_scatter: str | Path) -> None:
    """Write the three loss plots; candidates are drawn in red, the threshold as a dashed line."""
    plt = _figure()
    loss = losses["reconstruction_loss"].to_numpy()
    cand = losses["is_candidate"].to_numpy(dtype=bool)
    threshold = loss[cand].min() if cand.any() else np.nan
    label = f"candidate threshold ({int(cand.sum())} objects)"

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    bins = np.logspace(np.log10(max(loss.min(), 1e-6)), np.log10(loss.max() * 1.01), 60)
    ax.hist(loss[~cand], bins=bins, color="0.55", label="objects")
    ax.hist(loss[cand], bins=bins, color="tab:red", label="candidates")
    ax.axvline(threshold, color="k", ls="--", lw=1, label=label)
    ax.set(xscale="log", yscale="log", xlabel="VAE reconstruction loss (scaled units)", ylabel="number of objects",
           title="VAE reconstruction loss")
    ax.legend(fontsize=8)
    _save(fig, out_hist)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.2, 4.6))
    ax.boxplot(loss, vert=True, whis=(1, 99), flierprops={"marker": ".", "markersize": 3, "alpha": 0.5})
    ax.axhline(threshold, color="tab:red", ls="--", lw=1, label=label)
    ax.set(yscale="log", ylabel="VAE reconstruction loss (scaled units)", xticks=[1], xticklabels=["all objects"],
           title="Loss distribution\n(box: quartiles, whiskers: 1-99%)")
    ax.legend(fontsize=8, loc="lower right")
    _save(fig, out_box)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    order = np.argsort(losses["object_id"].to_numpy(), kind="stable")
    index = np.arange(len(loss))
    ax.scatter(index[~cand[order]], loss[order][~cand[order]], s=2, color="0.5", label="objects", rasterized=True)
    ax.scatter(index[cand[order]], loss[order][cand[order]], s=6, color="tab:red", label="candidates")
    ax.axhline(threshold, color="k", ls="--", lw=1, label=label)
    ax.set(yscale="log", xlabel="object (ordered by object_id)", ylabel="VAE reconstruction loss (scaled units)",
           title="Reconstruction loss per object")
    ax.legend(fontsize=8, markerscale=3)
    _save(fig, out_scatter)
    plt.close(fig)


def run_loss_plots(losses_csv: str | Path, out_hist: str | Path, out_box: str | Path, out_scatter: str | Path) -> None:
    """Stage 6b: draw the loss plots from the loss table."""
    loss_plots(pd.read_csv(losses_csv), out_hist, out_box, out_scatter)


def pca_plot(explained: pd.DataFrame, scores: np.ndarray, out_png: str | Path) -> None:
    """Scree plot and PC1-PC2 density of the colour space."""
    plt = _figure()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2))
    k = explained["component"].to_numpy()
    ax1.bar(k, explained["explained_variance_ratio"], color="tab:blue", label="per component")
    ax1.plot(k, explained["cumulative"], "o-", color="k", ms=3, label="cumulative")
    ax1.set(xlabel="principal component", ylabel="fraction of variance explained", ylim=(0, 1.02),
            title="PCA of the colour space", xticks=k)
    ax1.legend(fontsize=8)
    if len(scores):
        ax2.hexbin(scores[:, 0], scores[:, 1], gridsize=60, bins="log", cmap="viridis", mincnt=1)
    ax2.set(xlabel="PC1 (standardised colours)", ylabel="PC2 (standardised colours)", title="Objects in PC1-PC2")
    _save(fig, out_png)
    plt.close(fig)
