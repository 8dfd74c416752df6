"""Figures of the VAE's anomaly score: its distribution, per object, against magnitude, and the latent space."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .figure import drawn, drawn_note, figure, save
from .sky import STYLE

#: Axis label of the VAE score, per ``vae.loss``.
SCORE_LABEL = {"mse": "VAE reconstruction loss (MSE, scaled units)", "chi2": "VAE anomaly score, -log10 P($\\chi^2$)",
               "hot_excess": "VAE hot-excess score (u, v bluer than the giant), -log10 P($\\bar\\chi^2$)",
               "symbiotic": "symbiotic score (hot excess x Balmer jump x phase + flicker)"}


def score_plots(losses: pd.DataFrame, out_hist: str | Path, out_box: str | Path, out_scatter: str | Path, loss_kind: str = "mse",
               score_kind: str = "any") -> None:
    """Write the three score plots of the candidates' score (``vae.score``: ``hot_excess``, or
    ``any``, labelled by ``vae.loss``); candidates are drawn in red, the threshold as a dashed line."""
    plt = figure()
    label_text = SCORE_LABEL[score_kind if score_kind in ("hot_excess", "symbiotic") else loss_kind]
    loss = np.clip(losses["anomaly_score"].to_numpy(dtype=np.float64), 1e-6, None)
    cand = losses["is_candidate"].to_numpy(dtype=bool)
    threshold = loss[cand].min() if cand.any() else np.nan
    label = f"candidate threshold ({int(cand.sum())} objects)"

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    bins = np.logspace(np.log10(max(loss.min(), 1e-6)), np.log10(loss.max() * 1.01), 60)
    ax.hist(loss[~cand], bins=bins, color="0.55", label="objects")
    ax.hist(loss[cand], bins=bins, color="tab:red", label="candidates")
    ax.axvline(threshold, color="k", ls="--", lw=1, label=label)
    ax.set(xscale="log", yscale="log", xlabel=label_text, ylabel="number of objects",
           title="VAE anomaly score")
    ax.legend(fontsize=8)
    save(fig, out_hist)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.2, 4.6))
    ax.boxplot(loss, vert=True, whis=(1, 99), flierprops={"marker": ".", "markersize": 3, "alpha": 0.5})
    ax.axhline(threshold, color="tab:red", ls="--", lw=1, label=label)
    ax.set(yscale="log", ylabel=label_text, xticks=[1], xticklabels=["all objects"],
           title="Loss distribution\n(box: quartiles, whiskers: 1-99%)")
    ax.legend(fontsize=8, loc="lower right")
    save(fig, out_box)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    order = np.argsort(losses["object_id"].to_numpy(), kind="stable")
    index = np.arange(len(loss))
    background = drawn(~cand[order])
    ax.scatter(index[background], loss[order][background], s=2, color="0.5", label=f"objects{drawn_note(int((~cand).sum()))}",
               rasterized=True)
    ax.scatter(index[cand[order]], loss[order][cand[order]], s=6, color="tab:red", label="candidates")
    ax.axhline(threshold, color="k", ls="--", lw=1, label=label)
    ax.set(yscale="log", xlabel="object (ordered by object_id)", ylabel=label_text,
           title="VAE score per object")
    ax.legend(fontsize=8, markerscale=3)
    save(fig, out_scatter)
    plt.close(fig)


def latent_plot(losses: pd.DataFrame, out_png: str | Path, loss_kind: str = "mse") -> None:
    """The VAE latent space (encoder means), each pair of the first three dimensions, coloured by score."""
    plt = figure()
    from matplotlib.colors import LogNorm

    dims = [c for c in losses.columns if c.startswith("latent_")][:3]
    pairs = [(a, b) for i, a in enumerate(dims) for b in dims[i + 1 :]] or [(dims[0], dims[0])]
    score = losses["anomaly_score"].to_numpy(dtype=np.float64)
    order = np.argsort(score)  # highest scores drawn last, on top
    cand = losses["is_candidate"].to_numpy(dtype=bool)
    fig, axes = plt.subplots(1, len(pairs), figsize=(4.6 * len(pairs) + 0.8, 4.3), layout="constrained", squeeze=False)
    positive = score[score > 0]
    norm = LogNorm(vmin=max(positive.min(), 1e-6), vmax=positive.max()) if len(positive) else None
    for ax, (a, b) in zip(axes[0], pairs):
        points = ax.scatter(losses[a].to_numpy()[order], losses[b].to_numpy()[order], c=np.clip(score[order], 1e-6, None),
                            s=4, cmap="viridis", norm=norm, lw=0, rasterized=True)
        ax.scatter(losses.loc[cand, a], losses.loc[cand, b], s=22, facecolor="none", edgecolor="tab:red", lw=0.8,
                   label=f"candidates ({int(cand.sum())})")
        ax.set(xlabel=f"{a.replace('_', ' ')} (encoder mean)", ylabel=f"{b.replace('_', ' ')} (encoder mean)")
    axes[0][0].legend(fontsize=8, loc="upper left")
    fig.colorbar(points, ax=axes[0].tolist(), label=SCORE_LABEL[loss_kind])
    fig.suptitle("VAE latent space, coloured by anomaly score")
    save(fig, out_png)
    plt.close(fig)


def score_magnitude_plot(merged: pd.DataFrame, losses_by_variant: dict[str, pd.DataFrame], out_png: str | Path) -> None:
    """Anomaly score against u and J magnitude, one row per VAE variant (names of
    :data:`symfind.detect.detectors.DETECTOR_LABELS`): with MSE the faint, noisy end fills the top of the
    list; with chi2 its large errors are divided out. Each panel's title gives the share of the
    candidates among the faintest quarter of the objects (25% if unbiased)."""
    from ...detect.detectors import DETECTOR_LABELS

    plt = figure()
    n_rows = len(losses_by_variant)
    fig, axes = plt.subplots(n_rows, 2, figsize=(10.5, 3.3 * n_rows), layout="constrained", squeeze=False)
    for row, (variant, losses) in enumerate(losses_by_variant.items()):
        label_key = next((kind for kind in ("hot_excess", "symbiotic") if variant.endswith(kind)),
                         "mse" if variant == "vae_seed" else "chi2")
        table = merged[["object_id", "u_psf", "j_m"]].merge(losses[["object_id", "anomaly_score"]], on="object_id")
        raw = table["anomaly_score"].to_numpy(dtype=np.float64)
        score = np.clip(raw, 1e-2, None)  # objects without any excess (0) drawn at the floor
        n_flag = max(1, int(np.ceil(0.02 * len(score)))) if len(score) else 0
        cand = np.zeros(len(score), dtype=bool)
        cand[np.argsort(-raw, kind="stable")[:n_flag]] = True
        for col, (column, band) in enumerate((("u_psf", "u"), ("j_m", "J"))):
            ax = axes[row][col]
            mag = table[column].to_numpy(dtype=np.float64)
            background = drawn(~cand)
            ax.scatter(mag[background], score[background], label=f"objects{drawn_note(int((~cand).sum()))}", **STYLE["objects"])
            ax.scatter(mag[cand], score[cand], label=f"top 2% ({int(cand.sum())})", **STYLE["candidates"])
            faint = mag >= np.nanpercentile(mag, 75) if np.isfinite(mag).any() else np.zeros(len(mag), dtype=bool)
            share = (cand & faint).sum() / max(int(cand.sum()), 1)
            ax.set(yscale="log", xlabel=f"{band} (mag)", ylabel=SCORE_LABEL[label_key].replace(", -log10", ",\n-log10"),
                   title=f"{DETECTOR_LABELS.get(variant, variant)}: {share:.0%} of the top 2% in the faintest 25% in {band}")
            ax.title.set_fontsize(9)
            ax.yaxis.label.set_fontsize(8)
            if row == 0 and col == 0:
                ax.legend(fontsize=8, markerscale=1.5)
    fig.suptitle("VAE scores against magnitude, per VAE variant")
    save(fig, out_png)
    plt.close(fig)
