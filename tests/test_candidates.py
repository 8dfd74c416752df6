"""The candidate table in the three formats astronomers open."""

import os
import shutil
import subprocess

import numpy as np
import pandas as pd
import astropy.units as u
import pytest
from astropy.table import Table

from symfind.candidates import CANDIDATE_COLUMNS, COLUMN_META
from symfind.products import PRODUCTS


@pytest.fixture(scope="module")
def candidate_files(finished_run):
    results = finished_run[0] / "results"
    return {fmt: results / PRODUCTS[f"candidates_{fmt}"] for fmt in ("csv", "fits", "vot")}


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
    if shutil.which("stilts") is None:
        reason = "STILTS not installed (apt-get install stilts; make test does it as root)"
        if os.environ.get("SYMFIND_REQUIRE_TEST_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(f"VOTLINT TEST SKIPPED: {reason}")
    result = subprocess.run(["stilts", "votlint", f"votable={candidate_files['vot']}"], capture_output=True, text=True, timeout=120)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "ERROR" not in report.upper(), report
