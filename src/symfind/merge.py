"""Stage 5: the analysis table, the filtered catalogue inner-joined with the colours on ``object_id``."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from .io import InputError, write_table

log = logging.getLogger(__name__)


def merge_catalogue_colors(filtered: pd.DataFrame, colors: pd.DataFrame) -> pd.DataFrame:
    """Inner join on ``object_id`` (one row per object; both sides must have unique ids)."""
    for name, frame in (("filtered catalogue", filtered), ("colour table", colors)):
        dup = frame["object_id"].duplicated()
        if dup.any():
            raise InputError(f"{name}: column 'object_id' must be unique; {int(dup.sum())} duplicate(s)")
    clash = (set(filtered.columns) & set(colors.columns)) - {"object_id"}
    if clash:
        raise InputError(f"colour table: column(s) {sorted(clash)} also exist in the filtered catalogue")
    merged = filtered.merge(colors, on="object_id", how="inner", validate="one_to_one")
    return merged.sort_values("object_id", kind="stable", ignore_index=True)


def run_merge(filtered_parquet: str | Path, colors_parquet: str | Path, out_csv: str | Path, out_parquet: str | Path) -> pd.DataFrame:
    """Stage 5: write the merged analysis table."""
    filtered = pd.read_parquet(filtered_parquet)
    colors = pd.read_parquet(colors_parquet)
    merged = merge_catalogue_colors(filtered, colors)
    log.info(
        "merged: %d filtered objects x %d with colours -> %d rows (%d filtered objects have no epochs)",
        len(filtered), len(colors), len(merged), len(filtered) - len(merged),
    )
    write_table(merged, out_parquet)
    write_table(merged, out_csv)
    return merged
