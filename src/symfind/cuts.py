"""Stage 3: distance- and extinction-corrected cuts.

- Extinction-corrected colour: ``(J - K)_0 = (J - K) - ejk_per_ebv * E(B-V)``, with
  E(J-Ks)/E(B-V) = 0.413 (Schlafly & Finkbeiner 2011, ApJ 737, 103, R_V = 3.1) and E(B-V) the
  catalogue's ``ebmv_sfd`` (Schlegel, Finkbeiner & Davis 1998; total line of sight).
- Absolute magnitude: ``M_J = J - 5 log10(r_est / pc) + 5 - A_J`` with ``A_J = aj_per_ebv * E(B-V)``
  (0.723, same reference). Base-10 logarithm: the natural log was a bug of the original scripts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .io import write_table

log = logging.getLogger(__name__)


def distance_modulus(r_pc: np.ndarray) -> np.ndarray:
    """Distance modulus ``5 log10(r / pc) - 5`` (mag) of a distance in pc."""
    r_pc = np.asarray(r_pc, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r_pc > 0, 5.0 * np.log10(r_pc) - 5.0, np.nan)


def absolute_j(j_m: np.ndarray, r_pc: np.ndarray, ebv: np.ndarray, aj_per_ebv: float) -> np.ndarray:
    """Absolute J magnitude ``J - DM(r) - A_J`` (mag); NaN where the distance is missing or <= 0."""
    return np.asarray(j_m, dtype=np.float64) - distance_modulus(r_pc) - aj_per_ebv * np.asarray(ebv, dtype=np.float64)


def dereddened_jk(j_m: np.ndarray, k_m: np.ndarray, ebv: np.ndarray, ejk_per_ebv: float) -> np.ndarray:
    """Extinction-corrected colour ``(J - K) - E(J-K)`` (mag)."""
    return np.asarray(j_m, dtype=np.float64) - np.asarray(k_m, dtype=np.float64) - ejk_per_ebv * np.asarray(ebv, dtype=np.float64)


def apply_cuts(selected: pd.DataFrame, distances: pd.DataFrame, cuts: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attach distances, derive ``jk0`` and ``abs_j``, and apply the cuts in order.

    Returns ``(filtered, cutflow)``; the cut-flow lists the rows left after each cut. Objects
    without an accepted distance are dropped or kept (with NaN ``abs_j``, which then passes the
    absolute-magnitude cut) according to ``cuts['missing_distance']``; they are counted either way.
    """
    dist = distances[distances["result_flag"].isin(cuts["distance_result_flags"])]
    frame = selected.merge(
        dist[["source_id", "r_est", "r_lo", "r_hi", "r_len", "result_flag", "modality_flag"]].rename(
            columns={"source_id": "gaia_dr2_id1"}
        ),
        on="gaia_dr2_id1",
        how="left",
        validate="many_to_one",
    )
    frame["has_distance"] = frame["r_est"].notna() & (frame["r_est"] > 0)
    frame["a_j"] = cuts["aj_per_ebv"] * frame["ebmv_sfd"].astype(np.float64)
    frame["jk0"] = dereddened_jk(frame["j_m"], frame["k_m"], frame["ebmv_sfd"], cuts["ejk_per_ebv"])
    frame["abs_j"] = absolute_j(frame["j_m"], frame["r_est"], frame["ebmv_sfd"], cuts["aj_per_ebv"])

    flow = [{"cut": "selected", "rows_left": len(frame), "note": ""}]
    n_missing = int((~frame["has_distance"]).sum())
    if cuts["missing_distance"] == "drop":
        frame = frame[frame["has_distance"]]
        note = f"{n_missing} without an accepted distance dropped"
    else:
        note = f"{n_missing} without an accepted distance kept (abs_j = NaN)"
    flow.append({"cut": "distance", "rows_left": len(frame), "note": note})
    steps = [
        ("jk0_min", frame["jk0"] > cuts["jk_min"], f"(J-K) - {cuts['ejk_per_ebv']} E(B-V) > {cuts['jk_min']}"),
        ("j_max", frame["j_m"] < cuts["j_max"], f"J < {cuts['j_max']}"),
    ]
    for name, mask, note in steps:
        frame = frame[mask.loc[frame.index]]
        flow.append({"cut": name, "rows_left": len(frame), "note": note})
    abs_ok = (frame["abs_j"] < cuts["abs_j_max"]) | frame["abs_j"].isna()
    frame = frame[abs_ok]
    flow.append({"cut": "abs_j_max", "rows_left": len(frame), "note": f"M_J < {cuts['abs_j_max']} (objects without distance pass)"})
    return frame.reset_index(drop=True), pd.DataFrame(flow)


def run_cuts(selected_parquet: str | Path, distances_parquet: str | Path, cuts: Mapping[str, Any], out_csv: str | Path, out_parquet: str | Path, out_cutflow: str | Path) -> pd.DataFrame:
    """Stage 3: write the filtered catalogue and its cut-flow table."""
    selected = pd.read_parquet(selected_parquet)
    distances = pd.read_parquet(distances_parquet)
    filtered, flow = apply_cuts(selected, distances, cuts)
    for row in flow.itertuples():
        log.info("%-12s %10d rows left  %s", row.cut, row.rows_left, row.note)
    write_table(filtered, out_parquet)
    write_table(filtered, out_csv)
    write_table(flow, out_cutflow)
    return filtered
