"""Survey tables on disk: the embedded sample, or a user's own files (CSV, Parquet, FITS, VOTable).

The tables are named as the archives name them (:data:`TABLE_SCHEMAS`): the SkyMapper ``master``
with either the three cross-matched survey tables beside it (``twomass_psc``, ``gaia_dr2``,
``allwise``; joined here the way the archive query joins them) or already joined to them; the
per-epoch ``photometry`` with its ``images`` (or with ``night_mjd`` already in it); the Bailer-Jones
``distances``. A Parquet table is read with row filters, so only the rows asked for are loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .. import columns as C
from ..distances import lookup_distances
from ..epochs import join_epochs
from ..io import InputError, read_table, require_unique
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

#: The survey tables joined to the master table (when they are given apart from it).
CROSSMATCH_TABLES = ("twomass_psc", "gaia_dr2", "allwise")

#: The id column of each survey table that the master table's cross-match columns point at.
CROSSMATCH_KEYS = {"twomass_psc": "pts_key", "gaia_dr2": "source_id", "allwise": "cntr"}

#: The table role (:mod:`symfind.releases`) of each local table name.
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


class LocalTables:
    """A :class:`symfind.sources.Source` on tables on disk: ``tables`` maps the names of
    :data:`TABLE_SCHEMAS` to paths (only those a call needs must be there)."""

    def __init__(self, tables: Mapping[str, str | Path], schema: ArchiveSchema = DEFAULT_SCHEMA) -> None:
        from ..gaia_dr3 import GAIA_DR3_SOURCE_TABLES

        unknown = sorted(set(tables) - set(TABLE_SCHEMAS) - set(GAIA_DR3_SOURCE_TABLES))
        if unknown:
            raise InputError(f"local tables {unknown} are unknown; expected some of "
                             f"{', '.join([*TABLE_SCHEMAS, *GAIA_DR3_SOURCE_TABLES])}")
        self.tables = {name: Path(path) for name, path in tables.items() if path}
        self.schema = schema

    def _read(self, name: str, roles: tuple[str, ...] | None = None, parquet_filters: list | None = None) -> pd.DataFrame:
        """Table ``name`` read in the release's names (the columns of ``roles``, default its own
        role), then renamed to symfind's, with the columns the release does not have added empty."""
        roles = roles or (TABLE_ROLES[name],)
        registry, renames = {}, {}
        for role in roles:
            for ours, dtype in TABLE_COLUMNS[role].items():
                theirs = self.schema.archive_name(role, ours)
                if theirs is not None:
                    registry.setdefault(theirs, dtype)
                    renames[theirs] = ours
        if parquet_filters:
            back = {ours: theirs for theirs, ours in renames.items()}
            parquet_filters = [(back.get(column, column), op, value) for column, op, value in parquet_filters]
        optional = tuple(theirs for role in roles for ours in C.OPTIONAL_COLUMNS.get(role, ())
                         if (theirs := self.schema.archive_name(role, ours)) is not None)
        frame = read_table(self._path(name), registry, parquet_filters=parquet_filters, optional=optional)
        frame = frame.rename(columns={theirs: ours for theirs, ours in renames.items() if theirs != ours})
        for role in roles:
            frame = self.schema.with_missing(frame, role)
        return frame

    def _path(self, name: str) -> Path:
        if name not in self.tables:
            raise InputError(f"no '{name}' table was given (config key 'files.{name}')")
        return self.tables[name]

    def joined_master(self) -> pd.DataFrame:
        """The master table joined to 2MASS, Gaia and AllWISE (:data:`symfind.columns.JOINED_COLUMNS`):
        joined here when the three survey tables are given, else read as already joined. Ids must be
        unique and the table must hold rows."""
        master = self._path("master")
        given = [name for name in CROSSMATCH_TABLES if name in self.tables]
        if given:
            parts = {name: self._read(name) for name in ("master", *CROSSMATCH_TABLES)}
            for name, key in CROSSMATCH_KEYS.items():
                require_unique(parts[name][key].dropna(), f"{self.tables[name]}: column {key!r}",
                                " (the master table points at one row of it)")
            joined = join_survey_tables(parts["master"], parts["twomass_psc"], parts["gaia_dr2"], parts["allwise"])
            where = master.parent if len(given) == len(CROSSMATCH_TABLES) else master
        else:
            joined = self._read("master", roles=("master", "twomass_psc", "gaia", "allwise"))
            where = master
        if not len(joined):
            raise InputError(f"{where}: has no rows (a master table with objects was expected)")
        require_unique(joined["object_id"], f"{where}: column 'object_id'")
        return joined

    def select(self, criteria: list[Criterion], nside: int, tile: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The selected objects (of ``tile``, or of the whole table when ``tile`` is None) and the
        cut-flow: the rows left after each criterion, led by the input rows."""
        joined = self.joined_master()
        if tile is not None:
            joined = joined.loc[in_tile(nside, tile, joined["raj2000"], joined["dej2000"])].reset_index(drop=True)
        selected, flow = apply_selection(joined, criteria)
        return selected[list(C.JOINED_COLUMNS)], flow

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
        """The rows of Gaia DR3 table ``name`` (:data:`symfind.gaia_dr3.GAIA_DR3_SOURCE_TABLES`)
        whose key (``source_id``; ``dr2_source_id`` for ``dr2_neighbourhood``) is one of ``ids``."""
        from ..gaia_dr3 import read_gaia_dr3_rows

        return read_gaia_dr3_rows(name, self._path(name), ids)
