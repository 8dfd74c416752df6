"""Weighted nightly magnitudes and colours against a plain-loop reference."""

import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symfind import columns as C
from symfind.colors import clean_epochs, combined_colors, weighted_nightly_mags

FLOOR = 0.01


def reference_colors(epochs: pd.DataFrame, floor: float, bad_flags: int) -> dict:
    """Obviously-correct loops: {(object, blue, red): (value, error, n_nights)}."""
    nightly = defaultdict(lambda: [0.0, 0.0])  # (obj, night, band) -> [sum w, sum w m]
    for row in epochs.itertuples():
        if row.flags & bad_flags or not math.isfinite(row.mag_psf) or not math.isfinite(row.e_mag_psf) or row.e_mag_psf < 0:
            continue
        var = row.e_mag_psf**2 + floor**2
        if var == 0:
            continue
        key = (row.object_id, math.floor(row.night_mjd), row.filter)
        nightly[key][0] += 1 / var
        nightly[key][1] += row.mag_psf / var
    per_night = defaultdict(dict)
    for (obj, night, band), (sw, swm) in nightly.items():
        per_night[(obj, night)][band] = (swm / sw, 1 / sw)
    out = {}
    objects = sorted({obj for obj, _ in per_night})
    for obj in objects:
        for blue, red in C.ORDERED_COLOR_PAIRS:
            sw = swc = 0.0
            n = 0
            for (o, night), bands in per_night.items():
                if o == obj and blue in bands and red in bands:
                    c = bands[blue][0] - bands[red][0]
                    v = bands[blue][1] + bands[red][1]
                    sw += 1 / v
                    swc += c / v
                    n += 1
            out[(obj, blue, red)] = (swc / sw, math.sqrt(1 / sw), n) if n else (math.nan, math.nan, 0)
    return out


epoch_rows = st.lists(
    st.tuples(
        st.integers(1, 4),  # object
        st.integers(0, 3),  # night
        st.sampled_from(C.SKYMAPPER_BANDS),
        st.floats(10, 20, allow_nan=False),
        st.one_of(st.floats(0.0, 0.3, allow_nan=False), st.just(-0.05), st.just(float("nan"))),
        st.sampled_from([0, 0, 0, 1, 4, 256]),
    ),
    min_size=1,
    max_size=60,
)


def _frame(rows):
    return pd.DataFrame(
        {
            "object_id": [r[0] for r in rows],
            "image_id": np.arange(len(rows)),
            "filter": [r[2] for r in rows],
            "mag_psf": [r[3] for r in rows],
            "e_mag_psf": [r[4] for r in rows],
            "flags": [r[5] for r in rows],
            "night_mjd": [57000 + r[1] + 0.4 + 0.01 * (k % 30) for k, r in enumerate(rows)],
        }
    )


@settings(max_examples=60, deadline=None)
@given(epoch_rows, st.sampled_from([0.0, FLOOR]))
def test_colors_match_plain_loop_reference(rows, floor):
    epochs = _frame(rows)
    bad_flags = 255
    kept, counts = clean_epochs(epochs, bad_flags)
    assert counts["epochs_kept"] + counts["flagged"] + counts["bad_magnitude"] + counts["bad_error"] == len(epochs)
    ids = np.unique(epochs["object_id"])
    result = combined_colors(weighted_nightly_mags(kept, floor), ids).set_index("object_id")
    expected = reference_colors(epochs, floor, bad_flags)
    for obj in ids:
        for blue, red in C.ORDERED_COLOR_PAIRS:
            value, error, n = expected.get((obj, blue, red), (math.nan, math.nan, 0))
            got = result.loc[obj]
            assert got[C.color_nights_name(blue, red)] == n
            if n:
                assert got[C.color_name(blue, red)] == pytest.approx(value, rel=1e-9, abs=1e-9)
                assert got[C.color_error_name(blue, red)] == pytest.approx(error, rel=1e-9)
            else:
                assert math.isnan(got[C.color_name(blue, red)])


def test_antisymmetry_is_exact():
    rng = np.random.default_rng(1)
    n = 500
    epochs = pd.DataFrame({
        "object_id": rng.integers(1, 20, n), "image_id": np.arange(n), "filter": rng.choice(C.SKYMAPPER_BANDS, n),
        "mag_psf": rng.uniform(12, 18, n), "e_mag_psf": rng.uniform(0.005, 0.2, n), "flags": 0,
        "night_mjd": 57000 + rng.integers(0, 5, n) + 0.5,
    })
    colors = combined_colors(weighted_nightly_mags(epochs, FLOOR))
    for blue, red in C.INDEPENDENT_COLOR_PAIRS:
        a = colors[C.color_name(blue, red)].to_numpy()
        b = colors[C.color_name(red, blue)].to_numpy()
        assert np.array_equal(a, -b, equal_nan=True)
    assert len(C.ORDERED_COLOR_PAIRS) == 30
    assert list(colors.columns) == list(C.COLOR_PRODUCT_COLUMNS)


def test_nightly_variance_matches_weights():
    # two epochs, errors 0.03 and 0.04, floor 0: variance 1 / (1/0.03^2 + 1/0.04^2) = 0.000576
    epochs = pd.DataFrame({"object_id": [1, 1], "image_id": [1, 2], "filter": ["g", "g"], "mag_psf": [15.0, 15.7],
                           "e_mag_psf": [0.03, 0.04], "flags": [0, 0], "night_mjd": [57000.4, 57000.7]})
    nightly = weighted_nightly_mags(epochs, 0.0)
    assert nightly["var"].iloc[0] == pytest.approx(0.000576)
    assert nightly["mag"].iloc[0] == pytest.approx((15 / 0.0009 + 15.7 / 0.0016) / (1 / 0.0009 + 1 / 0.0016))
    assert nightly["n_epochs"].iloc[0] == 2


def test_object_without_usable_epochs_keeps_its_row():
    epochs = pd.DataFrame({"object_id": [1, 2], "image_id": [1, 2], "filter": ["g", "u"], "mag_psf": [15.0, 16.0],
                           "e_mag_psf": [0.03, 0.04], "flags": [0, 4], "night_mjd": [57000.4, 57000.7]})
    kept, counts = clean_epochs(epochs, 255)
    colors = combined_colors(weighted_nightly_mags(kept, FLOOR), np.array([1, 2]))
    assert colors["object_id"].tolist() == [1, 2]
    assert counts["flagged"] == 1
    assert colors["n_u_g"].tolist() == [0, 0]
