"""Reading and writing tables: format detection, schema checks with clear errors, atomic writes.

Every product is written to a temporary file in the destination folder and moved into place with
:func:`os.replace`, so a job killed mid-write never leaves a file that a later run would trust.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd


class InputError(ValueError):
    """A user-supplied table or setting is not what symfind needs; the message says what and where."""


_FORMATS = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".fits": "fits",
    ".fit": "fits",
    ".fits.gz": "fits",
    ".vot": "votable",
    ".xml": "votable",
    ".votable": "votable",
}


def table_format(path: str | os.PathLike) -> str:
    """The format of a table file from its name: ``csv``, ``parquet``, ``fits`` or ``votable``."""
    name = Path(path).name.lower()
    for suffix in sorted(_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return _FORMATS[suffix]
    raise InputError(
        f"{path}: unknown table format; expected one of {', '.join(sorted(_FORMATS))}"
    )


def read_table(
    path: str | os.PathLike, columns: Mapping[str, str] | None = None, parquet_filters: list | None = None,
    optional: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Read a CSV, Parquet, FITS or VOTable file into a DataFrame.

    If ``columns`` (name -> dtype, as in :mod:`symfind.columns`) is given, every listed column must
    be present and convertible to its dtype; extra columns are kept. Errors name the file and the
    column. ``parquet_filters`` (pyarrow syntax) select rows while reading a Parquet file, so a
    large table need not fit in memory whole; other formats ignore them (callers filter after).
    ``optional``: columns of ``columns`` a file may lack; they are then added empty (NaN, or
    ``pd.NA`` for integers), and checked like the others where present.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file does not exist")
    fmt = table_format(path)
    if path.stat().st_size == 0:
        raise InputError(f"{path}: file is empty")
    try:
        if fmt == "csv":
            frame = _read_csv(path, columns)
        elif fmt == "parquet":
            frame = pd.read_parquet(path, filters=parquet_filters)
        else:
            from astropy.table import Table

            table = Table.read(path, format="fits" if fmt == "fits" else "votable")
            frame = table.to_pandas()
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except InputError:
        raise
    except Exception as exc:  # pragma: no cover - message depends on the reader
        raise InputError(f"{path}: cannot be read as {fmt}: {exc}") from exc
    if columns is not None:
        absent = [name for name in optional if name in columns and name not in frame.columns]
        frame = coerce_columns(frame, {k: v for k, v in columns.items() if k not in absent}, source=str(path))
        if absent:
            frame = frame.assign(**{name: _empty(columns[name], len(frame), frame.index) for name in absent})
    return frame


def _empty(dtype: str, n: int, index) -> pd.Series:
    """An empty column of ``dtype``: NaN for floats, ``pd.NA`` for (nullable) integers, None for text."""
    if dtype == "str":
        return pd.Series([None] * n, index=index, dtype=object)
    if dtype.startswith("float"):
        return pd.Series(np.full(n, np.nan), index=index, dtype=dtype)
    return pd.Series(pd.NA, index=index, dtype="Int64" if dtype.lower().startswith("int") else dtype)


def _read_csv(path: Path, columns: Mapping[str, str] | None) -> pd.DataFrame:
    """A CSV file, its declared integer columns read as integers (a 64-bit id in a column with
    empty cells would lose its last digits as a float) and its text columns as text (a flag such as
    ``cc_flg = 000`` keeps its zeros). A column that does not read that way is read as it comes,
    and :func:`coerce_columns` then says which column is wrong."""
    exact = {name: ("Int64" if dtype.lower().startswith("int") else "string")
             for name, dtype in (columns or {}).items() if dtype.lower().startswith("int") or dtype == "str"}
    if exact:
        try:
            return pd.read_csv(path, encoding="utf-8", low_memory=False, dtype=exact)
        except (ValueError, TypeError, OverflowError):
            pass
    return pd.read_csv(path, encoding="utf-8", low_memory=False)


def empty_table(columns: Mapping[str, str]) -> pd.DataFrame:
    """A table with no rows and the columns and dtypes of a column registry (``symfind.columns``):
    text as ``object``, the rest as declared."""
    return pd.DataFrame({name: pd.Series(dtype=object if dtype == "str" else dtype) for name, dtype in columns.items()})


def coerce_columns(frame: pd.DataFrame, columns: Mapping[str, str], source: str) -> pd.DataFrame:
    """Check that ``frame`` has every column of ``columns`` and cast each to its dtype.

    ``source`` names the table in error messages. Integer columns that hold missing values must be
    declared nullable (``Int64``); a float in an ``int`` column that is not a whole number is an error.
    """
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(map(str, frame.columns))}"
        )
    out = frame.copy()
    for name, dtype in columns.items():
        values = out[name]
        try:
            if dtype == "str":
                out[name] = _as_string(values, f"{source}: column {name!r}")
            elif dtype == "bool":
                out[name] = values.astype(bool)
            elif dtype.startswith(("int", "Int")):
                out[name] = _as_integer(values, dtype, f"{source}: column {name!r}")
            else:
                out[name] = pd.to_numeric(values, errors="raise").astype(dtype)
        except InputError:
            raise
        except (ValueError, TypeError) as exc:
            raise InputError(
                f"{source}: column {name!r} must be {dtype}, got {values.dtype} ({exc})"
            ) from exc
    return out


def _as_string(values: pd.Series, where: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        # 2MASS flags such as cc_flg = '000' must stay text; a numeric column lost them.
        raise InputError(f"{where} must be text (e.g. '000', 'AAA'), got numbers ({values.dtype})")
    decoded = values.map(lambda v: v.decode("ascii") if isinstance(v, bytes) else v)
    return decoded.astype("string").str.strip().astype(object).where(decoded.notna(), None)


def _as_integer(values: pd.Series, dtype: str, where: str) -> pd.Series:
    numeric = pd.to_numeric(values, errors="raise")
    if dtype.startswith("int") and numeric.isna().any():
        raise InputError(f"{where} must be {dtype} without missing values, found {numeric.isna().sum()} missing")
    finite = numeric.dropna()
    if pd.api.types.is_float_dtype(finite) and not np.all(np.isfinite(finite)):
        raise InputError(f"{where} must be {dtype}, found inf")
    if pd.api.types.is_float_dtype(finite) and not np.all(np.equal(np.floor(finite), finite)):
        raise InputError(f"{where} must be {dtype}, found non-integer values")
    return numeric.astype(dtype)


def current_umask() -> int:
    """The process umask (read without changing it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it onto ``path``, else delete it.
    The product gets the permissions of a file made the ordinary way (0666 less the umask), not the
    owner-only ones of a temporary file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if tmp.is_file():
            os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


#: Characters that make the csv module quote a field (QUOTE_MINIMAL with pandas' defaults).
_CSV_SPECIAL = (",", '"', "\n", "\r")


def _csv_kind(values: pd.Series) -> str | None:
    """How the fast CSV writer formats a column (``float``, ``int``, ``bool``, ``text``), or None
    where it does not cover the column (pandas then writes the whole table)."""
    dtype = values.dtype
    if isinstance(dtype, pd.Int64Dtype | pd.Int32Dtype | pd.Int16Dtype | pd.Int8Dtype):
        return "nullable_int"
    if isinstance(dtype, pd.StringDtype):
        text = values.dropna().to_numpy().tolist()
        return None if any(c in value for value in text for c in _CSV_SPECIAL) else "text"
    if not isinstance(dtype, np.dtype):
        return None  # categoricals, other extension types: pandas' own formatting
    if dtype == np.float64:
        return "float"
    if dtype == np.float32:
        return "float32"
    if dtype.kind in "iu":
        return "int"
    if dtype == np.bool_:
        return "bool"
    if dtype == object:
        for value in values.to_numpy().tolist():
            if value is None or (isinstance(value, float) and value != value):
                continue
            if not isinstance(value, str) or any(c in value for c in _CSV_SPECIAL):
                return None
        return "text"
    return None


def _csv_fields(values, kind: str) -> list[str]:
    """One column's fields (an array, or a pandas extension array for ``nullable_int`` and pandas
    text) as ``DataFrame.to_csv`` writes them: NaN, None and NA as empty fields."""
    if kind == "float":  # Python's float repr is numpy's shortest round-trip string, about twice as fast
        return ["" if value != value else repr(value) for value in values.tolist()]
    if kind == "float32":  # float32's own shortest string, as pandas writes it
        return np.where(np.isnan(values), "", values.astype(str)).tolist()
    if kind == "int":
        return list(map(str, values.tolist()))
    if kind == "nullable_int":
        return ["" if value is pd.NA else str(value) for value in values.tolist()]
    if kind == "bool":
        return ["True" if value else "False" for value in values.tolist()]
    return ["" if value is None or value is pd.NA or value != value else value for value in values.tolist()]


#: Rows formatted at a time by :func:`write_csv` (bounds the memory of the text).
CSV_CHUNK_ROWS = 50_000


def write_csv(frame: pd.DataFrame, handle) -> None:
    """Write ``frame`` to the open text ``handle`` as CSV, byte for byte what
    ``frame.to_csv(handle, index=False)`` writes (the shortest round-trip repr of every float: no
    precision lost), built column by column in chunks of rows: about twice as fast for the wide
    float tables of a large sky. A table with a column it does not cover (categoricals, text that
    needs quoting, ...) is left whole to pandas."""
    names = list(frame.columns)
    simple = len(frame) > 0 and len(names) > 1 and frame.columns.is_unique and all(
        isinstance(name, str) and name and not any(c in name for c in _CSV_SPECIAL) for name in names)
    kinds = [_csv_kind(frame.iloc[:, k]) for k in range(len(names))] if simple else [None]
    if any(kind is None for kind in kinds):
        frame.to_csv(handle, index=False)
        return
    handle.write(",".join(names) + "\n")
    arrays = [frame.iloc[:, k].array if kind in ("nullable_int", "text") else frame.iloc[:, k].to_numpy()
              for k, kind in enumerate(kinds)]
    for start in range(0, len(frame), CSV_CHUNK_ROWS):
        rows = slice(start, start + CSV_CHUNK_ROWS)
        columns = [_csv_fields(array[rows], kind) for array, kind in zip(arrays, kinds)]
        handle.write("\n".join(map(",".join, zip(*columns))) + "\n")


def write_table(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``frame`` atomically as CSV or Parquet (chosen by the file name)."""
    fmt = table_format(path)
    with atomic_path(path) as tmp:
        if fmt == "csv":
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                write_csv(frame, handle)
        elif fmt == "parquet":
            frame.to_parquet(tmp, index=False, compression="zstd")
        else:
            raise InputError(f"{path}: symfind writes products as CSV or Parquet, not {fmt}")


def write_text(text: str, path: str | os.PathLike) -> None:
    """Write a text file atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
