"""Runner of ``workflow/rules/gaia_dr3.smk`` (stage 2): Gaia DR3's own evidence for one tile's objects."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..gaia_dr3 import GAIA_DR3_TABLE_NAMES, dr3_source_ids, evidence_counts, gaia_dr3_evidence, normalise_flags, strict_columns
from ..io import InputError, read_table, write_table

log = logging.getLogger(__name__)

#: The file of each Gaia DR3 table in a folder of survey tables (the sample's layout): the Gaia
#: archive's name with ``_`` for the dot.
GAIA_DR3_FILES: dict[str, str] = {name: f"gaiadr3_{name}.parquet" for name in (*GAIA_DR3_TABLE_NAMES, "dr2_neighbourhood")}


def read_gaia_dr3_table(name: str, path: str | Path, key: str, ids: np.ndarray) -> pd.DataFrame:
    """Rows of Gaia DR3 table ``name`` (file ``path``) whose ``key`` is one of ``ids``, in symfind's
    columns; a file that lacks a column is refused, naming the file and the column."""
    registry = C.DR2_NEIGHBOURHOOD_COLUMNS if name == "dr2_neighbourhood" else strict_columns(name)
    wanted = [int(i) for i in pd.unique(ids)]
    frame = read_table(path, registry, parquet_filters=[(key, "in", wanted)] if wanted else None)
    if name != "dr2_neighbourhood":
        lenient = [c for c in C.GAIA_DR3_TABLES[name] if c not in registry]
        absent = [c for c in lenient if c not in frame.columns]
        if absent:
            raise InputError(f"{path}: missing column(s) {', '.join(absent)}; found {', '.join(map(str, frame.columns))}")
        frame = normalise_flags(frame, str(path))
    frame = frame[frame[key].isin(wanted)] if wanted else frame.iloc[:0]
    columns = list(C.DR2_NEIGHBOURHOOD_COLUMNS if name == "dr2_neighbourhood" else C.GAIA_DR3_TABLES[name])
    return frame[columns].reset_index(drop=True)


def fetch_gaia_dr3(selected_parquet: str | Path, out_parquet: str | Path, source: str, release: str,
                   settings: Mapping[str, Any], tables: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Rule ``fetch_gaia_dr3``: one row per selected object of the tile
    (:data:`symfind.columns.GAIA_DR3_EVIDENCE_COLUMNS`) from the Gaia DR3 tables of ``tables``
    (name -> path: those of ``settings['tables']`` that the source has, and ``dr2_neighbourhood``
    for release ``dr2``). A table not given leaves its columns missing; so does a release ``dr2``
    sky without the neighbourhood table (said in the log and the summary)."""
    selected = pd.read_parquet(selected_parquet, columns=["object_id", "gaia_dr2_id1"])
    object_ids = selected["object_id"].to_numpy(dtype=np.int64)
    gaia_ids = pd.array(selected["gaia_dr2_id1"], dtype="Int64")
    paths = {name: path for name, path in (tables or {}).items() if path}
    wanted = [name for name in settings.get("tables", GAIA_DR3_TABLE_NAMES) if name in paths]
    if source == "tap" and settings.get("tables"):
        log.warning("Gaia DR3 tables over TAP are not queried by this version: give them as files (files.<table>); "
                    "the evidence columns stay missing")
        wanted = []
    if wanted and release == "dr2":
        if "dr2_neighbourhood" not in paths:
            log.warning("release dr2: no gaiadr3.dr2_neighbourhood table to map the Gaia DR2 ids to DR3; the Gaia DR3 "
                        "tables (%s) are not used", ", ".join(wanted))
            wanted = []
            dr3_ids = pd.Series(pd.NA, index=range(len(object_ids)), dtype="Int64")
        else:
            known = np.asarray(gaia_ids.dropna(), dtype=np.int64)
            neighbourhood = read_gaia_dr3_table("dr2_neighbourhood", paths["dr2_neighbourhood"], "dr2_source_id", known)
            dr3_ids = dr3_source_ids(gaia_ids, neighbourhood)
    else:
        dr3_ids = pd.Series(gaia_ids if wanted else pd.array([pd.NA] * len(object_ids), dtype="Int64"), dtype="Int64")
    ids = np.asarray(dr3_ids.dropna(), dtype=np.int64)
    rows = {name: read_gaia_dr3_table(name, paths[name], "source_id", ids) for name in wanted}
    evidence = gaia_dr3_evidence(object_ids, dr3_ids, rows, settings.get("halpha_flags"),
                                 where={name: str(paths[name]) for name in wanted})
    counts = evidence_counts(evidence)
    log.info("Gaia DR3 evidence: %d objects, %d with a DR3 id; rows in %s; Halpha emission >= 3 sigma: %d; LPV: %d; SYST: %d",
             counts["objects"], counts["with_dr3_id"],
             ", ".join(f"{name} {counts[name]}" for name in GAIA_DR3_TABLE_NAMES) if wanted else "no table (none given)",
             counts["halpha_emission_3sigma"], counts["lpv"], counts["syst"])
    write_table(evidence, out_parquet)
    return evidence
