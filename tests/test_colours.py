"""Weighted nightly magnitudes and colours against a plain-loop reference."""

import itertools
import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symfind.photometry import colours as kernels
from symfind import columns as C
from symfind.photometry.colours import (
    clean_epochs,
    colors_from_epochs,
    combined_colors,
    weighted_nightly_mags,
)

FLOOR = 0.01


def reference_colors(epochs: pd.DataFrame, floor: float, bad_flags: int, clip_sigma=None) -> dict:
    """Obviously-correct loops: {(object, blue, red): (value, error, n_nights)}."""
    groups = defaultdict(list)  # (obj, night, band) -> [(mag, var)]
    for row in epochs.itertuples():
        if row.flags & bad_flags or not math.isfinite(row.mag_psf) or not math.isfinite(row.e_mag_psf) or row.e_mag_psf < 0:
            continue
        var = row.e_mag_psf**2 + floor**2
        if var == 0:
            continue
        groups[(row.object_id, math.floor(row.night_mjd), row.filter)].append((row.mag_psf, var))
    per_night = defaultdict(dict)
    for (obj, night, band), members in groups.items():
        if clip_sigma is not None and len(members) >= 3:
            median = float(np.median([m for m, _ in members]))
            members = [(m, v) for m, v in members if abs(m - median) <= clip_sigma * math.sqrt(v)]
        if not members:  # every epoch of the night clipped: the night has no mean
            continue
        sw = sum(1 / v for _, v in members)
        swm = sum(m / v for m, v in members)
        per_night[(obj, night)][band] = (swm / sw, 1 / sw)
    out = {}
    objects = sorted({obj for obj, _ in per_night})
    for obj in objects:
        for blue, red in C.ORDERED_COLOR_PAIRS:
            nightly = [(bands[blue][0] - bands[red][0], bands[blue][1] + bands[red][1])
                       for (o, night), bands in per_night.items() if o == obj and blue in bands and red in bands]
            n = len(nightly)
            if not n:
                out[(obj, blue, red)] = (math.nan, math.nan, 0)
                continue
            sw = sum(1 / v for _, v in nightly)
            mean = sum(c / v for c, v in nightly) / sw
            chi2 = sum((c - mean) ** 2 / v for c, v in nightly)
            if n > 1:  # night-to-night scatter beyond the errors (Birge ratio)
                error = math.sqrt(max(1.0, chi2 / (n - 1)) / sw)
            else:  # one night: the object's night-to-night scatter in g added
                g = [bands["g"][0] for (o, night), bands in per_night.items() if o == obj and "g" in bands]
                error = math.sqrt(1 / sw + (float(np.var(g, ddof=1)) if len(g) > 1 else 0.0))
            out[(obj, blue, red)] = (mean, error, n)
    return out


_epoch_row = st.tuples(
        st.integers(1, 3),  # object
        st.integers(0, 2),  # night
        st.sampled_from(C.SKYMAPPER_BANDS),
        st.one_of(st.floats(10, 20, allow_nan=False), st.just(float("inf"))),
        st.one_of(st.floats(0.0, 0.3, allow_nan=False), st.just(-0.05), st.just(float("nan"))),
        st.sampled_from([0, 0, 0, 1, 4, 256]),
    )
epoch_rows = st.lists(_epoch_row, min_size=1, max_size=60)


def _random_rows(seed: int) -> list[tuple]:
    """60 epochs of 3 objects over 3 nights drawn at random (numpy): hypothesis's own lists are
    mostly short and degenerate, and the night-to-night error terms need colours on several nights."""
    rng = np.random.default_rng(seed)
    n = 60
    return list(zip(rng.integers(1, 4, n).tolist(), rng.integers(0, 3, n).tolist(), rng.choice(C.SKYMAPPER_BANDS, n).tolist(),
                    rng.uniform(10, 20, n).tolist(), rng.uniform(0.005, 0.3, n).tolist(), rng.choice([0, 0, 0, 0, 4], n).tolist()))


long_epoch_rows = st.integers(0, 2**31).map(_random_rows)


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


@settings(max_examples=80, deadline=None)
@given(st.one_of(epoch_rows, long_epoch_rows), st.sampled_from([0.0, FLOOR]), st.sampled_from([None, 1.0, 3.0]),
       st.sampled_from([1, 7, kernels.CHUNK_EPOCHS]))
def test_colors_match_plain_loop_reference(rows, floor, clip_sigma, chunk_epochs):
    epochs = _frame(rows)
    bad_flags = 255
    _, counts = clean_epochs(epochs, bad_flags, floor)
    dropped = counts["flagged"] + counts["bad_magnitude"] + counts["bad_error"] + counts["zero_error"]
    assert counts["epochs_kept"] + dropped == len(epochs)
    ids = np.unique(epochs["object_id"])
    colors, _ = colors_from_epochs(epochs, floor, bad_flags, clip_sigma, chunk_epochs=chunk_epochs)
    result = colors.set_index("object_id")
    assert list(result.index) == sorted(ids)
    expected = reference_colors(epochs, floor, bad_flags, clip_sigma)
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


def test_outlier_is_clipped_and_counted():
    mags = [15.00, 15.02, 14.99, 15.01, 17.0]
    epochs = pd.DataFrame({"object_id": 1, "image_id": range(5), "filter": "g", "mag_psf": mags, "e_mag_psf": 0.02,
                           "flags": 0, "night_mjd": 57000.5})
    nightly = weighted_nightly_mags(epochs, 0.0, clip_sigma=5.0)
    assert nightly["n_clipped"].tolist() == [1] and nightly["n_epochs"].tolist() == [4]
    assert nightly["mag"].iloc[0] == pytest.approx(15.005)
    unclipped = weighted_nightly_mags(epochs, 0.0, clip_sigma=None)
    assert unclipped["n_clipped"].tolist() == [0] and unclipped["mag"].iloc[0] == pytest.approx(15.404)


def test_two_epochs_are_never_clipped():
    epochs = pd.DataFrame({"object_id": 1, "image_id": [1, 2], "filter": "r", "mag_psf": [15.0, 18.0], "e_mag_psf": 0.02,
                           "flags": 0, "night_mjd": 57000.5})
    assert weighted_nightly_mags(epochs, 0.0, clip_sigma=1.0)["n_epochs"].tolist() == [2]


def test_zero_error_is_floored_or_counted():
    epochs = pd.DataFrame({"object_id": 1, "image_id": [1, 2], "filter": "r", "mag_psf": [15.0, 15.1], "e_mag_psf": [0.0, 0.02],
                           "flags": 0, "night_mjd": 57000.5})
    assert clean_epochs(epochs, 255, 0.01)[1]["zero_error"] == 0
    kept, counts = clean_epochs(epochs, 255, 0.0)
    assert counts["zero_error"] == 1 and len(kept) == 1


def test_one_epoch_one_night():
    epochs = pd.DataFrame({"object_id": 7, "image_id": [1, 2], "filter": ["u", "v"], "mag_psf": [16.0, 15.5],
                           "e_mag_psf": [0.03, 0.04], "flags": 0, "night_mjd": 57000.5})
    colors, _ = colors_from_epochs(epochs, 0.01, 255, 5.0)
    row = colors.iloc[0]
    assert row["u_v"] == pytest.approx(0.5) and row["v_u"] == pytest.approx(-0.5)
    assert row["e_u_v"] == pytest.approx(math.sqrt(0.03**2 + 0.04**2 + 2 * 0.01**2))
    assert row["n_u_v"] == 1 and row["n_nights"] == 1 and math.isnan(row["u_g"]) and row["n_u_g"] == 0


def test_a_colour_that_changes_between_nights_has_the_error_of_its_scatter():
    """Phase-aware errors: u-g of 1.0 and 2.0 on two nights (errors 0.02) is known to ~0.5 mag,
    not 0.014; a colour constant within its errors keeps the formal error."""
    epochs = pd.DataFrame({"object_id": 1, "image_id": range(8), "filter": ["u", "g", "r", "i"] * 2,
                           "mag_psf": [16.0, 15.0, 14.0, 13.0, 17.0, 15.0, 14.01, 13.0], "e_mag_psf": 0.02, "flags": 0,
                           "night_mjd": [57000.5] * 4 + [57001.5] * 4})
    row = colors_from_epochs(epochs, 0.0, 255, None)[0].iloc[0]
    assert row["u_g"] == pytest.approx(1.5) and row["e_u_g"] == pytest.approx(0.5)
    assert row["e_r_i"] == pytest.approx(0.02)  # chi2 = 0.005 < 1: the formal error sqrt(1 / sum w)


def test_a_colour_from_one_night_of_a_variable_star_has_the_error_of_its_brightness_changes():
    """u seen on one night only of a star whose g is 14, 15 and 16 on three nights: u-g carries the
    g means' standard deviation (1 mag); the same star constant in g keeps the formal error."""
    rows = [{"object_id": obj, "filter": "g", "night_mjd": 57000.5 + k, "mag_psf": 14.0 + (k if obj == 1 else 0)}
            for obj in (1, 2) for k in range(3)]
    rows += [{"object_id": obj, "filter": "u", "night_mjd": 57000.5, "mag_psf": 16.0} for obj in (1, 2)]
    epochs = pd.DataFrame(rows).assign(image_id=lambda f: np.arange(len(f)), e_mag_psf=0.02, flags=0)
    by_id = colors_from_epochs(epochs, 0.0, 255, None)[0].set_index("object_id")
    assert by_id.loc[1, "n_u_g"] == 1 and by_id.loc[1, "e_u_g"] == pytest.approx(math.sqrt(2 * 0.02**2 + 1.0))
    assert by_id.loc[2, "e_u_g"] == pytest.approx(math.sqrt(2 * 0.02**2))


def test_rows_ordered_by_object_or_not_give_identical_colours():
    """The colour stage takes a shortcut for epochs ordered by object (as the epoch product is);
    shuffled rows take the general path, and both must give the same table, bit for bit."""
    rng = np.random.default_rng(7)
    n = 3000
    epochs = pd.DataFrame({
        "object_id": rng.integers(1, 60, n) * 1_000_003, "image_id": np.arange(n), "filter": rng.choice(C.SKYMAPPER_BANDS, n),
        "mag_psf": rng.normal(15, 1, n), "e_mag_psf": rng.uniform(0.01, 0.1, n), "flags": rng.choice([0, 0, 4], n),
        "night_mjd": 57000 + rng.integers(0, 9, n) + 0.5,
    })
    ordered = epochs.sort_values("object_id", kind="stable", ignore_index=True)
    assert not np.all(np.diff(epochs["object_id"].to_numpy()) >= 0)
    general, _ = colors_from_epochs(epochs, FLOOR, 255, 3.0)
    shortcut, _ = colors_from_epochs(ordered, FLOOR, 255, 3.0)
    pd.testing.assert_frame_equal(general, shortcut, check_exact=True)
    assert np.isfinite(general["chi2r_u"]).sum() > 10  # the variability columns are exercised too


def test_a_night_whose_epochs_are_all_clipped_is_not_a_night_of_the_light_curve():
    # night 0: u epochs 10, 10, 20, 20 (median 15: all four further than 3 sigma); nights 1, 2: 15.0, 15.2
    mags = [10.0, 10.0, 20.0, 20.0, 15.0, 15.2]
    nights = [0, 0, 0, 0, 1, 2]
    epochs = pd.DataFrame({"object_id": 1, "image_id": np.arange(6), "filter": "u", "mag_psf": mags, "e_mag_psf": 0.05,
                           "flags": 0, "night_mjd": 57000.5 + np.array(nights)})
    colors, counts = colors_from_epochs(epochs, 0.0, 255, 3.0)
    assert counts["clipped"] == 4
    row = colors.iloc[0]
    assert row["n_nights_u"] == 2
    assert row["chi2r_u"] == pytest.approx((0.1 / 0.05) ** 2 * 2)  # (0.1^2 + 0.1^2) / 0.05^2 / (2 - 1)
    assert row["amp_u"] == pytest.approx(0.8 * 0.2)


def test_passes_over_objects_give_the_same_table_bit_for_bit():
    """The stage takes the epochs a few objects at a time; where the passes are cut (one object per
    pass, a few, all at once) changes no number and no count, for rows ordered by object or not
    (an object's epochs are summed in their input order either way)."""
    rng = np.random.default_rng(11)
    n = 4000
    epochs = pd.DataFrame({
        "object_id": np.sort(rng.integers(1, 90, n)) * 7919, "image_id": np.arange(n),
        "filter": rng.choice(C.SKYMAPPER_BANDS, n), "mag_psf": rng.normal(15, 1, n),
        "e_mag_psf": rng.uniform(0.005, 0.1, n), "flags": rng.choice([0, 0, 0, 4], n),
        "night_mjd": 57000 + rng.integers(0, 6, n) + 0.5,
    })
    epochs.loc[rng.random(n) < 0.05, "mag_psf"] += 2.0  # outliers to clip
    whole, whole_counts = colors_from_epochs(epochs, FLOOR, 255, 3.0, chunk_epochs=10 * n)
    assert whole_counts["clipped"] > 0 and np.isfinite(whole["amp_u"]).sum() > 20
    for chunk in [1, 100]:
        table, counts = colors_from_epochs(epochs, FLOOR, 255, 3.0, chunk_epochs=chunk)
        pd.testing.assert_frame_equal(table, whole, check_exact=True)
        assert counts == whole_counts
    shuffled = epochs.sample(frac=1.0, random_state=3, ignore_index=True)
    shuffled_whole, shuffled_counts = colors_from_epochs(shuffled, FLOOR, 255, 3.0, chunk_epochs=10 * n)
    assert shuffled_counts == whole_counts
    for chunk in [1, 333]:
        table, counts = colors_from_epochs(shuffled, FLOOR, 255, 3.0, chunk_epochs=chunk)
        pd.testing.assert_frame_equal(table, shuffled_whole, check_exact=True)
        assert counts == whole_counts


def test_object_chunks_cut_only_between_objects():
    object_id = np.array([1, 1, 1, 2, 3, 3, 3, 3, 4, 5])
    chunks = kernels._object_chunks(object_id, 3)
    assert chunks[0][0] == 0 and chunks[-1][1] == len(object_id)
    assert all(stop == next_start for (_, stop), (next_start, _) in itertools.pairwise(chunks))
    for start, stop in chunks:
        assert stop > start
        assert start == 0 or object_id[start] != object_id[start - 1]
    assert chunks == [(0, 3), (3, 4), (4, 9), (9, 10)]  # cut at the last object start at or before 0, 3, 6, 9
    assert kernels._object_chunks(object_id[:0], 3) == [(0, 0)]


@pytest.mark.parametrize("kind", ["float32 magnitudes", "float64 means", "codes beyond 2^50"])
def test_group_order_statistics_equal_numpy(kind):
    """Medians and quantiles per group come from integer sorts of packed keys (the float32 bits beside
    the group, or a value rank beside it); each must equal numpy's on the group alone, exactly."""
    rng = np.random.default_rng(5)
    n_groups = 300
    codes = rng.integers(0, n_groups, 5000)
    values = rng.normal(0, 3, 5000)  # negative and positive
    values[:40] = 0.0
    values[40:80] = -0.0
    values[80:120] = np.repeat(rng.normal(size=8), 5)  # ties
    if kind == "float32 magnitudes":
        values = values.astype(np.float32).astype(np.float64)
    if kind == "codes beyond 2^50":
        codes = codes * (1 << 52)  # too wide to pack beside a rank: the stable-argsort path
    dense = np.unique(codes, return_inverse=True)[1]
    median = kernels._group_median(codes if kind != "codes beyond 2^50" else dense, values, n_groups)
    p10, p90 = kernels._group_quantiles(dense, values, n_groups, (0.1, 0.9))
    by_group = kernels._values_by_group(codes, values)
    assert np.array_equal(by_group, values[np.lexsort((values, codes))])
    for group in range(n_groups):
        members = values[dense == group]
        if len(members) == 0:
            assert np.isnan(median[group]) and np.isnan(p10[group])
            continue
        assert median[group] == np.median(members)
        ordered = np.sort(members)
        for q, got in [(0.1, p10[group]), (0.9, p90[group])]:
            position = q * (len(ordered) - 1)
            below = int(np.floor(position))
            low, high = ordered[below], ordered[min(below + 1, len(ordered) - 1)]
            assert got == low + (position - below) * (high - low)  # linear between order statistics, exactly
            assert got == pytest.approx(np.quantile(members, q), rel=1e-14, abs=1e-14)


def test_stable_sort_equals_a_stable_argsort():
    rng = np.random.default_rng(2)
    for key in [rng.integers(0, 50, 10_000), rng.integers(0, 1 << 62, 1000), np.zeros(5, dtype=np.int64),
                np.zeros(0, dtype=np.int64)]:
        sorted_key, order = kernels._stable_sort(key.astype(np.int64))
        expected = np.argsort(key, kind="stable")
        assert np.array_equal(order, expected) and np.array_equal(sorted_key, key[expected])


# -- flickering: the scatter within a night beyond the errors ---------------------------------------

def _light_curve(nights_mag, per_night, sigma, flicker, band="u", seed=0, object_id=1):
    """``per_night`` exposures on each night (about 10 minutes apart) of a star whose nightly mean is
    ``nights_mag[k]``, with Gaussian errors ``sigma`` and flickering of rms ``flicker`` (mag)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, mean in enumerate(nights_mag):
        for j in range(per_night):
            rows.append({"object_id": object_id, "image_id": len(rows), "filter": band, "night_mjd": 57000 + k + 0.5 + 0.007 * j,
                         "mag_psf": mean + rng.normal(0, flicker) + rng.normal(0, sigma), "e_mag_psf": sigma, "flags": 0})
    return pd.DataFrame(rows)


def test_flicker_equals_a_hand_computation():
    epochs = pd.DataFrame({"object_id": [1, 1, 1], "image_id": [0, 1, 2], "filter": ["u", "u", "u"],
                           "night_mjd": [57000.50, 57000.51, 57003.5], "mag_psf": [10.0, 10.2, 11.0],
                           "e_mag_psf": [0.1, 0.1, 0.1], "flags": [0, 0, 0]})
    colors, _ = colors_from_epochs(epochs, 0.0, 255, None)
    row = colors.iloc[0]
    # night 1: mean 10.1, chi2 = 2 x 0.1^2/0.1^2 = 2 on 1 dof; scatter 0.02 - expected (1/2)(0.01 + 0.01) = 0.01
    # night 2: one exposure, nothing
    assert row["flicker_dof_u"] == 1 and row["flicker_chi2_u"] == pytest.approx(2.0)
    assert row["flicker_rms_u"] == pytest.approx(0.1)
    from scipy.stats import chi2

    assert row["flicker_sig_u"] == pytest.approx(-np.log10(chi2.sf(2.0, 1)))
    assert row["flicker_dof_v"] == 0 and np.isnan(row["flicker_rms_v"]) and np.isnan(row["flicker_sig_v"])


def test_a_flickering_star_has_a_significant_flicker_and_a_mira_none():
    sigma = 0.02
    flickering = _light_curve([15.0] * 12, per_night=3, sigma=sigma, flicker=5 * sigma, seed=1, object_id=1)
    mira_nights = 15.0 + 1.0 * np.sin(np.linspace(0, 4 * np.pi, 12))  # 2 mag between nights, constant within one
    mira = _light_curve(mira_nights, per_night=3, sigma=sigma, flicker=0.0, seed=2, object_id=2)
    single = _light_curve([15.0] * 12, per_night=1, sigma=sigma, flicker=5 * sigma, seed=3, object_id=3)
    colors, _ = colors_from_epochs(pd.concat([flickering, mira, single], ignore_index=True), 0.0, 255, 5.0)
    by_id = colors.set_index("object_id")
    assert by_id.loc[1, "flicker_sig_u"] > 10 and by_id.loc[1, "flicker_rms_u"] == pytest.approx(5 * sigma, rel=0.35)
    assert by_id.loc[2, "flicker_sig_u"] < 2 and by_id.loc[2, "flicker_rms_u"] < 0.01
    assert by_id.loc[2, "chi2r_u"] > 100  # the Mira's nights differ: that is variability, not flickering
    assert by_id.loc[3, "flicker_dof_u"] == 0 and np.isnan(by_id.loc[3, "flicker_sig_u"])  # one exposure a night: nothing
    assert by_id.loc[1, "flicker_robust_sig_u"] > 10 and by_id.loc[2, "flicker_robust_sig_u"] < 2


def test_one_bad_exposure_is_not_flickering_once_its_night_is_left_out():
    """A constant star with one exposure 1 mag off (on one of twelve nights of two exposures): its
    pooled flicker is hugely significant, its robust one (worst night left out) is not; a star that
    flickers keeps both."""
    sigma = 0.02
    steady = _light_curve([15.0] * 12, per_night=2, sigma=sigma, flicker=0.0, seed=4, object_id=1)
    steady.loc[5, "mag_psf"] += 1.0
    flickering = _light_curve([15.0] * 12, per_night=2, sigma=sigma, flicker=5 * sigma, seed=5, object_id=2)
    by_id = colors_from_epochs(pd.concat([steady, flickering], ignore_index=True), 0.0, 255, 5.0)[0].set_index("object_id")
    assert by_id.loc[1, "flicker_sig_u"] > 50 and by_id.loc[1, "flicker_robust_sig_u"] < 2
    assert by_id.loc[2, "flicker_robust_sig_u"] > 10


def test_a_jump_beyond_any_flickering_is_left_out_of_it():
    """A constant star observed on one night only, three u exposures, one of them 1 mag off (a
    cosmic ray; no other night to leave out): with the 0.75-mag ceiling the flickering is that of
    the two good exposures, not 300 dex; a star that flickers by 5x its errors keeps its flicker;
    without the ceiling the artefact is flickering."""
    sigma = 0.02
    steady = _light_curve([15.0], per_night=3, sigma=sigma, flicker=0.0, seed=6, object_id=1)
    steady.loc[1, "mag_psf"] += 1.0
    flickering = _light_curve([15.0] * 8, per_night=3, sigma=sigma, flicker=5 * sigma, seed=7, object_id=2)
    epochs = pd.concat([steady, flickering], ignore_index=True)
    by_id = colors_from_epochs(epochs, 0.0, 255, 5.0, flicker_max_mag=0.75)[0].set_index("object_id")
    assert by_id.loc[1, "flicker_dof_u"] == 1 and by_id.loc[1, "flicker_robust_sig_u"] < 3
    assert by_id.loc[2, "flicker_dof_u"] == 16 and by_id.loc[2, "flicker_robust_sig_u"] > 10
    unbounded = colors_from_epochs(epochs, 0.0, 255, 5.0)[0].set_index("object_id")
    assert unbounded.loc[1, "flicker_robust_sig_u"] > 100
    # the means and colours do not change: the ceiling is the flickering's alone
    pd.testing.assert_series_equal(by_id["n_nights_u"], unbounded["n_nights_u"])


def test_a_pair_of_exposures_further_apart_than_any_flickering_is_left_out_of_it():
    """A constant star with one night of two u exposures 1.2 mag apart (each 0.6 mag from their
    mean, under the 0.75-mag ceiling; which one is off cannot be told) gets no flickering test from
    that night, as a triple with one exposure off does not; a pair 0.4 mag apart, within any
    flicker's reach, is tested and is hugely significant."""
    sigma = 0.02
    artefact = _light_curve([15.0], per_night=2, sigma=sigma, flicker=0.0, seed=8, object_id=1)
    artefact.loc[1, "mag_psf"] += 1.2
    jump = _light_curve([15.0], per_night=2, sigma=sigma, flicker=0.0, seed=9, object_id=2)
    jump.loc[1, "mag_psf"] += 0.4
    by_id = colors_from_epochs(pd.concat([artefact, jump], ignore_index=True), 0.0, 255, 5.0,
                               flicker_max_mag=0.75)[0].set_index("object_id")
    assert by_id.loc[1, "flicker_dof_u"] == 0 and np.isnan(by_id.loc[1, "flicker_robust_sig_u"])
    assert by_id.loc[2, "flicker_dof_u"] == 1 and by_id.loc[2, "flicker_robust_sig_u"] > 30  # chi2 of about 200 for 1 dof
    assert by_id.loc[1, "n_nights_u"] == 1  # the night's mean stays: the ceiling is the flickering's alone


def _visits(n_nights, u_flicker, v_flicker, sigma=0.015, seed=0, object_id=1):
    """Three u and three v exposures on each of ``n_nights`` nights of a star at u = 15, v = 14,
    flickering with rms ``u_flicker`` and ``v_flicker`` (mag)."""
    return pd.concat([_light_curve([15.0] * n_nights, 3, sigma, u_flicker, "u", seed, object_id),
                      _light_curve([14.0] * n_nights, 3, sigma, v_flicker, "v", seed + 1, object_id)], ignore_index=True)


def test_a_v_flicker_that_u_in_the_same_visits_does_not_show_is_beyond_it():
    """A steady giant with one v exposure 0.5 mag off (under the 0.75-mag ceiling), u steady in the
    same visits: its v test is hugely significant, and as far beyond what u allows; a star that
    flickers by 0.1 mag in u and 0.08 in v (as a disc, bluer) is within it; without u, or with no
    test configured, nothing is said."""
    artefact = _visits(2, 0.0, 0.0, seed=10, object_id=1)
    artefact.loc[(artefact["filter"] == "v").to_numpy().nonzero()[0][1], "mag_psf"] += 0.5
    disc = _visits(4, 0.1, 0.08, seed=12, object_id=2)
    no_u = _visits(2, 0.0, 0.0, seed=14, object_id=3).query("filter == 'v'").copy()
    no_u.loc[no_u.index[0], "mag_psf"] += 0.5
    epochs = pd.concat([artefact, disc, no_u], ignore_index=True)
    by_id = colors_from_epochs(epochs, 0.0, 255, 5.0, flicker_max_mag=0.75, flicker_v_to_u_max=1.5)[0].set_index("object_id")
    assert by_id.loc[1, "flicker_sig_v"] > 50 and by_id.loc[1, C.FLICKER_BEYOND_U] > 5
    assert by_id.loc[2, "flicker_sig_v"] > 10 and by_id.loc[2, C.FLICKER_BEYOND_U] < 2
    assert np.isnan(by_id.loc[3, C.FLICKER_BEYOND_U])
    untested = colors_from_epochs(epochs, 0.0, 255, 5.0, flicker_max_mag=0.75)[0].set_index("object_id")
    assert untested[C.FLICKER_BEYOND_U].isna().all()
    pd.testing.assert_series_equal(untested["flicker_sig_v"], by_id["flicker_sig_v"])  # the v test itself is kept


def test_detection_fractions_count_the_nights_with_g_and_r():
    """A pulsator whose u is measured on 3 of its 10 g-and-r nights (its bright ones) and v on all:
    det_frac_u 0.3, det_frac_v 1; a night with g but no r does not count; an object without g-and-r
    nights has NaN."""
    rows = []
    for k in range(10):
        for band in ("g", "r", "v") + (("u",) if k < 3 else ()):
            rows.append({"object_id": 1, "filter": band, "night_mjd": 57000 + k + 0.5, "mag_psf": 14.0})
    rows.append({"object_id": 1, "filter": "g", "night_mjd": 57020.5, "mag_psf": 14.0})  # g without r
    rows.append({"object_id": 1, "filter": "u", "night_mjd": 57020.5, "mag_psf": 16.0})
    rows.append({"object_id": 2, "filter": "u", "night_mjd": 57001.5, "mag_psf": 16.0})
    epochs = pd.DataFrame(rows).assign(image_id=lambda f: np.arange(len(f)), e_mag_psf=0.02, flags=0)
    colors, _ = colors_from_epochs(epochs, 0.01, 255, 5.0)
    by_id = colors.set_index("object_id")
    assert by_id.loc[1, "n_nights_gr"] == 10
    assert by_id.loc[1, "det_frac_u"] == pytest.approx(0.3) and by_id.loc[1, "det_frac_v"] == 1.0
    assert by_id.loc[2, "n_nights_gr"] == 0 and np.isnan(by_id.loc[2, "det_frac_u"])


def test_reversed_colours_are_their_twins_negated():
    """The whole-sky stages leave the 15 reversed colours unread (columns.REVERSED_COLOUR_COLUMNS):
    each is minus its independent twin, with the same error and nights, so nothing is lost."""
    from symfind import columns as C

    rng = np.random.default_rng(3)
    rows = [(obj, night, band) for obj in (1, 2, 3) for night in range(3) for band in "uvgriz" for _ in range(2)]
    rows = [r for r in rows if rng.random() > 0.2]  # some bands missing on some nights
    epochs = pd.DataFrame({"object_id": [r[0] for r in rows], "image_id": np.arange(len(rows)), "filter": [r[2] for r in rows],
                           "mag_psf": rng.normal(15, 0.3, len(rows)), "e_mag_psf": rng.uniform(0.01, 0.05, len(rows)), "flags": 0,
                           "night_mjd": [57000.5 + r[1] for r in rows]})
    colors, _ = colors_from_epochs(epochs, 0.01, 255, 5.0)
    reversed_pairs = [(b, a) for a, b in C.INDEPENDENT_COLOR_PAIRS]
    assert len(C.REVERSED_COLOUR_COLUMNS) == 45 and set(C.REVERSED_COLOUR_COLUMNS) <= set(colors.columns)
    for blue, red in reversed_pairs:
        np.testing.assert_array_equal(colors[C.color_name(blue, red)], -colors[C.color_name(red, blue)])
        np.testing.assert_array_equal(colors[C.color_error_name(blue, red)], colors[C.color_error_name(red, blue)])
        np.testing.assert_array_equal(colors[C.color_nights_name(blue, red)], colors[C.color_nights_name(red, blue)])
    assert colors["u_v"].notna().any()
