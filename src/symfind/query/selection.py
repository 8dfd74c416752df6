"""Stage 1: the selection query, as one list of criteria applied locally or written as ADQL.

The criteria are built once from the ``selection`` config section (:func:`criteria_from_config`).
The same list filters a local table (:func:`apply_selection`, with a count after each criterion) and
becomes the WHERE clause of the TAP query (:func:`symfind.query.sources.tap.selection_adql`), so the embedded sample, a user's
files and the archive see exactly the same selection.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..io import InputError
from .releases import ArchiveSchema


_OPS = {"<": np.less, ">": np.greater, "=": np.equal}

#: Ties at a threshold are decided at the catalogues' precision, not by how a service stores the
#: numbers: survey magnitudes are decimals (2MASS to 0.001 mag) that one service keeps as float32
#: and another as float64, and each representation puts an exact tie (J - K = 0.850 against
#: 0.85) on a different side. A strict inequality with a non-integer threshold therefore excludes
#: values within this tolerance (in the column's unit) of the threshold: far below any catalogue's
#: quantum, far above float32 rounding (<= 2e-6 for a difference of two magnitudes near 14). The
#: local filter and the ADQL use the same shifted constant, so both give the same rows.
TIE_TOLERANCE = 1e-5
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TEXT = re.compile(r"^[A-Za-z0-9]{1,8}$")

#: Table alias of each joined table role (:mod:`symfind.query.releases`) in the ADQL query.
ROLE_ALIAS: dict[str, str] = {"master": "m", "twomass_psc": "t", "gaia": "g", "allwise": "w"}

#: Table role of each joined column (symfind's names, :mod:`symfind.columns`).
COLUMN_ROLE: dict[str, str] = {
    **{c: "master" for c in C.MASTER_COLUMNS},
    **{c: "twomass_psc" for c in C.TWOMASS_COLUMNS},
    **{c: "gaia" for c in C.GAIA_COLUMNS},
    **{c: "allwise" for c in C.ALLWISE_COLUMNS},
}

#: Table alias of each joined column in the ADQL query.
ADQL_ALIAS: dict[str, str] = {c: ROLE_ALIAS[role] for c, role in COLUMN_ROLE.items()}


@dataclass(frozen=True)
class Criterion:
    """One selection condition: ``column op value``, or ``column IS NULL`` when ``op`` is ``null``.

    ``column`` may be a pair ``(a, b)`` meaning the difference ``a - b`` (e.g. J - K).
    ``key`` is the config key the condition comes from (for the cut-flow table and errors).
    """

    key: str
    column: str | tuple[str, str]
    op: str
    value: float | int | str | None = None

    def __post_init__(self) -> None:
        names = self.column if isinstance(self.column, tuple) else (self.column,)
        for name in names:
            if name not in ADQL_ALIAS or not _NAME.match(name):
                raise InputError(f"selection: column {name!r} is not an allowed archive column")
        if self.op not in (*_OPS, "null"):
            raise InputError(f"selection.{self.key}: unknown operator {self.op!r}")
        if self.op != "null":
            if isinstance(self.value, str):
                if not _TEXT.match(self.value):
                    raise InputError(
                        f"selection.{self.key}: {self.value!r} is not a valid flag value "
                        "(letters and digits only, at most 8)"
                    )
            elif isinstance(self.value, bool) or not isinstance(self.value, (int, float)) or not math.isfinite(self.value):
                raise InputError(f"selection.{self.key}: expected a finite number, got {self.value!r}")

    def values(self, frame: pd.DataFrame) -> pd.Series:
        if isinstance(self.column, tuple):
            a, b = self.column
            return frame[a].astype("float64") - frame[b].astype("float64")
        return frame[self.column]

    def threshold(self) -> float | int | str | None:
        """The value compared with: for ``<`` and ``>`` with a float threshold, shifted by
        :data:`TIE_TOLERANCE` so that a tie fails the strict inequality however it is stored."""
        if self.op in ("<", ">") and isinstance(self.value, float):
            shifted = self.value + TIE_TOLERANCE if self.op == ">" else self.value - TIE_TOLERANCE
            return round(shifted, 10)  # the same double in the local filter and the ADQL text
        return self.value

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean mask of the rows that satisfy the condition (missing values never do)."""
        values = self.values(frame)
        if self.op == "null":
            return values.isna().to_numpy()
        if isinstance(self.value, str):
            return (values.astype("string") == self.value).fillna(False).to_numpy(dtype=bool)
        numeric = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        with np.errstate(invalid="ignore"):
            return _OPS[self.op](numeric, float(self.threshold())) & ~np.isnan(numeric)

    def adql(self, schema: ArchiveSchema | None = None) -> str:
        """The condition as ADQL (numbers and allow-listed names only), in the archive names of
        ``schema`` (:func:`symfind.query.releases.archive_schema`; default: symfind's own, the DR2 names).
        A column the release does not have is refused, naming the config key."""

        def name(column: str) -> str:
            archive = column if schema is None else schema.require(COLUMN_ROLE[column], column, f"selection.{self.key}")
            return f"{ADQL_ALIAS[column]}.{archive}"

        if isinstance(self.column, tuple):
            a, b = self.column
            lhs = f"({name(a)} - {name(b)})"
        else:
            lhs = name(self.column)
        if self.op == "null":
            return f"{lhs} IS NULL"
        threshold = self.threshold()
        value = f"'{threshold}'" if isinstance(threshold, str) else repr(float(threshold)) if isinstance(threshold, float) else str(int(threshold))
        return f"{lhs} {self.op} {value}"


def criteria_from_config(selection: Mapping[str, Any]) -> list[Criterion]:
    """The selection criteria, in the order the cut-flow table reports them."""
    s = selection
    crit = [
        Criterion("twomass_radius_arcsec", "twomass_dist", "<", s["twomass_radius_arcsec"]),
        Criterion("gaia_radius_arcsec", "gaia_dr2_dist1", "<", s["gaia_radius_arcsec"]),
        Criterion("allwise_radius_arcsec", "allwise_dist", "<", s["allwise_radius_arcsec"]),
        Criterion("ph_qual", "ph_qual", "=", s["ph_qual"]),
        Criterion("gal_contam", "gal_contam", "=", s["gal_contam"]),
    ]
    if s["require_no_extended"]:
        crit.append(Criterion("require_no_extended", "ext_key", "null"))
    crit += [
        Criterion("cc_flg", "cc_flg", "=", s["cc_flg"]),
        Criterion("class_star_min", "class_star", ">", s["class_star_min"]),
        Criterion("flags_psf", "flags_psf", "=", s["flags_psf"]),
        Criterion("nch_max", "nch_max", "=", s["nch_max"]),
        Criterion("prox_min_arcsec", "prox", ">", s["prox_min_arcsec"]),
    ]
    crit += [Criterion(f"require_detection.{b}", f"{b}_ngood", ">", 0) for b in s["require_detection"]]
    crit += [
        Criterion("jk_min", ("j_m", "k_m"), ">", s["jk_min"]),
        Criterion("j_max", "j_m", "<", s["j_max"]),
        Criterion("parallax_min_mas", "parallax", ">", s["parallax_min_mas"]),
        Criterion("parallax_max_mas", "parallax", "<", s["parallax_max_mas"]),
    ]
    return crit


def apply_selection(joined: pd.DataFrame, criteria: list[Criterion]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply ``criteria`` in order; return the selected rows and a cut-flow table.

    The cut-flow has one row per criterion: ``step, criterion, rows_left`` (after that criterion),
    led by the number of input rows.
    """
    keep = np.ones(len(joined), dtype=bool)
    flow = [{"step": "input", "criterion": "joined master table", "rows_left": len(joined)}]
    for crit in criteria:
        keep &= crit.mask(joined)
        flow.append({"step": crit.key, "criterion": crit.adql(), "rows_left": int(keep.sum())})
    selected = joined.loc[keep].reset_index(drop=True)
    return selected, pd.DataFrame(flow)


def join_survey_tables(
    master: pd.DataFrame, twomass: pd.DataFrame, gaia: pd.DataFrame, allwise: pd.DataFrame
) -> pd.DataFrame:
    """Inner-join the four survey tables the way the archive query does."""
    joined = master.dropna(subset=["twomass_key", "gaia_dr2_id1", "allwise_cntr"])
    joined = joined.merge(twomass, left_on="twomass_key", right_on="pts_key", how="inner", validate="many_to_one")
    joined = joined.merge(gaia, left_on="gaia_dr2_id1", right_on="source_id", how="inner", validate="many_to_one")
    joined = joined.merge(allwise, left_on="allwise_cntr", right_on="cntr", how="inner", validate="many_to_one")
    return joined.sort_values("object_id", kind="stable", ignore_index=True)
