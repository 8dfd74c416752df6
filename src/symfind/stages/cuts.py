"""Runners of ``workflow/rules/cuts.smk`` (stage 3): the colour and absolute-magnitude cuts, per tile."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..photometry import cuts as kernel
from ..io import write_table

log = logging.getLogger(__name__)


def apply_cuts(selected_parquet: str | Path, distances_parquet: str | Path, extinction_parquet: str | Path,
               cuts: Mapping[str, Any], tile: int, out_parquet: str | Path, out_cutflow: str | Path) -> pd.DataFrame:
    """Rule ``apply_cuts``: one tile's objects after the cuts and its cut-flow (``tile`` column)."""
    selected = pd.read_parquet(selected_parquet)
    distances = pd.read_parquet(distances_parquet)
    extinction = pd.read_parquet(extinction_parquet)
    after_cuts, flow = kernel.apply_cuts(selected, distances, cuts, extinction)
    flow["tile"] = str(tile)
    for row in flow.itertuples():
        log.info("tile %s %-12s %10d rows left  %s", tile, row.cut, row.rows_left, row.note)
    write_table(after_cuts, out_parquet)
    write_table(flow, out_cutflow)
    return after_cuts
