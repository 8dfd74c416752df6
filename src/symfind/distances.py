"""Stage 2: Bailer-Jones et al. (2018) geometric distances of the selected Gaia DR2 sources.

Every requested ``source_id`` is accounted for: found (in ``bailer_jones_distances.csv``) or listed
in ``bailer_jones_missing.csv``; the counts go to the log. No ``TOP`` limit anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .io import InputError, read_table, write_table

log = logging.getLogger(__name__)


def lookup_distances(source_ids: np.ndarray, table: pd.DataFrame, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Distances of ``source_ids`` from a Bailer-Jones table; returns ``(found, missing)``.

    ``found`` has the archive columns (pc), one row per requested id present in ``table``;
    ``missing`` has the requested ids that are not.
    """
    dup = table["source_id"].duplicated()
    if dup.any():
        raise InputError(f"{source}: column 'source_id' must be unique; {int(dup.sum())} duplicate(s)")
    requested = pd.Index(pd.unique(np.asarray(source_ids, dtype=np.int64)))
    found = table[table["source_id"].isin(requested)][list(C.DISTANCE_COLUMNS)]
    found = found.sort_values("source_id", kind="stable", ignore_index=True)
    missing = pd.DataFrame({"source_id": requested.difference(found["source_id"]).sort_values().to_numpy(dtype=np.int64)})
    if len(found) + len(missing) != len(requested):  # pragma: no cover - invariant
        raise AssertionError("distance bookkeeping lost ids")
    return found, missing


def run_distances(
    selected_parquet: str | Path, distances_file: str | Path, out_parquet: str | Path, out_missing: str | Path, out_csv: str | Path | None = None
) -> pd.DataFrame:
    """Stage 2 on a local table (one tile, or all): the distances of the selected sources and the
    list of those without one (``out_csv``: also as CSV)."""
    ids = pd.read_parquet(selected_parquet, columns=["gaia_dr2_id1"])["gaia_dr2_id1"].to_numpy(dtype=np.int64)
    wanted = [("source_id", "in", np.unique(ids).tolist())]
    table = read_table(distances_file, C.DISTANCE_COLUMNS, parquet_filters=wanted)
    found, missing = lookup_distances(ids, table, str(distances_file))
    log.info(
        "Bailer-Jones distances: %d requested, %d found, %d missing (listed in %s)",
        len(found) + len(missing), len(found), len(missing), out_missing,
    )
    write_table(found, out_parquet)
    if out_csv is not None:
        write_table(found, out_csv)
    write_table(missing, out_missing)
    return found


def run_distances_tile(tile_selection: str | Path, tap: Mapping[str, Any], out_parquet: str | Path, out_missing: str | Path) -> pd.DataFrame:
    """Stage 2 over TAP, one tile: upload the Gaia source ids (chunked, no TOP) to the Gaia archive."""
    from .tap import DISTANCES_ADQL, fetch_by_upload, runner_from_config, typed

    ids = pd.read_parquet(tile_selection, columns=["gaia_dr2_id1"])["gaia_dr2_id1"].to_numpy(dtype=np.int64)
    log.info("Bailer-Jones ADQL on %s:\n%s", tap["gaia"], DISTANCES_ADQL)
    runner = runner_from_config(tap, "gaia")
    frame = fetch_by_upload(runner, ids, "source_id", DISTANCES_ADQL, f"distances of {tile_selection}", int(tap["upload_chunk"]))
    table = typed(frame, C.DISTANCE_COLUMNS, f"distances from {tap['gaia']}")
    found, missing = lookup_distances(ids, table, f"distances from {tap['gaia']}")
    log.info("Bailer-Jones distances: %d requested, %d found, %d missing", len(found) + len(missing), len(found), len(missing))
    write_table(found, out_parquet)
    write_table(missing, out_missing)
    return found


def run_gather_distances(paths: list[str], missing_paths: list[str], out_csv: str | Path, out_parquet: str | Path, out_missing: str | Path) -> pd.DataFrame:
    """Stage 2: gather the per-tile distances and the ids without one."""
    from .tiles import gather

    # one Gaia source may be the match of objects in two tiles: keep it once
    found = gather(paths).drop_duplicates("source_id").sort_values("source_id", ignore_index=True)
    missing = gather(missing_paths).drop_duplicates("source_id").sort_values("source_id", ignore_index=True)
    log.info("Bailer-Jones distances: %d found, %d missing (listed in %s)", len(found), len(missing), out_missing)
    write_table(found, out_parquet)
    write_table(found, out_csv)
    write_table(missing, out_missing)
    return found
