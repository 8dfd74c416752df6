"""Runners of ``workflow/rules/distances.smk`` (stage 2): Bailer-Jones distances, E(B-V) in front of each star."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..photometry.extinction import compute_ebv
from ..io import write_table
from ..query.sources import open_source, upload_parts

log = logging.getLogger(__name__)


def fetch_distances(selected_parquet: str | Path, source: str, out_parquet: str | Path, out_missing: str | Path,
                    tables: Mapping[str, str] | None = None, tap: Mapping[str, Any] | None = None,
                    names: Mapping[str, Any] | None = None, hats: Mapping[str, Any] | None = None,
                    dask: Mapping[str, Any] | None = None, threads: int = 1, tile: int | None = None,
                    nside: int | None = None) -> pd.DataFrame:
    """Rule ``fetch_distances``: the distances (pc) of one tile's Gaia sources, and the ids without
    one; ``names``: the release and distance catalogue (:func:`symfind.query.releases.archive_schema`);
    ``hats``, ``dask``, ``threads``: the HATS catalogues and their Dask (source ``hats``), ``tile`` at
    ``nside`` the tile whose pixels are read there."""
    ids = pd.read_parquet(selected_parquet, columns=["gaia_dr2_id1"])["gaia_dr2_id1"].to_numpy(dtype=np.int64)
    with upload_parts(out_parquet) as parts:
        found, missing = open_source(source, tables, tap, names, parts, hats=hats, dask=dask, threads=threads,
                                     region=None if tile is None or nside is None else (int(nside), int(tile))).distances(ids)
        log.info("Bailer-Jones distances: %d requested, %d found, %d missing (listed in %s)",
                 len(found) + len(missing), len(found), len(missing), out_missing)
        write_table(found, out_parquet)
        write_table(missing, out_missing)
    return found


def extinction(selected_parquet: str | Path, distances_parquet: str | Path, params: Mapping[str, Any], out_parquet: str | Path) -> pd.DataFrame:
    """Rule ``extinction``: E(B-V) (mag) in front of each selected object of one tile."""
    selected = pd.read_parquet(selected_parquet)
    distances = pd.read_parquet(distances_parquet)
    table = compute_ebv(selected, distances, params)
    log.info(
        "E(B-V) by %s%s: %d objects, %d from their distance, median %.3f (SFD total %.3f)",
        params["model"],
        f" (dust layer h = {params['layer_scale_height_pc']} pc)" if params.get("layer_scale_height_pc") else "",
        len(table), int(table["ebv_uses_distance"].sum()), table["ebv"].median(), table["ebv_sfd"].median(),
    )
    write_table(table, out_parquet)
    return table
