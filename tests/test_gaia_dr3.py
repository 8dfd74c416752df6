"""Gaia DR3's own evidence: the tables read from files, DR2 ids mapped to DR3, Halpha and the LPV
class in the symbiotic score and the ranking, and what a missing table or value changes (nothing)."""

import numpy as np
import pandas as pd
import pytest

from symfind import columns as C
from symfind.config import ConfigError, defaults
from symfind.validate import validate_config
from symfind.query.gaia_dr3 import dr3_source_ids, evidence_counts, gaia_dr3_evidence, halpha_emission_z
from symfind.io import InputError
from symfind.photometry.merge import with_gaia_dr3
from symfind.rank.ranking import ranking_features
from symfind.query.gaia_dr3 import GAIA_DR3_FILES
from symfind.stages.gaia_dr3 import fetch_gaia_dr3
from symfind.detect.symbiotic import flag_anomalies, symbiotic_score

WEIGHTS = {**defaults("vae")["symbiotic"]}


def test_the_sign_convention_an_emission_line_raises_the_score():
    """ESP-ELS writes emission as a negative width: -2 nm +- 0.1 is 20 sigma of emission and
    multiplies the score by 1 + halpha_weight; +0.3 nm (absorption, a composite's A star) and a
    missing width leave it as it is."""
    ew = np.array([-2.0, 0.3, np.nan])
    err = np.array([0.1, 0.1, np.nan])
    z = halpha_emission_z(ew, err, None, None)
    assert z[0] == pytest.approx(20.0) and z[1] == pytest.approx(-3.0) and np.isnan(z[2])
    base = symbiotic_score(np.full(3, 10.0), np.full(3, 50.0), np.zeros(3), np.ones(3), WEIGHTS)["score"]
    out = symbiotic_score(np.full(3, 10.0), np.full(3, 50.0), np.zeros(3), np.ones(3), WEIGHTS, halpha_z=z, halpha_error_nm=err)
    assert out["score"][0] == pytest.approx((1 + base[0]) * (1 + WEIGHTS["halpha_weight"]) - 1)
    assert out["score"][1] == pytest.approx(base[1]) and out["score"][2] == pytest.approx(base[2])
    assert out["score"][0] > out["score"][1]


def test_strong_halpha_emission_outscores_the_same_object_without():
    """The same weak-excess object (an accreting-only star's few sigma) with a 5 nm emission line
    ranks above its twin without one, and above its twin with a line below 0.5 nm."""
    z = np.array([50.0, 0.0, 2.0])
    err = np.array([0.1, 0.1, 0.1])  # 5 nm, none, 0.2 nm
    out = symbiotic_score(np.full(3, 3.0), np.zeros(3), np.zeros(3), np.ones(3), WEIGHTS, halpha_z=z, halpha_error_nm=err)
    assert out["score"][0] > out["score"][2] > 0 and out["score"][2] == pytest.approx(out["score"][1], rel=1e-2)


def test_a_missing_halpha_value_changes_nothing_against_an_absent_table():
    rng = np.random.default_rng(1)
    hot, llr, flick = rng.uniform(0, 30, 50), rng.normal(0, 5, 50), rng.uniform(0, 3, 50)
    absent = symbiotic_score(hot, llr, flick, np.ones(50), WEIGHTS)["score"]
    missing = symbiotic_score(hot, llr, flick, np.ones(50), WEIGHTS, halpha_z=np.full(50, np.nan),
                              halpha_error_nm=np.full(50, np.nan), lpv=np.array([pd.NA] * 50, dtype=object))["score"]
    np.testing.assert_array_equal(absent, missing)


def test_an_lpv_classed_object_with_a_phase_selected_u_excess_does_not_enter_the_top():
    """A pulsator with u on 30% of its nights and no measurable detection bias keeps its excess
    without Gaia's class and enters the top 2% of 100 objects; classed LPV by Gaia DR3, its u nights
    count as phase-selected and its excess by lpv_factor, and it drops out."""
    hot = np.concatenate([[40.0], np.linspace(1.0, 30.0, 99)])
    det = np.concatenate([[0.3], np.ones(99)])
    bias = np.concatenate([[0.0], np.full(99, np.nan)])
    lpv = np.concatenate([[True], np.zeros(99, dtype=bool)])
    ids = np.arange(100)
    plain = symbiotic_score(hot, np.full(100, 50.0), np.zeros(100), det, WEIGHTS, det_bias_u=bias)["score"]
    assert flag_anomalies(ids, plain, 0.02)[1][0]
    classed = symbiotic_score(hot, np.full(100, 50.0), np.zeros(100), det, WEIGHTS, det_bias_u=bias, lpv=lpv)["score"]
    assert not flag_anomalies(ids, classed, 0.02)[1][0]


def test_dr2_ids_map_to_the_nearest_dr3_neighbour():
    neighbourhood = pd.DataFrame({
        "dr2_source_id": [10, 10, 20, 30, 30],
        "dr3_source_id": [11, 12, 21, 31, 32],
        "angular_distance": [900.0, 3.0, 5.0, 4.0, 4.0],
        "magnitude_difference": [0.0, 0.1, 0.0, 1.5, 0.02],
    })
    mapped = dr3_source_ids(np.array([10, 20, 30, 40]), neighbourhood)
    assert mapped.tolist()[:3] == [12, 21, 32] and pd.isna(mapped.iloc[3])


def test_evidence_keeps_every_object_and_leaves_missing_what_is_missing():
    ap = pd.DataFrame({"source_id": [1, 2], "ew_espels_halpha": [-1.0, 0.2], "ew_espels_halpha_uncertainty": [0.1, 0.1],
                       "ew_espels_halpha_flag": ["0", "1"], "classlabel_espels": [None, None]})
    vari = pd.DataFrame({"source_id": [2, 3], "best_class_name": ["LPV", "SYST"], "best_class_score": [0.9, 0.8]})
    ids = pd.Series([1, 2, 3, pd.NA], dtype="Int64")
    out = gaia_dr3_evidence(np.array([100, 101, 102, 103]), ids, {"astrophysical_parameters": ap, "vari_classifier_result": vari})
    assert list(out.columns) == list(C.GAIA_DR3_EVIDENCE_COLUMNS) and len(out) == 4
    assert out["has_astrophysical_parameters"].tolist() == [True, True, False, False]
    assert out["halpha_emission_z"].iloc[0] == pytest.approx(10.0) and out["halpha_emission_z"].iloc[2:].isna().all()
    assert out["gaia_lpv"].tolist() == [False, True, False, False]
    assert out["best_class_name"].tolist() == [None, "LPV", "SYST", None]
    assert out["amplitude"].isna().all() and not out["has_vari_long_period_variable"].any()
    counts = evidence_counts(out)
    assert counts["with_dr3_id"] == 3 and counts["halpha_emission_3sigma"] == 1 and counts["lpv"] == 1 and counts["syst"] == 1
    # only flag "0" trusted: the second width no longer counts
    trusted = gaia_dr3_evidence(np.array([100, 101]), ids.iloc[:2], {"astrophysical_parameters": ap}, ["0"])
    assert np.isfinite(trusted["halpha_emission_z"].iloc[0]) and np.isnan(trusted["halpha_emission_z"].iloc[1])
    # no variability table given: the LPV mark is unknown, not False
    assert trusted["gaia_lpv"].isna().all()
    # an object in two rows of a table is refused, naming it
    with pytest.raises(InputError, match="my_ap.csv.*source_id.*unique"):
        gaia_dr3_evidence(np.array([1]), pd.Series([1], dtype="Int64"), {"astrophysical_parameters": pd.concat([ap, ap])},
                          where={"astrophysical_parameters": "my_ap.csv"})


def _selected(tmp_path, dr2_ids):
    path = tmp_path / "selected.parquet"
    pd.DataFrame({"object_id": np.arange(1, len(dr2_ids) + 1, dtype=np.int64),
                  "gaia_dr2_id1": pd.array(dr2_ids, dtype="Int64")}).to_parquet(path)
    return path


def test_files_through_dr2_neighbourhood(tmp_path):
    """Release dr2: the DR2 ids go through dr2_neighbourhood; CSV files with a numeric flag and
    text booleans are read; an object without a DR3 neighbour keeps missing values."""
    (tmp_path / "nb.csv").write_text("dr2_source_id,dr3_source_id,angular_distance,magnitude_difference\n"
                                     "5,105,1.0,0.0\n6,106,2.0,0.01\n", encoding="utf-8")
    (tmp_path / "ap.csv").write_text("source_id,ew_espels_halpha,ew_espels_halpha_uncertainty,ew_espels_halpha_flag,classlabel_espels\n"
                                     "105,-3.0,0.2,0.0,\n106,0.1,0.05,1.0,\n", encoding="utf-8")
    (tmp_path / "lpv.csv").write_text("source_id,frequency,amplitude,is_cstar\n106,0.004,1.8,true\n", encoding="utf-8")
    out = fetch_gaia_dr3(_selected(tmp_path, [5, 6, 7, None]), tmp_path / "out.parquet", "files", "dr2",
                         {"tables": ["astrophysical_parameters", "vari_long_period_variable"], "halpha_flags": None},
                         {"astrophysical_parameters": str(tmp_path / "ap.csv"), "dr2_neighbourhood": str(tmp_path / "nb.csv"),
                          "vari_long_period_variable": str(tmp_path / "lpv.csv")})
    assert out["gaia_dr3_source_id"].tolist()[:2] == [105, 106] and out["gaia_dr3_source_id"].iloc[2:].isna().all()
    assert out["ew_espels_halpha_flag"].tolist()[:2] == ["0", "1"]
    assert out["halpha_emission_z"].iloc[0] == pytest.approx(15.0)
    assert out["gaia_lpv"].tolist() == [False, True, False, False] and out["is_cstar"].iloc[1] == True  # noqa: E712
    assert pd.read_parquet(tmp_path / "out.parquet").shape == out.shape


def test_a_table_that_lacks_a_column_is_refused_naming_the_file_and_the_column(tmp_path):
    (tmp_path / "ap.csv").write_text("source_id,ew_espels_halpha,ew_espels_halpha_flag,classlabel_espels\n5,-3.0,0,\n",
                                     encoding="utf-8")
    with pytest.raises(InputError, match=r"ap\.csv: missing column\(s\) ew_espels_halpha_uncertainty"):
        fetch_gaia_dr3(_selected(tmp_path, [5]), tmp_path / "out.parquet", "files", "dr4",
                       {"tables": ["astrophysical_parameters"], "halpha_flags": None},
                       {"astrophysical_parameters": str(tmp_path / "ap.csv")})
    assert not (tmp_path / "out.parquet").exists()


def test_release_dr2_files_without_the_neighbourhood_are_refused_by_the_config(tmp_path):
    import yaml

    from symfind.config import DEFAULT_CONFIG_PATH

    config = yaml.safe_load(open(DEFAULT_CONFIG_PATH, encoding="utf-8"))
    config["source"] = "files"
    config["files"].update(master="m.csv", photometry="p.csv", distances="d.csv", astrophysical_parameters="ap.csv")
    with pytest.raises(ConfigError, match="files.dr2_neighbourhood"):
        validate_config(config)
    config["gaia_dr3"]["tables"] = []
    validate_config(config)


def test_the_sample_holds_the_tables_and_the_merge_keeps_every_object(repo):
    """The embedded sample's Gaia DR3 files: coverage below 100%, Halpha in emission for most
    shell-burning symbiotic stars and in absorption for composites; the merge is a left join."""
    sample = repo / "resources" / "sample"
    truth = pd.read_parquet(sample / "truth.parquet")
    master = pd.read_parquet(sample / "dr2_master.parquet", columns=["object_id", "gaia_dr2_id1"])
    tables = {name: str(sample / GAIA_DR3_FILES[name]) for name in GAIA_DR3_FILES}
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        master.to_parquet(Path(tmp) / "sel.parquet")
        evidence = fetch_gaia_dr3(Path(tmp) / "sel.parquet", Path(tmp) / "ev.parquet", "sample", "dr2", defaults("gaia_dr3"), tables)
    merged = evidence.merge(truth[["object_id", "population"]], on="object_id")
    share = merged.groupby("population")["has_astrophysical_parameters"].mean()
    assert 0.3 < share.mean() < 1.0
    emission = merged.groupby("population")["halpha_emission_z"].median()
    assert emission["symbiotic_s"] > 5 and emission["giant_ms_companion"] < 0
    lpv = merged.groupby("population")["gaia_lpv"].mean()
    assert lpv["mira_agb"] > 0.4 and lpv["k_giant"] < 0.1
    analysed = pd.DataFrame({"object_id": master["object_id"].iloc[:10], "j_m": 1.0})
    joined = with_gaia_dr3(analysed, evidence.iloc[5:])
    assert len(joined) == 10 and not joined["has_astrophysical_parameters"].iloc[:5].any()


def test_the_ranking_takes_the_gaia_dr3_input_and_skips_it_when_empty():
    colours = {C.color_name(a, b): [0.1, 0.2, 0.3] for a, b in C.INDEPENDENT_COLOR_PAIRS}
    rows = pd.DataFrame({**colours, "halpha_emission_z": [10.0, np.nan, -1.0],
                         "ew_espels_halpha": [-1.0, np.nan, 0.1], "gaia_lpv": pd.array([True, pd.NA, False], dtype="boolean"),
                         "amplitude": [np.nan] * 3, "frequency": [np.nan] * 3})
    X, names = ranking_features(rows, "colors", ["gaia_dr3"])
    assert names[-3:] == ["halpha_emission_z", "ew_espels_halpha", "gaia_lpv"]
    assert X[0, -1] == 1.0 and np.isnan(X[1, -1]) and X[2, -1] == 0.0


def test_the_evidence_says_what_gaia_dr3_says():
    from symfind.present.evidence import gaia_dr3_facts

    row = {"ew_espels_halpha": -2.0, "ew_espels_halpha_uncertainty": 0.1, "ew_espels_halpha_flag": "0",
           "classlabel_espels": None, "best_class_name": "LPV", "best_class_score": 0.9,
           "frequency": 0.0025, "amplitude": 1.8, "is_cstar": False}
    lines = gaia_dr3_facts(row)
    assert lines[0] == "Gaia DR3 Halpha: pEW -2.00 +- 0.10 nm (emission, +20.0 sigma, flag 0)"
    assert lines[1] == "Gaia DR3 variability class: LPV (score 0.90)"
    assert lines[2] == "Gaia DR3 long-period variable: P = 400 d, G amplitude 1.80 mag"
    assert gaia_dr3_facts({"ew_espels_halpha": np.nan, "best_class_name": None, "frequency": np.nan}) == []
    assert "absorption" in gaia_dr3_facts({"ew_espels_halpha": 0.5, "ew_espels_halpha_uncertainty": 0.05})[0]


def test_candidate_tables_are_written_without_the_gaia_dr3_tables(tmp_path):
    """A sky without any Gaia DR3 table: its evidence columns are all missing, and the candidate
    table is still written as CSV, FITS and VOTable (text columns empty, not null)."""
    from astropy.table import Table

    from symfind.present.candidates import COLUMN_META, with_evidence_columns
    from symfind.present.vo import write_fits, write_votable

    evidence = gaia_dr3_evidence(np.array([1, 2]), pd.Series([pd.NA, pd.NA], dtype="Int64"), {})
    table = with_evidence_columns(evidence.assign(halpha_term=0.0))
    table = table[[c for c in table.columns if c in COLUMN_META]]
    origin = {"symfind_version": "test", "date": "2026-12-02T00:00:00", "config_sha256": ""}
    write_fits(table, COLUMN_META, tmp_path / "c.fits", origin)
    write_votable(table, COLUMN_META, tmp_path / "c.vot", origin)
    back = Table.read(tmp_path / "c.fits")
    assert len(back) == 2 and np.ma.getmaskarray(back["gaia_lpv"]).all()  # empty text reads back as masked
