"""Runner of ``workflow/rules/candidates.smk`` (stage 8): the VAE's candidates as tables for TOPCAT and friends."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..columns import REVERSED_COLOUR_COLUMNS
from ..io import read_parquet_without, write_table

log = logging.getLogger(__name__)


def candidate_table(scored_parquet: str | Path, matches_csv: str | Path, out_csv: str | Path, out_fits: str | Path,
                    out_vot: str | Path, config_used: str | Path | None = None) -> pd.DataFrame:
    """Rule ``candidate_table``: the VAE's candidates as CSV, FITS and VOTable (units, UCDs,
    descriptions; the FITS and VOTable say which symfind and which ``config_used`` made them)."""
    from ..present import candidates as kernel
    from ..present.vo import provenance, write_fits, write_votable

    # the candidates' rows only (2% of a sky), without the reversed colours the table does not carry
    candidates = read_parquet_without(scored_parquet, REVERSED_COLOUR_COLUMNS, filters=[("is_candidate", "==", True)])
    table = kernel.candidate_table(candidates, pd.read_csv(matches_csv))
    write_table(table, out_csv)
    origin = provenance(config_used)
    write_fits(table, kernel.COLUMN_META, out_fits, origin, extname="CANDIDATES")
    write_votable(table, kernel.COLUMN_META, out_vot, origin)
    log.info("%d candidates (%d match a known symbiotic star) -> %s, %s, %s", len(table),
             int((table["known_name"] != "").sum()), out_csv, out_fits, out_vot)
    return table
