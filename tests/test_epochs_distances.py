import numpy as np
import pandas as pd
import pytest

from symfind.query.distances import lookup_distances
from symfind.query.epochs import join_epochs
from symfind.io import InputError


def _phot():
    return pd.DataFrame({"object_id": [1, 1, 2, 3], "image_id": [10, 11, 10, 11], "filter": ["u", "v", "u", "v"],
                         "mag_psf": [15.0, 14.0, 16.0, 13.0], "e_mag_psf": [0.02, 0.02, 0.03, 0.01], "flags": [0, 0, 0, 0]})


def _images():
    return pd.DataFrame({"image_id": [10, 11], "night_mjd": [57000.5, 57000.6], "filter": ["u", "v"], "exp_time": [100.0, 100.0]})


def test_epochs_of_selected_objects_get_their_night():
    epochs = join_epochs(np.array([1, 3]), _phot(), _images(), "phot.csv")
    assert sorted(epochs["object_id"].unique()) == [1, 3]
    assert epochs.loc[epochs["image_id"] == 11, "night_mjd"].unique().tolist() == [57000.6]


def test_epoch_without_image_is_an_error():
    with pytest.raises(InputError, match="missing from the images table"):
        join_epochs(np.array([1]), _phot(), _images().iloc[:1], "phot.csv")


def test_unknown_filter_is_named():
    with pytest.raises(InputError, match=r"phot\.csv: column 'filter' has unknown filter name\(s\) \['Y'\]"):
        join_epochs(np.array([1]), _phot().assign(filter=["u", "Y", "u", "v"]), _images(), "phot.csv")


def _distances(ids):
    n = len(ids)
    return pd.DataFrame({"source_id": ids, "r_est": np.linspace(100, 5000, n), "r_lo": 90.0, "r_hi": 6000.0,
                         "r_len": 1350.0, "result_flag": 1, "modality_flag": 1})


def test_every_requested_id_is_found_or_listed_missing():
    table = _distances(np.arange(0, 30_000, 2))  # even ids only
    requested = np.arange(25_000)  # more than one old 10,000-id batch, and no TOP 100
    found, missing = lookup_distances(requested, table, "bj.csv")
    assert len(found) == 12_500 and len(missing) == 12_500
    assert set(found["source_id"]) | set(missing["source_id"]) == set(requested)
    assert (missing["source_id"] % 2 == 1).all()


def test_duplicate_distance_rows_are_an_error():
    with pytest.raises(InputError, match="'source_id' must be unique"):
        lookup_distances(np.array([1]), _distances(np.array([1, 1])), "bj.csv")
