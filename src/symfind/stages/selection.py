"""Runners of ``workflow/rules/selection.smk`` (stage 1): the selection and the per-epoch photometry."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..io import write_table
from ..query.selection import criteria_from_config
from ..query.sources import open_source, upload_parts
from ..query.tiles import TILE_COLUMN, gather, tile_counts, tile_index, write_tile_list

log = logging.getLogger(__name__)


def select_tile(source: str, tile: int, out_parquet: str | Path, selection_parquet: str | Path | None = None,
                selection: Mapping[str, Any] | None = None, tap: Mapping[str, Any] | None = None, nside: int | None = None,
                names: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Rule ``select_tile``: the selected objects of nested HEALPix ``tile``, in the archive's columns.

    With local tables, the tile's rows of the selection (``selection_parquet``, by its stored
    ``tile`` column: no HEALPix computed again). Over TAP (``source`` ``tap``), the archive's
    selection query on the tile (``selection`` criteria, ``tap`` services, ``nside``).
    """
    if source == "tap":
        selected, _ = open_source("tap", tap=tap, names=names).select(criteria_from_config(selection), int(nside), int(tile))
    else:
        selected = pd.read_parquet(selection_parquet, filters=[(TILE_COLUMN, "==", int(tile))])
        selected = selected.drop(columns=TILE_COLUMN).reset_index(drop=True)
    log.info("tile %d: %d selected objects", tile, len(selected))
    write_table(selected, out_parquet)
    return selected


def select_objects(source: str, selection: Mapping[str, Any], nside: int, out_parquet: str | Path,
                   out_cutflow: str | Path, out_tiles: str | Path, tables: Mapping[str, str] | None = None,
                   tile_parquets: list[str] | None = None, tiles: list[int] | None = None,
                   names: Mapping[str, Any] | None = None, hats: Mapping[str, Any] | None = None,
                   dask: Mapping[str, Any] | None = None, threads: int = 1) -> pd.DataFrame:
    """Rule ``select_objects`` (a checkpoint): the selected objects with their nested HEALPix tile at
    ``nside`` (column ``tile``), the cut-flow and the list of tiles the per-tile stages run on.

    Tables on disk (source ``sample`` or ``files``, ``tables``: name -> path) and HATS catalogues
    (source ``hats``: the ``hats`` config section, on the Dask of ``dask`` with ``threads`` local
    workers) are selected here at once; the cut-flow has the rows left after each criterion and the tile list the tiles that hold
    selected objects. Over TAP the per-tile queries (``tile_parquets`` of ``tiles``, rule
    ``select_tile``) are gathered; the cut-flow has the rows of each tile's server-side query and
    the tile list every queried tile.
    """
    from ..query.releases import archive_schema
    from ..query.sources.tap import selection_adql

    criteria = criteria_from_config(selection)
    if source == "tap":
        selected = gather(tile_parquets or [], key="object_id", tiles=tiles or [])
        counts = tile_counts(selected[TILE_COLUMN], tiles or [])
        flow = pd.DataFrame({"step": "tap_query",
                             "criterion": [f"selection query (server side), tile {t}" for t in ["all", *counts["tile"]]],
                             "rows_left": [int(counts["rows"].sum()), *counts["rows"]]})
    else:
        log.info("selection ADQL (as it would run on the archive):\n%s", selection_adql(criteria, schema=archive_schema(names or {})))
        selected, flow = open_source(source, tables, names=names, hats=hats, dask=dask, threads=threads).select(criteria, int(nside))
        for row in flow.itertuples():
            log.info("%-28s %10d rows left", row.step, row.rows_left)
        selected = selected.assign(**{TILE_COLUMN: tile_index(selected["raj2000"], selected["dej2000"], int(nside)).astype(np.int64)})
        counts = tile_counts(selected[TILE_COLUMN])
    write_table(selected, out_parquet)
    write_table(flow, out_cutflow)
    write_tile_list(counts, out_tiles)
    log.info("%d objects selected in %d tiles of nside %d", len(selected), len(counts), int(nside))
    return selected


def fetch_epochs(selected_parquet: str | Path, source: str, out_parquet: str | Path, tables: Mapping[str, str] | None = None,
                 tap: Mapping[str, Any] | None = None, names: Mapping[str, Any] | None = None,
                 hats: Mapping[str, Any] | None = None, dask: Mapping[str, Any] | None = None, threads: int = 1,
                 tile: int | None = None, nside: int | None = None) -> pd.DataFrame:
    """Rule ``fetch_epochs``: the per-epoch photometry of one tile's selected objects, from the source
    (``hats``, ``dask``, ``threads``: as for :func:`select_objects`; ``tile`` at ``nside``: the tile,
    where HATS catalogues are read)."""
    ids = pd.read_parquet(selected_parquet, columns=["object_id"])["object_id"].to_numpy()
    with upload_parts(out_parquet) as parts:
        epochs = open_source(source, tables, tap, names, parts, hats=hats, dask=dask, threads=threads,
                             region=None if tile is None or nside is None else (int(nside), int(tile))).epochs(ids)
        n_with = epochs["object_id"].nunique()
        log.info("%d epochs of %d selected objects (%d objects have none)", len(epochs), n_with, len(ids) - n_with)
        write_table(epochs, out_parquet)
    return epochs
