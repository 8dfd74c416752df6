"""One figure per candidate: SED with the giant's prediction, light curves, place among the giants,
and what made it stand out (:mod:`symfind.present.evidence`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...io import atomic_path
from .figure import figure

#: Colours of the bands in the light curves (u and v blue: where a hot companion shows).
BAND_COLOURS = {"u": "tab:purple", "v": "tab:blue", "g": "tab:green", "r": "tab:orange", "i": "tab:red", "z": "tab:brown"}


@dataclass(frozen=True)
class Giants:
    """The analysed objects behind every candidate's diagrams (a subsample where there are many):
    dereddened (J-Ks)_0, M_J, (u-g)_0, (g-r)_0, and which are known symbiotic stars."""

    jk0: np.ndarray
    abs_j: np.ndarray
    ug0: np.ndarray
    gr0: np.ndarray
    known: np.ndarray


def evidence_figure(title: str, facts: list[str], sed: Mapping[str, np.ndarray], light_curve: pd.DataFrame,
                    here: Mapping[str, float], giants: Giants, cuts: Mapping[str, float], excess_sigma: Mapping[str, float],
                    out_png: str | Path) -> None:
    """Draw one candidate's evidence.

    ``sed``: ``wavelength`` (micron), ``flux``, ``error`` (lambda F_lambda, erg s^-1 cm^-2),
    ``giant``, ``giant_low``, ``giant_high`` (the prediction and its 16-84% range), ``labels``,
    ``hot`` (bool: bands a hot companion brightens) and ``ratio`` (observed / predicted flux).
    ``here``: the object's ``jk0``, ``abs_j``, ``ug0``, ``gr0``. ``facts``: lines of text (ranks,
    scores, nearest known star, variability)."""
    plt = figure()
    # fixed margins, no layout engine and no tight bounding box: one draw per figure (a hundred
    # figures per run)
    fig = plt.figure(figsize=(13.0, 8.6), dpi=90)
    grid = fig.add_gridspec(2, 3, left=0.06, right=0.985, bottom=0.07, top=0.91, wspace=0.28, hspace=0.42)
    ax_sed = fig.add_subplot(grid[0, :2])
    right = grid[0, 2].subgridspec(2, 1, height_ratios=[1.0, 0.8], hspace=0.45)
    ax_why = fig.add_subplot(right[0])
    ax_facts = fig.add_subplot(right[1])
    ax_lc = fig.add_subplot(grid[1, 0])
    ax_cmd = fig.add_subplot(grid[1, 1])
    ax_cc = fig.add_subplot(grid[1, 2])
    fig.suptitle(title, fontsize=12)
    _sed_panel(ax_sed, sed)
    _why_panel(ax_why, ax_facts, facts, excess_sigma)
    _light_curve_panel(ax_lc, light_curve)
    _diagram(ax_cmd, giants.jk0, giants.abs_j, giants.known, here.get("jk0"), here.get("abs_j"))
    ax_cmd.axvline(cuts["jk_min"], color="k", ls="--", lw=0.8)
    ax_cmd.axhline(cuts["abs_j_max"], color="k", ls=":", lw=0.8)
    ax_cmd.invert_yaxis()
    ax_cmd.set(xlabel="(J - K$_s$)$_0$ (mag)", ylabel="M$_J$ (mag)", title="Among the giants: colour-magnitude")
    _diagram(ax_cc, giants.gr0, giants.ug0, giants.known, here.get("gr0"), here.get("ug0"))
    ax_cc.invert_yaxis()
    ax_cc.set(xlabel="(g - r)$_0$ (mag)", ylabel="(u - g)$_0$ (mag; up = bluer)", title="Among the giants: u-g vs g-r")
    with atomic_path(out_png) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(fig)


def _sed_panel(ax, sed: Mapping[str, np.ndarray]) -> None:
    wavelength, flux, error = sed["wavelength"], sed["flux"], sed["error"]
    measured = np.isfinite(flux)
    giant = np.isfinite(sed["giant"])
    if giant.any():
        ax.fill_between(wavelength[giant], sed["giant_low"][giant], sed["giant_high"][giant], color="0.8",
                        label="giants like it (16-84%)")
        ax.plot(wavelength[giant], sed["giant"][giant], "-", color="0.35", lw=1.5, label="what the giant alone predicts")
    ax.errorbar(wavelength[measured], flux[measured], yerr=np.nan_to_num(error[measured]), fmt="o", color="k", ms=5,
                capsize=2, label="observed (dereddened)", zorder=3)
    for k in np.flatnonzero(measured & giant & sed["hot"]):
        ratio = sed["ratio"][k]
        if np.isfinite(ratio) and ratio > 1.0:
            ax.annotate("", (wavelength[k], flux[k]), (wavelength[k], sed["giant"][k]),
                        arrowprops={"arrowstyle": "->", "color": "tab:blue", "lw": 1.5})
        if np.isfinite(ratio):
            ax.annotate(f"{sed['labels'][k]}: x{ratio:.2g}", (wavelength[k], max(flux[k], sed["giant"][k])),
                        xytext=(0, 8), textcoords="offset points", ha="center", fontsize=8,
                        color="tab:blue" if ratio > 1.0 else "0.3")
    for k in np.flatnonzero(measured):
        ax.annotate(sed["labels"][k], (wavelength[k], flux[k]), xytext=(0, -14), textcoords="offset points",
                    ha="center", fontsize=7, color="0.3")
    from matplotlib.ticker import FixedLocator, LogFormatter, NullLocator

    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator([0.3, 0.5, 1, 2, 3, 5, 10, 20]))
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:g}")
    ax.xaxis.set_minor_locator(NullLocator())
    if measured.any() and np.nanmin(flux[measured]) > 0:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(LogFormatter(labelOnlyBase=True))  # plain text, not mathtext: a hundred figures
        ax.yaxis.set_minor_locator(NullLocator())
        low, high = ax.get_ylim()
        ax.set_ylim(low, high * 3.0)  # room above for the excess labels
    ax.set(xlabel="wavelength (micron)", ylabel=r"$\lambda F_\lambda$ (erg s$^{-1}$ cm$^{-2}$, dereddened)",
           title="Spectral energy distribution: excess light in u, v, g marked (observed / giant)")
    if not measured.any():
        ax.text(0.5, 0.5, "no photometry", transform=ax.transAxes, ha="center")
    ax.legend(fontsize=8, loc="lower center")


def _why_panel(ax, ax_facts, facts: list[str], excess_sigma: Mapping[str, float]) -> None:
    if excess_sigma:
        names = list(excess_sigma)
        values = np.array([excess_sigma[name] for name in names])
        ax.barh(np.arange(len(names)), values, color=np.where(values > 2, "tab:blue", "0.6"))
        ax.set_yticks(np.arange(len(names)), names, fontsize=7)
        ax.axvline(2.0, color="tab:blue", ls=":", lw=0.8)
        ax.axvline(0.0, color="k", lw=0.6)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=8)
        ax.set_xlabel("VAE: bluer than the giant predicts (sigma)", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no VAE deviations for this object", transform=ax.transAxes, ha="center", fontsize=8)
        ax.set_axis_off()
    ax.set_title("What made it stand out")
    ax_facts.set_axis_off()
    ax_facts.text(0.0, 1.0, "\n".join(facts), transform=ax_facts.transAxes, va="top", ha="left", fontsize=7.5,
                  family="monospace")


def _light_curve_panel(ax, light_curve: pd.DataFrame) -> None:
    if not len(light_curve):
        ax.text(0.5, 0.5, "no usable epochs", transform=ax.transAxes, ha="center")
        ax.set_title("Light curves (nightly means)")
        return
    for band, group in light_curve.groupby("filter", observed=True, sort=False):
        ax.errorbar(group["night"], group["mag"], yerr=group["e_mag"], fmt="o-", ms=3, lw=0.6, capsize=1.5,
                    color=BAND_COLOURS.get(str(band), "k"), label=str(band))
    ax.invert_yaxis()
    ax.legend(fontsize=7, ncol=3)
    ax.set(xlabel="night (MJD)", ylabel="magnitude (AB)", title="Light curves (nightly weighted means)")


def _diagram(ax, x: np.ndarray, y: np.ndarray, known: np.ndarray, x_here: float | None, y_here: float | None) -> None:
    ok = np.isfinite(x) & np.isfinite(y)
    ax.scatter(x[ok & ~known], y[ok & ~known], s=2, color="0.65", lw=0, rasterized=True, label="analysed giants")
    ax.scatter(x[ok & known], y[ok & known], s=22, facecolor="none", edgecolor="tab:blue", lw=0.9, label="known symbiotic stars")
    if x_here is not None and y_here is not None and np.isfinite(x_here) and np.isfinite(y_here):
        ax.scatter([x_here], [y_here], s=160, marker="*", color="tab:red", edgecolor="k", lw=0.6, zorder=5, label="this object")
    else:
        ax.text(0.5, 0.04, "this object: not measured here", transform=ax.transAxes, ha="center", fontsize=8)
    ax.legend(fontsize=7, loc="best")
