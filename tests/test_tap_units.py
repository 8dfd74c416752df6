"""TAP logic that needs no server: tiles, ADQL, retries, overflow handling."""

import healpy as hp
import numpy as np
import pandas as pd
import pytest

from symfind.query.selection import criteria_from_config
from symfind.query.sources.tap import DISTANCES_ADQL, EPOCHS_ADQL, fetch_selection_tile, tile_adql
from symfind.query.tap import TapError, TapOverflow, TapRunner
from symfind.query.tiles import in_tile, tile_cone, tile_list


def test_cone_encloses_its_tile():
    nside = 4
    for tile in (0, 112, 138, 191):
        ra, dec, radius = tile_cone(nside, tile)
        # points inside the tile (its sub-pixels at high resolution) all lie inside the cone
        sub = np.arange(tile * 4**5, (tile + 1) * 4**5)
        sra, sdec = hp.pix2ang(nside * 2**5, sub, nest=True, lonlat=True)
        centre = hp.ang2vec(ra, dec, lonlat=True)
        sep = np.degrees(np.arccos(np.clip(hp.ang2vec(sra, sdec, lonlat=True) @ centre, -1, 1)))
        assert sep.max() < radius


def test_tiles_partition_the_sky():
    rng = np.random.default_rng(3)
    ra, dec = rng.uniform(0, 360, 5000), np.degrees(np.arcsin(rng.uniform(-1, 1, 5000)))
    membership = np.array([in_tile(2, t, ra, dec) for t in range(48)])
    assert (membership.sum(axis=0) == 1).all()


def test_default_tiles_are_the_southern_sky():
    tiles = tile_list({"nside": 4, "tiles": None})
    _, dec = hp.pix2ang(4, tiles, nest=True, lonlat=True)
    assert 112 in tiles and 138 in tiles and len(tiles) < 192
    assert dec.min() < -78 and dec.max() < 25  # the south pole cap, and nothing far north
    assert tile_list({"nside": 4, "tiles": [138, 112]}) == [112, 138]
    with pytest.raises(ValueError, match="not tiles of nside 4"):
        tile_list({"nside": 4, "tiles": [500]})


def test_adql_of_a_tile(default_config):
    adql = tile_adql(criteria_from_config(default_config["selection"]), 4, 112)
    assert "CONTAINS(POINT('ICRS', m.raj2000, m.dej2000), CIRCLE('ICRS', 270.00000000, -30.00000000" in adql
    assert "TOP" not in adql and "TOP" not in EPOCHS_ADQL and "TOP" not in DISTANCES_ADQL
    assert "JOIN TAP_UPLOAD.ids" in EPOCHS_ADQL and "JOIN TAP_UPLOAD.ids" in DISTANCES_ADQL


class FlakyRunner(TapRunner):
    """A runner whose first ``failures`` attempts raise; records the backoff delays."""

    def __init__(self, failures, result=None, exc=ConnectionError("connection reset")):
        super().__init__(url="http://127.0.0.1:9/tap", retries=3, backoff_s=1.0, sleep=self._record)
        self.failures, self.result, self.exc, self.delays, self.calls = failures, result, exc, [], 0

    def _record(self, seconds):
        self.delays.append(seconds)

    def _run_once(self, adql, what, uploads):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc
        return self.result


def test_retries_with_backoff_then_succeeds():
    runner = FlakyRunner(2, result=pd.DataFrame({"x": [1]}))
    assert runner.run("SELECT 1", "tile 7")["x"].tolist() == [1]
    assert runner.delays == [1.0, 2.0]


def test_gives_up_naming_the_work_and_the_service():
    runner = FlakyRunner(99)
    with pytest.raises(TapError, match=r"tile 7: TAP query to http://127\.0\.0\.1:9/tap failed after 4 attempts: connection reset"):
        runner.run("SELECT 1", "tile 7")
    assert runner.calls == 4 and runner.delays == [1.0, 2.0, 4.0]


def test_overflow_is_not_retried_and_splits_the_tile(default_config):
    criteria = criteria_from_config(default_config["selection"])

    class OverflowAtNside4(TapRunner):
        def __init__(self):
            super().__init__(url="http://127.0.0.1:9/tap", retries=3, sleep=lambda s: None)
            self.queries = []

        def _run_once(self, adql, what, uploads):
            self.queries.append(what)
            if "nside 4)" in what:
                raise TapOverflow(f"{what}: truncated")
            tile = int(what.split()[2])
            ra, dec = hp.pix2ang(8, tile, nest=True, lonlat=True)
            return pd.DataFrame({"object_id": [tile], "raj2000": [ra], "dej2000": [dec]})

    runner = OverflowAtNside4()
    frame = fetch_selection_tile(runner, criteria, 4, 112, max_split_depth=1)
    assert sorted(frame["object_id"]) == [448, 449, 450, 451]
    assert runner.queries[0] == "selection tile 112 (nside 4)" and len(runner.queries) == 5
    with pytest.raises(TapOverflow, match="cannot be split further"):
        fetch_selection_tile(OverflowAtNside4(), criteria, 4, 112, max_split_depth=0)


@pytest.mark.parametrize("result", [
    pd.DataFrame(),  # no columns at all (no ids to upload)
    pd.DataFrame({"object_id": pd.Series(dtype="float64"), "image_id": pd.Series(dtype="float64"),
                  "filter": pd.Series(dtype="float64"), "mag_psf": pd.Series(dtype="float64"),
                  "e_mag_psf": pd.Series(dtype="float64"), "flags": pd.Series(dtype="float64"),
                  "night_mjd": pd.Series(dtype="float64")}),  # the columns, typed as a service may type an empty result
])
def test_an_empty_result_is_the_typed_empty_table(result):
    from symfind import columns as C
    from symfind.query.sources.tap import typed

    epochs = typed(result, C.EPOCH_COLUMNS, "photometry from a service")
    assert list(epochs.columns) == list(C.EPOCH_COLUMNS) and epochs.empty
    assert epochs["filter"].dtype == object and epochs["object_id"].dtype == "int64" and epochs["mag_psf"].dtype == "float32"


def test_an_empty_result_missing_our_columns_is_still_an_error():
    from symfind import columns as C
    from symfind.io import InputError
    from symfind.query.sources.tap import typed

    with pytest.raises(InputError, match="missing column"):
        typed(pd.DataFrame({"something_else": pd.Series(dtype="float64")}), C.EPOCH_COLUMNS, "photometry")


def test_an_empty_tile_needs_no_server_and_gives_typed_tables(tmp_path, default_config):
    from symfind import columns as C
    from symfind.io import empty_table
    from symfind.stages.distances import fetch_distances
    from symfind.stages.selection import fetch_epochs

    empty_tile = tmp_path / "selection.parquet"
    empty_table(C.JOINED_COLUMNS).to_parquet(empty_tile)
    tap = {**default_config["tap"], "skymapper": "http://127.0.0.1:9/tap", "gaia": "http://127.0.0.1:9/tap", "retries": 0}
    epochs = fetch_epochs(empty_tile, "tap", tmp_path / "epochs.parquet", tap=tap)
    distances = fetch_distances(empty_tile, "tap", tmp_path / "distances.parquet", tmp_path / "missing.parquet", tap=tap)
    assert epochs.empty and list(epochs.columns) == list(C.EPOCH_COLUMNS)
    assert distances.empty and set(C.DISTANCE_COLUMNS) <= set(distances.columns)
    stored = pd.read_parquet(tmp_path / "epochs.parquet")
    assert not pd.api.types.is_numeric_dtype(stored["filter"])  # text, as in a tile with epochs
