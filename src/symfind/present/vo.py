"""Tables for TOPCAT and every other FITS or VOTable reader: units, UCDs, descriptions, provenance.

Each column's unit, UCD and description go where a reader looks for them, not only into astropy's
own YAML: in FITS the standard ``TUNITn`` and ``TCOMMn`` cards and the ``TUCDn`` convention that
TOPCAT (STIL) reads; in a VOTable the ``unit``, ``ucd`` and ``DESCRIPTION`` of each ``FIELD``.
Both carry the symfind version, the date they were written and the SHA-256 of the
``config_used.yaml`` of the run (FITS header cards ``SFVERS``, ``DATE``, ``CFGSHA``; VOTable
``INFO`` elements ``symfind_version``, ``date``, ``config_sha256``) and the archive release and
distance catalogue it was built from (``RELEASE``, ``DISTCAT``; ``release``, ``distances``), so a
table found in a folder years later says what made it. The date is the time of writing, or the one given by the
``SOURCE_DATE_EPOCH`` environment variable (seconds since 1970, the reproducible-builds
convention) for byte-identical reruns.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .. import __version__
from ..io import atomic_path

#: name -> (unit in the VOUnit syntax or "", UCD1+ words, description).
ColumnMeta = Mapping[str, tuple[str, str, str]]


def provenance(config_used: str | Path | None) -> dict[str, str]:
    """What made a table: the symfind version, the date (UTC, ISO 8601, seconds) and the SHA-256 of
    the run's ``config_used.yaml`` (its bytes; empty without one)."""
    digest = hashlib.sha256(Path(config_used).read_bytes()).hexdigest() if config_used else ""
    release, distances = "", ""
    if config_used:
        import yaml

        from ..query.releases import archive_schema

        schema = archive_schema(yaml.safe_load(Path(config_used).read_text(encoding="utf-8")) or {})
        release, distances = schema.release, f"{schema.distance_catalogue} {schema.distance_estimate}"
    fixed = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (datetime.datetime.fromtimestamp(int(fixed), datetime.timezone.utc) if fixed
              else datetime.datetime.now(datetime.timezone.utc))
    date = moment.replace(microsecond=0, tzinfo=None).isoformat()
    return {"symfind_version": __version__, "date": date, "config_sha256": digest,
            "config_file": Path(config_used).name if config_used else "", "release": release, "distances": distances}


def to_astropy(table: pd.DataFrame, meta: ColumnMeta):
    """An astropy Table with unit, UCD and description on every column (each must be in ``meta``)."""
    from astropy.table import Table

    missing = [name for name in table.columns if name not in meta]
    if missing:
        raise KeyError(f"no unit, UCD and description for column(s) {missing}")
    out = Table.from_pandas(table)
    for name in out.colnames:
        unit, ucd, description = meta[name]
        out[name].unit = unit or None
        out[name].description = description
        out[name].meta["ucd"] = ucd
    return out


def write_fits(table: pd.DataFrame, meta: ColumnMeta, path: str | Path, origin: Mapping[str, str],
               extname: str = "SYMFIND") -> None:
    """A FITS binary table with ``TUNITn``, ``TCOMMn`` (description) and ``TUCDn`` for every
    column and the provenance cards (see the module), written atomically."""
    from astropy.io import fits

    hdu = fits.table_to_hdu(to_astropy(table, meta))
    header = hdu.header
    header["EXTNAME"] = extname
    for k, name in enumerate(table.columns, start=1):
        unit, ucd, description = meta[name]
        header[f"TCOMM{k}"] = description
        header[f"TUCD{k}"] = ucd
    header["CREATOR"] = (f"symfind {origin['symfind_version']}", "software that wrote this table")
    header["SFVERS"] = (origin["symfind_version"], "symfind version")
    header["DATE"] = (origin["date"], "UTC date this table was written")
    header["CFGSHA"] = origin["config_sha256"]  # SHA-256 of config_used.yaml (64 hex digits leave no room for a comment)
    header["RELEASE"] = (origin.get("release", ""), "archive release (symfind config 'release')")
    header["DISTCAT"] = (origin.get("distances", ""), "distance catalogue and estimate")
    primary = fits.PrimaryHDU()
    for key in ("CREATOR", "SFVERS", "DATE", "CFGSHA", "RELEASE", "DISTCAT"):
        primary.header[key] = (header[key], header.comments[key])
    with atomic_path(path) as tmp:
        fits.HDUList([primary, hdu]).writeto(tmp, overwrite=True)


def write_votable(table: pd.DataFrame, meta: ColumnMeta, path: str | Path, origin: Mapping[str, str]) -> None:
    """A VOTable with unit, UCD and description on every FIELD and the provenance as INFO
    elements (see the module), written atomically."""
    from astropy.io.votable import from_table
    from astropy.io.votable.tree import Info

    votable = from_table(to_astropy(table, meta))
    for field in votable.get_first_table().fields:
        field.ucd = meta[field.name][1]
        if field.datatype in ("char", "unicodeChar") and field.arraysize == "1":
            field.arraysize = "*"  # a one-character code (a quality flag): VOTable 1.3 deprecates arraysize 1
    resource = votable.resources[0]
    for name in ("symfind_version", "date", "config_sha256", "release", "distances"):
        resource.infos.append(Info(name=name, value=origin.get(name, "")))
    with atomic_path(path) as tmp:
        votable.to_xml(str(tmp))
