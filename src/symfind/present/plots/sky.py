"""Where the objects lie: on the sky, in colour-colour, colour-magnitude and principal-component
space; the VAE's candidates and the known symbiotic stars marked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .figure import drawn, drawn_note, figure, save

#: Marker styles shared by every diagnostic plot (objects, candidates, known symbiotic stars).
STYLE = {
    "objects": {"s": 3, "color": "0.6", "alpha": 0.5, "lw": 0, "rasterized": True},
    "candidates": {"s": 16, "facecolor": "tab:red", "edgecolor": "k", "lw": 0.3, "zorder": 3},
    "known": {"s": 48, "facecolor": "none", "edgecolor": "tab:blue", "lw": 1.1, "marker": "o", "zorder": 4},
}

#: Colour-colour diagrams drawn: (x, y) as (blue band, red band) pairs of magnitude columns.
COLOUR_COLOUR_PANELS = (
    (("h_m", "k_m"), ("j_m", "h_m"), "2MASS"),
    (("g_psf", "r_psf"), ("u_psf", "g_psf"), "SkyMapper"),
    (("w3mpro", "w4mpro"), ("w1mpro", "w2mpro"), "AllWISE"),
)

_BAND_LABEL = {"j_m": "J", "h_m": "H", "k_m": "K$_s$", "u_psf": "u", "v_psf": "v", "g_psf": "g", "r_psf": "r",
               "i_psf": "i", "z_psf": "z", "w1mpro": "W1", "w2mpro": "W2", "w3mpro": "W3", "w4mpro": "W4"}


def _colour(frame: pd.DataFrame, pair: tuple[str, str]) -> np.ndarray:
    return (frame[pair[0]].astype(np.float64) - frame[pair[1]].astype(np.float64)).to_numpy()


def _colour_label(pair: tuple[str, str]) -> str:
    return f"{_BAND_LABEL[pair[0]]} - {_BAND_LABEL[pair[1]]} (mag)"


def _flags(merged: pd.DataFrame, losses: pd.DataFrame, matches: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``merged``: is it a candidate, is it a known symbiotic star."""
    candidate_ids = losses.loc[losses["is_candidate"].astype(bool), "object_id"]
    is_candidate = merged["object_id"].isin(candidate_ids).to_numpy()
    is_known = merged["object_id"].isin(matches["object_id"]).to_numpy()
    return is_candidate, is_known


def _legend_labels(is_candidate: np.ndarray, is_known: np.ndarray, n_objects: int) -> dict[str, str]:
    return {"objects": f"analysed objects ({n_objects:,d}{drawn_note(n_objects)})", "candidates": f"VAE candidates ({int(is_candidate.sum()):,d})",
            "known": f"known symbiotic stars ({int(is_known.sum()):,d})"}


def _scatter_marked(ax, x: np.ndarray, y: np.ndarray, ok: np.ndarray, is_candidate: np.ndarray, is_known: np.ndarray,
                    labels: dict[str, str]) -> None:
    """The ``ok`` objects, then the candidates and the known symbiotic stars on top, in the shared style."""
    for key, rows in (("objects", drawn(ok)), ("candidates", ok & is_candidate), ("known", ok & is_known)):
        ax.scatter(x[rows], y[rows], label=labels[key], **STYLE[key])


def colour_colour_plot(merged: pd.DataFrame, losses: pd.DataFrame, matches: pd.DataFrame, out_png: str | Path) -> None:
    """J-H vs H-K, u-g vs g-r and W1-W2 vs W3-W4 (observed magnitudes), candidates and known stars marked."""
    plt = figure()
    is_candidate, is_known = _flags(merged, losses, matches)
    labels = _legend_labels(is_candidate, is_known, len(merged))
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.4), layout="constrained")
    for ax, (x_pair, y_pair, survey) in zip(axes, COLOUR_COLOUR_PANELS):
        x, y = _colour(merged, x_pair), _colour(merged, y_pair)
        ok = np.isfinite(x) & np.isfinite(y)
        _scatter_marked(ax, x, y, ok, is_candidate, is_known, labels)
        if ok.any():  # the bulk sets the limits; extreme outliers stay inside a 0.5-99.5% frame
            for values, setter in ((x[ok], ax.set_xlim), (y[ok], ax.set_ylim)):
                lo, hi = np.percentile(values, [0.5, 99.5])
                pad = 0.08 * (hi - lo) + 0.05
                setter(lo - pad, hi + pad)
        ax.set(xlabel=_colour_label(x_pair), ylabel=_colour_label(y_pair), title=f"{survey} ({int(ok.sum()):,d} with both colours)")
    axes[0].legend(fontsize=8, loc="upper left", markerscale=1.5)
    fig.suptitle("Colour-colour diagrams (observed, not dereddened)")
    save(fig, out_png)
    plt.close(fig)


def colour_magnitude_plot(merged: pd.DataFrame, losses: pd.DataFrame, matches: pd.DataFrame, cuts: dict, out_png: str | Path) -> None:
    """Dereddened (J-K)_0 against M_J, with the cut lines; candidates and known symbiotic stars marked."""
    plt = figure()
    is_candidate, is_known = _flags(merged, losses, matches)
    labels = _legend_labels(is_candidate, is_known, len(merged))
    x, y = merged["jk0"].to_numpy(dtype=np.float64), merged["abs_j"].to_numpy(dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    fig, ax = plt.subplots(figsize=(6.4, 5.2), layout="constrained")
    _scatter_marked(ax, x, y, ok, is_candidate, is_known, labels)
    ax.axvline(cuts["jk_min"], color="k", ls="--", lw=0.8)
    ax.axhline(cuts["abs_j_max"], color="k", ls=":", lw=0.8)
    ax.annotate(f"(J-K)$_0$ > {cuts['jk_min']}", (cuts["jk_min"], 1.0), xycoords=("data", "axes fraction"),
                xytext=(3, -12), textcoords="offset points", fontsize=8)
    ax.annotate(f"M$_J$ < {cuts['abs_j_max']}", (1.0, cuts["abs_j_max"]), xycoords=("axes fraction", "data"),
                xytext=(-60, 3), textcoords="offset points", fontsize=8)
    ax.invert_yaxis()
    n_no_distance = int((~np.isfinite(y)).sum())
    ax.set(xlabel="(J - K$_s$)$_0$ (mag, dereddened)", ylabel="M$_J$ (mag, distance and extinction corrected)",
           title="Colour-magnitude diagram" + (f" ({n_no_distance} without distance not shown)" if n_no_distance else ""))
    ax.legend(fontsize=8, loc="center right", markerscale=1.5)
    save(fig, out_png)
    plt.close(fig)


def sky_plot(selected: pd.DataFrame, merged: pd.DataFrame, losses: pd.DataFrame, matches: pd.DataFrame, out_png: str | Path,
             nside: int = 32) -> None:
    """Mollweide map in Galactic coordinates: density of the selected objects (HEALPix ``nside``
    pixels), candidates and known symbiotic stars on top."""
    plt = figure()
    import healpy as hp

    from ...query.tiles import tile_index

    counts = np.bincount(tile_index(selected["raj2000"], selected["dej2000"], nside), minlength=hp.nside2npix(nside)).astype(float)
    pixel_area = hp.nside2pixarea(nside, degrees=True)
    density = np.where(counts > 0, counts / pixel_area, hp.UNSEEN)
    is_candidate, is_known = _flags(merged, losses, matches)
    fig = plt.figure(figsize=(9.0, 5.6))
    # a log scale needs two different densities (a sky of one pixel has one)
    norm = "log" if np.unique(density[counts > 0]).size > 1 else None
    hp.mollview(density, fig=fig.number, nest=True, coord=["C", "G"], norm=norm, cmap="Greys", cbar=True, format="%.3g",
                title=f"Selected objects ({len(selected):,d}), Galactic coordinates (l = 0 at centre, l increasing to the left)",
                unit="selected objects per deg$^2$", badcolor="white", hold=True)
    hp.graticule(dpar=30, dmer=60, alpha=0.4)
    labels = _legend_labels(is_candidate, is_known, len(merged))
    for key, rows in (("candidates", is_candidate), ("known", is_known)):
        style = {k: v for k, v in STYLE[key].items() if k != "zorder"}
        style["s"] = style["s"] / 2  # many stars share a small area at this scale
        hp.projscatter(merged.loc[rows, "raj2000"].to_numpy(), merged.loc[rows, "dej2000"].to_numpy(), lonlat=True,
                       coord=["C", "G"], label=labels[key], **style)
    plt.gca().legend(fontsize=8, loc="upper right", bbox_to_anchor=(1.0, 1.0), framealpha=0.9)
    save(fig, out_png)
    plt.close(fig)


def pca_plot(explained: pd.DataFrame, scores: np.ndarray, out_png: str | Path) -> None:
    """Scree plot and PC1-PC2 density of the colour space."""
    plt = figure()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2))
    k = explained["component"].to_numpy()
    ax1.bar(k, explained["explained_variance_ratio"], color="tab:blue", label="per component")
    ax1.plot(k, explained["cumulative"], "o-", color="k", ms=3, label="cumulative")
    ax1.set(xlabel="principal component", ylabel="fraction of variance explained", ylim=(0, 1.02),
            title="PCA of the colour space", xticks=k)
    ax1.legend(fontsize=8)
    if len(scores):
        cells = ax2.hexbin(scores[:, 0], scores[:, 1], gridsize=60, bins="log", cmap="viridis", mincnt=1)
        fig.colorbar(cells, ax=ax2, label="objects per cell")
    ax2.set(xlabel="PC1 (standardised colours)", ylabel="PC2 (standardised colours)", title="Objects in PC1-PC2")
    save(fig, out_png)
    plt.close(fig)
