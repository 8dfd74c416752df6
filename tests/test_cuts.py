import numpy as np
import pandas as pd
import pytest

from symfind.photometry.cuts import absolute_j, apply_cuts, dereddened_jk, distance_modulus, total_cutflow
from symfind.query.tiles import tile_index


def test_distance_modulus_is_base_10():
    # 5 log10(r / 10 pc): 5 at 100 pc (the original scripts' natural log gave 6.51 there)
    assert distance_modulus(np.array([10.0, 100.0, 1000.0])) == pytest.approx([0.0, 5.0, 10.0])
    assert np.isnan(distance_modulus(np.array([0.0, -5.0, np.nan]))).all()


def test_absolute_j_and_dereddened_colour():
    assert absolute_j(np.array([10.0]), np.array([1000.0]), np.array([0.5]), 0.723)[0] == pytest.approx(10 - 10 - 0.3615)
    assert dereddened_jk(np.array([10.0]), np.array([9.0]), np.array([1.0]), 0.413)[0] == pytest.approx(0.587)


def _tables():
    selected = pd.DataFrame({
        "object_id": [1, 2, 3, 4, 5],
        "gaia_dr2_id1": [11, 12, 13, 14, 15],
        "j_m": [9.0, 9.0, 9.0, 12.0, 9.0],
        "k_m": [7.8, 8.3, 7.8, 10.8, 7.8],
        "ebmv_sfd": [0.1, 0.1, 0.1, 0.1, 0.1],
    })
    distances = pd.DataFrame({"source_id": [11, 12, 13, 14], "r_est": [3000.0, 3000.0, 3000.0, 50.0],
                              "r_lo": 0.0, "r_hi": 0.0, "r_len": 0.0, "result_flag": [1, 1, 2, 1], "modality_flag": 1})
    return selected, distances


def test_cuts_in_order(default_config):
    selected, distances = _tables()
    filtered, flow = apply_cuts(selected, distances, default_config["cuts"])
    # 2: J-K 0.7, blue of the cut; 3: result_flag 2 not accepted -> no distance; 4: M_J 8.4 > 0 at 50 pc (a dwarf);
    # 5: no distance
    assert filtered["object_id"].tolist() == [1]
    total = flow[flow["tile"] == "all"]
    assert total.set_index("cut")["rows_left"].to_dict() == {"selected": 5, "distance": 3, "jk0_min": 2, "j_max": 2, "abs_j_max": 1}
    assert filtered["abs_j"].iloc[0] == pytest.approx(9.0 - (5 * np.log10(3000) - 5) - 0.0723)


def test_missing_distance_keep_is_counted(default_config):
    selected, distances = _tables()
    cuts = {**default_config["cuts"], "missing_distance": "keep"}
    filtered, flow = apply_cuts(selected, distances, cuts)
    assert filtered["object_id"].tolist() == [1, 3, 5]
    total = flow[flow["tile"] == "all"].set_index("cut")
    assert total.loc["distance", "without_distance"] == 2 and total.loc["abs_j_max", "without_distance"] == 2
    assert np.isnan(filtered.set_index("object_id").loc[5, "abs_j"])


def test_changed_threshold_changes_result(default_config):
    selected, distances = _tables()
    cuts = {**default_config["cuts"], "jk_min": 1.2}
    filtered, _ = apply_cuts(selected, distances, cuts)
    assert filtered.empty


def test_extinction_table_overrides_sfd(default_config):
    selected, distances = _tables()
    extinction = pd.DataFrame({"object_id": [1, 2, 3, 4, 5], "ebv": [0.0, 0.0, 0.0, 0.0, 0.0]})
    filtered, _ = apply_cuts(selected, distances, default_config["cuts"], extinction)
    assert filtered["a_j"].tolist() == [0.0]
    assert filtered["jk0"].iloc[0] == pytest.approx(1.2)
    with pytest.raises(Exception, match="lacks 1 selected"):
        apply_cuts(selected, distances, default_config["cuts"], extinction.iloc[:4])


def test_cutflow_per_tile_adds_up(default_config):
    selected, distances = _tables()
    selected["raj2000"] = [270.0, 270.0, 10.0, 10.0, 10.0]
    selected["dej2000"] = [-30.0, -30.0, -40.0, -40.0, -40.0]
    flows = []  # what the per-tile rules do: cut each tile, label its cut-flow, sum them
    tiles = tile_index(selected["raj2000"], selected["dej2000"], 4)
    for tile in np.unique(tiles):
        _, part = apply_cuts(selected[tiles == tile], distances, default_config["cuts"])
        flows.append(part.assign(tile=str(tile)))
    flow = total_cutflow(flows)
    per_tile = flow[flow["tile"] != "all"].groupby("cut", sort=False)["rows_left"].sum()
    total = flow[flow["tile"] == "all"].set_index("cut")["rows_left"]
    assert per_tile.to_dict() == total.to_dict()
    assert set(flow["tile"]) == {"all", "112", "138"}
    _, whole = apply_cuts(selected, distances, default_config["cuts"])  # the sum is the cut-flow of all at once
    assert total.to_dict() == whole.set_index("cut")["rows_left"].to_dict()
