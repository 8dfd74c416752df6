"""Stage 2, beside the distances: Gaia DR3's own evidence for each selected object (optional).

Three Gaia DR3 tables, each optional (config ``gaia_dr3.tables``), keyed by the DR3 ``source_id``
(:data:`symfind.columns.GAIA_DR3_TABLES`):

- ``astrophysical_parameters``: ESP-ELS's Halpha pseudo-equivalent width ``ew_espels_halpha`` (nm,
  **negative for emission**), its uncertainty and quality flag, and its emission-line class
  ``classlabel_espels`` (Creevey et al. 2023, A&A 674, A26). A symbiotic star's Halpha is in
  emission with an equivalent width of tens to hundreds of Angstrom (Belczynski et al. 2000, A&AS
  146, 407: > 5 A is one of the defining criteria); Contreras Rojas et al. 2026 (arXiv:2602.10945)
  find it the strongest single feature among Gaia's.
- ``vari_classifier_result``: the variability class (``LPV``: a long-period variable; ``SYST``:
  a symbiotic variable; ``YSO``; ...; Rimoldini et al. 2023, A&A 674, A14).
- ``vari_long_period_variable``: period (``frequency``, 1/d), G amplitude (mag) and the carbon-star
  flag of the long-period variables (Lebzelter et al. 2023, A&A 674, A15).

With SkyMapper DR4 the master table's Gaia match is a DR3 ``source_id`` already; with DR2 the DR2
id is mapped to DR3 through ``gaiadr3.dr2_neighbourhood`` (Torra et al. 2021, A&A 649, A10): the
nearest DR3 neighbour on the sky, the one with the smaller magnitude difference where two are as
near. An object without a DR3 id or without a row in a table keeps missing values; it is never
dropped, and a missing value is never read as "no emission".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import columns as C
from ..io import InputError, require_unique

#: The optional tables, in the order of the config key ``gaia_dr3.tables``.
GAIA_DR3_TABLE_NAMES: tuple[str, ...] = tuple(C.GAIA_DR3_TABLES)
#: The Gaia DR3 classifier's class of the long-period variables and of the symbiotic variables.
LPV_CLASS = "LPV"
SYMBIOTIC_CLASS = "SYST"
#: Columns read more leniently than their registry says: the quality flag is text in the Gaia
#: archive but arrives as a number from some services and files, the carbon-star flag may be null.
_LENIENT = {"ew_espels_halpha_flag", "is_cstar"}


#: Every Gaia DR3 table a source answers for (:meth:`symfind.query.sources.Source.gaia_dr3`): the three
#: tables and the DR2 -> DR3 map; their registries (symfind's columns -> dtype) and their keys.
GAIA_DR3_SOURCE_TABLES: dict[str, dict[str, str]] = {**C.GAIA_DR3_TABLES, "dr2_neighbourhood": C.DR2_NEIGHBOURHOOD_COLUMNS}
GAIA_DR3_KEYS: dict[str, str] = {**{name: "source_id" for name in C.GAIA_DR3_TABLES}, "dr2_neighbourhood": "dr2_source_id"}
#: The Gaia archive's name of each (ADQL), as the test server serves them too.
GAIA_DR3_ARCHIVE_TABLES: dict[str, str] = {name: f"gaiadr3.{name}" for name in GAIA_DR3_SOURCE_TABLES}
#: The file of each in a folder of survey tables (the sample's layout): the archive's name with
#: ``_`` for the dot, as :func:`symfind.query.sources.local.survey_table_files` names the others.
GAIA_DR3_FILES: dict[str, str] = {name: table.replace(".", "_") + ".parquet" for name, table in GAIA_DR3_ARCHIVE_TABLES.items()}


def strict_columns(table: str) -> dict[str, str]:
    """The columns of Gaia DR3 table ``table`` that are checked and cast on reading (all of
    :data:`symfind.columns.GAIA_DR3_TABLES` but the two flags, normalised by :func:`normalise_flags`)."""
    return {name: dtype for name, dtype in GAIA_DR3_SOURCE_TABLES[table].items() if name not in _LENIENT}


def normalise_flags(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """``ew_espels_halpha_flag`` as text (a number ``0.0`` as ``"0"``) and ``is_cstar`` as a nullable
    boolean (``true``/``false``, 1/0), where the frame has them; ``where`` names the file."""
    out = frame
    if "ew_espels_halpha_flag" in out.columns:
        values = out["ew_espels_halpha_flag"]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numbers = pd.to_numeric(values)
            text = numbers.map(lambda x: None if pd.isna(x) else (str(int(x)) if float(x).is_integer() else str(x)))
        else:
            text = values.map(lambda x: None if x is None or (isinstance(x, float) and np.isnan(x))
                              else (x.decode() if isinstance(x, bytes) else str(x)).strip() or None)
        out = out.assign(ew_espels_halpha_flag=text.astype(object))
    if "is_cstar" in out.columns:
        values = out["is_cstar"]
        if pd.api.types.is_bool_dtype(values):
            flags = values.astype("boolean")
        else:
            lookup = {"true": True, "t": True, "1": True, "1.0": True, "false": False, "f": False, "0": False, "0.0": False}
            text = values.map(lambda x: None if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA
                              else (x.decode() if isinstance(x, bytes) else str(x)).strip().lower())
            unknown = sorted({t for t in text.dropna() if t not in lookup and t != ""})
            if unknown:
                raise InputError(f"{where}: column 'is_cstar' must be true or false, got {unknown[:3]}")
            flags = text.map(lambda t: pd.NA if t is None or t == "" else lookup[t]).astype("boolean")
        out = out.assign(is_cstar=flags)
    return out


def checked_rows(name: str, frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Rows of Gaia DR3 table ``name`` as read (a file) or returned (a TAP result), checked: every
    column of its registry there (refused naming ``where`` and the column), the flags normalised
    (:func:`normalise_flags`), in the registry's columns and order."""
    from ..io import coerce_columns, empty_table

    registry = GAIA_DR3_SOURCE_TABLES[name]
    if len(frame) == 0 and not len(frame.columns):
        return empty_table(registry)
    absent = [c for c in registry if c not in frame.columns]
    if absent:
        raise InputError(f"{where}: missing column(s) {', '.join(absent)}; found {', '.join(map(str, frame.columns))}")
    frame = normalise_flags(coerce_columns(frame, strict_columns(name), where), where)
    text = [c for c, dtype in registry.items() if dtype == "str"]
    frame = frame.assign(**{c: frame[c].map(lambda x: None if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x))
                                            or (isinstance(x, str) and not x.strip()) else str(x)).astype(object)
                            for c in text})  # an empty text cell (a CSV, a service) is a missing value
    return frame[list(registry)].reset_index(drop=True)


def read_gaia_dr3_rows(name: str, path, ids: np.ndarray) -> pd.DataFrame:
    """Rows of Gaia DR3 table ``name`` in file ``path`` whose key is one of ``ids`` (a Parquet file
    is read with a row filter)."""
    from ..io import read_table

    key = GAIA_DR3_KEYS[name]
    wanted = [int(i) for i in pd.unique(np.asarray(ids, dtype=np.int64))]
    frame = read_table(path, strict_columns(name), parquet_filters=[(key, "in", wanted)] if wanted else None)
    frame = checked_rows(name, frame, str(path))
    return frame[frame[key].isin(wanted)].reset_index(drop=True) if wanted else frame.iloc[:0]


def gaia_dr3_adql(name: str, tables: Mapping[str, str] | None = None) -> str:
    """The upload query of Gaia DR3 table ``name`` at the Gaia archive: its columns for the uploaded
    ids (``TAP_UPLOAD.ids.source_id``; the DR2 ids for ``dr2_neighbourhood``)."""
    table = (tables or GAIA_DR3_ARCHIVE_TABLES)[name]
    columns = ", ".join(f"t.{column}" for column in GAIA_DR3_SOURCE_TABLES[name])
    return f"SELECT {columns}\nFROM {table} AS t\nJOIN TAP_UPLOAD.ids AS u ON t.{GAIA_DR3_KEYS[name]} = u.source_id"


def dr3_source_ids(dr2_ids: np.ndarray, neighbourhood: pd.DataFrame) -> pd.Series:
    """The Gaia DR3 ``source_id`` of each DR2 id (nullable ``Int64``; missing where the
    neighbourhood table has none): the DR3 neighbour nearest on the sky (``angular_distance``),
    the smaller ``|magnitude_difference|`` where two are as near, then the smaller id."""
    ids = pd.Series(pd.array(dr2_ids, dtype="Int64"))  # never through float: 19-digit ids
    if neighbourhood.empty or ids.isna().all():
        return pd.Series(pd.NA, index=range(len(ids)), dtype="Int64")
    ranked = neighbourhood.assign(_dmag=neighbourhood["magnitude_difference"].abs().fillna(np.inf),
                                  _dist=neighbourhood["angular_distance"].fillna(np.inf))
    ranked = ranked.sort_values(["dr2_source_id", "_dist", "_dmag", "dr3_source_id"], kind="stable")
    best = ranked.drop_duplicates("dr2_source_id", keep="first").set_index("dr2_source_id")["dr3_source_id"]
    position = pd.Index(best.index.to_numpy(dtype=np.int64)).get_indexer(ids.fillna(-1).to_numpy(dtype=np.int64))
    values = best.to_numpy(dtype=np.int64)
    found = (position >= 0) & ids.notna().to_numpy()
    mapped = pd.array(np.where(found, values[np.where(found, position, 0)] if len(values) else 0, 0), dtype="Int64")
    mapped[~found] = pd.NA
    return pd.Series(mapped)  # exact: a 19-digit id through a float would lose its last digits


def halpha_emission_z(ew_nm: np.ndarray, error_nm: np.ndarray, flags: pd.Series | None,
                      trusted_flags: list[str] | None) -> np.ndarray:
    """Halpha emission in sigma: ``-ew / error`` (ESP-ELS's sign: negative for emission, so an
    emission line gives a positive value); NaN where the width or its error is missing or not
    positive, or where ``trusted_flags`` (text values of ``ew_espels_halpha_flag``; None: all) does
    not hold the row's flag."""
    ew = np.asarray(ew_nm, dtype=np.float64)
    err = np.asarray(error_nm, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(np.isfinite(ew) & np.isfinite(err) & (err > 0), -ew / err, np.nan)
    if trusted_flags is not None and flags is not None:
        trusted = flags.astype(object).isin([str(f) for f in trusted_flags]).to_numpy()
        z = np.where(trusted, z, np.nan)
    return z


def gaia_dr3_evidence(object_ids: np.ndarray, dr3_ids: pd.Series, tables: Mapping[str, pd.DataFrame | None],
                      trusted_flags: list[str] | None = None, where: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per object (:data:`symfind.columns.GAIA_DR3_EVIDENCE_COLUMNS`, in the order of
    ``object_ids``): the DR3 id, the columns of each table of ``tables`` (name -> its rows, in
    symfind's columns, or None where the table was not given: its columns stay missing and
    ``has_<table>`` False), ``halpha_emission_z`` (:func:`halpha_emission_z`) and ``gaia_lpv``
    (missing where neither variability table was given). ``where`` names each table's file for
    errors."""
    where = dict(where or {})
    n = len(object_ids)
    ids = pd.Series(pd.array(dr3_ids, dtype="Int64"), index=range(n))
    out = pd.DataFrame({"object_id": np.asarray(object_ids, dtype=np.int64), "gaia_dr3_source_id": ids})
    for name in GAIA_DR3_TABLE_NAMES:
        registry = C.GAIA_DR3_TABLES[name]
        rows = tables.get(name)
        if rows is None:
            for column, dtype in registry.items():
                if column != "source_id":
                    out[column] = _missing(dtype, n)
            out[f"has_{name}"] = np.zeros(n, dtype=bool)
            continue
        require_unique(rows["source_id"], f"{where.get(name, name)}: column 'source_id'")
        indexed = rows.set_index(pd.Index(pd.array(rows["source_id"], dtype="Int64")))
        position = indexed.index.get_indexer(ids)
        found = (position >= 0) & ids.notna().to_numpy()
        out[f"has_{name}"] = found
        take = np.where(found, position, 0)
        for column, dtype in registry.items():
            if column == "source_id":
                continue
            values = indexed[column].to_numpy(dtype=object) if len(indexed) else np.array([], dtype=object)
            picked = values[take] if len(values) else np.full(n, None, dtype=object)
            series = pd.Series(np.where(found, picked, None), dtype=object)
            out[column] = _typed(series, dtype)
    out["halpha_emission_z"] = halpha_emission_z(out["ew_espels_halpha"], out["ew_espels_halpha_uncertainty"],
                                                 out["ew_espels_halpha_flag"], trusted_flags)
    given_vari = tables.get("vari_classifier_result") is not None or tables.get("vari_long_period_variable") is not None
    lpv = (out["best_class_name"].astype(object) == LPV_CLASS).to_numpy() | out["has_vari_long_period_variable"].to_numpy()
    out["gaia_lpv"] = pd.array(lpv if given_vari else [pd.NA] * n, dtype="boolean")
    return out[list(C.GAIA_DR3_EVIDENCE_COLUMNS)]


def _missing(dtype: str, n: int) -> pd.Series:
    if dtype == "str":
        return pd.Series([None] * n, dtype=object)
    if dtype == "bool":
        return pd.Series(pd.array([pd.NA] * n, dtype="boolean"))
    return pd.Series(np.full(n, np.nan), dtype=dtype)


def _typed(values: pd.Series, dtype: str) -> pd.Series:
    if dtype == "str":
        return values.astype(object)
    if dtype == "bool":
        return pd.Series(pd.array(values.to_list(), dtype="boolean"))
    return pd.to_numeric(values, errors="coerce").astype(dtype)


def evidence_counts(evidence: pd.DataFrame) -> dict[str, int]:
    """How many objects had a DR3 id, a row in each table, Halpha emission at 3 sigma or more, the
    LPV class and the SYST class: for the summary."""
    if evidence.empty:
        return {"objects": 0, "with_dr3_id": 0, **{name: 0 for name in GAIA_DR3_TABLE_NAMES},
                "halpha_emission_3sigma": 0, "lpv": 0, "syst": 0}
    z = pd.to_numeric(evidence["halpha_emission_z"], errors="coerce")
    return {
        "objects": int(len(evidence)),
        "with_dr3_id": int(evidence["gaia_dr3_source_id"].notna().sum()),
        **{name: int(evidence[f"has_{name}"].sum()) for name in GAIA_DR3_TABLE_NAMES},
        "halpha_emission_3sigma": int((z >= 3).sum()),
        "lpv": int(evidence["gaia_lpv"].fillna(False).sum()),
        "syst": int((evidence["best_class_name"].astype(object) == SYMBIOTIC_CLASS).sum()),
    }
