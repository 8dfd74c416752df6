"""The archives over TAP: SkyMapper DR2 (with its 2MASS, Gaia DR2 and AllWISE cross-match tables)
and the Bailer-Jones distances at the Gaia archive.

Every query is written here from the column lists of :mod:`symfind.columns` and the criteria of
:mod:`symfind.selection`, the same ones the local tables are filtered with; :mod:`symfind.tap`
carries them (asynchronous jobs, retries, chunked uploads).

- The selection runs per HEALPix tile: a cone that encloses the tile, then the exact tile
  membership locally (``healpy.ang2pix``), so neighbouring tiles neither overlap nor leave gaps. A
  tile that overflows the service's row limit is split into its four children, down to
  ``tap.max_split_depth`` levels; beyond that the stage fails, saying so.
- Epochs and distances upload the ids in chunks (``TAP_UPLOAD``) and join them: per-epoch
  photometry by ``object_id``, Bailer-Jones distances by ``source_id``. No ``TOP``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..distances import lookup_distances
from ..epochs import join_epochs
from ..io import InputError
from ..selection import ADQL_ALIAS, Criterion
from ..tap import TapOverflow, TapRunner, fetch_by_upload, runner_from_config
from ..tiles import in_tile, tile_cone

log = logging.getLogger(__name__)

#: The columns the selection query returns, in order (all of the joined schema).
SELECT_COLUMNS: tuple[str, ...] = tuple(C.JOINED_COLUMNS)


def selection_adql(criteria: list[Criterion], extra_where: str | None = None) -> str:
    """The ADQL query of the selection against SkyMapper DR2 and its cross-match tables."""
    select = ", ".join(f"{ADQL_ALIAS[c]}.{c}" for c in SELECT_COLUMNS)
    where = [c.adql() for c in criteria]
    if extra_where:
        where.append(extra_where)
    return (
        f"SELECT {select}\n"
        "FROM dr2.master AS m\n"
        "JOIN ext.twomass_psc AS t ON m.twomass_key = t.pts_key\n"
        "JOIN ext.gaia_dr2 AS g ON m.gaia_dr2_id1 = g.source_id\n"
        "JOIN ext.allwise AS w ON m.allwise_cntr = w.cntr\n"
        "WHERE " + "\n  AND ".join(where)
    )


def tile_adql(criteria: list[Criterion], nside: int, tile: int) -> str:
    """The selection ADQL restricted to the cone around one tile."""
    ra, dec, radius = tile_cone(nside, tile)
    cone = f"1 = CONTAINS(POINT('ICRS', m.raj2000, m.dej2000), CIRCLE('ICRS', {ra:.8f}, {dec:.8f}, {radius:.8f}))"
    return selection_adql(criteria, extra_where=cone)


def fetch_selection_tile(runner: TapRunner, criteria: list[Criterion], nside: int, tile: int, max_split_depth: int = 3) -> pd.DataFrame:
    """The selected objects of one tile; on overflow, the four child tiles, recursively."""
    what = f"selection tile {tile} (nside {nside})"
    try:
        frame = runner.run(tile_adql(criteria, nside, tile), what)
    except TapOverflow as exc:
        if max_split_depth <= 0:
            raise TapOverflow(f"{exc}; the tile cannot be split further (raise tap.max_split_depth or tap.maxrec)") from exc
        log.warning("%s overflowed; splitting into 4 tiles of nside %d", what, 2 * nside)
        parts = [fetch_selection_tile(runner, criteria, 2 * nside, 4 * tile + k, max_split_depth - 1) for k in range(4)]
        return pd.concat(parts, ignore_index=True)
    keep = in_tile(nside, tile, frame["raj2000"], frame["dej2000"])
    return frame.loc[keep].reset_index(drop=True)


#: Per-epoch photometry of uploaded objects (``dr2.photometry``), with the epoch of each image.
EPOCHS_ADQL = (
    "SELECT " + ", ".join(f"p.{c}" for c in C.PHOTOMETRY_COLUMNS) + ", i.night_mjd\n"
    "FROM dr2.photometry AS p\n"
    "JOIN TAP_UPLOAD.ids AS u ON p.object_id = u.object_id\n"
    "JOIN dr2.images AS i ON p.image_id = i.image_id"
)

#: Bailer-Jones (2018) distances of uploaded Gaia DR2 sources. ``EXTERNAL`` is an SQL reserved word,
#: so the schema name is a delimited identifier (a strict ADQL parser, such as DaCHS's, needs it).
DISTANCES_ADQL = (
    "SELECT " + ", ".join(f"d.{c}" for c in C.DISTANCE_COLUMNS) + "\n"
    'FROM "external".gaiadr2_geometric_distance AS d\n'
    "JOIN TAP_UPLOAD.ids AS u ON d.source_id = u.source_id"
)


def typed(frame: pd.DataFrame, registry: Mapping[str, str], what: str) -> pd.DataFrame:
    """A TAP result cast to the archive dtypes (errors name the column). A result without rows (an
    empty tile, an upload chunk that matched nothing, or no ids to upload) is the empty table of
    the registry, whatever types the service gave its columns."""
    from ..io import coerce_columns, empty_table

    if len(frame) == 0:
        missing = [name for name in registry if len(frame.columns) and name not in frame.columns]
        if missing:  # columns there but not ours: a wrong query or service, not an empty sky
            return coerce_columns(frame, registry, what)
        return empty_table(registry)
    return coerce_columns(frame, registry, what)[list(registry)]


class TapArchive:
    """A :class:`symfind.sources.Source` on the archives' TAP services (config section ``tap``:
    ``skymapper`` and ``gaia`` URLs, ``maxrec``, ``max_split_depth``, ``upload_chunk``, ``timeout_s``,
    ``retries``, ``backoff_s``)."""

    def __init__(self, tap: Mapping[str, Any]) -> None:
        self.tap = dict(tap)

    def select(self, criteria: list[Criterion], nside: int, tile: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The selection query on one tile (an all-sky query is refused: the archive would truncate
        it); the cut-flow is the one row of the server-side query."""
        if tile is None:
            raise InputError("source 'tap': the selection runs per tile (config key 'sky.tiles'), not on the whole sky at once")
        log.info("selection ADQL for tile %d (nside %d) on %s:\n%s", tile, nside, self.tap["skymapper"], tile_adql(criteria, nside, tile))
        runner = runner_from_config(self.tap, "skymapper")
        frame = fetch_selection_tile(runner, criteria, nside, tile, int(self.tap["max_split_depth"]))
        selected = typed(frame, C.JOINED_COLUMNS, f"selection tile {tile} from {self.tap['skymapper']}")
        flow = pd.DataFrame({"step": ["tap_query"], "criterion": [f"selection query (server side), tile {tile}"],
                             "rows_left": [len(selected)]})
        return selected, flow

    def epochs(self, object_ids: np.ndarray) -> pd.DataFrame:
        """Per-epoch photometry of ``object_ids``: the ids uploaded in chunks, joined to photometry and images."""
        log.info("per-epoch photometry ADQL on %s:\n%s", self.tap["skymapper"], EPOCHS_ADQL)
        runner = runner_from_config(self.tap, "skymapper")
        what = f"photometry from {self.tap['skymapper']}"
        frame = fetch_by_upload(runner, object_ids, "object_id", EPOCHS_ADQL, f"epochs of {len(object_ids)} objects",
                                int(self.tap["upload_chunk"]))
        return join_epochs(np.asarray(object_ids), typed(frame, C.EPOCH_COLUMNS, what), None, what)

    def distances(self, source_ids: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Bailer-Jones distances of ``source_ids``, uploaded in chunks to the Gaia archive."""
        log.info("Bailer-Jones ADQL on %s:\n%s", self.tap["gaia"], DISTANCES_ADQL)
        runner = runner_from_config(self.tap, "gaia")
        what = f"distances from {self.tap['gaia']}"
        ids = np.asarray(source_ids, dtype=np.int64)
        frame = fetch_by_upload(runner, ids, "source_id", DISTANCES_ADQL, f"distances of {len(ids)} sources",
                                int(self.tap["upload_chunk"]))
        return lookup_distances(ids, typed(frame, C.DISTANCE_COLUMNS, what), what)
