"""Survey tables as HATS catalogues (HEALPix-partitioned Parquet), read with LSDB on Dask.

HATS (Hierarchical Adaptive Tiling Scheme; an IVOA Note, 2025) stores a catalogue as Parquet files
of HEALPix pixels, each sized to a similar number of rows, with a *margin cache* (the rows within a
few arcsec outside each pixel) beside it; LSDB (LINCC Frameworks) opens one lazily and joins or
cross-matches two pixel by pixel on Dask. SkyMapper DR4, 2MASS, Gaia DR3 and AllWISE are published
so (see ``docs/data.md``, "HATS catalogues"). ``source: hats`` reads them with the same criteria,
products and cut-flow as tables on disk (:class:`symfind.query.sources.local.LocalTables`):

- each catalogue is opened with only the columns the selection needs (the release's names,
  :mod:`symfind.query.releases`); a catalogue that cannot be opened, or lacks one of them, is refused
  naming its config key (``hats.<table>``) and the column;
- the master table is joined to 2MASS, Gaia and AllWISE by its stored ids (``twomass_key``,
  ``gaia_dr2_id1``, ``allwise_cntr``) pixel by pixel, the survey's margin cache catching the
  counterparts across a pixel's edge; where the master has no id column for a survey, by LSDB's
  positional cross-match within the selection's radius for it (the nearest source; its id and
  distance take the id's and the distance's place);
- the selection's criteria run inside each pixel's task, on the workers (:func:`select_partition`:
  :func:`symfind.query.selection.apply_selection`, so the cut-flow counts each criterion exactly as on
  local tables); only the selected rows and the counts come back;
- the per-epoch photometry comes from a HATS detections catalogue (``hats.photometry``; an object's
  rows read with a Parquet filter on ``object_id``), else over TAP as for ``source: tap``; the
  distances from a HATS catalogue of the Bailer-Jones table (``hats.distances``); the images
  table and Gaia DR3's optional tables are plain files (``files.*``).

:func:`write_hats_catalogues` turns a folder of survey tables (the embedded sample's layout, or a
generated sky) into HATS catalogues with margin caches, for tests, benchmarks and a user's own
tables.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ... import columns as C
from ...io import InputError, conform_table, read_table, require_unique
from ..releases import ArchiveSchema
from ..selection import Criterion, apply_selection
from .local import CROSSMATCH_KEYS, DEFAULT_SCHEMA, TABLE_ROLES, LocalTables, in_our_names, release_columns

log = logging.getLogger(__name__)

#: The HATS catalogues a ``source: hats`` run may name (config ``hats.<name>``; the local tables' names).
HATS_TABLES = ("master", "twomass_psc", "gaia_dr2", "allwise", "photometry", "distances")

#: Per survey table: the master's id column that points at it, its distance column and the
#: selection's radius key for a positional cross-match where the master has no id column.
MASTER_LINKS: dict[str, tuple[str, str, str]] = {
    "twomass_psc": ("twomass_key", "twomass_dist", "twomass_radius_arcsec"),
    "gaia_dr2": ("gaia_dr2_id1", "gaia_dr2_dist1", "gaia_radius_arcsec"),
    "allwise": ("allwise_cntr", "allwise_dist", "allwise_radius_arcsec"),
}

#: The table roles of the joined master (:mod:`symfind.query.releases`).
JOINED_ROLES = ("master", "twomass_psc", "gaia", "allwise")

#: The margin written beside each catalogue by :func:`write_hats_catalogues` (arcsec): wider than
#: every cross-match radius of the selection.
MARGIN_ARCSEC = 5.0


#: The deepest HEALPix order of the written pixels (order 10: 3.4 arcmin).
HIGHEST_ORDER = 10

#: Rows of a written detections pixel per row of the others (an object has tens of epochs).
EPOCHS_PER_ROW = 50


def _is_url(path: str) -> bool:
    return "://" in str(path)


def open_hats(key: str, path: str, columns: list[str], optional: tuple[str, ...] = (), **kwargs: Any):
    """The HATS catalogue at ``path`` (config key ``key``), opened lazily with ``columns`` (those of
    ``optional`` it lacks are left out). Refused, naming the key, where it cannot be opened (no such
    folder, an address that does not answer, not a HATS catalogue) or lacks one of ``columns``."""
    import lsdb

    if not _is_url(path) and not Path(path).exists():
        raise InputError(f"config key '{key}': {path} does not exist (a HATS catalogue folder or URL was expected)")
    try:
        catalogue = lsdb.open_catalog(path, **kwargs)
    except Exception as exc:
        raise InputError(f"config key '{key}': {path} cannot be opened as a HATS catalogue ({type(exc).__name__}: {exc})") from exc
    present = set(catalogue.all_columns)
    missing = [c for c in columns if c not in present and c not in optional]
    if missing:
        raise InputError(f"config key '{key}': the HATS catalogue {path} has no column(s) {', '.join(missing)}")
    return lsdb.open_catalog(path, columns=[c for c in columns if c in present], **kwargs)


def tile_search(nside: int, tile: int):
    """LSDB's search for the pixels of nested HEALPix ``tile`` at ``nside`` and of its eight
    neighbours: where the detections and the Gaia sources of the tile's objects lie (a source a few
    arcsec from its object, across the tile's edge, lies in a neighbour)."""
    import healpy as hp
    import lsdb

    order = int(np.log2(nside))
    neighbours = hp.get_all_neighbours(nside, int(tile), nest=True)
    return lsdb.PixelSearch([(order, int(p)) for p in (int(tile), *neighbours) if p >= 0])


def select_partition(frame: pd.DataFrame, renames: Mapping[str, str], schema: ArchiveSchema,
                     criteria: list[Criterion]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One HEALPix pixel of the joined catalogues -> its selected rows (symfind's names and dtypes,
    :data:`symfind.columns.JOINED_COLUMNS`) and its cut-flow (:func:`symfind.query.selection.apply_selection`).
    ``renames``: archive name -> symfind's."""
    registry, _, optional = release_columns(schema, JOINED_ROLES)
    frame = pd.DataFrame(frame).reset_index(drop=True)  # a plain frame, not LSDB's NestedFrame
    frame = in_our_names(schema, conform_table(frame, registry, optional, "the joined HATS catalogues"), renames, JOINED_ROLES)
    selected, flow = apply_selection(frame, criteria)
    return selected[list(C.JOINED_COLUMNS)], flow


class HatsCatalogues:
    """A :class:`symfind.query.sources.Source` on HATS catalogues: ``hats`` maps the names of
    :data:`HATS_TABLES` to paths or URLs (config section ``hats``); ``files`` the plain tables
    (images, Gaia DR3's optional ones); ``tap`` the services for the epochs where ``hats.photometry``
    is not set; ``dask`` and ``threads`` where the partitions run (:func:`symfind.query.parallel.dask_client`);
    ``region`` ``(nside, tile)``: the sky tile whose objects' epochs and distances are asked for,
    so that only the catalogues' pixels of that tile and its neighbours are read (None: all)."""

    def __init__(self, hats: Mapping[str, Any], schema: ArchiveSchema = DEFAULT_SCHEMA,
                 files: Mapping[str, Any] | None = None, tap: Mapping[str, Any] | None = None,
                 dask: Mapping[str, Any] | None = None, threads: int = 1, parts_dir: str | None = None,
                 region: tuple[int, int] | None = None) -> None:
        unknown = sorted(set(hats) - set(HATS_TABLES))
        if unknown:
            raise InputError(f"config section 'hats': unknown key(s) {', '.join(unknown)}; expected some of {', '.join(HATS_TABLES)}")
        self.paths = {name: str(path) for name, path in hats.items() if path}
        self.schema = schema
        self.files = LocalTables({name: path for name, path in (files or {}).items() if path}, schema)
        self.tap, self.dask, self.threads, self.parts_dir = tap, dict(dask or {}), int(threads), parts_dir
        self.region = region

    def _path(self, name: str) -> str:
        if name not in self.paths:
            raise InputError(f"no '{name}' HATS catalogue was given (config key 'hats.{name}')")
        return self.paths[name]

    def joined_catalogue(self, radii: Mapping[str, float] | None = None):
        """The master catalogue joined to 2MASS, Gaia and AllWISE (lazy, in the release's names),
        and the archive -> symfind renames of its columns. ``radii``: the selection's cross-match
        radii (arcsec, by config key), for a survey the master has no id column for."""
        radii = dict(radii or {})
        registry, renames, optional = release_columns(self.schema, ("master",))
        master = open_hats("hats.master", self._path("master"), list(registry), optional=optional + tuple(
            self.schema.archive_name("master", MASTER_LINKS[name][i]) or "" for name in MASTER_LINKS for i in (0, 1)))
        for name, (link, dist, radius_key) in MASTER_LINKS.items():
            role = TABLE_ROLES[name]
            survey_registry, survey_renames, _ = release_columns(self.schema, (role,))
            survey = open_hats(f"hats.{name}", self._path(name), list(survey_registry))
            if survey.margin is None:
                log.warning("hats.%s has no margin cache: a counterpart across a HEALPix pixel's edge is missed", name)
            key = self.schema.archive_name(role, CROSSMATCH_KEYS[name])
            link_name, dist_name = self.schema.archive_name("master", link), self.schema.archive_name("master", dist)
            if link_name in master.columns:
                master = master.join(survey, left_on=link_name, right_on=key, suffixes=("", f"__{name}"),
                                     suffix_method="overlapping_columns", log_changes=False)
            else:
                if radius_key not in radii:
                    raise InputError(f"hats.master has no column {link_name!r}: the positional cross-match with "
                                     f"hats.{name} needs selection.{radius_key}")
                log.info("hats.master has no %s: %s matched by position within %.2f arcsec", link_name, name, radii[radius_key])
                master = master.crossmatch(survey, radius_arcsec=float(radii[radius_key]), n_neighbors=1,
                                           suffixes=("", f"__{name}"), suffix_method="overlapping_columns", log_changes=False)
                master = master.map_partitions(_link_columns, key=key, link=link_name, dist=dist_name)
            renames.update(survey_renames)
        return master, renames

    def select(self, criteria: list[Criterion], nside: int, tile: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The selected objects of every pixel of the catalogues (``tile`` must be None: the
        selection runs over the whole sky at once, pixel by pixel) and the cut-flow summed over the
        pixels."""
        import dask

        from ..parallel import compute_logged, dask_client

        if tile is not None:
            raise InputError("source 'hats' selects the whole sky at once (tile None)")
        radii = {c.key: float(c.value) for c in criteria if c.key.endswith("_radius_arcsec")}
        joined, renames = self.joined_catalogue(radii)
        tasks = [dask.delayed(select_partition)(part, renames, self.schema, criteria) for part in joined.to_delayed()]
        with dask_client(self.dask, self.threads):
            parts = compute_logged(tasks, "HEALPix pixels selected")
        if not parts:
            raise InputError(f"{self._path('master')}: the HATS catalogue has no rows (a master table with objects was expected)")
        selected = pd.concat([p[0] for p in parts], ignore_index=True).sort_values("object_id", kind="stable", ignore_index=True)
        flow = parts[0][1][["step", "criterion"]].assign(rows_left=np.sum([p[1]["rows_left"].to_numpy() for p in parts], axis=0))
        if not flow["rows_left"].iloc[0]:
            raise InputError(f"{self._path('master')}: no row of the HATS catalogue has its counterparts in "
                             "hats.twomass_psc, hats.gaia_dr2 and hats.allwise")
        require_unique(selected["object_id"], f"{self._path('master')}: column 'object_id'")
        return selected, flow

    def _rows(self, name: str, key: str, ids: np.ndarray) -> pd.DataFrame:
        """The rows of HATS catalogue ``name`` whose ``key`` (symfind's name) is one of ``ids``, in
        symfind's names and dtypes (a Parquet filter in each pixel: only those rows are read)."""
        from ..parallel import dask_client

        role = TABLE_ROLES[name]
        registry, renames, optional = release_columns(self.schema, (role,))
        theirs = self.schema.archive_name(role, key)
        wanted = np.unique(np.asarray(ids, dtype=np.int64))
        search = {} if self.region is None else {"search_filter": tile_search(*self.region)}
        # the ids' range as a Parquet filter (row groups outside it are not read), then a hash
        # lookup in each pixel's task: a Parquet "in" filter of 10^5 ids is several times slower
        bounds = [(theirs, ">=", int(wanted[0])), (theirs, "<=", int(wanted[-1]))] if len(wanted) else None
        catalogue = open_hats(f"hats.{name}", self._path(name), list(registry), optional=optional, filters=bounds, **search)
        with dask_client(self.dask, self.threads):
            if len(wanted):
                frame = catalogue.map_partitions(_rows_of, column=theirs, ids=wanted).compute()
            else:
                frame = catalogue._ddf._meta
        frame = pd.DataFrame(frame).reset_index(drop=True)
        return in_our_names(self.schema, conform_table(frame, registry, optional, f"HATS catalogue {self._path(name)}"),
                            renames, (role,))

    def epochs(self, object_ids: np.ndarray) -> pd.DataFrame:
        """Per-epoch photometry of ``object_ids``: from ``hats.photometry`` with the plain images
        table (``files.images``) where the detections lack ``night_mjd``; over TAP where no
        detections catalogue is configured."""
        from ..epochs import join_epochs

        if "photometry" not in self.paths:
            if self.tap is None:
                raise InputError("source 'hats' without hats.photometry takes the epochs over TAP: the 'tap' section is needed")
            from .tap import TapArchive

            return TapArchive(self.tap, self.schema, self.parts_dir).epochs(object_ids)
        photometry = self._rows("photometry", "object_id", object_ids)
        images = self.files._read("images") if "images" in self.files.tables else None
        return join_epochs(np.asarray(object_ids), photometry, images, f"hats.photometry ({self._path('photometry')})")

    def distances(self, source_ids: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Bailer-Jones distances (pc) of ``source_ids`` from ``hats.distances``: ``(found, missing)``."""
        from ..distances import lookup_distances

        ids = np.asarray(source_ids, dtype=np.int64)
        return lookup_distances(ids, self._rows("distances", "source_id", ids), f"hats.distances ({self._path('distances')})")

    def gaia_dr3(self, name: str, ids: np.ndarray) -> pd.DataFrame:
        """Gaia DR3's optional tables, from plain files (``files.<name>``) as for ``source: files``."""
        return self.files.gaia_dr3(name, ids)


def _rows_of(frame: pd.DataFrame, column: str, ids: np.ndarray) -> pd.DataFrame:
    """The rows of one pixel whose ``column`` is one of ``ids``."""
    return frame[frame[column].isin(ids)]


def _link_columns(frame: pd.DataFrame, key: str, link: str, dist: str) -> pd.DataFrame:
    """After a positional cross-match: the matched source's id and distance (arcsec) in the
    master's id and distance columns."""
    return frame.assign(**{link: frame[key], dist: frame["_dist_arcsec"]}).drop(columns=["_dist_arcsec"])


def _offset(rows: pd.DataFrame, ra: str, dec: str, dist: str, seed: int) -> pd.DataFrame:
    """Positions ``ra``/``dec`` (deg) moved by the match distance ``dist`` (arcsec; 0 where missing)
    in a direction drawn from ``seed``: where a survey's source lies, seen from the master's
    position, as columns ``ra`` and ``dec``."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0.0, 2 * np.pi, len(rows))
    step = np.nan_to_num(rows[dist].to_numpy(dtype=np.float64, na_value=np.nan), nan=0.0) / 3600.0
    dec_deg = rows[dec].to_numpy(dtype=np.float64)
    out = rows.drop(columns=[ra, dec, dist])
    out["dec"] = np.clip(dec_deg + step * np.sin(angle), -90.0, 90.0)
    out["ra"] = (rows[ra].to_numpy(dtype=np.float64) + step * np.cos(angle) / np.maximum(np.cos(np.radians(dec_deg)), 1e-6)) % 360.0
    return out


def write_hats_catalogues(folder: str | Path, out: str | Path, schema: ArchiveSchema = DEFAULT_SCHEMA,
                          names: tuple[str, ...] = HATS_TABLES, partition_rows: int = 20_000) -> dict[str, str]:
    """The survey tables of ``folder`` (the embedded sample's layout:
    :func:`symfind.query.sources.local.survey_folder_tables`) written as HATS catalogues under ``out``,
    one folder per table with a margin cache of :data:`MARGIN_ARCSEC`, and their paths (the config
    section ``hats``). The survey tables and the detections take the position of the master row that
    points at them (the archives' tables carry their own; a counterpart lies within a few arcsec);
    rows no master row points at are left out; a survey's source is placed at the master's match
    distance to it (``twomass_dist``, ...), in a random direction, so that a counterpart may lie
    across a HEALPix pixel's edge as on the sky. ``partition_rows``: rows per HEALPix pixel at most."""
    import lsdb

    from .local import survey_folder_tables

    paths = survey_folder_tables(folder, tuple(dict.fromkeys(("master", *names))), schema)
    master = read_table(paths["master"])
    ra, dec = schema.archive_name("master", "raj2000"), schema.archive_name("master", "dej2000")
    positions = master[[schema.archive_name("master", "object_id"), ra, dec]].rename(columns={ra: "ra", dec: "dec"})
    out = Path(out)
    written = {}
    for name in names:
        table = read_table(paths[name])
        if name == "master":
            frame = table
            ra_column, dec_column = ra, dec
        else:
            if name in MASTER_LINKS:
                link, dist, _ = MASTER_LINKS[name]
                left = schema.archive_name("master", link)
                right = schema.archive_name(TABLE_ROLES[name], CROSSMATCH_KEYS[name])
                where = master[[left, ra, dec, schema.archive_name("master", dist)]].dropna(subset=[left]).drop_duplicates(left)
                where = _offset(where, ra, dec, schema.archive_name("master", dist), seed=HATS_TABLES.index(name))
                where = where.rename(columns={left: right}).astype({right: table[right].dtype})
            elif name == "photometry":
                right = "object_id"
                where = positions
            else:  # the distances, at the Gaia source's position
                left = schema.archive_name("master", "gaia_dr2_id1")
                dist = schema.archive_name("master", "gaia_dr2_dist1")
                right = schema.archive_name("distances", "source_id")
                where = master[[left, ra, dec, dist]].dropna(subset=[left]).drop_duplicates(left)
                where = _offset(where, ra, dec, dist, seed=HATS_TABLES.index("gaia_dr2"))  # where the Gaia source is
                where = where.rename(columns={left: right}).astype({right: table[right].dtype})
            frame = table.merge(where, on=right, how="inner")
            ra_column, dec_column = "ra", "dec"
        rows = partition_rows * EPOCHS_PER_ROW if name == "photometry" else partition_rows  # an object's epochs share a pixel
        catalogue = lsdb.from_dataframe(frame, ra_column=ra_column, dec_column=dec_column, catalog_name=name,
                                        partition_rows=rows, highest_order=HIGHEST_ORDER, margin_threshold=MARGIN_ARCSEC)
        catalogue.write_catalog(out / name, overwrite=True, progress_bar=False)
        written[name] = str(out / name)
        log.info("hats.%s: %d rows in %d HEALPix pixels -> %s", name, len(frame), catalogue.get_healpix_pixels().__len__(), out / name)
    return written


def main(argv: list[str] | None = None) -> None:
    """``python -m symfind.query.sources.hats FOLDER OUT``: a folder of survey tables as HATS catalogues."""
    import argparse

    parser = argparse.ArgumentParser(description="Write a folder of survey tables (the sample's layout) as HATS catalogues.")
    parser.add_argument("folder", type=Path, help="the survey tables (e.g. resources/sample, or python -m symfind.mock --out)")
    parser.add_argument("out", type=Path, help="where the catalogues go (one folder per table)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for name, path in write_hats_catalogues(args.folder, args.out).items():
        print(f"  {name}: {path}")


if __name__ == "__main__":
    main()
