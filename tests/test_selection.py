import numpy as np
import pandas as pd
import pytest

from symfind import columns as C
from symfind.io import InputError
from symfind.config import with_defaults
from symfind.query.selection import Criterion, apply_selection, criteria_from_config, join_survey_tables
from symfind.query.sources.tap import selection_adql


def _good_row(object_id: int) -> dict:
    """A joined row that passes every default criterion."""
    row = {c: 0 for c in C.JOINED_COLUMNS}
    row.update(
        object_id=object_id, twomass_dist=0.3, gaia_dr2_dist1=0.2, allwise_dist=0.5, ph_qual="AAA",
        gal_contam=0, ext_key=pd.NA, cc_flg="000", class_star=0.98, flags_psf=0, nch_max=1, prox=20.0,
        u_ngood=3, v_ngood=3, g_ngood=3, j_m=10.0, k_m=8.8, parallax=0.2,
    )
    return row


# Each case: the column values that make a row fail exactly one criterion (the config key named).
FAILURES = {
    "twomass_radius_arcsec": {"twomass_dist": 2.5},
    "gaia_radius_arcsec": {"gaia_dr2_dist1": 2.0},
    "allwise_radius_arcsec": {"allwise_dist": 3.1},
    "ph_qual": {"ph_qual": "AAB"},
    "gal_contam": {"gal_contam": 1},
    "require_no_extended": {"ext_key": 12345},
    "cc_flg": {"cc_flg": "00p"},
    "class_star_min": {"class_star": 0.9},
    "flags_psf": {"flags_psf": 4},
    "nch_max": {"nch_max": 2},
    "prox_min_arcsec": {"prox": 5.9},
    "require_detection.u": {"u_ngood": 0},
    "require_detection.v": {"v_ngood": 0},
    "require_detection.g": {"g_ngood": 0},
    "jk_min": {"k_m": 9.2},  # J-K = 0.8 (blue)
    "j_max": {"j_m": 14.5, "k_m": 13.0},  # faint
    "parallax_min_mas": {"parallax": -0.1},
    "parallax_max_mas": {"parallax": 120.0},
}


@pytest.fixture()
def criteria(default_config):
    return criteria_from_config(default_config["selection"])


def test_each_criterion_rejects_its_row_and_only_it(criteria):
    rows = [_good_row(1)]
    for k, (key, values) in enumerate(FAILURES.items(), start=2):
        rows.append({**_good_row(k), **values, "fail_key": key})
    frame = pd.DataFrame(rows)
    selected, flow = apply_selection(frame, criteria)
    assert selected["object_id"].tolist() == [1]
    # the cut-flow drops exactly one row at each criterion
    assert flow["rows_left"].tolist() == list(range(len(rows), 0, -1))
    assert flow["step"].tolist()[1:] == list(FAILURES)


def test_missing_values_never_pass(criteria):
    frame = pd.DataFrame([{**_good_row(1), "parallax": np.nan}, {**_good_row(2), "ph_qual": None}])
    selected, _ = apply_selection(frame, criteria)
    assert selected.empty


def test_adql_is_generated_from_config(criteria):
    adql = selection_adql(criteria)
    assert "FROM dr2.master AS m" in adql
    assert "JOIN ext.twomass_psc AS t ON m.twomass_key = t.pts_key" in adql
    assert "JOIN ext.gaia_dr2 AS g ON m.gaia_dr2_id1 = g.source_id" in adql
    assert "JOIN ext.allwise AS w ON m.allwise_cntr = w.cntr" in adql
    # strict inequalities with a float threshold carry the tie tolerance (1e-5) in the constant
    for clause in ("m.twomass_dist < 1.99999", "t.ph_qual = 'AAA'", "t.ext_key IS NULL", "t.cc_flg = '000'",
                   "m.class_star > 0.90001", "m.prox > 6.00001", "m.u_ngood > 0", "(t.j_m - t.k_m) > 0.85001",
                   "t.j_m < 13.99999", "g.parallax > 1e-05", "g.parallax < 99.99999"):
        assert clause in adql
    assert "TOP" not in adql


def test_adql_follows_a_changed_threshold(default_config):
    default_config["selection"]["jk_min"] = 1.1
    assert "(t.j_m - t.k_m) > 1.10001" in selection_adql(criteria_from_config(default_config["selection"]))


@pytest.mark.parametrize(
    "column,value",
    [("twomass_dist", "0.85) OR (1=1"), ("ph_qual", "AAA' OR 'x'='x"), ("prox", float("nan")), ("prox", True)],
)
def test_injection_and_non_numbers_are_rejected(column, value):
    with pytest.raises(InputError):
        Criterion("test", column, "<", value)


def test_unknown_column_is_rejected():
    with pytest.raises(InputError, match="not an allowed archive column"):
        Criterion("test", "object_id; DROP TABLE x", "<", 1)


def test_join_is_inner_like_the_query():
    master = pd.DataFrame({"object_id": [1, 2, 3], "twomass_key": pd.array([10, 20, pd.NA], dtype="Int64"),
                           "gaia_dr2_id1": pd.array([100, 200, 300], dtype="Int64"),
                           "allwise_cntr": pd.array([7, 8, 9], dtype="Int64")})
    twomass = pd.DataFrame({"pts_key": [10, 20]})
    gaia = pd.DataFrame({"source_id": [100]})
    allwise = pd.DataFrame({"cntr": [7, 8, 9]})
    joined = join_survey_tables(master, twomass, gaia, allwise)
    assert joined["object_id"].tolist() == [1]


def test_ties_at_a_threshold_are_decided_alike_however_the_values_are_stored(default_config):
    """J - K = 0.850 in the catalogue's decimals fails J - K > 0.85 whether a service keeps the
    magnitudes as float32 or float64; 0.851 passes either way; the ADQL holds the same constant."""
    import numpy as np
    import pandas as pd

    from symfind.query.selection import TIE_TOLERANCE, criteria_from_config

    jk = next(c for c in criteria_from_config(default_config["selection"]) if c.key == "jk_min")
    j = np.array([12.345, 9.871, 13.2, 12.346, 10.0])
    k = np.array([11.495, 9.021, 12.35, 11.495, 9.15])  # J - K = 0.850, 0.850, 0.850, 0.851, 0.850
    decisions = []
    for dtype in ("float32", "float64"):
        frame = pd.DataFrame({"j_m": j.astype(dtype), "k_m": k.astype(dtype)})
        decisions.append(jk.mask(frame).tolist())
    assert decisions[0] == decisions[1] == [False, False, False, True, False]
    # without the tolerance the two storages disagree on some of these ties (the reason for it)
    raw = [((j.astype(d).astype(np.float64) - k.astype(d).astype(np.float64)) > 0.85).tolist() for d in ("float32", "float64")]
    assert raw[0] != raw[1] or raw[0] != [False, False, False, True, False]
    assert f"> {0.85 + TIE_TOLERANCE:.5f}" in jk.adql()


def test_a_parquet_master_is_selected_part_by_part_as_it_is_whole(tiny_sample, monkeypatch):
    """The master read in parts of 700 rows (the sky's 3,000 in five parts) gives the selection and
    the cut-flow of one part holding it all."""
    from symfind.query.sources import local
    from symfind.query.sources.local import LocalTables, survey_folder_tables

    criteria = criteria_from_config(with_defaults("selection", {}))
    tables = LocalTables(survey_folder_tables(tiny_sample))
    whole, whole_flow = tables.select(criteria, 4)
    reads = []
    real = local.LocalTables._master_parts
    monkeypatch.setattr(local, "MASTER_CHUNK_ROWS", 700)
    monkeypatch.setattr(local.LocalTables, "_master_parts", lambda self, roles: (reads.append(len(p)) or p for p in real(self, roles)))
    parts, parts_flow = tables.select(criteria, 4)
    assert len(reads) == 5 and max(reads) == 700
    pd.testing.assert_frame_equal(parts, whole)
    pd.testing.assert_frame_equal(parts_flow, whole_flow)
    assert len(whole) > 500


def test_survey_codes_held_as_categories_come_back_as_text():
    """The files path holds the survey tables' text codes as categoricals (one byte a row) and
    gives the joined rows their text back, a missing code missing."""
    from symfind.query.sources.local import _categories_as_text, _text_as_categories

    for dtype in (object, "str"):  # as a file's reader gives text: Python objects or pandas strings
        twomass = pd.DataFrame({"pts_key": [1, 2, 3], "ph_qual": pd.Series(["AAA", None, "AAB"], dtype=dtype),
                                "j_m": [10.0, 11.0, 12.0]})
        held, text = _text_as_categories(twomass)
        assert text == {"ph_qual": twomass["ph_qual"].dtype} and isinstance(held["ph_qual"].dtype, pd.CategoricalDtype) and held["j_m"].dtype == np.float64
        keys = pd.DataFrame({"object_id": [7, 8, 9], "twomass_key": [3, 2, 1]})
        back = _categories_as_text(keys.merge(held, left_on="twomass_key", right_on="pts_key"), text)
        expected = keys.merge(twomass, left_on="twomass_key", right_on="pts_key")
        expected["ph_qual"] = expected["ph_qual"].where(expected["ph_qual"].notna(), np.nan)  # None or NaN: null in Parquet
        pd.testing.assert_frame_equal(back, expected)
        assert back["ph_qual"].tolist()[0] == "AAB" and pd.isna(back["ph_qual"].iloc[1])
