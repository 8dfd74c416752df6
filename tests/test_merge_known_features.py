import numpy as np
import pandas as pd
import pytest

from symfind.detect.features import FEATURE_SETS, feature_matrix
from symfind.io import InputError
from symfind.rank.known import crossmatch, load_catalogue, match_known
from symfind.photometry.merge import merge_catalogue_colors


def test_merge_is_inner_on_object_id():
    filtered = pd.DataFrame({"object_id": [1, 2, 3], "j_m": [9.0, 10.0, 11.0]})
    colors = pd.DataFrame({"object_id": [2, 3, 4], "u_v": [0.1, 0.2, 0.3]})
    merged = merge_catalogue_colors(filtered, colors)
    assert merged["object_id"].tolist() == [2, 3]
    assert merged["u_v"].tolist() == [0.1, 0.2]


def test_merge_rejects_duplicates():
    with pytest.raises(InputError, match="'object_id' must be unique"):
        merge_catalogue_colors(pd.DataFrame({"object_id": [1, 1]}), pd.DataFrame({"object_id": [1]}))


def test_feature_sets_do_not_touch_the_table():
    table = pd.DataFrame({"j_m": [10.0, np.nan], "h_m": [9.2, 9.0], "k_m": [8.9, 8.7], "w1mpro": [8.0, 8.0],
                          "w2mpro": [7.9, 7.9], "w3mpro": [7.0, 7.0], "w4mpro": [6.0, np.nan],
                          **{name: [0.5, 0.6] for name, _, _ in FEATURE_SETS["colors"]}})
    before = table.copy()
    X, names = feature_matrix(table, "colors_ir")
    assert names[-4:] == ["j_h", "h_k", "w1_w2", "w3_w4"]
    assert X[0, -4] == pytest.approx(0.8) and np.isnan(X[1, -4]) and np.isnan(X[1, -1])
    pd.testing.assert_frame_equal(table, before)
    with pytest.raises(InputError, match="needs column"):
        feature_matrix(table.drop(columns="u_v"), "colors")


def test_vendored_catalogues_load():
    merc = load_catalogue("merc")
    bel = load_catalogue("belczynski2000")
    assert len(merc) == 738 and len(bel) == 218
    assert merc["dec"].min() > -31
    assert set(load_catalogue("seed")["catalogue"]) == {"seed"}
    with pytest.raises(InputError, match="unknown catalogue"):
        load_catalogue("simbad")


def test_crossmatch_radius():
    objects = pd.DataFrame({"object_id": [1, 2], "raj2000": [10.0, 20.0], "dej2000": [-30.0, -30.0]})
    catalogue = pd.DataFrame({"catalogue": "x", "name": ["A", "B"], "ra": [10.0 + 1.5 / 3600 / np.cos(np.radians(30)), 20.0],
                              "dec": [-30.0, -30.0 + 5 / 3600]})
    matched = crossmatch(objects, catalogue, 2.0)
    assert matched["name"].tolist() == ["A"]
    assert matched["separation_arcsec"].iloc[0] == pytest.approx(1.5, abs=0.01)
    assert crossmatch(objects, catalogue, 6.0)["name"].tolist() == ["A", "B"]


def test_match_known_recall(tmp_path):
    seed = load_catalogue("seed").iloc[:4]
    objects = pd.DataFrame({"object_id": [1, 2, 3, 4, 5], "raj2000": list(seed["ra"]) + [0.0],
                            "dej2000": list(seed["dec"]) + [0.0]})
    matched, recovery = match_known(objects, np.array([1, 2, 5]), [{"name": "seed", "radius_arcsec": 2.0}])
    row = recovery.set_index("catalogue").loc["seed"]
    assert row["n_in_sample"] == 4 and row["n_candidates_matched"] == 2 and row["recall"] == 0.5
    assert matched["is_candidate"].sum() == 2


def test_a_users_catalogue_in_sexagesimal_or_degrees_matches_like_a_vendored_one(tmp_path):
    from astropy.coordinates import SkyCoord

    seed = load_catalogue("seed").iloc[:3]
    objects = pd.DataFrame({"object_id": [1, 2, 3, 4], "raj2000": list(seed["ra"]) + [0.0], "dej2000": list(seed["dec"]) + [0.0]})
    coords = SkyCoord(seed["ra"].to_numpy(), seed["dec"].to_numpy(), unit="deg")
    text = pd.DataFrame({"RAJ2000": coords.ra.to_string(unit="hourangle", sep=":", precision=3),
                         "DEJ2000": coords.dec.to_string(unit="deg", sep=":", precision=2, alwayssign=True),
                         "Name": ["A", "B", "C"]})
    text.to_csv(tmp_path / "mine.csv", index=False)
    degrees = pd.DataFrame({"ra": seed["ra"].to_numpy()[:2], "dec": seed["dec"].to_numpy()[:2], "star": ["A", "B"]})
    degrees.to_parquet(tmp_path / "mine.parquet")
    catalogues = [{"name": "sexagesimal", "path": str(tmp_path / "mine.csv"), "ra": "RAJ2000", "dec": "DEJ2000", "id": "Name",
                   "radius_arcsec": 1.0},
                  {"name": "degrees", "path": str(tmp_path / "mine.parquet"), "ra": "ra", "dec": "dec", "id": "star",
                   "radius_arcsec": 1.0}]
    matched, recovery = match_known(objects, np.array([1]), catalogues)
    by_catalogue = recovery.set_index("catalogue")
    assert by_catalogue.loc["sexagesimal", "n_in_sample"] == 3 and by_catalogue.loc["degrees", "n_in_sample"] == 2
    assert by_catalogue.loc["all", "n_in_sample"] == 3  # a star in both lists counts once
    assert set(matched.loc[matched["catalogue"] == "sexagesimal", "name"]) == {"A", "B", "C"}
    assert (matched["separation_arcsec"] < 0.05).all()


def test_the_merge_in_parts_is_the_join_of_the_whole_tables(tmp_path):
    """merge_catalogue joins part by part (a few ids at a time); the product is the join of the
    whole tables, the status names the colours no part has, and an empty join writes nothing."""
    from symfind import columns as C
    from symfind.photometry.merge import with_gaia_dr3
    from symfind.stages.merge import merge_catalogue

    rng = np.random.default_rng(2)
    after = pd.DataFrame({"object_id": np.arange(1, 41, dtype=np.int64), "j_m": rng.normal(10, 1, 40)})
    colour_ids = np.sort(rng.choice(np.arange(1, 50), 30, replace=False)).astype(np.int64)
    colours = pd.DataFrame({"object_id": colour_ids})
    for a, b in C.INDEPENDENT_COLOR_PAIRS:
        colours[C.color_name(a, b)] = np.nan if "z" in (a, b) else rng.normal(size=30)
    colours.loc[3, "g_z"] = 0.4  # one object has a colour with z: z is not a missing band
    evidence = pd.DataFrame({"object_id": np.array([2, 5, 33], dtype=np.int64),
                             "halpha_emission_z": [1.0, np.nan, 3.0], "has_vari_long_period_variable": [True, False, True],
                             "gaia_lpv": pd.array([True, None, False], dtype="boolean")})
    for name, frame in (("after", after), ("colours", colours), ("gaia", evidence)):
        frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
    whole = with_gaia_dr3(merge_catalogue_colors(after, colours), evidence)
    for part_rows in (3, 1000):
        out = tmp_path / f"analysed_{part_rows}.parquet"
        n = merge_catalogue(tmp_path / "after.parquet", tmp_path / "colours.parquet", out, out_status=tmp_path / f"s{part_rows}.txt",
                            gaia_dr3_parquet=tmp_path / "gaia.parquet", part_rows=part_rows)
        assert n == len(whole) > 0
        pd.testing.assert_frame_equal(pd.read_parquet(out), whole)
        said = (tmp_path / f"s{part_rows}.txt").read_text()
        assert "could not be formed" in said and "i_z" in said and "g_z" not in said and "band(s)" not in said
    flow = pd.DataFrame({"tile": "all", "cut": ["selected"], "rows_left": [40], "without_distance": [0], "note": [""]})
    flow.to_csv(tmp_path / "cutflow.csv", index=False)
    pd.DataFrame({"step": ["photometry"], "criterion": [""], "rows_left": [40]}).to_csv(tmp_path / "sel.csv", index=False)
    colours.assign(object_id=colours["object_id"] + 1000).to_parquet(tmp_path / "elsewhere.parquet", index=False)
    with pytest.raises(InputError, match="has SkyMapper epochs"):
        merge_catalogue(tmp_path / "after.parquet", tmp_path / "elsewhere.parquet", tmp_path / "none.parquet",
                        tmp_path / "sel.csv", tmp_path / "cutflow.csv", part_rows=7)
    assert not (tmp_path / "none.parquet").exists()
