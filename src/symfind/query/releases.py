"""Which archive release symfind reads, and what each release calls the tables and columns it uses.

symfind's own names for the columns are those of the SkyMapper DR2 schema (:mod:`symfind.columns`,
the search this workflow reproduces). A release maps each of them to the name its archive uses;
the TAP queries select the archive's name *as* symfind's (``m.gaia_dr3_id1 AS gaia_dr2_id1``), and
a user's own tables in a release's schema are renamed on reading, so every later stage sees one
schema. Config ``release`` picks the release (``dr2``, the default, reproduces the original search);
``archive.tables`` and ``archive.columns`` override any name, so a service that renames a column
needs no new symfind.

Under ``release: dr4`` the product columns keep symfind's names: ``gaia_dr2_id1`` holds the Gaia DR3
``source_id`` and ``gaia_dr2_dist1`` the distance to it (the FITS and VOTable descriptions and
``config_used.yaml`` say which release made them).

Sources of the names:

- SkyMapper DR2: Onken et al. 2019, PASA 36, e033; the ``dr2`` schema of the SkyMapper TAP service
  (https://api.skymapper.nci.org.au/public/tap/, table metadata at skymapper.anu.edu.au).
- SkyMapper DR4: Onken et al. 2024, PASA 41, e061; the ``dr4`` schema of the same service and its
  release page (https://skymapper.anu.edu.au/data-release/dr4/): ``dr4.master`` is pre-matched to
  Gaia DR3 (``gaia_dr3_id1``, ``gaia_dr3_dist1``), 2MASS (``twomass_key``, ``twomass_dist``) and
  AllWISE (``allwise_cntr``, ``allwise_dist``); the distance to the nearest other SkyMapper object
  is ``self_dist1`` (DR2's ``prox``); VizieR II/379.
- Gaia DR2 / DR3 main tables (``ext.gaia_dr2``, ``ext.gaia_dr3`` at SkyMapper; ``gaiadr3.gaia_source``
  at the Gaia archive): ``source_id``, ``parallax``, ``pmra``, ``pmdec`` and their errors, and
  ``astrometric_excess_noise`` keep their names (Gaia DR3 documentation, chapter 20.1).
- Bailer-Jones et al. 2018 (AJ 156, 58): ``external.gaiadr2_geometric_distance`` at the Gaia
  archive: ``r_est``, ``r_lo``, ``r_hi``, ``r_len``, ``result_flag``, ``modality_flag``.
- Bailer-Jones et al. 2021 (AJ 161, 147): ``external.gaiaedr3_distance`` at the Gaia archive
  (VizieR I/352): ``r_med_geo``, ``r_lo_geo``, ``r_hi_geo`` (geometric) and ``r_med_photogeo``,
  ``r_lo_photogeo``, ``r_hi_photogeo`` (photogeometric): the median and the 16th and 84th
  percentiles in pc; ``flag`` in place of 2018's ``result_flag``; no ``r_len`` or ``modality_flag``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import columns as C
from ..io import InputError

#: Which of symfind's column registries each table role holds.
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "master": C.MASTER_COLUMNS,
    "twomass_psc": C.TWOMASS_COLUMNS,
    "gaia": C.GAIA_COLUMNS,
    "allwise": C.ALLWISE_COLUMNS,
    "photometry": C.PHOTOMETRY_COLUMNS,
    "images": C.IMAGES_COLUMNS,
    "distances": C.DISTANCE_COLUMNS,
}

#: What a column and a table name from config may be (they are written into ADQL).
_COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TABLE_NAME = re.compile(r'^("?[A-Za-z_][A-Za-z0-9_]*"?\.)?[A-Za-z_][A-Za-z0-9_]*$')

#: A column a release does not have: ``columns[role][name] = NO_COUNTERPART``.
NO_COUNTERPART = None


@dataclass(frozen=True)
class Release:
    """One archive release: ``tables`` (role -> ADQL table name) and ``columns`` (role -> symfind's
    name -> the archive's name, only where they differ; :data:`NO_COUNTERPART` where the release has
    none), ``notes`` (symfind's name -> what the user can do where there is no counterpart)."""

    name: str
    title: str
    tables: dict[str, str]
    columns: dict[str, dict[str, str | None]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


RELEASES: dict[str, Release] = {
    "dr2": Release(
        "dr2", "SkyMapper DR2 with Gaia DR2",
        tables={"master": "dr2.master", "twomass_psc": "ext.twomass_psc", "gaia": "ext.gaia_dr2", "allwise": "ext.allwise",
                "photometry": "dr2.photometry", "images": "dr2.images"},
    ),
    "dr4": Release(
        "dr4", "SkyMapper DR4 with Gaia DR3",
        tables={"master": "dr4.master", "twomass_psc": "ext.twomass_psc", "gaia": "ext.gaia_dr3", "allwise": "ext.allwise",
                "photometry": "dr4.photometry", "images": "dr4.images"},
        columns={"master": {"gaia_dr2_id1": "gaia_dr3_id1", "gaia_dr2_dist1": "gaia_dr3_dist1", "gaia_dr2_dist2": "gaia_dr3_dist2",
                           "prox": "self_dist1"}},
    ),
}

#: Bailer-Jones distance catalogues: table and columns per estimate (symfind's name -> the archive's).
DISTANCE_CATALOGUES: dict[str, dict[str, Any]] = {
    "bailer_jones_2018": {
        "title": "Bailer-Jones et al. 2018 (AJ 156, 58), geometric",
        "table": '"external".gaiadr2_geometric_distance',
        "estimates": {"geometric": {}},
    },
    "bailer_jones_2021": {
        "title": "Bailer-Jones et al. 2021 (AJ 161, 147)",
        "table": '"external".gaiaedr3_distance',
        "estimates": {
            estimate: {"r_est": f"r_med_{short}", "r_lo": f"r_lo_{short}", "r_hi": f"r_hi_{short}", "r_len": NO_COUNTERPART,
                       "result_flag": NO_COUNTERPART, "modality_flag": NO_COUNTERPART}
            for estimate, short in (("geometric", "geo"), ("photogeometric", "photogeo"))
        },
        "notes": {"result_flag": "Bailer-Jones 2021 has no result_flag (its 'flag' column says how each distance was "
                                 "obtained); set cuts.distance_result_flags to null to keep every distance"},
    },
}


#: The distance catalogue of each release: keyed on the Gaia release its master table points at.
RELEASE_DISTANCES = {"dr2": "bailer_jones_2018", "dr4": "bailer_jones_2021"}


def release_problems(config: Mapping[str, Any]) -> list[str]:
    """What does not fit together in the release settings of ``config``, one line each naming the
    config key: a distance catalogue keyed on another Gaia release's ids than the master table's,
    an estimate the catalogue does not offer, a cut on a column the catalogue does not have."""
    name = config.get("release", "dr2")
    distances = config.get("distances") or {}
    catalogue = distances.get("catalogue") or RELEASE_DISTANCES.get(name)
    problems = []
    if catalogue != RELEASE_DISTANCES.get(name):
        problems.append(f"config key 'distances.catalogue': {catalogue} is keyed on other Gaia source ids than release {name}'s "
                        f"master table points at; use {RELEASE_DISTANCES.get(name)} (or null: the release's)")
    spec = DISTANCE_CATALOGUES.get(catalogue, {})
    estimate = distances.get("estimate", "geometric")
    if spec and estimate not in spec["estimates"]:
        problems.append(f"config key 'distances.estimate': {estimate} is not offered by {catalogue} "
                        f"(it has {', '.join(spec['estimates'])})")
    flags = (config.get("cuts") or {}).get("distance_result_flags")
    if spec and flags is not None and spec["estimates"].get(estimate, {}).get("result_flag", "result_flag") is None:
        problems.append(f"config key 'cuts.distance_result_flags' filters result_flag, which {catalogue} does not have "
                        "(its 'flag' says how each distance was obtained); set it to null to keep every distance")
    return problems


@dataclass(frozen=True)
class ArchiveSchema:
    """The resolved names of one run: per role, the ADQL table and symfind's name -> the archive's
    (``None``: the release has no such column)."""

    release: str
    distance_catalogue: str
    distance_estimate: str
    tables: dict[str, str]
    columns: dict[str, dict[str, str | None]]
    notes: dict[str, str]

    def archive_name(self, role: str, name: str) -> str | None:
        """The archive's name of symfind's column ``name`` in table ``role`` (None: no counterpart)."""
        return self.columns[role][name]

    def require(self, role: str, name: str, key: str) -> str:
        """The archive's name of a column a criterion (config ``key``) needs; refused, naming the key,
        where the release has no counterpart."""
        archive = self.archive_name(role, name)
        if archive is None:
            where = self.distance_catalogue if role == "distances" else f"release {self.release}"
            hint = self.notes.get(name, f"set config key 'archive.columns.{role}.{name}' to the column that replaces it")
            raise InputError(f"config key '{key}' filters column {name!r}, which {where} does not have; {hint}")
        return archive

    def select_list(self, role: str, alias: str) -> list[str]:
        """ADQL select items of the columns of ``role`` that the release has, under symfind's names
        (``a.x AS y`` where the archive's name differs); :meth:`with_missing` adds the others."""
        return [f"{alias}.{name}" if archive == name else f"{alias}.{archive} AS {name}"
                for name, archive in self.columns[role].items() if archive is not None]

    def registry(self, *roles: str) -> dict[str, str]:
        """symfind's columns of ``roles`` -> dtype, the ones the release does not have as nullable
        types (they arrive empty): what a result of this release is checked and cast against."""
        out = {}
        for role in roles:
            for name, dtype in TABLE_COLUMNS[role].items():
                if self.columns[role][name] is None:
                    dtype = dtype.capitalize() if dtype.startswith("int") else dtype
                out.setdefault(name, dtype)
        return out

    def with_missing(self, frame, role: str):
        """``frame`` (a table of ``role`` under symfind's names) with the columns the release does not
        have, empty (``pd.NA``); a table with none missing is returned as it is."""
        import pandas as pd

        missing = [name for name in self.missing(role) if name not in frame.columns]
        if not missing:
            return frame
        registry = self.registry(role)

        def empty(dtype: str) -> pd.Series:
            if dtype == "str":
                return pd.Series(None, index=frame.index, dtype=object)
            return pd.Series(float("nan") if dtype.startswith("float") else pd.NA, index=frame.index, dtype=dtype)

        return frame.assign(**{name: empty(registry[name]) for name in missing})

    def missing(self, role: str) -> list[str]:
        """symfind's columns of ``role`` that this release does not have (filled with nulls on reading)."""
        return [name for name, archive in self.columns[role].items() if archive is None]


def archive_schema(config: Mapping[str, Any]) -> ArchiveSchema:
    """The names of a run: ``config['release']`` and ``config['distances']`` (``catalogue``,
    ``estimate``), then ``config['archive']`` (``tables``: role -> table; ``columns``: role ->
    {symfind's name: archive's name}) over them. Unknown releases, roles or columns are refused,
    naming the config key."""
    name = config.get("release", "dr2")
    if name not in RELEASES:
        raise InputError(f"config key 'release': {name!r} is not a known release; expected one of {', '.join(RELEASES)}")
    release = RELEASES[name]
    distances = config.get("distances") or {}
    catalogue = distances.get("catalogue") or RELEASE_DISTANCES[name]
    if catalogue not in DISTANCE_CATALOGUES:
        raise InputError(f"config key 'distances.catalogue': {catalogue!r} is unknown; expected one of {', '.join(DISTANCE_CATALOGUES)}")
    spec = DISTANCE_CATALOGUES[catalogue]
    estimate = distances.get("estimate", "geometric")
    if estimate not in spec["estimates"]:
        raise InputError(f"config key 'distances.estimate': {estimate!r} is not offered by {catalogue}; "
                         f"expected one of {', '.join(spec['estimates'])}")
    tables = {**release.tables, "distances": spec["table"]}
    columns = {role: {c: c for c in registry} for role, registry in TABLE_COLUMNS.items()}
    for role, renamed in release.columns.items():
        columns[role].update(renamed)
    columns["distances"].update(spec["estimates"][estimate])
    archive = config.get("archive") or {}
    for role, table in (archive.get("tables") or {}).items():
        if role not in tables:
            raise InputError(f"config key 'archive.tables.{role}': unknown table role; expected one of {', '.join(tables)}")
        if not _TABLE_NAME.match(str(table)):
            raise InputError(f"config key 'archive.tables.{role}': {table!r} is not a table name (schema.table)")
        tables[role] = str(table)
    for role, renamed in (archive.get("columns") or {}).items():
        if role not in columns:
            raise InputError(f"config key 'archive.columns.{role}': unknown table role; expected one of {', '.join(columns)}")
        for ours, theirs in (renamed or {}).items():
            if ours not in columns[role]:
                raise InputError(f"config key 'archive.columns.{role}.{ours}': symfind has no column {ours!r} in {role}; "
                                 f"expected one of {', '.join(columns[role])}")
            if theirs is not None and not _COLUMN_NAME.match(str(theirs)):
                raise InputError(f"config key 'archive.columns.{role}.{ours}': {theirs!r} is not a column name")
            columns[role][ours] = None if theirs is None else str(theirs)
    notes = {**release.notes, **spec.get("notes", {})}
    return ArchiveSchema(name, catalogue, estimate, tables, columns, notes)


def schema_table(schema: ArchiveSchema) -> list[dict[str, str]]:
    """Every (role, symfind's name, the archive's name, table) of a run: for the README and the log."""
    return [{"table": schema.tables[role], "role": role, "symfind": ours, "archive": theirs or "(none)"}
            for role, names in schema.columns.items() for ours, theirs in names.items()]
