"""Runner of ``workflow/rules/gaia_dr3.smk`` (stage 2): Gaia DR3's own evidence for one tile's objects."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..query.gaia_dr3 import GAIA_DR3_SOURCE_TABLES, GAIA_DR3_TABLE_NAMES, dr3_source_ids, evidence_counts, gaia_dr3_evidence
from ..io import write_table
from ..query.sources import open_source, upload_parts

log = logging.getLogger(__name__)

def fetch_gaia_dr3(selected_parquet: str | Path, out_parquet: str | Path, source: str, release: str,
                   settings: Mapping[str, Any], tables: Mapping[str, str] | None = None,
                   tap: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Rule ``fetch_gaia_dr3``: one row per selected object of the tile
    (:data:`symfind.columns.GAIA_DR3_EVIDENCE_COLUMNS`) from the Gaia DR3 tables of
    ``settings['tables']`` that the source has: over TAP every one (the Gaia archive, ``tap.gaia``),
    from tables on disk those of ``tables`` (name -> path; ``dr2_neighbourhood`` too for release
    ``dr2``). A table not given leaves its columns missing; so does a release ``dr2`` sky without the
    neighbourhood table (said in the log and the summary)."""
    selected = pd.read_parquet(selected_parquet, columns=["object_id", "gaia_dr2_id1"])
    object_ids = selected["object_id"].to_numpy(dtype=np.int64)
    gaia_ids = pd.array(selected["gaia_dr2_id1"], dtype="Int64")
    paths = {name: path for name, path in (tables or {}).items() if path}
    available = set(GAIA_DR3_SOURCE_TABLES) if source == "tap" else set(paths)
    wanted = [name for name in settings.get("tables", GAIA_DR3_TABLE_NAMES) if name in available]
    dr3_ids = pd.Series(pd.array([pd.NA] * len(object_ids), dtype="Int64"))
    with upload_parts(out_parquet) as parts:
        archive = open_source(source, paths, tap, {"release": release}, parts) if wanted else None
        if wanted and release == "dr2":
            if "dr2_neighbourhood" not in available:
                log.warning("release dr2: no gaiadr3.dr2_neighbourhood table to map the Gaia DR2 ids to DR3; the Gaia DR3 "
                            "tables (%s) are not used", ", ".join(wanted))
                wanted = []
            else:
                known = np.asarray(gaia_ids.dropna(), dtype=np.int64)
                dr3_ids = dr3_source_ids(gaia_ids, archive.gaia_dr3("dr2_neighbourhood", known))
        elif wanted:
            dr3_ids = pd.Series(gaia_ids)  # release dr4: the master's Gaia match is a DR3 source_id
        ids = np.asarray(dr3_ids.dropna(), dtype=np.int64)
        rows = {name: archive.gaia_dr3(name, ids) for name in wanted}
        evidence = gaia_dr3_evidence(object_ids, dr3_ids, rows, settings.get("halpha_flags"),
                                     where={name: str(paths.get(name, f"gaiadr3.{name}")) for name in wanted})
        counts = evidence_counts(evidence)
        log.info("Gaia DR3 evidence: %d objects, %d with a DR3 id; rows in %s; Halpha emission >= 3 sigma: %d; LPV: %d; "
                 "SYST: %d", counts["objects"], counts["with_dr3_id"],
                 ", ".join(f"{name} {counts[name]}" for name in wanted) if wanted else "no table (none given)",
                 counts["halpha_emission_3sigma"], counts["lpv"], counts["syst"])
        write_table(evidence, out_parquet)
    return evidence
