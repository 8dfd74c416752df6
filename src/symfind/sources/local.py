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
from ..io import InputError, read_table
from ..selection import Criterion, apply_selection, join_survey_tables
from ..tiles import in_tile

log = logging.getLogger(__name__)

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

#: File names of the tables in a folder of survey tables (the embedded sample's layout), one per
#: archive table.
SURVEY_TABLE_FILES: dict[str, str] = {
    "master": "dr2_master.parquet",
    "twomass_psc": "ext_twomass_psc.parquet",
    "gaia_dr2": "ext_gaia_dr2.parquet",
    "allwise": "ext_allwise.parquet",
    "photometry": "dr2_photometry.parquet",
    "images": "dr2_images.parquet",
    "distances": "external_gaiadr2_geometric_distance.parquet",
}

#: A mock sky's truth table (labels for the evaluation only), beside its survey tables.
TRUTH_FILE = "truth.parquet"


def survey_folder_tables(folder: str | Path, names: tuple[str, ...] = tuple(SURVEY_TABLE_FILES)) -> dict[str, str]:
    """The paths of tables ``names`` in a folder of survey tables (:data:`SURVEY_TABLE_FILES`)."""
    return {name: str(Path(folder) / SURVEY_TABLE_FILES[name]) for name in names}


def _require_unique(values: pd.Series, what: str, why: str = "") -> None:
    """Raise :class:`InputError` naming ``what`` (file and column) if ``values`` repeat."""
    repeated = values.duplicated()
    if repeated.any():
        raise InputError(f"{what} must be unique{why}; {int(repeated.sum())} duplicate(s), e.g. {values[repeated].iloc[0]}")


class LocalTables:
    """A :class:`symfind.sources.Source` on tables on disk: ``tables`` maps the names of
    :data:`TABLE_SCHEMAS` to paths (only those a call needs must be there)."""

    def __init__(self, tables: Mapping[str, str | Path]) -> None:
        unknown = sorted(set(tables) - set(TABLE_SCHEMAS))
        if unknown:
            raise InputError(f"local tables {unknown} are unknown; expected some of {', '.join(TABLE_SCHEMAS)}")
        self.tables = {name: Path(path) for name, path in tables.items() if path}

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
            parts = {name: read_table(self._path(name), TABLE_SCHEMAS[name]) for name in ("master", *CROSSMATCH_TABLES)}
            for name, key in CROSSMATCH_KEYS.items():
                _require_unique(parts[name][key].dropna(), f"{self.tables[name]}: column {key!r}",
                                " (the master table points at one row of it)")
            joined = join_survey_tables(parts["master"], parts["twomass_psc"], parts["gaia_dr2"], parts["allwise"])
            where = master.parent if len(given) == len(CROSSMATCH_TABLES) else master
        else:
            joined = read_table(master, C.JOINED_COLUMNS)
            where = master
        if not len(joined):
            raise InputError(f"{where}: has no rows (a master table with objects was expected)")
        _require_unique(joined["object_id"], f"{where}: column 'object_id'")
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
        photometry = read_table(photometry_file, C.PHOTOMETRY_COLUMNS, parquet_filters=wanted)
        images = read_table(self.tables["images"], C.IMAGES_COLUMNS) if "images" in self.tables else None
        return join_epochs(np.asarray(object_ids), photometry, images, str(photometry_file))

    def distances(self, source_ids: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Bailer-Jones distances (pc) of ``source_ids``: ``(found, missing)``."""
        distances_file = self._path("distances")
        ids = np.asarray(source_ids, dtype=np.int64)
        wanted = [("source_id", "in", np.unique(ids).tolist())]
        table = read_table(distances_file, C.DISTANCE_COLUMNS, parquet_filters=wanted)
        return lookup_distances(ids, table, str(distances_file))
