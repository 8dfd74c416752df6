"""HEALPix sky tiles (nested scheme) and the gathering of per-tile products."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..io import InputError

log = logging.getLogger(__name__)

#: Tiles reach this far north (deg) at most and still count as SkyMapper sky (DR2 reaches dec ~ +2;
#: a tile whose boundary dips below this declination is queried).
SKYMAPPER_DEC_MAX = 16.0


def tile_list(sky: Mapping[str, Any]) -> list[int]:
    """The tiles to query: ``sky.tiles`` if given, else every tile that reaches the southern sky."""
    import healpy as hp

    nside = int(sky["nside"])
    n_pix = hp.nside2npix(nside)
    if sky.get("tiles"):
        tiles = sorted(set(int(t) for t in sky["tiles"]))
        bad = [t for t in tiles if not 0 <= t < n_pix]
        if bad:
            raise InputError(f"sky.tiles: {bad} are not tiles of nside {nside} (0 to {n_pix - 1})")
        return tiles
    tiles = []
    for pix in range(n_pix):
        _, dec = hp.vec2ang(hp.boundaries(nside, pix, step=4, nest=True).T, lonlat=True)
        if dec.min() < SKYMAPPER_DEC_MAX:
            tiles.append(pix)
    return tiles


def tile_index(ra_deg, dec_deg, nside: int):
    """Nested HEALPix index at ``nside`` of positions in degrees (ICRS ra, dec)."""
    import healpy as hp

    return hp.ang2pix(int(nside), np.asarray(ra_deg, dtype=np.float64), np.asarray(dec_deg, dtype=np.float64), nest=True, lonlat=True)


def in_tile(nside: int, tile: int, ra_deg, dec_deg) -> np.ndarray:
    """Which (ra, dec) in deg fall in nested HEALPix ``tile`` at ``nside``."""
    return tile_index(ra_deg, dec_deg, nside) == int(tile)


def tile_cone(nside: int, tile: int, margin_deg: float = 1.0 / 60) -> tuple[float, float, float]:
    """(ra, dec, radius) in deg of a cone that encloses nested HEALPix ``tile`` with a margin."""
    import healpy as hp

    center = np.array(hp.pix2vec(nside, tile, nest=True))
    corners = hp.boundaries(nside, tile, step=8, nest=True)
    cos = np.clip(center @ corners, -1.0, 1.0)
    radius = float(np.degrees(np.arccos(cos.min()))) + margin_deg
    ra, dec = hp.vec2ang(center, lonlat=True)
    return float(ra[0]), float(dec[0]), radius


#: The column of the selection that holds each object's tile (nested HEALPix index at ``sky.nside``).
TILE_COLUMN = "tile"

#: Columns of the tile list (``selection_tiles.csv``): the tiles the per-tile stages run on.
TILE_LIST_COLUMNS = ("tile", "rows")


def tile_counts(tile_of_each_row: pd.Series, tiles: Sequence[int] | None = None) -> pd.DataFrame:
    """Rows per tile, ``tile, rows``: of every tile in ``tiles`` (0 where none), or of the tiles that
    hold rows."""
    counts = tile_of_each_row.value_counts()
    listed = sorted(int(t) for t in counts.index) if tiles is None else [int(t) for t in tiles]
    return pd.DataFrame({"tile": np.array(listed, dtype=np.int64),
                         "rows": np.array([int(counts.get(t, 0)) for t in listed], dtype=np.int64)})


def write_tile_list(counts: pd.DataFrame, path: str | Path) -> None:
    """Write the tile list (``tile, rows``; no ``all`` row) that the per-tile stages fan out over."""
    from ..io import write_table

    table = counts[counts["tile"].astype(str) != "all"][list(TILE_LIST_COLUMNS)].copy()
    table["tile"] = table["tile"].astype(np.int64)
    write_table(table.reset_index(drop=True), path)


def read_tile_list(path: str | Path) -> list[int]:
    """The tiles listed in a tile list written by :func:`write_tile_list`."""
    table = pd.read_csv(path)
    if list(table.columns) != list(TILE_LIST_COLUMNS):
        raise InputError(f"{path}: a tile list has columns {list(TILE_LIST_COLUMNS)}, found {list(table.columns)}")
    return [int(t) for t in table["tile"]]


def require_no_overlap(keys: np.ndarray, key: str) -> np.ndarray:
    """``keys`` (every tile's values of column ``key``, in any order) sorted; :class:`InputError`
    if any repeats: per-tile tables overlap. The message counts the repeated keys and names the
    smallest."""
    ordered = np.sort(np.asarray(keys))
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if len(repeated):
        raise InputError(f"per-tile tables overlap: {len(np.unique(repeated))} duplicate {key}(s), e.g. {repeated[0]}")
    return ordered


def gather(paths: Sequence[str | Path], key: str | None = None, tiles: Sequence[int] | None = None) -> pd.DataFrame:
    """Concatenate per-tile Parquet tables (sorted by ``key``; ``key`` must be unique across tiles);
    with ``tiles`` (one per path), each table's rows get their tile in :data:`TILE_COLUMN`."""
    frames = [pd.read_parquet(p) for p in paths]
    if tiles is not None:
        frames = [frame.assign(**{TILE_COLUMN: np.int64(tile)}) for frame, tile in zip(frames, tiles, strict=True)]
    frames = [f for f in frames if len(f)] or frames[:1]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if key is not None and len(table):
        require_no_overlap(table[key].to_numpy(), key)
        table = table.sort_values(key, kind="stable", ignore_index=True)
    return table
