"""The archives over TAP: SkyMapper DR2 (with its 2MASS, Gaia DR2 and AllWISE cross-match tables)
and the Bailer-Jones distances at the Gaia archive.

Every query is written here from the column lists of :mod:`symfind.columns` and the criteria of
:mod:`symfind.query.selection`, the same ones the local tables are filtered with; :mod:`symfind.query.tap`
carries them (asynchronous jobs, retries, chunked uploads).

- The selection runs per HEALPix tile: a cone that encloses the tile, then the exact tile
  membership locally (``healpy.ang2pix``), so neighbouring tiles neither overlap nor leave gaps. A
  tile that overflows the service's row limit is split into its four children, down to
  ``tap.max_split_depth`` levels; beyond that the stage fails, saying so.
- Epochs and distances upload the ids in chunks (``TAP_UPLOAD``) and join them: per-epoch
  photometry by ``object_id``, Bailer-Jones distances by ``source_id``. No ``TOP``. A chunk that
  overflows the row limit is halved, down to ``tap.max_upload_split_depth`` levels; with a
  ``parts_dir`` each completed part is kept there until the product is written, so that a job
  that failed resumes where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ... import columns as C
from ..distances import lookup_distances
from ..epochs import join_epochs
from ...io import InputError
from ..releases import ArchiveSchema, archive_schema
from ..selection import ROLE_ALIAS, Criterion
from ..tap import TapOverflow, TapRunner, fetch_by_upload, runner_from_config
from ..tiles import in_tile, tile_cone

log = logging.getLogger(__name__)

#: The columns the selection query returns, in order (all of the joined schema, symfind's names).
SELECT_COLUMNS: tuple[str, ...] = tuple(C.JOINED_COLUMNS)

#: The names of the default release (DR2 with Bailer-Jones 2018): the original search's.
DEFAULT_SCHEMA = archive_schema({})

#: The cross-match joins: table role, the master's pointer column, the survey table's key (symfind's names).
CROSSMATCH_JOINS = (("twomass_psc", "twomass_key", "pts_key"), ("gaia", "gaia_dr2_id1", "source_id"), ("allwise", "allwise_cntr", "cntr"))


def selection_adql(criteria: list[Criterion], extra_where: str | None = None, schema: ArchiveSchema | None = None) -> str:
    """The ADQL query of the selection against SkyMapper and its cross-match tables, in the table and
    column names of ``schema`` (:func:`symfind.query.releases.archive_schema`; default: DR2), every column
    returned under symfind's name."""
    schema = schema or DEFAULT_SCHEMA
    select = ", ".join(item for role, alias in ROLE_ALIAS.items() for item in schema.select_list(role, alias))
    where = [c.adql(schema) for c in criteria]
    if extra_where:
        where.append(extra_where)
    joins = "".join(
        f"JOIN {schema.tables[role]} AS {ROLE_ALIAS[role]} ON m.{schema.require('master', pointer, 'the cross-match join')} = "
        f"{ROLE_ALIAS[role]}.{schema.require(role, key, 'the cross-match join')}\n"
        for role, pointer, key in CROSSMATCH_JOINS
    )
    return f"SELECT {select}\nFROM {schema.tables['master']} AS m\n{joins}WHERE " + "\n  AND ".join(where)


def tile_adql(criteria: list[Criterion], nside: int, tile: int, schema: ArchiveSchema | None = None) -> str:
    """The selection ADQL restricted to the cone around one tile."""
    schema = schema or DEFAULT_SCHEMA
    ra, dec, radius = tile_cone(nside, tile)
    position = ", ".join(f"m.{schema.require('master', c, 'the tile cone')}" for c in ("raj2000", "dej2000"))
    cone = f"1 = CONTAINS(POINT('ICRS', {position}), CIRCLE('ICRS', {ra:.8f}, {dec:.8f}, {radius:.8f}))"
    return selection_adql(criteria, extra_where=cone, schema=schema)


def fetch_selection_tile(runner: TapRunner, criteria: list[Criterion], nside: int, tile: int, max_split_depth: int = 3,
                         schema: ArchiveSchema | None = None) -> pd.DataFrame:
    """The selected objects of one tile; on overflow, the four child tiles, recursively."""
    what = f"selection tile {tile} (nside {nside})"
    try:
        frame = runner.run(tile_adql(criteria, nside, tile, schema), what)
    except TapOverflow as exc:
        if max_split_depth <= 0:
            raise TapOverflow(f"{exc}; the tile cannot be split further (raise tap.max_split_depth or tap.maxrec)") from exc
        log.warning("%s overflowed; splitting into 4 tiles of nside %d", what, 2 * nside)
        parts = [fetch_selection_tile(runner, criteria, 2 * nside, 4 * tile + k, max_split_depth - 1, schema) for k in range(4)]
        return pd.concat(parts, ignore_index=True)
    keep = in_tile(nside, tile, frame["raj2000"], frame["dej2000"])
    return frame.loc[keep].reset_index(drop=True)


def epochs_adql(schema: ArchiveSchema | None = None) -> str:
    """Per-epoch photometry of uploaded objects (the release's photometry table), with the epoch of
    each image (its images table), under symfind's column names."""
    schema = schema or DEFAULT_SCHEMA
    image_key = schema.require("images", "image_id", "the epochs' join")
    night = schema.require("images", "night_mjd", "the epochs' night")
    epoch = "i.night_mjd" if night == "night_mjd" else f"i.{night} AS night_mjd"
    return (
        "SELECT " + ", ".join(schema.select_list("photometry", "p")) + f", {epoch}\n"
        f"FROM {schema.tables['photometry']} AS p\n"
        f"JOIN TAP_UPLOAD.ids AS u ON p.{schema.require('photometry', 'object_id', 'the epochs upload')} = u.object_id\n"
        f"JOIN {schema.tables['images']} AS i ON p.{schema.require('photometry', 'image_id', 'the epochs join')} = i.{image_key}"
    )


def distances_adql(schema: ArchiveSchema | None = None) -> str:
    """Bailer-Jones distances (the configured catalogue and estimate) of uploaded Gaia sources, under
    symfind's column names. ``EXTERNAL`` is an SQL reserved word, so that schema name is a
    delimited identifier (a strict ADQL parser, such as DaCHS's, needs it)."""
    schema = schema or DEFAULT_SCHEMA
    return (
        "SELECT " + ", ".join(schema.select_list("distances", "d")) + "\n"
        f"FROM {schema.tables['distances']} AS d\n"
        f"JOIN TAP_UPLOAD.ids AS u ON d.{schema.require('distances', 'source_id', 'the distances upload')} = u.source_id"
    )


#: The queries of the default release (DR2, Bailer-Jones 2018), as the original search ran them.
EPOCHS_ADQL = epochs_adql()
DISTANCES_ADQL = distances_adql()


def typed(frame: pd.DataFrame, registry: Mapping[str, str], what: str) -> pd.DataFrame:
    """A TAP result cast to the archive dtypes (errors name the column). A result without rows (an
    empty tile, an upload chunk that matched nothing, or no ids to upload) is the empty table of
    the registry, whatever types the service gave its columns."""
    from ...io import coerce_columns, empty_table

    if len(frame) == 0:
        missing = [name for name in registry if len(frame.columns) and name not in frame.columns]
        if missing:  # columns there but not ours: a wrong query or service, not an empty sky
            return coerce_columns(frame, registry, what)
        return empty_table(registry)
    return coerce_columns(frame, registry, what)[list(registry)]


class TapArchive:
    """A :class:`symfind.query.sources.Source` on the archives' TAP services (config section ``tap``:
    ``skymapper`` and ``gaia`` URLs, ``maxrec``, ``max_split_depth``, ``upload_chunk``, ``timeout_s``,
    ``retries``, ``backoff_s``)."""

    def __init__(self, tap: Mapping[str, Any], schema: ArchiveSchema | None = None, parts_dir: str | None = None) -> None:
        self.tap = dict(tap)
        self.schema = schema or DEFAULT_SCHEMA
        self.parts_dir = parts_dir

    def _upload(self, runner: TapRunner, ids: np.ndarray, id_column: str, adql: str, what: str) -> pd.DataFrame:
        depth = self.tap.get("max_upload_split_depth")  # None: the shipped default
        return fetch_by_upload(runner, ids, id_column, adql, what, int(self.tap["upload_chunk"]),
                               None if depth is None else int(depth),
                               None if self.parts_dir is None else f"{self.parts_dir}/{id_column}")

    def select(self, criteria: list[Criterion], nside: int, tile: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The selection query on one tile (an all-sky query is refused: the archive would truncate
        it); the cut-flow is the one row of the server-side query."""
        if tile is None:
            raise InputError("source 'tap': the selection runs per tile (config key 'sky.tiles'), not on the whole sky at once")
        log.info("selection ADQL for tile %d (nside %d) on %s:\n%s", tile, nside, self.tap["skymapper"],
                 tile_adql(criteria, nside, tile, self.schema))
        runner = runner_from_config(self.tap, "skymapper")
        frame = fetch_selection_tile(runner, criteria, nside, tile, int(self.tap["max_split_depth"]), self.schema)
        if len(frame.columns):
            frame = self.schema.with_missing(frame, "master")
        selected = typed(frame, self.schema.registry("master", "twomass_psc", "gaia", "allwise"),
                         f"selection tile {tile} from {self.tap['skymapper']}")
        flow = pd.DataFrame({"step": ["tap_query"], "criterion": [f"selection query (server side), tile {tile}"],
                             "rows_left": [len(selected)]})
        return selected, flow

    def epochs(self, object_ids: np.ndarray) -> pd.DataFrame:
        """Per-epoch photometry of ``object_ids``: the ids uploaded in chunks, joined to photometry and images."""
        adql = epochs_adql(self.schema)
        log.info("per-epoch photometry ADQL on %s:\n%s", self.tap["skymapper"], adql)
        runner = runner_from_config(self.tap, "skymapper")
        what = f"photometry from {self.tap['skymapper']}"
        frame = self._upload(runner, object_ids, "object_id", adql, f"epochs of {len(object_ids)} objects")
        frame = self.schema.with_missing(self.schema.with_missing(frame, "photometry"), "images") if len(frame.columns) else frame
        registry = {**self.schema.registry("photometry"), "night_mjd": self.schema.registry("images")["night_mjd"]}
        return join_epochs(np.asarray(object_ids), typed(frame, registry, what), None, what)

    def distances(self, source_ids: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Bailer-Jones distances (the configured catalogue and estimate) of ``source_ids``, uploaded
        in chunks to the Gaia archive."""
        adql = distances_adql(self.schema)
        log.info("Bailer-Jones ADQL on %s:\n%s", self.tap["gaia"], adql)
        runner = runner_from_config(self.tap, "gaia")
        what = f"distances from {self.tap['gaia']}"
        ids = np.asarray(source_ids, dtype=np.int64)
        frame = self._upload(runner, ids, "source_id", adql, f"distances of {len(ids)} sources")
        frame = self.schema.with_missing(frame, "distances") if len(frame.columns) else frame
        return lookup_distances(ids, typed(frame, self.schema.registry("distances"), what), what)

    def gaia_dr3(self, name: str, ids: np.ndarray) -> pd.DataFrame:
        """The rows of Gaia DR3 table ``name`` whose key is one of ``ids``, uploaded in chunks to the
        Gaia archive (``tap.gaia``), with the distances' fault handling and resumable parts."""
        from ..gaia_dr3 import checked_rows, gaia_dr3_adql

        adql = gaia_dr3_adql(name)
        log.info("Gaia DR3 %s ADQL on %s:\n%s", name, self.tap["gaia"], adql)
        runner = runner_from_config(self.tap, "gaia")
        ids = np.asarray(ids, dtype=np.int64)
        frame = self._upload(runner, ids, "source_id", adql, f"Gaia DR3 {name} of {len(ids)} sources")
        return checked_rows(name, frame, f"Gaia DR3 {name} from {self.tap['gaia']}")
