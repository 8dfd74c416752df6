import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from symfind.photometry.extinction import check_dust_map, compute_ebv, layer_fraction, parse_model
from symfind.io import InputError


def _tables():
    selected = pd.DataFrame({"object_id": [1, 2, 3], "gaia_dr2_id1": [11, 12, 13], "glon": [10.0, 200.0, 300.0],
                             "glat": [90.0, 5.0, -30.0], "ebmv_sfd": [0.5, 2.0, 0.1]})
    distances = pd.DataFrame({"source_id": [11, 12], "r_est": [125.0, 4000.0]})
    return selected, distances


def test_layer_fraction():
    assert layer_fraction(np.array([125.0]), np.array([90.0]), 125.0)[0] == pytest.approx(1 - np.exp(-1))
    assert layer_fraction(np.array([1e5]), np.array([30.0]), 125.0)[0] == pytest.approx(1.0)
    assert layer_fraction(np.array([1000.0]), np.array([0.0]), 125.0)[0] == 0.0


def test_sfd_total_and_layer():
    selected, distances = _tables()
    total = compute_ebv(selected, distances, {"model": "sfd", "layer_scale_height_pc": None})
    assert total["ebv"].tolist() == [0.5, 2.0, 0.1]
    layer = compute_ebv(selected, distances, {"model": "sfd", "layer_scale_height_pc": 125.0})
    expected_1 = 0.5 * (1 - np.exp(-1))
    expected_2 = 2.0 * (1 - np.exp(-4000 * np.sin(np.radians(5)) / 125))
    assert layer["ebv"].to_numpy() == pytest.approx([expected_1, expected_2, 0.1])  # no distance: total SFD
    assert layer["ebv_uses_distance"].tolist() == [True, True, False]


def test_model_names():
    assert parse_model("sfd") == ("sfd", None)
    assert parse_model("mwdust:Combined19") == ("mwdust", "Combined19")
    with pytest.raises(InputError, match="unknown mwdust map"):
        parse_model("mwdust:Nope")


def test_missing_map_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match=r"combine19\.h5 not found.*never downloads.*mwdust\.Combined19\.download"):
        check_dust_map("Combined19", str(tmp_path))
    with pytest.raises(InputError, match="DUST_DIR"):
        check_dust_map("Combined19", None)
    check_dust_map("Zero", None)  # needs no file


MWDUST_SCRIPT = """
import json, sys
import numpy as np, pandas as pd
from symfind.photometry.extinction import compute_ebv
selected = pd.DataFrame({"object_id": [1, 2, 3], "gaia_dr2_id1": [11, 12, 13], "glon": [10.0, 200.0, 300.0],
                         "glat": [60.0, 5.0, -30.0], "ebmv_sfd": [0.5, 2.0, 0.1]})
distances = pd.DataFrame({"source_id": [11, 12], "r_est": [500.0, 4000.0]})
out = compute_ebv(selected, distances, {"model": sys.argv[1], "layer_scale_height_pc": None})
print(json.dumps(out["ebv"].tolist()))
"""


def _run_mwdust(model, dust_dir):
    env = {**os.environ, "DUST_DIR": str(dust_dir)}
    return subprocess.run([sys.executable, "-c", MWDUST_SCRIPT, model], env=env, capture_output=True, text=True, timeout=120)


def test_mwdust_zero_map(tmp_path):
    pytest.importorskip("mwdust")
    result = _run_mwdust("mwdust:Zero", tmp_path)
    assert result.returncode == 0, result.stderr
    assert eval(result.stdout) == [0.0, 0.0, 0.1]  # the star without a distance keeps its SFD value


def test_mwdust_synthetic_combined19_map(tmp_path):
    """A map in mwdust's own Combined19 format: E(B-V) = 0.1 mag/kpc x distance everywhere."""
    pytest.importorskip("mwdust")
    h5py = pytest.importorskip("h5py")
    distmods = np.linspace(4, 18.875, 120)
    d_kpc = 10 ** ((distmods - 10) / 5)
    pix = np.zeros(12, dtype=[("healpix_index", "<i8"), ("nside", "<i8")])
    pix["healpix_index"] = np.arange(12)
    pix["nside"] = 1
    (tmp_path / "combined19").mkdir()
    with h5py.File(tmp_path / "combined19" / "combine19.h5", "w") as handle:
        handle["/pixel_info"] = pix
        handle["/best_fit"] = np.tile(0.1 * d_kpc, (12, 1))
    result = _run_mwdust("mwdust:Combined19", tmp_path)
    assert result.returncode == 0, result.stderr
    ebv = eval(result.stdout)
    assert ebv[0] == pytest.approx(0.05, rel=0.01) and ebv[1] == pytest.approx(0.4, rel=0.01) and ebv[2] == 0.1


def test_mwdust_missing_map_never_downloads(tmp_path):
    pytest.importorskip("mwdust")
    result = _run_mwdust("mwdust:Combined19", tmp_path)
    assert result.returncode != 0
    assert "not found" in result.stderr and "never downloads" in result.stderr
    assert not (tmp_path / "combined19").exists()
