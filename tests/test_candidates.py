"""The candidate table in the three formats astronomers open."""

import datetime
import hashlib
import os
import shutil
import subprocess

import numpy as np
import pandas as pd
import astropy.units as u
import pytest
from astropy.table import Table

from symfind.present.candidates import CANDIDATE_COLUMNS, COLUMN_META
from symfind.products import PRODUCTS


@pytest.fixture(scope="module")
def candidate_files(finished_run):
    results = finished_run[0] / "results"
    return {fmt: results / PRODUCTS[f"candidates_{fmt}"] for fmt in ("csv", "fits", "vot")}


@pytest.fixture(scope="module")
def ranked_files(finished_run):
    results = finished_run[0] / "results"
    return {"csv": results / PRODUCTS["candidates_ranked"], "fits": results / PRODUCTS["candidates_ranked_fits"],
            "vot": results / PRODUCTS["candidates_ranked_vot"]}


def _votlint(path):
    if shutil.which("stilts") is None:
        reason = "STILTS not installed (apt-get install stilts; make test does it as root)"
        if os.environ.get("SYMFIND_REQUIRE_TEST_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(f"VOTLINT TEST SKIPPED: {reason}")
    result = subprocess.run(["stilts", "votlint", f"votable={path}"], capture_output=True, text=True, timeout=120)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "ERROR" not in report.upper() and "WARNING" not in report.upper(), report


def test_formats_have_the_same_columns_and_rows(candidate_files, finished_run):
    csv = pd.read_csv(candidate_files["csv"])
    fits = Table.read(candidate_files["fits"])
    vot = Table.read(candidate_files["vot"])
    assert list(csv.columns) == list(CANDIDATE_COLUMNS) == fits.colnames == vot.colnames
    losses = pd.read_parquet(finished_run[0] / "results" / PRODUCTS["vae_scores"])
    assert len(csv) == len(fits) == len(vot) == losses["is_candidate"].sum()
    assert csv["rank"].tolist() == sorted(csv["rank"]) and csv["rank"].iloc[0] == 1
    assert np.array_equal(np.asarray(fits["object_id"]), csv["object_id"].to_numpy())
    assert np.allclose(np.asarray(vot["raj2000"]), csv["raj2000"].to_numpy())


def test_units_and_ucds(candidate_files):
    fits = Table.read(candidate_files["fits"])
    assert str(fits["raj2000"].unit) == "deg" and str(fits["r_est"].unit) == "pc" and str(fits["u_psf"].unit) == "mag"
    from astropy.io.votable import parse_single_table

    fields = {f.name: f for f in parse_single_table(str(candidate_files["vot"])).fields}
    for name, (unit, ucd, _) in COLUMN_META.items():
        assert fields[name].ucd == ucd, name
        if unit:
            assert u.Unit(fields[name].unit) == u.Unit(unit), name
        else:
            assert not fields[name].unit, name


def test_votable_passes_votlint(candidate_files):
    _votlint(candidate_files["vot"])


def test_ranked_votable_passes_votlint(ranked_files):
    _votlint(ranked_files["vot"])


@pytest.mark.parametrize("which", ["candidates", "ranked"])
def test_fits_header_carries_units_ucds_descriptions_and_provenance(which, candidate_files, ranked_files, finished_run):
    """Read as any FITS reader does (astropy.io.fits header cards, not astropy's table YAML):
    TUNITn, TCOMMn and TUCDn on every column; the symfind version, the date and the SHA-256 of
    the run's config_used.yaml in the header."""
    from astropy.io import fits

    from symfind import __version__
    from symfind.present.candidates import RANKED_COLUMN_META

    files, meta = (candidate_files, COLUMN_META) if which == "candidates" else (ranked_files, RANKED_COLUMN_META)
    config_used = finished_run[0] / "results" / PRODUCTS["config_used"]
    with fits.open(files["fits"]) as hdus:
        header = hdus[1].header
        n_rows = hdus[1].header["NAXIS2"]
        primary = hdus[0].header
    names = [header[f"TTYPE{k}"] for k in range(1, header["TFIELDS"] + 1)]
    assert names == list(pd.read_csv(files["csv"], nrows=0).columns) == list(meta)
    for k, name in enumerate(names, start=1):
        unit, ucd, description = meta[name]
        assert header[f"TCOMM{k}"] == description, name
        assert header[f"TUCD{k}"] == ucd, name
        if unit:
            assert u.Unit(header[f"TUNIT{k}"]) == u.Unit(unit), name
        else:
            assert f"TUNIT{k}" not in header, name
    digest = hashlib.sha256(config_used.read_bytes()).hexdigest()
    for hdr in (header, primary):
        assert hdr["SFVERS"] == __version__ and hdr["CFGSHA"] == digest
        assert hdr["RELEASE"] == "dr2" and hdr["DISTCAT"] == "bailer_jones_2018 geometric"  # the default release
        datetime.datetime.fromisoformat(hdr["DATE"])
    assert n_rows == len(pd.read_csv(files["csv"]))


@pytest.mark.parametrize("which", ["candidates", "ranked"])
def test_votable_carries_provenance(which, candidate_files, ranked_files, finished_run):
    from astropy.io.votable import parse

    from symfind import __version__

    files = candidate_files if which == "candidates" else ranked_files
    votable = parse(str(files["vot"]))
    infos = {info.name: info.value for info in votable.resources[0].infos}
    config_used = finished_run[0] / "results" / PRODUCTS["config_used"]
    assert infos["symfind_version"] == __version__
    assert infos["config_sha256"] == hashlib.sha256(config_used.read_bytes()).hexdigest()
    assert infos["release"] == "dr2" and infos["distances"] == "bailer_jones_2018 geometric"
    datetime.datetime.fromisoformat(infos["date"])
    fields = {f.name: f for f in votable.get_first_table().fields}
    assert fields["raj2000"].ucd == "pos.eq.ra;meta.main" and str(fields["raj2000"].unit) == "deg"
    assert all(f.description for f in fields.values())


def test_ranked_tables_hold_the_ranked_list(ranked_files):
    csv = pd.read_csv(ranked_files["csv"])
    fits = Table.read(ranked_files["fits"])
    vot = Table.read(ranked_files["vot"])
    assert len(csv) == len(fits) == len(vot) > 0
    assert np.array_equal(np.asarray(fits["object_id"]), csv["object_id"].to_numpy())
    ranks = np.ma.filled(fits["rank"].astype(float), np.nan) if np.ma.is_masked(fits["rank"]) else np.asarray(fits["rank"], float)
    assert np.array_equal(np.nan_to_num(ranks, nan=-1), np.nan_to_num(csv["rank"].to_numpy(float), nan=-1))
    known = np.asarray(vot["is_known_symbiotic"]).astype(bool)
    assert np.array_equal(known, csv["is_known_symbiotic"].to_numpy(bool))
    assert [str(v) for v in np.asarray(vot["known_name"])[known]] == csv.loc[known, "known_name"].astype(str).tolist()


def test_provenance_date_follows_source_date_epoch(tmp_path, monkeypatch):
    from symfind.present.vo import provenance

    config = tmp_path / "config_used.yaml"
    config.write_text("cuts: {jk_min: 0.85}\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    origin = provenance(config)
    assert origin["date"] == "2023-11-14T22:13:20"
    assert origin["config_sha256"] == hashlib.sha256(config.read_bytes()).hexdigest()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert datetime.datetime.fromisoformat(provenance(config)["date"]).year >= 2026
