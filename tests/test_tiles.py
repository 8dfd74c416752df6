"""Per-tile stages: tiles partition the selection, and per-tile results gathered equal one job on all."""

import numpy as np
import pandas as pd
import pytest
import yaml

from symfind.photometry.cuts import total_cutflow
from symfind.io import InputError
from symfind.mock import SAMPLE_FILES
from symfind.query.sources.local import survey_folder_tables
from symfind.stages.colours import weighted_colours
from symfind.stages.gather import gather_tiles
from symfind.stages.selection import fetch_epochs, select_objects, select_tile
from symfind.query.tiles import read_tile_list, tile_index, write_tile_list


@pytest.fixture(scope="module")
def tiled(tiny_sample, tmp_path_factory):
    from conftest import REPO

    out = tmp_path_factory.mktemp("tiled")
    selection = yaml.safe_load((REPO / "config.yaml").read_text())["selection"]
    selected = select_objects("sample", selection, 4, out_parquet=out / "sel.parquet",
                              out_cutflow=out / "flow.csv", out_tiles=out / "tiles.csv", tables=survey_folder_tables(tiny_sample))
    return out, selected


def test_tile_list_counts_the_selected_objects(tiled):
    out, selected = tiled
    listed = pd.read_csv(out / "tiles.csv")
    assert listed["rows"].sum() == len(selected) and (listed["rows"] > 0).all()
    assert read_tile_list(out / "tiles.csv") == sorted(np.unique(tile_index(selected["raj2000"], selected["dej2000"], 4)).tolist())


def test_tiles_partition_the_selection(tiled):
    out, selected = tiled
    parts = [select_tile("sample", tile, out / f"sel_{tile}.parquet", selection_parquet=out / "sel.parquet")
             for tile in read_tile_list(out / "tiles.csv")]
    assert sum(len(p) for p in parts) == len(selected)
    joined = pd.concat(parts).sort_values("object_id", ignore_index=True)
    stored = pd.read_parquet(out / "sel.parquet")
    pd.testing.assert_frame_equal(joined, stored.drop(columns="tile").sort_values("object_id", ignore_index=True))
    # the stored tile is where the object lies: splitting needs no HEALPix
    assert (stored["tile"].to_numpy() == tile_index(stored["raj2000"], stored["dej2000"], 4)).all()
    empty = select_tile("sample", 0, out / "sel_0.parquet", selection_parquet=out / "sel.parquet")  # a tile with no objects
    assert len(empty) == 0 and list(empty.columns) == [c for c in selected.columns if c != "tile"]


def test_per_tile_colours_gathered_equal_one_job(tiled, tiny_sample, default_config):
    out, _ = tiled
    photometry, images = tiny_sample / SAMPLE_FILES["photometry"], tiny_sample / SAMPLE_FILES["images"]
    params = {k: default_config["colors"][k] for k in ("error_floor", "bad_flags", "clip_sigma")}
    tables = {"photometry": photometry, "images": images}
    fetch_epochs(out / "sel.parquet", "sample", out / "epochs_all.parquet", tables=tables)
    whole = weighted_colours(out / "epochs_all.parquet", **params, out_parquet=out / "colors_all.parquet")
    paths = []
    for tile in read_tile_list(out / "tiles.csv"):
        fetch_epochs(out / f"sel_{tile}.parquet", "sample", out / f"epochs_{tile}.parquet", tables=tables)
        weighted_colours(out / f"epochs_{tile}.parquet", **params, out_parquet=out / f"colors_{tile}.parquet")
        paths.append(out / f"colors_{tile}.parquet")
    assert gather_tiles({"colours": paths}, {"colours": out / "colors.parquet"})["colours"] == len(whole)
    gathered = pd.read_parquet(out / "colors.parquet")
    pd.testing.assert_frame_equal(gathered, whole.sort_values("object_id", ignore_index=True))


def test_empty_tile_gives_empty_colours(tiled, tiny_sample, default_config):
    out, _ = tiled
    epochs = fetch_epochs(out / "sel_0.parquet", "sample", out / "epochs_0.parquet",
                          tables={"photometry": tiny_sample / SAMPLE_FILES["photometry"], "images": tiny_sample / SAMPLE_FILES["images"]})
    assert len(epochs) == 0
    params = {k: default_config["colors"][k] for k in ("error_floor", "bad_flags", "clip_sigma")}
    colors = weighted_colours(out / "epochs_0.parquet", **params, out_parquet=out / "colors_0.parquet")
    assert len(colors) == 0 and "u_v" in colors.columns


def test_total_cutflow_sums_the_tiles():
    flows = [pd.DataFrame({"tile": str(t), "cut": ["selected", "jk0_min"], "rows_left": [10 * t, t],
                           "without_distance": [1, 0], "note": ["", "J-K"]}) for t in (3, 5)]
    flow = total_cutflow(flows)
    total = flow[flow["tile"] == "all"].set_index("cut")
    assert total.loc["selected", "rows_left"] == 80 and total.loc["jk0_min", "rows_left"] == 8
    assert total.loc["selected", "without_distance"] == 2
    assert list(flow["cut"][:2]) == ["selected", "jk0_min"] and len(flow) == 6


def test_gather_cuts_rejects_overlapping_tiles(tmp_path, default_config):
    table = pd.DataFrame({"object_id": [1, 2]})
    flow = pd.DataFrame({"tile": "1", "cut": ["selected"], "rows_left": [2], "without_distance": [0], "note": [""]})
    for name in ("a", "b"):
        table.to_parquet(tmp_path / f"{name}.parquet")
        flow.to_parquet(tmp_path / f"flow_{name}.parquet")
    with pytest.raises(InputError, match="duplicate object_id"):
        gather_tiles({"after_cuts": [tmp_path / "a.parquet", tmp_path / "b.parquet"],
                      "cutflow": [tmp_path / "flow_a.parquet", tmp_path / "flow_b.parquet"]},
                     {"after_cuts": tmp_path / "f.parquet", "cutflow": tmp_path / "flow.csv"})
    assert not (tmp_path / "f.parquet").exists()


def test_tile_list_with_wrong_columns_names_the_file(tmp_path):
    (tmp_path / "tiles.csv").write_text("pixel,n\n1,2\n")
    with pytest.raises(InputError, match="tiles.csv"):
        read_tile_list(tmp_path / "tiles.csv")
    write_tile_list(pd.DataFrame({"tile": ["all", "7"], "rows": [3, 3]}), tmp_path / "ok.csv")
    assert read_tile_list(tmp_path / "ok.csv") == [7]


def test_the_epochs_are_gathered_one_tile_at_a_time(tmp_path, monkeypatch):
    """gather_epochs appends each tile's epochs (in the product's order within it) without holding
    the others: at most one tile's table is read at a time; tiles that repeat an object are refused."""
    from symfind.query.epochs import sort_epochs
    from symfind.io import InputError
    from symfind.stages import gather

    rng = np.random.default_rng(3)
    paths = []
    for tile, ids in ((3, [30, 10]), (7, []), (9, [20, 40])):
        n = 4 * len(ids)
        frame = pd.DataFrame({"object_id": np.repeat(np.array(ids, dtype=np.int64), 4), "image_id": np.arange(n, dtype=np.int64),
                              "filter": rng.choice(list("uvgriz"), n), "mag_psf": rng.normal(14, 1, n).astype(np.float32),
                              "e_mag_psf": np.full(n, 0.02, np.float32), "flags": np.zeros(n, np.int32),
                              "night_mjd": rng.uniform(57000, 58000, n)})
        paths.append(tmp_path / f"{tile}.parquet")
        frame.to_parquet(paths[-1])
    reads, real_read = [], pd.read_parquet
    monkeypatch.setattr(gather.pd, "read_parquet", lambda p, **kw: reads.append(p) or real_read(p, **kw))
    out = tmp_path / "epochs.parquet"
    assert gather.gather_tiles({"epochs": paths}, {"epochs": out})["epochs"] == 16
    assert reads == paths
    gathered = real_read(out)
    expected = pd.concat([sort_epochs(real_read(p)) for p in paths if len(real_read(p))], ignore_index=True)
    pd.testing.assert_frame_equal(gathered, expected)
    assert gathered["object_id"].tolist()[:8] == [10] * 4 + [30] * 4
    pd.DataFrame(real_read(paths[0])).to_parquet(tmp_path / "again.parquet")
    with pytest.raises(InputError, match="again.parquet repeats object_ids of an earlier tile"):
        gather.gather_tiles({"epochs": [paths[0], tmp_path / "again.parquet"]}, {"epochs": tmp_path / "bad.parquet"})
    assert not (tmp_path / "bad.parquet").exists()


def test_per_object_products_are_gathered_in_order_in_parts(tmp_path):
    """The sorted gather gives the table that concatenating and sorting gives, in parts of at most
    part_rows rows, whether the tiles' ids interleave or not; an integer column with missing values
    in one tile is float in all, as concatenating makes it; a repeated id is refused."""
    import pyarrow.parquet as pq

    from symfind.stages.gather import stream_sorted_tiles
    from symfind.query.tiles import gather

    rng = np.random.default_rng(5)
    ids = rng.permutation(np.arange(1, 61, dtype=np.int64))
    paths = []
    for k, part in enumerate((ids[:25], ids[25:25], ids[25:])):  # interleaved ids, and an empty tile
        frame = pd.DataFrame({"object_id": part, "u_v": rng.normal(size=len(part)),
                              "n_nights": (rng.integers(1, 9, len(part)) if k else rng.integers(1, 9, len(part)).astype(float)),
                              "band": rng.choice(["u", "v"], len(part))})
        if k == 0:
            frame.loc[frame.index[:3], "n_nights"] = np.nan
        paths.append(tmp_path / f"{k}.parquet")
        frame.to_parquet(paths[-1], index=False)
    expected = gather(paths, key="object_id")
    for part_rows in (7, 60, 1000):
        out = tmp_path / f"gathered_{part_rows}.parquet"
        assert stream_sorted_tiles(paths, out, part_rows=part_rows) == 60
        pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
        metadata = pq.ParquetFile(out).metadata
        sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
        assert max(sizes) <= part_rows and sum(sizes) == 60
    assert expected["n_nights"].dtype == np.float64
    pd.read_parquet(paths[0]).head(1).to_parquet(tmp_path / "again.parquet", index=False)
    with pytest.raises(InputError, match="1 duplicate object_id"):
        stream_sorted_tiles([*paths, tmp_path / "again.parquet"], tmp_path / "bad.parquet")
    assert not (tmp_path / "bad.parquet").exists()
    # the whole-table gather refuses it with the same check and words (tiles.require_no_overlap)
    with pytest.raises(InputError, match=r"1 duplicate object_id\(s\), e.g. "):
        gather([*paths, tmp_path / "again.parquet"], key="object_id")
