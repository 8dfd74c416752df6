"""Stage 3: distance- and extinction-corrected cuts.

- Extinction-corrected colour: ``(J - K)_0 = (J - K) - ejk_per_ebv * E(B-V)``, with
  E(J-Ks)/E(B-V) = 0.413 (Schlafly & Finkbeiner 2011, ApJ 737, 103, R_V = 3.1) and E(B-V) from the
  extinction stage (:mod:`symfind.photometry.extinction`: SFD, optionally scaled by a dust layer, or a 3-D map).
- Absolute magnitude: ``M_J = J - 5 log10(r_est / pc) + 5 - A_J`` with ``A_J = aj_per_ebv * E(B-V)``
  (0.723, same reference). Base-10 logarithm: the natural log was a bug of the original scripts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..io import InputError

log = logging.getLogger(__name__)

#: Each cut of the cut-flow and the config key(s) that set it.
CUT_CONFIG_KEYS: dict[str, str] = {
    "distance": "cuts.missing_distance or cuts.distance_result_flags",
    "jk0_min": "cuts.jk_min",
    "j_max": "cuts.j_max",
    "abs_j_max": "cuts.abs_j_max",
}


def distance_modulus(r_pc: np.ndarray) -> np.ndarray:
    """Distance modulus ``5 log10(r / pc) - 5`` (mag) of a distance in pc."""
    r_pc = np.asarray(r_pc, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r_pc > 0, 5.0 * np.log10(r_pc) - 5.0, np.nan)


def absolute_j(j_m: np.ndarray, r_pc: np.ndarray, ebv: np.ndarray, aj_per_ebv: float) -> np.ndarray:
    """Absolute J magnitude ``J - DM(r) - A_J`` (mag); NaN where the distance is missing or <= 0."""
    return np.asarray(j_m, dtype=np.float64) - distance_modulus(r_pc) - aj_per_ebv * np.asarray(ebv, dtype=np.float64)


def brightest_abs_j(abs_j: np.ndarray, r_est_pc: np.ndarray, r_hi_pc: np.ndarray) -> np.ndarray:
    """The brightest absolute J the distance allows (mag): ``abs_j`` moved from the distance's
    estimate ``r_est`` to its upper bound ``r_hi`` (Bailer-Jones et al.: the 84th percentile),
    ``abs_j - 5 log10(r_hi / r_est)``; NaN where either distance is missing or <= 0. A star with a
    poor parallax has a far upper bound and so a bright limit: it is never taken for a dwarf."""
    r_est = np.asarray(r_est_pc, dtype=np.float64)
    r_hi = np.asarray(r_hi_pc, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((r_est > 0) & (r_hi > 0), r_hi / r_est, np.nan)
        return np.asarray(abs_j, dtype=np.float64) - 5.0 * np.log10(ratio)


def dereddened_jk(j_m: np.ndarray, k_m: np.ndarray, ebv: np.ndarray, ejk_per_ebv: float) -> np.ndarray:
    """Extinction-corrected colour ``(J - K) - E(J-K)`` (mag)."""
    return np.asarray(j_m, dtype=np.float64) - np.asarray(k_m, dtype=np.float64) - ejk_per_ebv * np.asarray(ebv, dtype=np.float64)


def apply_cuts(
    selected: pd.DataFrame,
    distances: pd.DataFrame,
    cuts: Mapping[str, Any],
    extinction: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attach distances and E(B-V), derive ``jk0`` and ``abs_j``, and apply the cuts in order.

    ``extinction`` (``object_id, ebv``, from :mod:`symfind.photometry.extinction`) gives the E(B-V) in front
    of each star; without it the catalogue's total SFD value ``ebmv_sfd`` is used.

    Returns ``(filtered, cutflow)``; the cut-flow lists the rows left after each cut (``tile =
    'all'``; the runner (:func:`symfind.stages.cuts.apply_cuts`) labels it with its tile, :func:`total_cutflow` sums the tiles). Objects
    without an accepted distance are dropped or kept (with NaN ``abs_j``, which then passes the
    absolute-magnitude cut) according to ``cuts['missing_distance']``; they are counted either way.
    """
    flags = cuts["distance_result_flags"]
    dist = distances if flags is None else distances[distances["result_flag"].isin(flags)]
    frame = selected.merge(
        dist[["source_id", "r_est", "r_lo", "r_hi", "r_len", "result_flag", "modality_flag"]].rename(
            columns={"source_id": "gaia_dr2_id1"}
        ),
        on="gaia_dr2_id1",
        how="left",
        validate="many_to_one",
    )
    if extinction is None:
        frame["ebv"] = frame["ebmv_sfd"].astype(np.float64)
    else:
        frame = frame.merge(extinction[["object_id", "ebv"]], on="object_id", how="left", validate="one_to_one")
        if frame["ebv"].isna().any():
            raise InputError(f"extinction table lacks {int(frame['ebv'].isna().sum())} selected object(s)")
    frame["has_distance"] = frame["r_est"].notna() & (frame["r_est"] > 0)
    frame["a_j"] = cuts["aj_per_ebv"] * frame["ebv"]
    frame["jk0"] = dereddened_jk(frame["j_m"], frame["k_m"], frame["ebv"], cuts["ejk_per_ebv"])
    frame["abs_j"] = absolute_j(frame["j_m"], frame["r_est"], frame["ebv"], cuts["aj_per_ebv"])

    n_missing = int((~frame["has_distance"]).sum())
    if cuts["missing_distance"] == "drop":
        distance_ok = frame["has_distance"].to_numpy()
        note = "objects without an accepted distance dropped"
    else:
        distance_ok = np.ones(len(frame), dtype=bool)
        note = "objects without an accepted distance kept (abs_j = NaN)"
    log.info("%d of %d selected objects have no accepted distance (%s)", n_missing, len(frame), cuts["missing_distance"])
    abs_j = frame["abs_j"].to_numpy()
    steps = [  # names: CUT_CONFIG_KEYS
        ("distance", distance_ok, note),
        ("jk0_min", frame["jk0"].to_numpy() > cuts["jk_min"], f"(J-K) - {cuts['ejk_per_ebv']} E(B-V) > {cuts['jk_min']}"),
        ("j_max", frame["j_m"].to_numpy(dtype=np.float64) < cuts["j_max"], f"J < {cuts['j_max']}"),
        ("abs_j_max", (abs_j < cuts["abs_j_max"]) | np.isnan(abs_j), f"M_J < {cuts['abs_j_max']} (objects without distance pass)"),
    ]
    keep = np.ones(len(frame), dtype=bool)
    stages = [("selected", keep.copy(), "")]
    for name, mask, step_note in steps:
        keep &= mask
        stages.append((name, keep.copy(), step_note))
    flow = cutflow_table(stages, frame)
    return frame.loc[keep].reset_index(drop=True), flow


def cutflow_table(stages: list[tuple[str, np.ndarray, str]], frame: pd.DataFrame) -> pd.DataFrame:
    """Rows left after each stage (``tile = 'all'``).

    ``without_distance`` counts the rows left that have no accepted distance (non-zero only with
    ``missing_distance: keep``, after the distance step).
    """
    has_distance = frame["has_distance"].to_numpy()
    rows = [{"tile": "all", "cut": name, "rows_left": int(mask.sum()), "without_distance": int((mask & ~has_distance).sum()), "note": note}
            for name, mask, note in stages]
    return pd.DataFrame(rows)


def total_cutflow(flows: list[pd.DataFrame]) -> pd.DataFrame:
    """The per-tile cut-flows summed into ``tile = 'all'`` rows, followed by the per-tile rows."""
    per_tile = pd.concat(flows, ignore_index=True)
    total = per_tile.groupby("cut", sort=False, as_index=False).agg(
        rows_left=("rows_left", "sum"), without_distance=("without_distance", "sum"), note=("note", "first")
    )
    total.insert(0, "tile", "all")
    return pd.concat([total, per_tile], ignore_index=True)[["tile", "cut", "rows_left", "without_distance", "note"]]
