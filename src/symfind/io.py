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
        frame = conform_table(frame, columns, optional, str(path))
    return frame


def conform_table(frame: pd.DataFrame, columns: Mapping[str, str], optional: tuple[str, ...], source: str) -> pd.DataFrame:
    """``frame`` checked and cast against ``columns`` (:func:`coerce_columns`, errors naming
    ``source``), the ``optional`` ones it lacks added empty (NaN, or ``pd.NA`` for integers)."""
    absent = [name for name in optional if name in columns and name not in frame.columns]
    frame = coerce_columns(frame, {k: v for k, v in columns.items() if k not in absent}, source=source)
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
    if isinstance(values.dtype, pd.StringDtype) or pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        decoded = values  # text already (no per-value look: a tile's photometry has millions of filter names)
    else:  # bytes (FITS, some VOTables), or a mix
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


class ParquetParts:
    """A Parquet table written part by part (:func:`parquet_parts`): :meth:`append` one frame at
    a time, each cast to the first non-empty part's schema; an empty part adds nothing, and where
    every part was empty the last one gives the table its columns. ``rows``: the rows written."""

    def __init__(self, path: Path):
        self.path, self.rows, self._writer, self._empty = path, 0, None, None

    def append(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not len(frame):
            self._empty = frame
            return
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, arrow.schema, compression="zstd")
        self._writer.write_table(arrow.cast(self._writer.schema))
        self.rows += len(frame)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        elif self._empty is not None:
            self._empty.to_parquet(self.path, index=False, compression="zstd")
        else:
            pd.DataFrame().to_parquet(self.path, index=False)


@contextlib.contextmanager
def parquet_parts(path: str | os.PathLike) -> Iterator[ParquetParts]:
    """Write the Parquet file ``path`` atomically, part by part (:class:`ParquetParts`), so that a
    job holds one part of a product, not the product; on an error nothing is left."""
    with atomic_path(path) as tmp:
        parts = ParquetParts(tmp)
        try:
            yield parts
        finally:
            parts.close()


def key_ranges(sorted_keys: np.ndarray, part_rows: int, key: str = "object_id") -> Iterator[tuple[int, int | None, list]]:
    """The parts of at most ``part_rows`` consecutive keys of ``sorted_keys`` (sorted integers):
    per part ``(low, high, filters)``, its keys ``low <= key < high`` (``high`` None for the last)
    and the Parquet filters that read them (``pandas.read_parquet(..., filters=...)``). No keys:
    one part with no bounds (``filters`` None)."""
    if not len(sorted_keys):
        yield 0, None, None
        return
    edges = sorted_keys[::max(1, int(part_rows))]
    for start, low in enumerate(edges):
        high = edges[start + 1] if start + 1 < len(edges) else None
        yield low, high, [(key, ">=", low)] + ([(key, "<", high)] if high is not None else [])


#: Characters that make the csv module quote a field (QUOTE_MINIMAL with pandas' defaults).
_CSV_SPECIAL = (",", '"', "\n", "\r")


def _csv_kind(values: pd.Series) -> str | None:
    """How the fast CSV writer formats a column (``float``, ``float32``, ``int``, ``nullable_int``,
    ``bool``, ``nullable_bool``, ``text``, ``quoted_text``), or None where it does not cover the column (pandas then
    writes the whole table)."""
    dtype = values.dtype
    if isinstance(dtype, pd.Int64Dtype | pd.Int32Dtype | pd.Int16Dtype | pd.Int8Dtype):
        return "nullable_int"
    if isinstance(dtype, pd.BooleanDtype):
        return "nullable_bool"
    if isinstance(dtype, pd.StringDtype):
        return _text_kind(values.dropna().to_numpy().tolist())
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
    if dtype.kind == "O":
        text = []
        for value in values.to_numpy().tolist():
            if value is None or (isinstance(value, float) and value != value):
                continue
            if not isinstance(value, str):
                return None
            text.append(value)
        return _text_kind(text)
    return None


#: Stand-ins for the quotes, commas and line ends of a quoted text field while Arrow writes the
#: chunk (its unquoted style refuses them), put back afterwards: ASCII's four separator controls.
_CSV_STAND_INS = {'"': "\x1c", ",": "\x1d", "\n": "\x1e", "\r": "\x1f"}


#: What makes the csv module quote a field for pandas (QUOTE_MINIMAL: the delimiter, the quote, the
#: characters of the line terminator, ``os.linesep``).
_CSV_QUOTED = (",", '"', *os.linesep)


def _text_kind(text: list[str]) -> str | None:
    """``text``, ``quoted_text`` (some fields need quotes) or None (a value holds one of
    :data:`_CSV_STAND_INS`' stand-ins: pandas then writes the table)."""
    if any(c in value for value in text for c in _CSV_STAND_INS.values()):
        return None
    return "quoted_text" if any(c in value for value in text for c in _CSV_SPECIAL) else "text"


def _quoted_field(value: str) -> str:
    """``value`` as the csv module writes it (QUOTE_MINIMAL), in stand-ins where it needs quotes."""
    if not any(c in value for c in _CSV_SPECIAL):
        return value
    stand_in = value.replace('"', '""').translate(str.maketrans(_CSV_STAND_INS))
    if not any(c in value for c in _CSV_QUOTED):
        return stand_in  # a line end that is not pandas' (\r on Linux): bare, as the csv module writes it
    return _CSV_STAND_INS['"'] + stand_in + _CSV_STAND_INS['"']


#: Where Arrow's shortest round-trip float text is what pandas writes (the same digits; only the
#: notation can differ), per float type: finite, non-integral values with ``low <= |x| < high``;
#: integral ones there less their ``.0``. Below and above, Arrow and Python (float64's ``repr``) or
#: numpy (float32's ``str``) switch between positional and exponent notation at other places.
CSV_ARROW_WINDOW = {"float": (1e-4, 1e10), "float32": (1e-4, 1e6)}


def _float_text(values: np.ndarray, kind: str):
    """A float column (``kind``: ``float`` or ``float32``) as the text ``DataFrame.to_csv`` writes
    (float64's ``repr``, float32's numpy ``str``; NaN as an empty field), made by Arrow (C++): its
    text inside :data:`CSV_ARROW_WINDOW`, ``<integer>.0`` for integral values there, pandas' own
    text (in Python) for the rest, which catalogue columns rarely hold."""
    import pyarrow as pa
    import pyarrow.compute as pc

    low, high = CSV_ARROW_WINDOW[kind]
    text = pc.cast(pa.array(values, from_pandas=True), pa.string())  # NaN -> null -> empty field
    size = np.abs(values.astype(np.float64, copy=False))  # float32(1e-4) lies below 1e-4: compared as float32 it would not
    with np.errstate(invalid="ignore"):
        integral = (values == np.trunc(values)) & (size < high)
        other = np.isfinite(values) & ~integral & ((size < low) | (size >= high))
    if integral.any():
        text = pc.if_else(pa.array(integral), pc.binary_join_element_wise(text, pa.scalar(".0"), pa.scalar("")), text)
    if other.any():
        rest = [repr(v) for v in values[other].tolist()] if kind == "float" else values[other].astype(str).tolist()
        text = pc.replace_with_mask(text, pa.array(other), pa.array(rest, pa.string()))
    return text


def _csv_column(values, kind: str):
    """One column (an array, or a pandas extension array for ``nullable_int`` and pandas text) as
    an Arrow array whose CSV text is what ``DataFrame.to_csv`` writes: NaN, None and NA as empty
    fields."""
    import pyarrow as pa

    if kind in ("float", "float32"):
        return _float_text(values, kind)
    if kind == "int":
        return pa.array(values)
    if kind == "nullable_int":
        return pa.array(values, type=pa.int64())
    if kind == "bool":
        return pa.array(np.where(values, "True", "False"))
    if kind == "nullable_bool":  # NA -> an empty field
        return pa.array(np.where(values.fillna(False).to_numpy(dtype=bool), "True", "False"), mask=values.isna())
    field = _quoted_field if kind == "quoted_text" else str
    return pa.array([None if value is None or value is pd.NA or value != value else field(value) for value in values.tolist()],
                    type=pa.string())


#: Rows formatted at a time by :func:`write_csv` (bounds the memory of the text).
CSV_CHUNK_ROWS = 50_000


def write_csv(frame: pd.DataFrame, handle, header: bool = True) -> None:
    """Write ``frame`` to the open text ``handle`` as CSV, byte for byte what
    ``frame.to_csv(handle, index=False, header=header)`` writes (the shortest round-trip repr of
    every float: no precision lost), formatted by Arrow's CSV writer in chunks of rows: about seven
    times as fast for the wide float tables of a large sky. A table with a column it does not cover
    (categoricals, objects that are not text, ...) is left whole to pandas. ``header=False``
    appends rows to a CSV whose header is written (a table written part by part)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = list(frame.columns)
    simple = len(frame) > 0 and len(names) > 1 and frame.columns.is_unique and all(
        isinstance(name, str) and name and not any(c in name for c in _CSV_SPECIAL) for name in names)
    kinds = [_csv_kind(frame.iloc[:, k]) for k in range(len(names))] if simple else [None]
    if any(kind is None for kind in kinds):
        frame.to_csv(handle, index=False, header=header)
        return
    if header:
        handle.write(",".join(names) + "\n")
    arrays = [frame.iloc[:, k].array if kind in ("nullable_int", "nullable_bool", "text", "quoted_text") else frame.iloc[:, k].to_numpy()
              for k, kind in enumerate(kinds)]
    restore = str.maketrans({stand_in: c for c, stand_in in _CSV_STAND_INS.items()}) if "quoted_text" in kinds else None
    # every field bare ('none'); a quoted text field is in stand-ins until the chunk is written
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
    placeholders = [f"c{k}" for k in range(len(names))]  # the header is written above, as pandas writes it
    for start in range(0, len(frame), CSV_CHUNK_ROWS):
        rows = slice(start, start + CSV_CHUNK_ROWS)
        chunk = pa.table([_csv_column(array[rows], kind) for array, kind in zip(arrays, kinds)], names=placeholders)
        out = pa.BufferOutputStream()
        pa_csv.write_csv(chunk, out, write_options=options)
        text = out.getvalue().to_pybytes().decode("utf-8")
        handle.write(text.translate(restore) if restore else text)


def require_unique(values: pd.Series, what: str, why: str = "") -> None:
    """Raise :class:`InputError` naming ``what`` (file and column) if ``values`` repeat."""
    repeated = values.duplicated()
    if repeated.any():
        raise InputError(f"{what} must be unique{why}; {int(repeated.sum())} duplicate(s), e.g. {values[repeated].iloc[0]}")


def read_parquet_chosen(path: str | os.PathLike, choose, filters: list | None = None) -> pd.DataFrame:
    """The Parquet table at ``path`` with the columns ``choose`` picks from its column names (a
    function of the list of names, giving a list), in the order it gives them; ``filters``:
    Parquet row filters (pyarrow's form). Reading fewer columns of a wide table is what bounds the
    memory of a stage that holds every analysed object."""
    import pyarrow.parquet as pq

    return pd.read_parquet(path, columns=list(choose(pq.ParquetFile(path).schema_arrow.names)), filters=filters)


def read_parquet_without(path: str | os.PathLike, skip: tuple[str, ...] = (), filters: list | None = None) -> pd.DataFrame:
    """The Parquet table at ``path`` without the columns ``skip`` names (those it has), its other
    columns in order (:func:`read_parquet_chosen`)."""
    unread = set(skip)
    return read_parquet_chosen(path, lambda names: [name for name in names if name not in unread], filters)


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
