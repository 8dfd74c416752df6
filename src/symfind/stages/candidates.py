"""Runner of ``workflow/rules/candidates.smk`` (stage 8): the VAE's candidates as tables for TOPCAT and friends."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..io import atomic_path, write_table

log = logging.getLogger(__name__)


def candidate_table(scored_parquet: str | Path, matches_csv: str | Path, out_csv: str | Path, out_fits: str | Path,
                    out_vot: str | Path) -> pd.DataFrame:
    """Rule ``candidate_table``: the VAE's candidates as CSV, FITS and VOTable (units, UCDs, descriptions)."""
    from .. import candidates as kernel

    table = kernel.candidate_table(pd.read_parquet(scored_parquet), pd.read_csv(matches_csv))
    write_table(table, out_csv)
    with atomic_path(out_fits) as tmp:
        kernel.to_astropy(table).write(tmp, format="fits", overwrite=True)  # tmp exists (made by atomic_path)
    kernel.write_votable(table, out_vot)
    log.info("%d candidates (%d match a known symbiotic star) -> %s, %s, %s", len(table),
             int((table["known_name"] != "").sum()), out_csv, out_fits, out_vot)
    return table
