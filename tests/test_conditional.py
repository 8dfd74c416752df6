"""The giant-conditioned VAE, the direction-aware hot-excess score and the variability features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from symfind import columns as C
from symfind.photometry.colours import colors_from_epochs
from symfind.detect.features import CONDITION_FEATURES, hot_feature_mask, optical_sed
from symfind.detect.vae import MIN_CALIBRATION_OBJECTS, amplitude_groups, chibar_score, hot_excess, prediction_scatter

A_PER_EBV = {"u": 4.294, "v": 4.026, "g": 2.986, "r": 2.288, "i": 1.588, "z": 1.206}
BANDS = C.SKYMAPPER_BANDS


# --- the one-sided score -------------------------------------------------------------------------


def test_chibar_score_matches_the_mixture_of_chi2_tails():
    # k = 1: P(max(0, z)^2 > t) = P(chi2_1 > t) / 2
    assert chibar_score(np.array([3.84]), np.array([1]))[0] == pytest.approx(-np.log10(0.5 * chi2.sf(3.84, 1)))
    # k = 2: 1/2 P(chi2_1 > t) + 1/4 P(chi2_2 > t)
    expected = 0.5 * chi2.sf(5.0, 1) + 0.25 * chi2.sf(5.0, 2)
    assert chibar_score(np.array([5.0]), np.array([2]))[0] == pytest.approx(-np.log10(expected))
    # nothing observed, or no excess: 0; far in the tail: finite and growing
    assert chibar_score(np.array([0.0, 7.0]), np.array([3, 0])).tolist() == [0.0, 0.0]
    far = chibar_score(np.array([4000.0, 8000.0]), np.array([9, 9]))
    assert np.isfinite(far).all() and far[1] > far[0] > 800


def test_chibar_score_is_calibrated_on_simulated_giants():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(200_000, 4))
    statistic = (np.clip(z, 0, None) ** 2).sum(axis=1)
    p = 10 ** -chibar_score(statistic, np.full(len(z), 4))
    for level in (0.1, 0.01):
        assert np.mean(p < level) == pytest.approx(level, rel=0.1)


def giant_sed(jk0: float) -> dict[str, float]:
    """A made-up but smooth giant SED: every optical colour reddens with (J-K)_0 (mag)."""
    slope = {"u": 3.0, "v": 2.6, "g": 1.6, "r": 0.8, "i": 0.3, "z": 0.0}
    return {b: 12.0 + slope[b] * (jk0 - 0.8) + {"u": 3.2, "v": 2.8, "g": 1.5, "r": 0.6, "i": 0.2, "z": 0.0}[b] for b in BANDS}


def colours(mags: dict[str, float]) -> np.ndarray:
    return np.array([[mags[a] - mags[b] for a, b in C.INDEPENDENT_COLOR_PAIRS]])


def test_the_prediction_scatter_is_what_the_errors_do_not_explain():
    """Giants whose u-v scatters about the prediction by 0.15 mag beyond errors of 0.02 mag (their
    metallicity) get that 0.15 back, and a few with a real excess (5%, 1 mag bluer) do not widen
    it; a colour the errors explain gets none; a colour too few objects have gets none."""
    rng = np.random.default_rng(3)
    n = 4000
    sigma = np.full((n, 3), 0.02)
    residual = np.column_stack([rng.normal(0.0, np.hypot(0.02, 0.15), n), rng.normal(0.0, 0.02, n), rng.normal(0.0, 0.3, n)])
    residual[: n // 20, 0] -= 1.0  # a hot excess: bluer than predicted
    residual[MIN_CALIBRATION_OBJECTS - 1 :, 2] = np.nan  # one object short
    predicted = rng.normal(1.0, 0.5, (n, 3))
    extra = prediction_scatter(predicted + residual, predicted, sigma)
    assert extra.shape == (n, 3) and (extra == extra[0]).all()  # one group: the whole sky's
    assert extra[0, 0] == pytest.approx(0.15, abs=0.015)
    assert extra[0, 1] < 0.01 and extra[0, 2] == 0.0
    # in units of that scatter, an excess of 0.3 mag in u-v is 2 sigma, not 15
    hot = np.array([True, False, False])
    one = np.array([[0.7, 1.0, 1.0]])
    z_given = hot_excess(one, np.ones((1, 3)), sigma[:1], hot)["z"][0, 0]
    z_calibrated = hot_excess(one, np.ones((1, 3)), np.sqrt(sigma[:1] ** 2 + extra[:1] ** 2), hot)["z"][0, 0]
    assert z_given == pytest.approx(15.0) and 1.5 < z_calibrated < 2.5


def test_pulsators_get_the_scatter_of_pulsators_and_a_star_of_one_night_the_skys():
    """Grouped by amplitude, the constant giants keep their 0.05 mag, the large-amplitude ones
    (their colours moving with phase by 0.4 mag) get theirs, a group too small and a star of
    unknown amplitude get the whole sky's."""
    rng = np.random.default_rng(5)
    amplitude = np.concatenate([np.full(3000, 0.03), np.full(600, 2.0), np.full(10, 0.5), np.full(50, np.nan)])
    groups = amplitude_groups(amplitude, [0.1, 0.3, 1.0])
    assert list(np.unique(groups)) == [-1, 0, 2, 3]
    scale = np.where(amplitude > 1.0, 0.4, 0.05)
    residual = rng.normal(0.0, 1.0, (len(amplitude), 1)) * np.hypot(scale, 0.02)[:, None]
    sigma = np.full_like(residual, 0.02)
    extra = prediction_scatter(residual, np.zeros_like(residual), sigma, groups)[:, 0]
    whole = prediction_scatter(residual, np.zeros_like(residual), sigma)[0, 0]
    assert extra[0] == pytest.approx(0.05, abs=0.005) and extra[3000] == pytest.approx(0.4, abs=0.04)
    assert extra[3600] == extra[-1] == whole and 0.05 < whole < 0.4


def test_a_red_excess_gets_no_hot_excess_score_and_a_blue_one_does():
    names = [C.color_name(a, b) for a, b in C.INDEPENDENT_COLOR_PAIRS]
    hot = hot_feature_mask(names)
    giant = giant_sed(1.0)
    predicted = colours(giant)
    sigma = np.full_like(predicted, 0.05)
    mira_like = {**giant, "r": giant["r"] - 1.0, "i": giant["i"] - 1.5, "z": giant["z"] - 2.0}  # bright in the red
    hot_companion = {**giant, "u": giant["u"] - 1.5, "v": giant["v"] - 1.0}  # light in u and v
    red = hot_excess(colours(mira_like), predicted, sigma, hot)
    blue = hot_excess(colours(hot_companion), predicted, sigma, hot)
    assert red["statistic"][0] == 0.0 and red["score"][0] == 0.0
    assert blue["score"][0] > 50
    assert blue["n_terms"][0] == hot.sum() == 9  # u-v, u-g .. u-z, v-g .. v-z
    # light in g alone: g-r, g-i, g-z are far bluer than predicted, but none involves u or v
    # (and u-g, v-g become redder): no hot excess
    green = hot_excess(colours({**giant, "g": giant["g"] - 2.0}), predicted, sigma, hot)
    assert green["z"][0, names.index("g_r")] == pytest.approx(40.0)
    assert green["statistic"][0] == 0.0


def test_optical_sed_dereddens_each_colour_with_its_coefficients():
    table = pd.DataFrame({"ebv": [0.0, 0.5, np.nan]})
    for a, b in C.INDEPENDENT_COLOR_PAIRS:
        table[C.color_name(a, b)] = [1.0, 1.0, 1.0]
        table[C.color_error_name(a, b)] = [0.02, 0.02, 0.02]
    X0, E, names = optical_sed(table, A_PER_EBV)
    k = names.index("u_g")
    assert X0[0, k] == 1.0
    assert X0[1, k] == pytest.approx(1.0 - (4.294 - 2.986) * 0.5)
    assert np.isnan(X0[2]).all() and np.isnan(E[2]).all()  # no E(B-V): no dereddened colour
    with pytest.raises(ValueError, match="no coefficient for band"):
        optical_sed(table, {b: 1.0 for b in "ugriz"})


# --- the conditional VAE, trained on a small mock population ---------------------------------------


def population(n: int, seed: int, jk0: np.ndarray | None = None) -> pd.DataFrame:
    """Giants whose optical colours follow (J-K)_0, with a little intrinsic scatter; columns of the
    merged table that the conditional VAE reads (magnitudes in ``mag_<band>`` for the test's use)."""
    rng = np.random.default_rng(seed)
    jk0 = rng.uniform(0.85, 1.4, n) if jk0 is None else np.asarray(jk0, dtype=np.float64)
    mags = {b: np.array([giant_sed(x)[b] for x in jk0]) + rng.normal(0, 0.03, n) for b in BANDS}
    table = pd.DataFrame({"object_id": np.arange(n), "ebv": rng.uniform(0.0, 0.3, n), "jk0": jk0,
                          "abs_j": -3 - 4 * (jk0 - 0.85) + rng.normal(0, 0.3, n), **{f"mag_{b}": mags[b] for b in BANDS}})
    set_colours(table)
    table["j_m"] = 10.0
    table["h_m"] = 10.0 - 0.75 * jk0
    table["k_m"] = 10.0 - jk0 - 0.413 * table["ebv"]
    for k, w in enumerate((9.0, 9.05, 8.9, 8.8), start=1):
        table[f"w{k}mpro"] = w - 0.1 * jk0
    return table


def set_colours(table: pd.DataFrame) -> None:
    """The observed (reddened) colours and their errors from the intrinsic ``mag_<band>`` columns."""
    for a, b in C.INDEPENDENT_COLOR_PAIRS:
        table[C.color_name(a, b)] = table[f"mag_{a}"] - table[f"mag_{b}"] + (A_PER_EBV[a] - A_PER_EBV[b]) * table["ebv"]
        table[C.color_error_name(a, b)] = 0.02


def add_light(table: pd.DataFrame, band: str, magnitude: float) -> None:
    """Add the flux of a source of ``magnitude`` (mag) in ``band`` to every object's intrinsic magnitude."""
    table[f"mag_{band}"] = -2.5 * np.log10(10 ** (-0.4 * table[f"mag_{band}"]) + 10 ** (-0.4 * magnitude))


PARAMS = {"model": "conditional", "score": "hot_excess", "features": "magnitudes", "loss": "chi2", "sigma_int": 0.02,
          "hidden": 16, "latent": 2, "epochs": 60, "batch_size": 64, "lr": 3e-3, "beta": 1.0, "anomaly_fraction": 0.02,
          "missing": "mask", "validation_fraction": 0.0, "patience": 5, "seed": 5, "device": "cpu"}
#: A hot component's u and v magnitudes: the same light added to two different giants.
HOT_COMPONENT = {"u": 16.0, "v": 16.4}


@pytest.fixture(scope="module")
def trained():
    pytest.importorskip("torch")
    from symfind.detect.vae import score_table

    table = population(1500, 1)
    # test objects: a cool and a warm giant, each with the same hot component added; a Mira-like
    # red excess; a giant with light in u and v
    pair = population(2, 2, jk0=[1.35, 0.9]).assign(object_id=[10_001, 10_002])
    for band, magnitude in HOT_COMPONENT.items():
        add_light(pair, band, magnitude)
    mira = population(1, 3).assign(object_id=10_003)
    for band, brighter in {"r": 1.0, "i": 1.5, "z": 2.0}.items():
        mira[f"mag_{band}"] -= brighter
    hot = population(1, 3).assign(object_id=10_004)
    hot["mag_u"] -= 1.2
    hot["mag_v"] -= 0.9
    for test_object in (pair, mira, hot):
        set_colours(test_object)
    merged = pd.concat([table, pair, mira, hot], ignore_index=True)
    losses, _ = score_table(merged, PARAMS, threads=1, a_per_ebv=A_PER_EBV)
    return merged, losses.set_index("object_id")


def test_conditional_vae_flags_the_hot_companion_and_not_the_mira(trained):
    _, losses = trained
    bulk = losses[losses.index < 10_000]
    assert losses.loc[10_004, "score_hot_excess"] > bulk["score_hot_excess"].quantile(0.999)
    assert losses.loc[10_004, "is_candidate"]
    assert losses.loc[10_003, "score_hot_excess"] < bulk["score_hot_excess"].quantile(0.9)  # a red excess is not a hot one
    assert not losses.loc[10_003, "is_candidate"]
    assert losses.loc[10_003, "score_any"] > bulk["score_any"].quantile(0.99)  # though the undirected score sees it
    assert losses.loc[10_004, "excess_features"].startswith("u_")  # the explanation names the u colours


def test_the_same_hot_light_scores_higher_on_a_giant_predicted_red(trained):
    merged, losses = trained
    pair = merged.set_index("object_id").loc[[10_001, 10_002]]
    # the same u and v light: 1.2 mag in u on the cool giant (u-faint), 0.5 mag on the warm one
    assert pair.loc[10_001, "jk0"] > pair.loc[10_002, "jk0"]
    assert losses.loc[10_001, "score_hot_excess"] > losses.loc[10_002, "score_hot_excess"] + 5
    assert losses.loc[10_001, "excess_z_u_g"] > losses.loc[10_002, "excess_z_u_g"]


def test_masked_condition_entries_change_nothing():
    pytest.importorskip("torch")
    from symfind.detect.features import feature_matrix
    from symfind.detect.vae import train_and_score

    merged = population(300, 4)
    X, E, _ = optical_sed(merged, A_PER_EBV)
    condition, names = feature_matrix(merged, "giant_condition")
    assert names == [name for name, _, _ in CONDITION_FEATURES]
    params = {**PARAMS, "epochs": 3}
    hide = hot_feature_mask([C.color_name(a, b) for a, b in C.INDEPENDENT_COLOR_PAIRS])
    masked = condition.copy()
    masked[::3, names.index("w3_w4")] = np.nan
    masked[1::7, names.index("abs_j")] = np.nan
    results = []
    for fill in (np.nan, np.inf, -np.inf):  # what stands in a masked entry must not matter
        variant = np.where(np.isnan(masked), fill, masked)
        results.append(train_and_score(X, params, 1, E, variant, hide))
    for other in results[1:]:
        np.testing.assert_array_equal(results[0].anomaly_score, other.anomaly_score)
        np.testing.assert_array_equal(results[0].giant_prediction, other.giant_prediction)
    unmasked = train_and_score(X, params, 1, E, condition, hide)
    assert not np.array_equal(unmasked.giant_prediction, results[0].giant_prediction)  # the mask is not a no-op


# --- variability from the epochs -----------------------------------------------------------------


def test_variability_features_equal_a_hand_computation():
    # object 1: u on four nights (one of two epochs), r on one night; object 2: u on two nights
    rows = [(1, 100.1, "u", 15.0, 0.05), (1, 101.1, "u", 15.4, 0.05), (1, 101.2, "u", 15.6, 0.10),
            (1, 102.1, "u", 14.9, 0.02), (1, 105.2, "u", 15.2, 0.05), (1, 100.1, "r", 11.0, 0.01),
            (2, 100.1, "u", 16.0, 0.03), (2, 103.1, "u", 16.3, 0.03)]
    epochs = pd.DataFrame(rows, columns=["object_id", "night_mjd", "filter", "mag_psf", "e_mag_psf"])
    epochs["image_id"] = np.arange(len(epochs))
    epochs["flags"] = 0
    floor = 0.01
    colors, _ = colors_from_epochs(epochs, floor, 255, None)
    colors = colors.set_index("object_id")
    tail = [*C.VARIABILITY_COLUMNS, *C.DETECTION_COLUMNS, *C.FLICKER_COLUMNS]  # after the colours
    assert list(colors.columns[-len(tail):]) == tail

    def by_hand(nights: list[list[tuple[float, float]]]) -> tuple[float, float]:
        means, variances = [], []
        for epochs_of_night in nights:
            w = np.array([1 / (e**2 + floor**2) for _, e in epochs_of_night])
            m = np.array([mag for mag, _ in epochs_of_night])
            means.append((w * m).sum() / w.sum())
            variances.append(1 / w.sum())
        means, variances = np.array(means), np.array(variances)
        mean = (means / variances).sum() / (1 / variances).sum()
        chi2r = ((means - mean) ** 2 / variances).sum() / (len(means) - 1)
        return chi2r, np.percentile(means, 90) - np.percentile(means, 10)

    chi2r, amp = by_hand([[(15.0, 0.05)], [(15.4, 0.05), (15.6, 0.10)], [(14.9, 0.02)], [(15.2, 0.05)]])
    assert colors.loc[1, "n_nights_u"] == 4
    assert colors.loc[1, "chi2r_u"] == pytest.approx(chi2r, rel=1e-12)
    assert colors.loc[1, "amp_u"] == pytest.approx(amp, rel=1e-12)
    chi2r, amp = by_hand([[(16.0, 0.03)], [(16.3, 0.03)]])
    assert colors.loc[2, "chi2r_u"] == pytest.approx(chi2r) and colors.loc[2, "amp_u"] == pytest.approx(0.8 * 0.3)
    # one night in r: counted, but no variability can be measured; no g at all: 0 nights
    assert colors.loc[1, "n_nights_r"] == 1 and np.isnan(colors.loc[1, "chi2r_r"]) and np.isnan(colors.loc[1, "amp_r"])
    assert colors.loc[2, "n_nights_g"] == 0


def test_the_scoring_names_an_object_of_the_fit_that_the_analysed_table_lacks(trained):
    from symfind.detect.symbiotic import score_fit
    from symfind.detect.vae import fit_table
    from symfind.io import InputError

    merged, _ = trained
    fit, _ = fit_table(merged.head(300), {**PARAMS, "epochs": 2}, threads=1, a_per_ebv=A_PER_EBV)
    with pytest.raises(InputError, match=r"1 object\(s\) the analysed table lacks \(object_id"):
        score_fit(fit, merged.head(300).iloc[1:], PARAMS)
