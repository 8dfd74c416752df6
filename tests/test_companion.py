"""The two-component test of the optical excess and the symbiotic score built on it."""

import numpy as np
import pandas as pd
import pytest

from symfind import columns as C
from symfind.detect.companion import COMPANION_COLUMNS, fit_companions, load_templates
from symfind.mock.sky import SYMBIOTIC_BASE
from symfind.detect.symbiotic import symbiotic_score
from symfind.detect.vae import hot_excess

NAMES = [C.color_name(a, b) for a, b in C.INDEPENDENT_COLOR_PAIRS]
GIANT = {b: SYMBIOTIC_BASE.color_minus_j[b] for b in C.SKYMAPPER_BANDS}  # an M giant's X - J (mag)


def colours(mags: dict[str, float]) -> np.ndarray:
    return np.array([[mags[a] - mags[b] for a, b in C.INDEPENDENT_COLOR_PAIRS]])


def with_companion(template: str, u_gain: float) -> dict[str, float]:
    """The giant plus a template's light, scaled so that the u flux grows by ``u_gain``."""
    table = load_templates()
    flux = {b: 10 ** (-0.4 * GIANT[b]) for b in GIANT}
    shape = {b: 10 ** (-0.4 * float(table.loc[template, b])) for b in GIANT}
    amount = (u_gain - 1.0) * flux["u"] / shape["u"]
    return {b: -2.5 * np.log10(flux[b] + amount * shape[b]) for b in GIANT}


def test_templates_have_the_balmer_jump_in_the_right_direction():
    """The physics the fit rests on: u - v of the nebula is far bluer than a white dwarf's, an A0V
    star's far redder (SkyMapper u lies below 364.6 nm, v above)."""
    t = load_templates()
    uv = t["u"] - t["v"]
    assert uv["nebula_20kK"] < -1.0 < uv["wd_100kK"] < 0.0 < 0.5 < uv["A0V"]


@pytest.mark.parametrize("stellar", ["A0V", "G2V"])
def test_a_giant_with_a_main_sequence_star_scores_below_a_giant_with_a_nebula(stellar):
    """The same u excess (u flux x3): from a nebula it is symbiotic-like, from an A0V or G2V star not."""
    sigma = np.full((1, len(NAMES)), 0.03)
    giant = colours(GIANT)
    nebular = fit_companions(colours(with_companion("nebula_20kK", 3.0)), giant, sigma, NAMES).iloc[0]
    star = fit_companions(colours(with_companion(stellar, 3.0)), giant, sigma, NAMES).iloc[0]
    assert nebular["companion_llr"] > 10 and nebular["companion_nebula"] == "nebula_20kK"
    assert star["companion_llr"] < -10
    assert (star["companion_a0v_share"] > 0.8) == (stellar == "A0V")
    # and in the default score: same hot excess, same flicker and phase
    scores = []
    for row, mags in ((nebular, with_companion("nebula_20kK", 3.0)), (star, with_companion(stellar, 3.0))):
        hot = hot_excess(colours(mags), giant, sigma, np.array([("u" in n or "v" in n) for n in NAMES]))["score"]
        scores.append(symbiotic_score(hot, np.array([row["companion_llr"]]), np.zeros(1), np.ones(1),
                                      {"flicker_weight": 1.0, "detection_power": 1.0, "blend_radius_arcsec": 3.0, "blend_factor": 0.5})["score"][0])
    assert scores[0] > 100 * max(scores[1], 1e-300)


def test_a_dwarfs_g_light_the_prediction_took_for_the_giants_does_not_make_it_nebular():
    """A G dwarf blended with the giant (u flux x1.5), predicted as the giant-conditioned VAE does:
    its colours without u or v as observed (the dwarf's g light taken for the giant's), those with u
    or v the giant's. Fitted in u v g r i the missing g excess favours the nebula; fitted in u and v,
    the bands the prediction did not see, the jump is in absorption. The same u gain from a nebula is
    nebular either way."""
    sigma = np.full((1, len(NAMES)), 0.03)
    uses_hot_band = np.array([("u" in n.split("_") or "v" in n.split("_")) for n in NAMES])
    llr = {}
    for template in ("G2V", "nebula_20kK"):
        observed = colours(with_companion(template, 1.5))
        predicted = np.where(uses_hot_band, colours(GIANT), observed)
        for bands in (("u", "v", "g", "r", "i"), ("u", "v")):
            llr[template, bands] = fit_companions(observed, predicted, sigma, NAMES, bands)["companion_llr"].iloc[0]
    assert llr["G2V", ("u", "v", "g", "r", "i")] > 0  # the bias: the dwarf looks nebular
    assert llr["G2V", ("u", "v")] < -3
    assert llr["nebula_20kK", ("u", "v")] > 3 and llr["nebula_20kK", ("u", "v", "g", "r", "i")] > 3


def test_a_plain_giant_has_no_preference_and_missing_colours_give_none():
    sigma = np.full((2, len(NAMES)), 0.03)
    observed = np.vstack([colours(GIANT), np.full((1, len(NAMES)), np.nan)])
    fit = fit_companions(observed, np.vstack([colours(GIANT)] * 2), sigma, NAMES)
    assert list(fit.columns) == list(COMPANION_COLUMNS)
    assert abs(fit["companion_llr"].iloc[0]) < 1e-6 and fit["companion_llr"].iloc[1] == 0.0
    assert np.isnan(fit["companion_chi2_nebular"].iloc[1])


def test_without_a_reference_band_nothing_is_fitted():
    """A sky without z, i and r colours (bands missing) gets no fit, not an error."""
    names = [n for n in NAMES if not any(b in n.split("_") for b in ("r", "i", "z"))]
    X = np.zeros((3, len(names)))
    fit = fit_companions(X, X, np.full(X.shape, 0.03), names)
    assert (fit["companion_llr"] == 0).all() and fit["companion_chi2_stellar"].isna().all()


def test_symbiotic_score_phase_and_flicker():
    """An excess seen on a fifth of the nights counts a fifth (detection_power 1); a flickering star
    without excess gets its flicker; unknown detection fractions and flicker change nothing."""
    w = {"flicker_weight": 1.0, "detection_power": 1.0, "blend_radius_arcsec": 3.0, "blend_factor": 0.5}
    hot = np.array([20.0, 20.0, 0.0, 20.0])
    out = symbiotic_score(hot, np.array([50.0, 50.0, 0.0, 50.0]), np.array([0.0, 0.0, 8.0, np.nan]),
                          np.array([1.0, 0.2, np.nan, np.nan]), w)
    assert out["score"][0] == pytest.approx(20.0)
    assert out["score"][1] == pytest.approx(4.0)
    assert out["score"][2] == pytest.approx(8.0)
    assert out["score"][3] == pytest.approx(20.0)
    assert symbiotic_score(hot, np.zeros(4), np.zeros(4), np.ones(4), w)["score"][0] == pytest.approx(10.0)
    # the flickering multiplies: a weak excess (5) that flickers (sig 9) outranks a larger one (40) that does not
    both = symbiotic_score(np.array([5.0, 40.0]), np.full(2, 50.0), np.array([9.0, 0.0]), np.ones(2), w)["score"]
    assert both[0] == pytest.approx(6 * 10 - 1) and both[0] > both[1]


def test_a_resolved_gaia_neighbour_at_1_arcsec_raises_the_blend_flag():
    """A second Gaia source at 1" (inside the PSF) flags a blend and halves the weighed excess; one
    at 8", or none known, does not."""
    w = {"flicker_weight": 1.0, "detection_power": 1.0, "blend_radius_arcsec": 3.0, "blend_factor": 0.5}
    out = symbiotic_score(np.full(3, 20.0), np.full(3, 50.0), np.zeros(3), np.ones(3), w,
                          neighbour_arcsec=np.array([1.0, 8.0, np.nan]))
    assert out["blend_flag"].tolist() == [True, False, False]
    assert out["score"].tolist() == pytest.approx([10.0, 20.0, 20.0])


def test_a_star_too_faint_for_a_giant_loses_its_score_and_no_distance_changes_nothing():
    """Three stars with the same nebular excess, flickering and Halpha: a giant (M_J -4.5 at its
    distance's upper bound), a young star (0.0, where the absolute-magnitude cut's limit at r_est lets
    it through) and one without a distance. The young star's score falls below 1% (P(giant) =
    1 / (1 + exp(1.5 / 0.3))); the
    other two keep the score that the same call without distances gives."""
    from symfind.config import defaults
    from symfind.photometry.cuts import brightest_abs_j

    w = defaults("vae")["symbiotic"]
    # abs_j at r_est; the upper bound twice as far: 1.5 mag brighter
    bright = brightest_abs_j(np.array([-3.0, 1.0, np.nan]), np.array([2000.0, 400.0, np.nan]), np.array([4000.0, 800.0, np.nan]))
    assert bright[:2] == pytest.approx([-3.0 - 5 * np.log10(2), 1.0 - 5 * np.log10(2)]) and np.isnan(bright[2])
    evidence = (np.full(3, 20.0), np.full(3, 50.0), np.full(3, 3.0), np.ones(3), w)
    without = symbiotic_score(*evidence, halpha_z=np.full(3, 30.0), halpha_error_nm=np.full(3, 0.1))
    out = symbiotic_score(*evidence, halpha_z=np.full(3, 30.0), halpha_error_nm=np.full(3, 0.1), abs_j_bright=np.array([-4.5, 0.0, np.nan]))
    assert out["giant"][0] > 0.99 and out["giant"][1] < 0.01 and out["giant"][2] == 1.0
    assert out["score"][0] == pytest.approx(without["score"][0], rel=1e-3) and out["score"][2] == without["score"][2]
    assert out["score"][1] < 0.01 * out["score"][0]
    from symfind.present.evidence import companion_facts

    assert any("too faint for a giant" in line for line in companion_facts({"giant_weight": out["giant"][1], "abs_j": 1.0}))
    assert not any("giant" in line for line in companion_facts({"giant_weight": out["giant"][0], "abs_j": -3.0}))


def test_a_master_table_without_the_gaia_neighbour_column_is_read_with_it_empty(tmp_path):
    """gaia_dr2_dist2 is optional: a user's master table without it reads, the column empty."""
    import pandas as pd

    from symfind.io import read_table

    path = tmp_path / "master.csv"
    pd.DataFrame({"object_id": [1, 2], "prox": [7.0, 9.0]}).to_csv(path, index=False)
    frame = read_table(path, {"object_id": "int64", "prox": "float32", "gaia_dr2_dist2": "float32"},
                       optional=("gaia_dr2_dist2",))
    assert frame["gaia_dr2_dist2"].isna().all() and frame["gaia_dr2_dist2"].dtype == np.float32
    with pytest.raises(Exception, match="missing column.*nch_max"):  # a required one is still refused, by name
        read_table(path, {"object_id": "int64", "prox": "float32", "nch_max": "int16"}, optional=("prox",))


def test_an_excess_seen_only_on_a_pulsators_bright_nights_is_not_a_hot_excess():
    """A Mira (g swinging 2 mag) whose u is measured only on its 2 brightest of 10 nights: u-g on
    those nights is bluer than its mean giant colour, but the colour stage marks u as seen on 20% of
    the g-and-r nights, and the symbiotic score counts the excess a fifth. A symbiotic star with
    the same excess, u seen every night, keeps it whole."""
    from symfind.photometry.colours import colors_from_epochs

    rows = []
    for obj, u_nights in ((1, {0, 1}), (2, set(range(10)))):
        for k in range(10):
            g = 14.0 - (1.0 * np.cos(np.pi * k / 5) if obj == 1 else 0.0)  # brightest on nights 0 and 1
            bands = {"g": g, "r": g - 1.5} | ({"u": g + 2.0} if k in u_nights else {})
            rows += [{"object_id": obj, "filter": b, "night_mjd": 57000 + 30 * k + 0.5, "mag_psf": m} for b, m in bands.items()]
    epochs = pd.DataFrame(rows).assign(image_id=lambda f: np.arange(len(f)), e_mag_psf=0.02, flags=0)
    by_id = colors_from_epochs(epochs, 0.01, 255, 5.0)[0].set_index("object_id")
    assert by_id.loc[1, "det_frac_u"] == pytest.approx(0.2) and by_id.loc[2, "det_frac_u"] == 1.0
    # the two u nights are the Mira's brightest: g 0.9 mag brighter than on its other nights
    assert by_id.loc[1, "det_bias_u"] < -0.8 and np.isnan(by_id.loc[2, "det_bias_u"])
    w = {"flicker_weight": 1.0, "detection_power": 1.0, "phase_bias_mag": 0.3, "blend_radius_arcsec": 3.0, "blend_factor": 0.5}
    out = symbiotic_score(np.full(2, 30.0), np.full(2, 50.0), np.zeros(2), by_id["det_frac_u"].to_numpy(), w,
                          det_bias_u=by_id["det_bias_u"].to_numpy())
    assert out["score"][0] == pytest.approx(6.0) and out["score"][1] == pytest.approx(30.0)


def test_a_u_seen_at_its_detection_limit_on_ordinary_nights_keeps_its_excess():
    """A constant star at u's detection limit, u measured on 2 of 10 nights that are no brighter in
    g than the others: the detection fraction is a Mira's, but nothing selected the bright phases,
    so the excess counts whole; the same fraction on nights 0.15 mag brighter counts in part."""
    from symfind.photometry.colours import colors_from_epochs

    rows = []
    for obj, g_shift in ((1, 0.0), (2, -0.15)):
        for k in range(10):
            g = 15.0 + (0.01 if k % 2 else -0.01) + (g_shift if k in (3, 6) else 0.0)
            bands = {"g": g, "r": g - 1.5} | ({"u": g + 2.0} if k in (3, 6) else {})
            rows += [{"object_id": obj, "filter": b, "night_mjd": 57000 + 30 * k + 0.5, "mag_psf": m} for b, m in bands.items()]
    epochs = pd.DataFrame(rows).assign(image_id=lambda f: np.arange(len(f)), e_mag_psf=0.02, flags=0)
    by_id = colors_from_epochs(epochs, 0.01, 255, 5.0)[0].set_index("object_id")
    assert by_id["det_frac_u"].tolist() == pytest.approx([0.2, 0.2])
    assert abs(by_id.loc[1, "det_bias_u"]) < 0.02 and by_id.loc[2, "det_bias_u"] == pytest.approx(-0.15, abs=0.02)
    w = {"flicker_weight": 1.0, "detection_power": 1.0, "phase_bias_mag": 0.3, "blend_radius_arcsec": 3.0, "blend_factor": 0.5}
    out = symbiotic_score(np.full(2, 30.0), np.full(2, 50.0), np.zeros(2), by_id["det_frac_u"].to_numpy(), w,
                          det_bias_u=by_id["det_bias_u"].to_numpy())
    assert out["score"][0] == pytest.approx(30.0, rel=0.05)
    assert 6.0 < out["score"][1] < 0.5 * out["score"][0]


@pytest.mark.parametrize("missing", [("z",), ("z", "i")])
def test_an_object_without_z_is_fitted_against_i_or_r(missing):
    """A bright giant saturated in z (or in z and i) keeps its test: the excess is measured against
    its own i (or r), and a nebula is still told from an A0V star."""
    sigma = np.full((2, len(NAMES)), 0.03)
    observed = np.vstack([colours(with_companion("nebula_20kK", 3.0)), colours(with_companion("A0V", 3.0))])
    lost = [k for k, name in enumerate(NAMES) if any(b in name.split("_") for b in missing)]
    observed[:, lost] = np.nan
    fit = fit_companions(observed, np.vstack([colours(GIANT)] * 2), sigma, NAMES)
    assert fit["companion_llr"].iloc[0] > 5 and fit["companion_llr"].iloc[1] < -5
    assert fit["companion_nebula"].iloc[0].startswith("nebula_")


def test_u_minus_v_reads_the_jump_directly():
    """The same u gain (x3) from a nebula makes u - v bluer than the giant's, from an A0V star it
    does not (v gains more); the symbiotic score with the u - v reading keeps the nebula's excess
    and cuts the star's, with everything else equal; an unknown u - v counts as even odds."""
    sigma = np.full((1, len(NAMES)), 0.03)
    hot = np.array([("u" in n or "v" in n) for n in NAMES])
    giant = colours(GIANT)
    z_uv = {name: hot_excess(colours(with_companion(name, 3.0)), giant, sigma, hot)["z"][0, NAMES.index("u_v")]
            for name in ("nebula_20kK", "A0V")}
    assert z_uv["nebula_20kK"] > 10 and z_uv["A0V"] < 0
    w = {"flicker_weight": 1.0, "detection_power": 1.0, "blend_radius_arcsec": 3.0, "blend_factor": 0.5}
    same = (np.full(3, 50.0), np.zeros(3), np.zeros(3), np.ones(3), w)
    out = symbiotic_score(*same, uv_excess_z=np.array([z_uv["nebula_20kK"], z_uv["A0V"], np.nan]))
    assert out["score"][0] == pytest.approx(25.0, rel=1e-3)  # expit(0) for the llr, expit(large) for u - v
    assert out["score"][1] < 0.5 * 25.0 * 0.5 and out["score"][2] == pytest.approx(12.5)


def test_flickering_must_show_in_u_and_v_but_v_does_not_veto_it():
    """The joint significance of u and v is their geometric mean: a strong u test lifts a weaker v
    one (9 and 1 dex: 3), a single band's artefact does not pass (300 dex in v, nothing in u: 0),
    one band alone keeps its value, nothing tested gives 0; the score's flicker term follows it."""
    from symfind.detect.symbiotic import joint_significance

    sig = joint_significance(np.array([[9.0, 1.0], [0.0, 300.0], [np.nan, 3.0], [np.nan, np.nan], [-0.1, 4.0]]))
    assert sig[0] == pytest.approx(3.0) and sig[1] == 0.0 and sig[2] == pytest.approx(3.0)
    assert sig[3] == 0.0 and sig[4] == 0.0
    w = {"flicker_weight": 2.0, "detection_power": 1.0, "blend_radius_arcsec": 3.0, "blend_factor": 0.5}
    out = symbiotic_score(np.zeros(2), np.zeros(2), sig[:2], np.ones(2), w)
    assert out["flicker"] == pytest.approx([6.0, 0.0])


def test_a_v_flicker_beyond_what_u_allows_leaves_the_score_and_u_stays():
    """The score's flickering leaves v's test out where v's scatter lies beyond what u's, in the
    same visits, allows by more than the threshold (a steady u, one v exposure off: 0.3 dex left
    from u, not the geometric mean of 0.3 and 120); a disc's v (within u's reach) and a table
    without the column keep the geometric mean; no threshold keeps it too."""
    from symfind.columns import FLICKER_BEYOND_U
    from symfind.detect.symbiotic import _flicker_significance

    rows = pd.DataFrame({"flicker_robust_sig_u": [0.3, 0.3, 9.0], "flicker_robust_sig_v": [120.0, 120.0, 4.0],
                         FLICKER_BEYOND_U: [20.0, 0.5, np.nan]})
    assert _flicker_significance(rows, 2.0) == pytest.approx([0.3, 6.0, 6.0])
    assert _flicker_significance(rows, None) == pytest.approx([6.0, 6.0, 6.0])
    assert _flicker_significance(rows.drop(columns=FLICKER_BEYOND_U), 2.0) == pytest.approx([6.0, 6.0, 6.0])
    assert rows[FLICKER_BEYOND_U].iloc[0] == 20.0  # the table is not written to


def test_the_flickering_a_band_allows_follows_its_light_beyond_the_giant():
    """The largest flickering rms that the light beyond the giant allows, by hand: u's colour
    against z as the giant's (d = 0, sigma 0.1 mag) allows 1.0857 x 0.5 x (1 - 10^(-0.4 x 2.326 x
    0.1)); a u 1 mag bluer allows more; u against i where u - z is missing; no colour against a red
    band, no bound."""
    from scipy.special import ndtri

    from symfind.detect.symbiotic import flicker_allowed_rms, hot_share_bound

    names = ["u_v", "u_i", "u_z", "v_z"]
    observed = np.array([[0.5, 3.0, 3.5, 3.0], [0.5, 2.0, 2.5, 3.0], [0.5, 3.0, np.nan, np.nan], [0.5, np.nan, np.nan, np.nan]])
    predicted = np.array([[0.5, 3.0, 3.5, 3.0]] * 4)
    sigma = np.full((4, 4), 0.1)
    allowed = flicker_allowed_rms(hot_share_bound(observed, predicted, sigma, names), 0.5)
    k = ndtri(0.99)

    def by_hand(d):
        return 2.5 / np.log(10) * 0.5 * (1 - 10 ** (-0.4 * (d + k * 0.1)))

    assert allowed["u"][0] == pytest.approx(by_hand(0.0)) and allowed["u"][1] == pytest.approx(by_hand(1.0))
    assert allowed["u"][2] == pytest.approx(by_hand(0.0)) and np.isnan(allowed["u"][3])
    assert allowed["v"][0] == pytest.approx(by_hand(0.0)) and np.isnan(allowed["v"][2])
    assert by_hand(1.0) > 3 * by_hand(0.0)


def test_a_flicker_beyond_what_the_light_beyond_the_giant_allows_leaves_the_score():
    """A plain giant whose u varies by 0.32 mag rms within a night (3 exposures, 22 dex) while its u
    colours are the giant's: a component bright enough to flicker so would have made u bluer,
    so u's test leaves the score (no v: nothing left); the same flicker with u 1.5 mag bluer than
    the giant stays; a flicker of 0.05 mag stays without an excess (an accreting-only star);
    without the bound all three keep it."""
    from symfind.detect.symbiotic import _flicker_significance, flicker_allowed_rms, hot_share_bound

    names = ["u_z", "v_z"]
    predicted = np.array([[3.5, 3.0]] * 3)
    observed = np.array([[3.5, 3.0], [2.0, 2.8], [3.5, 3.0]])
    allowed = flicker_allowed_rms(hot_share_bound(observed, predicted, np.full((3, 2), 0.15), names), 0.5)
    rows = pd.DataFrame({"flicker_robust_sig_u": [22.0, 22.0, 22.0], "flicker_rms_u": [0.32, 0.32, 0.05],
                         "flicker_robust_sig_v": [np.nan, np.nan, np.nan], "flicker_rms_v": [np.nan, np.nan, np.nan]})
    assert _flicker_significance(rows, 2.0, allowed) == pytest.approx([0.0, 22.0, 22.0])
    assert _flicker_significance(rows, 2.0, None) == pytest.approx([22.0, 22.0, 22.0])


def test_a_band_left_out_of_the_flickering_never_raises_it():
    """Leaving out a band whose flickering is beyond its bound takes evidence away and never adds
    any: a strong u (9 dex) and a weak v (1 dex) beyond its bound keep their joint 3 dex, not u's 9;
    a strong u beyond its bound and a weak v leave v's 1."""
    from symfind.detect.symbiotic import _flicker_significance

    rows = pd.DataFrame({"flicker_robust_sig_u": [9.0, 9.0], "flicker_rms_u": [0.05, 0.4],
                         "flicker_robust_sig_v": [1.0, 1.0], "flicker_rms_v": [0.05, 0.02]})
    allowed = {"u": np.array([0.2, 0.2]), "v": np.array([0.01, 0.2])}
    assert _flicker_significance(rows, 2.0, allowed) == pytest.approx([3.0, 1.0])
