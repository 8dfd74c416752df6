"""Where the survey data come from: one interface, two implementations.

A *source* answers the four questions the workflow asks of the archives, each in the archives'
own schema (:mod:`symfind.columns`):

- :meth:`Source.select` - the objects of one HEALPix tile (or, for tables on disk, of the whole
  sky at once) that pass the selection criteria, with a cut-flow table;
- :meth:`Source.epochs` - the per-epoch photometry of given SkyMapper ``object_id`` values, each
  epoch with the ``night_mjd`` of its image;
- :meth:`Source.distances` - the Bailer-Jones distances of given Gaia ``source_id`` values, and
  the ids that have none;
- :meth:`Source.gaia_dr3` - the rows of an optional Gaia DR3 table (Halpha, variability classes,
  long-period variables, the DR2 -> DR3 map) for given ids.

:class:`~symfind.query.sources.local.LocalTables` answers them from tables on disk (the embedded sample,
or a user's files: CSV, Parquet, FITS, VOTable); :class:`~symfind.query.sources.hats.HatsCatalogues` from
HATS catalogues (HEALPix-partitioned Parquet, local or by URL) with LSDB on Dask;
:class:`~symfind.query.sources.tap.TapArchive` from the archives over TAP, with ADQL built from the same
column lists and the same criteria. The rules
name the source in their params (``source``) and call :func:`open_source`; they never branch on it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ...io import InputError
from ..selection import Criterion

#: The values of the config key ``source``: tables on disk (``sample``, ``files``), HATS catalogues
#: (``hats``: local folders or URLs, read with LSDB on Dask) or the archives over TAP (``tap``).
SOURCES = ("sample", "files", "hats", "tap")


class Source(Protocol):
    """What every source provides (all tables in the archive schema of :mod:`symfind.columns`)."""

    def select(self, criteria: list[Criterion], nside: int, tile: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The objects of nested HEALPix ``tile`` at ``nside`` (``None``: every object the source
        holds, where it can) that pass ``criteria``, in :data:`symfind.columns.JOINED_COLUMNS`, and
        the cut-flow (``step, criterion, rows_left``)."""

    def epochs(self, object_ids: np.ndarray) -> pd.DataFrame:
        """Per-epoch photometry of ``object_ids`` (:data:`symfind.columns.EPOCH_COLUMNS`, AB mag,
        ``night_mjd`` in MJD), in the product's order (:func:`symfind.query.epochs.sort_epochs`)."""

    def distances(self, source_ids: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Bailer-Jones distances (pc) of ``source_ids``: ``(found, missing)``, see
        :func:`symfind.query.distances.lookup_distances`."""

    def gaia_dr3(self, name: str, ids: np.ndarray) -> pd.DataFrame:
        """The rows of Gaia DR3 table ``name`` (:data:`symfind.query.gaia_dr3.GAIA_DR3_SOURCE_TABLES`)
        whose key is one of ``ids``, checked (:func:`symfind.query.gaia_dr3.checked_rows`)."""


def open_source(source: str, tables: Mapping[str, str | Path] | None = None, tap: Mapping[str, Any] | None = None,
                names: Mapping[str, Any] | None = None, parts_dir: str | Path | None = None,
                hats: Mapping[str, Any] | None = None, dask: Mapping[str, Any] | None = None, threads: int = 1,
                region: tuple[int, int] | None = None) -> Source:
    """The source named by the config key ``source``: ``sample`` or ``files`` read ``tables``
    (name -> path, names of :data:`symfind.query.sources.local.TABLE_SCHEMAS`), ``hats`` the HATS
    catalogues of ``hats`` (the config section: name -> folder or URL) with the plain ``tables``
    beside them (images, Gaia DR3's) on the Dask of ``dask`` (the config section) with ``threads``
    local workers, ``tap`` queries the services of the ``tap`` config section. ``names``: the
    config's ``release``, ``distances`` and ``archive`` (:func:`symfind.query.releases.archive_schema`;
    default: DR2 with Bailer-Jones 2018), the table and column names the tables or the services
    use. ``parts_dir`` (``tap``, and ``hats`` without detections): where the completed parts of an
    upload are kept until the job's product is written. ``region`` (``hats`` only): ``(nside,
    tile)``, the tile whose objects a per-tile job asks about (only the pixels there are read)."""
    from ..releases import archive_schema

    schema = archive_schema(names or {})
    if source in ("sample", "files"):
        from .local import LocalTables

        return LocalTables(dict(tables or {}), schema)
    if source == "hats":
        from .hats import HatsCatalogues

        return HatsCatalogues(hats or {}, schema, files=tables, tap=tap, dask=dask, threads=threads,
                              parts_dir=None if parts_dir is None else str(parts_dir), region=region)
    if source == "tap":
        if tap is None:
            raise InputError("source 'tap' needs the 'tap' config section (services and limits)")
        from .tap import TapArchive

        return TapArchive(tap, schema, None if parts_dir is None else str(parts_dir))
    raise InputError(f"config key 'source': {source!r} is not one of {', '.join(SOURCES)}")


@contextmanager
def upload_parts(product: str | Path) -> Iterator[Path]:
    """The folder where a job keeps the completed parts of its TAP uploads until ``product`` is
    written (``<product>.parts``): removed when the body ends without an error, kept after a failure
    so that the rerun of the job queries only the parts that were missing."""
    folder = Path(f"{product}.parts")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
