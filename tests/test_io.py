import numpy as np
import pandas as pd
import pytest
from astropy.table import Table
from hypothesis import given, settings
from hypothesis import strategies as st

from symfind.io import InputError, atomic_path, coerce_columns, read_table, write_table, write_text

SCHEMA = {"object_id": "int64", "mag": "float32", "flag": "str", "key": "Int64"}


def _frame():
    return pd.DataFrame({"object_id": [1, 2, 3], "mag": [12.5, 13.25, 14.0], "flag": ["AAA", "AAB", "000"], "key": [10, 20, 30]})


@pytest.mark.parametrize("name", ["t.csv", "t.parquet", "t.fits", "t.vot"])
def test_read_every_format(tmp_path, name):
    frame = _frame()
    path = tmp_path / name
    if name.endswith((".csv", ".parquet")):
        write_table(frame, path)
    else:
        Table.from_pandas(frame).write(path, format="fits" if name.endswith("fits") else "votable")
    back = read_table(path, SCHEMA)
    assert back["object_id"].tolist() == [1, 2, 3]
    assert back["flag"].tolist() == ["AAA", "AAB", "000"]
    assert back["mag"].dtype == np.float32


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "t.csv"
    write_table(_frame().drop(columns="mag"), path)
    with pytest.raises(InputError, match=r"t\.csv: missing column\(s\) mag"):
        read_table(path, SCHEMA)


def test_wrong_dtype_is_named(tmp_path):
    path = tmp_path / "t.csv"
    write_table(_frame().assign(mag=["a", "b", "c"]), path)
    with pytest.raises(InputError, match=r"column 'mag' must be float32"):
        read_table(path, SCHEMA)


def test_flag_that_lost_its_text_is_an_error():
    with pytest.raises(InputError, match=r"column 'flag' must be text"):
        coerce_columns(_frame().assign(flag=[0, 0, 0]), SCHEMA, "x.csv")


def test_non_integer_id_is_an_error():
    with pytest.raises(InputError, match=r"column 'object_id' must be int64"):
        coerce_columns(_frame().assign(object_id=[1.5, 2, 3]), SCHEMA, "x.csv")


def test_non_utf8_is_named(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"object_id,mag,flag,key\n1,12.5,\xff\xfe,3\n")
    with pytest.raises(InputError, match=r"t\.csv: not UTF-8"):
        read_table(path, SCHEMA)


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "e.parquet"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        read_table(empty)
    with pytest.raises(InputError, match="does not exist"):
        read_table(tmp_path / "nope.csv")


def test_truncated_parquet_is_an_error(tmp_path):
    path = tmp_path / "t.parquet"
    write_table(_frame(), path)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(InputError, match=r"t\.parquet: cannot be read as parquet"):
        read_table(path)


def test_unknown_format(tmp_path):
    (tmp_path / "t.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match="unknown table format"):
        read_table(tmp_path / "t.xlsx")


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "product.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(-0.0), st.just(5e-324)), min_size=1, max_size=40),
    st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6)), min_size=1, max_size=40),
    st.integers(1, 7),
)
def test_csv_writer_is_byte_for_byte_pandas(floats, texts, chunk):
    """symfind's CSV writer (Arrow's, seven times as fast on wide float tables) writes exactly what
    pandas does, also for float32, nullable integers, pandas text, text that needs quoting or holds
    the writer's stand-ins (then pandas writes it), None, NaN, NA, inf, -0.0, subnormals."""
    import io as text_io

    import symfind.io as sio

    n = min(len(floats), len(texts))
    frame = pd.DataFrame({"x": floats[:n], "n": np.arange(n, dtype=np.int64) - 3, "ok": np.arange(n) % 2 == 0,
                          "name": texts[:n], "small": np.arange(n, dtype=np.uint8),
                          "x32": np.array(floats[:n], dtype=np.float64).astype(np.float32),
                          "key": pd.array([None if k % 3 == 0 else k * 10**12 for k in range(n)], dtype="Int64"),
                          "flag": pd.array(texts[:n], dtype="str"),
                          "lpv": pd.array([None if k % 4 == 1 else k % 3 == 0 for k in range(n)], dtype="boolean")})
    original, sio.CSV_CHUNK_ROWS = sio.CSV_CHUNK_ROWS, chunk
    try:
        for columns in (list(frame.columns), ["x", "n", "ok", "x32", "key"]):
            buffer = text_io.StringIO()
            sio.write_csv(frame[columns], buffer)
            assert buffer.getvalue() == frame[columns].to_csv(index=False)
    finally:
        sio.CSV_CHUNK_ROWS = original


def test_csv_writer_fast_path_covers_quoted_text_and_float_notation(monkeypatch):
    """Arrow writes these itself (pandas is never asked) and the bytes are pandas': text that
    needs quotes, integral floats, floats where Python and Arrow switch notation, -0.0, inf,
    nullable flags (Gaia DR3's)."""
    import io as text_io

    import symfind.io as sio

    floats = [9999999999.0, 1e9, 123456789.0, -1e9, 0.0, -0.0, 1e-4, 9.999999e-5, 1e10, 99999.0, 2.0**33, 3.0e15, 1e16,
              1.0000000001e10, 14.123000144958496, np.inf, -np.inf, np.nan, 5e-324, -3.75e-7]
    n = len(floats)
    text = ['a,b', 'say "hi"', "two\nlines", "cr\r", "", None, "plain", "x"] * 3
    frame = pd.DataFrame({"x": floats, "k": np.arange(n), "why": text[:n], "flag": pd.array(text[:n], dtype="str"),
                          "lpv": pd.array([None, True, False, True] * 5, dtype="boolean")})  # a nullable flag: NA empty
    expected = frame.to_csv(index=False)

    def refuse(*args, **kwargs):
        raise AssertionError("pandas asked to write the table")

    monkeypatch.setattr(pd.DataFrame, "to_csv", refuse)
    monkeypatch.setattr(sio, "CSV_CHUNK_ROWS", 7)
    buffer = text_io.StringIO()
    sio.write_csv(frame, buffer)
    assert buffer.getvalue() == expected


def test_write_table_csv_equals_pandas_file(tmp_path):
    frame = pd.DataFrame({"object_id": [3, 1], "mag": [14.123000144958496, np.nan], "flag": [True, False], "name": ["a b", None]})
    write_table(frame, tmp_path / "t.csv")
    frame.to_csv(tmp_path / "p.csv", index=False)
    assert (tmp_path / "t.csv").read_bytes() == (tmp_path / "p.csv").read_bytes()


def test_products_get_ordinary_file_permissions(tmp_path):
    """A product is readable by whoever may read the folder (0666 less the umask), not owner-only
    like the temporary file it was written to."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        write_table(pd.DataFrame({"a": [1, 2]}), tmp_path / "t.csv")
        write_text("x", tmp_path / "t.txt")
    finally:
        os.umask(old)
    for name in ("t.csv", "t.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name


def test_csv_keeps_64_bit_ids_beside_empty_cells_and_flags_as_text(tmp_path):
    """A master table's gaia_dr2_id1 is empty where there is no Gaia match: read as a float it would
    lose its last digits (4050375103841365576 -> ...504); a 2MASS cc_flg of 000 must stay '000'."""
    path = tmp_path / "master.csv"
    path.write_text("object_id,gaia_dr2_id1,cc_flg\n1,4050375103841365576,000\n2,,0d0\n")
    table = read_table(path, {"object_id": "int64", "gaia_dr2_id1": "Int64", "cc_flg": "str"})
    assert table["gaia_dr2_id1"].tolist()[0] == 4050375103841365576 and table["gaia_dr2_id1"].isna().tolist() == [False, True]
    assert table["cc_flg"].tolist() == ["000", "0d0"]
    path.write_text("object_id,gaia_dr2_id1\n1,4.5\n")
    with pytest.raises(InputError, match=r"master\.csv: column 'gaia_dr2_id1' must be Int64, found non-integer"):
        read_table(path, {"object_id": "int64", "gaia_dr2_id1": "Int64"})


def test_csv_twin_written_in_batches_is_the_whole_tables_csv(tmp_path):
    """A CSV twin is written a batch of Parquet rows at a time; its bytes are those of the whole
    table written at once (without the tile column), whatever the batch, and an empty product
    gives its header."""
    from symfind.stages.twins import csv_twin

    rng = np.random.default_rng(4)
    n = 23
    frame = pd.DataFrame({"object_id": np.arange(n, dtype=np.int64), "u_v": rng.normal(size=n),
                          "e_u_v": rng.normal(size=n).astype(np.float32), "n": pd.array([None if k % 4 else k for k in range(n)], dtype="Int64"),
                          "name": [None if k % 5 == 0 else f"a,{k}" for k in range(n)], "tile": np.int64(7)})
    frame.loc[3, "u_v"] = np.nan
    frame.to_parquet(tmp_path / "product.parquet", index=False)
    expected = frame.drop(columns="tile").to_csv(index=False)
    for batch_rows in (1, 5, 1000):
        assert csv_twin(tmp_path / "product.parquet", tmp_path / f"twin_{batch_rows}.csv", batch_rows=batch_rows) == n
        assert (tmp_path / f"twin_{batch_rows}.csv").read_text() == expected
    frame.iloc[:0].to_parquet(tmp_path / "empty.parquet", index=False)
    assert csv_twin(tmp_path / "empty.parquet", tmp_path / "empty.csv") == 0
    assert (tmp_path / "empty.csv").read_text() == "object_id,u_v,e_u_v,n,name\n"


def test_float32_at_the_notation_edges_is_what_pandas_writes():
    """float32(1e-4) lies just below 1e-4 (numpy writes it 1e-04); compared in float32 it looked
    inside Arrow's window, and Arrow wrote 0.0001."""
    import io as text_io

    import symfind.io as sio

    frame = pd.DataFrame({"x32": np.array([1e-4, 1e6, 999999.9, 1.0001e-4, 9.9e-5], dtype=np.float32), "k": np.arange(5)})
    buffer = text_io.StringIO()
    sio.write_csv(frame, buffer)
    assert buffer.getvalue() == frame.to_csv(index=False)


def test_read_parquet_without_skips_columns_and_keeps_order(tmp_path):
    from symfind.columns import REVERSED_COLOUR_COLUMNS
    from symfind.io import read_parquet_without

    frame = pd.DataFrame({"object_id": [1, 2, 3], "u_v": [0.5, 0.1, -0.2], "v_u": [-0.5, -0.1, 0.2], "e_v_u": 0.01,
                          "n_v_u": 2, "is_candidate": [True, False, True], "g_r": [1.0, 1.1, 1.2]})
    frame.to_parquet(tmp_path / "t.parquet")
    read = read_parquet_without(tmp_path / "t.parquet", REVERSED_COLOUR_COLUMNS)
    pd.testing.assert_frame_equal(read, frame[["object_id", "u_v", "is_candidate", "g_r"]])
    rows = read_parquet_without(tmp_path / "t.parquet", ("g_r", "not_there"), filters=[("is_candidate", "==", True)])
    assert rows["object_id"].tolist() == [1, 3] and "g_r" not in rows and "v_u" in rows
