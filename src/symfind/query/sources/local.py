"""Survey tables on disk: the embedded sample, or a user's own files (CSV, Parquet, FITS, VOTable).

The tables are named as the archives name them (:data:`TABLE_SCHEMAS`): the SkyMapper ``master``
with either the three cross-matched survey tables beside it (``twomass_psc``, ``gaia_dr2``,
``allwise``; joined here the way the archive query joins them) or already joined to them; the
per-epoch ``photometry`` with its ``images`` (or with ``night_mjd`` already in it); the Bailer-Jones
``distances``. A Parquet table is read with row filters, so only the rows asked for are loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any
from pathlib import Path

import numpy as np
import pandas as pd

from ... import columns as C
from ..distances import lookup_distances
from ..epochs import join_epochs
from ...io import InputError, conform_table, read_table, require_unique, table_format
from ..releases import TABLE_COLUMNS, ArchiveSchema, archive_schema
from ..selection import Criterion, apply_selection, join_survey_tables
from ..tiles import in_tile

log = logging.getLogger(__name__)

#: The names of the default release (DR2 with Bailer-Jones 2018).
DEFAULT_SCHEMA = archive_schema({})

#: The archive schema (name -> dtype, :mod:`symfind.columns`) of each table a local source may hold.
TABLE_SCHEMAS: dict[str, dict[str, str]] = {
    "master": C.MASTER_COLUMNS,
    "twomass_psc": C.TWOMASS_COLUMNS,
    "gaia_dr2": C.GAIA_COLUMNS,
    "allwise": C.ALLWISE_COLUMNS,
    "photometry": C.PHOTOMETRY_COLUMNS,
    "images": C.IMAGES_COLUMNS,
    "distances": C.DISTANCE_COLUMNS,
}

#: Rows of a Parquet master table joined and selected at a time (:meth:`LocalTables.select`):
#: about 1 GiB of joined columns, whatever the size of the table.
MASTER_CHUNK_ROWS = 1_000_000

#: The survey tables joined to the master table (when they are given apart from it).
CROSSMATCH_TABLES = ("twomass_psc", "gaia_dr2", "allwise")

#: The id column of each survey table that the master table's cross-match columns point at.
CROSSMATCH_KEYS = {"twomass_psc": "pts_key", "gaia_dr2": "source_id", "allwise": "cntr"}

#: The table role (:mod:`symfind.query.releases`) of each local table name.
TABLE_ROLES: dict[str, str] = {name: "gaia" if name == "gaia_dr2" else name for name in TABLE_SCHEMAS}


def survey_table_files(schema: ArchiveSchema = DEFAULT_SCHEMA) -> dict[str, str]:
    """File names of the tables in a folder of survey tables (the embedded sample's layout): the
    archive's table name of the release, with ``_`` for the dot (``dr2.master`` ->
    ``dr2_master.parquet``; ``dr4.master`` -> ``dr4_master.parquet``)."""
    return {name: schema.tables[role].replace('"', "").replace(".", "_") + ".parquet" for name, role in TABLE_ROLES.items()}


#: File names of the default release's folder of survey tables (the embedded sample, DR2).
SURVEY_TABLE_FILES: dict[str, str] = survey_table_files()

#: A mock sky's truth table (labels for the evaluation only), beside its survey tables.
TRUTH_FILE = "truth.parquet"


def survey_folder_tables(folder: str | Path, names: tuple[str, ...] = tuple(SURVEY_TABLE_FILES),
                         schema: ArchiveSchema = DEFAULT_SCHEMA) -> dict[str, str]:
    """The paths of tables ``names`` in a folder of survey tables of the release of ``schema``
    (:func:`survey_table_files`)."""
    files = survey_table_files(schema)
    return {name: str(Path(folder) / files[name]) for name in names}


def release_columns(schema: ArchiveSchema, roles: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
    """The release's names of the columns of table ``roles`` (those it has): archive name -> dtype,
    archive -> symfind's renames, and the optional ones (:data:`symfind.columns.OPTIONAL_COLUMNS`)."""
    registry, renames = {}, {}
    for role in roles:
        for ours, dtype in TABLE_COLUMNS[role].items():
            theirs = schema.archive_name(role, ours)
            if theirs is not None:
                registry.setdefault(theirs, dtype)
                renames[theirs] = ours
    optional = tuple(theirs for role in roles for ours in C.OPTIONAL_COLUMNS.get(role, ())
                     if (theirs := schema.archive_name(role, ours)) is not None)
    return registry, renames, optional


def in_our_names(schema: ArchiveSchema, frame: pd.DataFrame, renames: Mapping[str, str], roles: tuple[str, ...]) -> pd.DataFrame:
    """A table in the release's names (checked by :func:`symfind.io.conform_table`) renamed to
    symfind's, the columns the release does not have added empty."""
    frame = frame.rename(columns={theirs: ours for theirs, ours in renames.items() if theirs != ours})
    for role in roles:
        frame = schema.with_missing(frame, role)
    return frame


def _text_as_categories(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``table`` with its text columns (2MASS's ``ph_qual`` and ``cc_flg``: a few distinct codes)
    held as categoricals while the survey tables are held whole, a code then one byte a row, not a
    Python string (about 1 GB for a 2MASS table of 10^7 rows); and the types they were read as."""
    text = {c: table[c].dtype for c in table.columns if table[c].dtype == object or isinstance(table[c].dtype, pd.StringDtype)}
    return (table.astype({c: "category" for c in text}) if text else table), text


def _categories_as_text(joined: pd.DataFrame, text: dict[str, Any]) -> pd.DataFrame:
    """The joined part with the columns :func:`_text_as_categories` held as categoricals back in
    the types they were read as (``text``), as the products hold them; a missing code stays missing."""
    back = {c: dtype for c, dtype in text.items() if c in joined.columns}
    return joined.astype(back) if back else joined


class LocalTables:
    """A :class:`symfind.query.sources.Source` on tables on disk: ``tables`` maps the names of
    :data:`TABLE_SCHEMAS` to paths (only those a call needs must be there)."""

    def __init__(self, tables: Mapping[str, str | Path], schema: ArchiveSchema = DEFAULT_SCHEMA) -> None:
        from ..gaia_dr3 import GAIA_DR3_SOURCE_TABLES

        unknown = sorted(set(tables) - set(TABLE_SCHEMAS) - set(GAIA_DR3_SOURCE_TABLES))
        if unknown:
            raise InputError(f"local tables {unknown} are unknown; expected some of "
                             f"{', '.join([*TABLE_SCHEMAS, *GAIA_DR3_SOURCE_TABLES])}")
        self.tables = {name: Path(path) for name, path in tables.items() if path}
        self.schema = schema

    def _names(self, roles: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
        return release_columns(self.schema, roles)

    def _ours(self, frame: pd.DataFrame, renames: dict[str, str], roles: tuple[str, ...]) -> pd.DataFrame:
        return in_our_names(self.schema, frame, renames, roles)

    def _read(self, name: str, roles: tuple[str, ...] | None = None, parquet_filters: list | None = None) -> pd.DataFrame:
        """Table ``name`` read in the release's names (the columns of ``roles``, default its own
        role), then renamed to symfind's, with the columns the release does not have added empty."""
        roles = roles or (TABLE_ROLES[name],)
        registry, renames, optional = self._names(roles)
        if parquet_filters:
            back = {ours: theirs for theirs, ours in renames.items()}
            parquet_filters = [(back.get(column, column), op, value) for column, op, value in parquet_filters]
        frame = read_table(self._path(name), registry, parquet_filters=parquet_filters, optional=optional)
        return self._ours(frame, renames, roles)

    def _master_parts(self, roles: tuple[str, ...]) -> Iterator[pd.DataFrame]:
        """The master table in parts of at most :data:`MASTER_CHUNK_ROWS` rows (a Parquet file, read
        batch by batch with only the columns of ``roles``; any other format whole), each as
        :meth:`_read` gives it."""
        path = self._path("master")
        if not path.exists() or table_format(path) != "parquet" or path.stat().st_size == 0:
            yield self._read("master", roles)
            return
        import pyarrow.parquet as pq

        registry, renames, optional = self._names(roles)
        try:
            parquet = pq.ParquetFile(path)
        except Exception as exc:
            raise InputError(f"{path}: cannot be read as parquet: {exc}") from exc
        present = set(parquet.schema_arrow.names)
        missing = [c for c in registry if c not in present and c not in optional]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}; found {', '.join(parquet.schema_arrow.names)}")
        wanted = [c for c in registry if c in present]
        if not parquet.metadata.num_rows:
            yield self._ours(conform_table(parquet.read(columns=wanted).to_pandas(), registry, optional, str(path)), renames, roles)
            return
        for batch in parquet.iter_batches(batch_size=MASTER_CHUNK_ROWS, columns=wanted):
            yield self._ours(conform_table(batch.to_pandas(), registry, optional, str(path)), renames, roles)

    def _path(self, name: str) -> Path:
        if name not in self.tables:
            raise InputError(f"no '{name}' table was given (config key 'files.{name}')")
        return self.tables[name]

    def joined_parts(self) -> tuple[Iterator[pd.DataFrame], Path]:
        """The master table joined to 2MASS, Gaia and AllWISE (:data:`symfind.columns.JOINED_COLUMNS`)
        part by part (:meth:`_master_parts`; the survey tables read once, whole): joined here when the
        three survey tables are given, else read as already joined; and the path errors name."""
        master = self._path("master")
        given = [name for name in CROSSMATCH_TABLES if name in self.tables]
        if not given:
            return self._master_parts(("master", "twomass_psc", "gaia", "allwise")), master
        surveys, text = {}, {}
        for name in CROSSMATCH_TABLES:
            surveys[name], read_as = _text_as_categories(self._read(name))
            text.update(read_as)
        for name, key in CROSSMATCH_KEYS.items():
            require_unique(surveys[name][key].dropna(), f"{self.tables[name]}: column {key!r}",
                           " (the master table points at one row of it)")
        parts = (_categories_as_text(join_survey_tables(part, surveys["twomass_psc"], surveys["gaia_dr2"], surveys["allwise"]), text)
                 for part in self._master_parts(("master",)))
        return parts, master.parent if len(given) == len(CROSSMATCH_TABLES) else master

    def joined_master(self) -> pd.DataFrame:
        """The whole joined master table (:meth:`joined_parts` put together). Ids must be unique and
        the table must hold rows."""
        parts, where = self.joined_parts()
        joined = pd.concat(list(parts), ignore_index=True).sort_values("object_id", kind="stable", ignore_index=True)
        if not len(joined):
            raise InputError(f"{where}: has no rows (a master table with objects was expected)")
        require_unique(joined["object_id"], f"{where}: column 'object_id'")
        return joined

    def select(self, criteria: list[Criterion], nside: int, tile: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The selected objects (of ``tile``, or of the whole table when ``tile`` is None) and the
        cut-flow: the rows left after each criterion, led by the input rows. The master is joined
        and selected part by part (a Parquet master in batches of :data:`MASTER_CHUNK_ROWS` rows),
        so that memory holds the survey tables and one part, not the joined sky."""
        parts, where = self.joined_parts()
        chosen, flows, ids, n_rows = [], [], [], 0
        for joined in parts:
            n_rows += len(joined)
            if tile is not None:
                joined = joined.loc[in_tile(nside, tile, joined["raj2000"], joined["dej2000"])].reset_index(drop=True)
            ids.append(joined["object_id"].to_numpy())
            selected, flow = apply_selection(joined, criteria)
            chosen.append(selected[list(C.JOINED_COLUMNS)])
            flows.append(flow["rows_left"].to_numpy())
            del joined
        all_ids = np.concatenate(ids) if ids else np.array([], dtype=np.int64)
        if not n_rows:
            raise InputError(f"{where}: has no rows (a master table with objects was expected)")
        require_unique(pd.Series(all_ids), f"{where}: column 'object_id'")
        selected = pd.concat(chosen, ignore_index=True).sort_values("object_id", kind="stable", ignore_index=True)
        return selected, flow.assign(rows_left=np.sum(flows, axis=0))

    def epochs(self, object_ids: np.ndarray) -> pd.DataFrame:
        """Per-epoch photometry of ``object_ids`` with the ``night_mjd`` of each image."""
        photometry_file = self._path("photometry")
        wanted = [("object_id", "in", np.asarray(object_ids).tolist())]
        photometry = self._read("photometry", parquet_filters=wanted)
        images = self._read("images") if "images" in self.tables else None
        return join_epochs(np.asarray(object_ids), photometry, images, str(photometry_file))

    def distances(self, source_ids: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Bailer-Jones distances (pc) of ``source_ids``: ``(found, missing)``."""
        distances_file = self._path("distances")
        ids = np.asarray(source_ids, dtype=np.int64)
        wanted = [("source_id", "in", np.unique(ids).tolist())]
        table = self._read("distances", parquet_filters=wanted)
        return lookup_distances(ids, table, str(distances_file))

    def gaia_dr3(self, name: str, ids: np.ndarray) -> pd.DataFrame:
        """The rows of Gaia DR3 table ``name`` (:data:`symfind.query.gaia_dr3.GAIA_DR3_SOURCE_TABLES`)
        whose key (``source_id``; ``dr2_source_id`` for ``dr2_neighbourhood``) is one of ``ids``."""
        from ..gaia_dr3 import read_gaia_dr3_rows

        return read_gaia_dr3_rows(name, self._path(name), ids)
