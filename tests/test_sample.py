"""The committed sample: reproducible from its seed, in the archives' schema, populations on their loci."""

import numpy as np
import pandas as pd
import pytest

from symfind.io import coerce_columns
from symfind.mock import DEFAULT_N_OBJECTS, DEFAULT_SEED, POPULATIONS, SAMPLE_FILES, SAMPLE_SCHEMAS, write_sample


@pytest.fixture(scope="module")
def committed(repo):
    return {name: pd.read_parquet(repo / "resources" / "sample" / fname) for name, fname in SAMPLE_FILES.items()}


def test_committed_sample_equals_generator_output(tmp_path, committed):
    write_sample(tmp_path, DEFAULT_N_OBJECTS, DEFAULT_SEED)
    for name, fname in SAMPLE_FILES.items():
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / fname), committed[name], check_exact=True, obj=name)


@pytest.mark.parametrize("name", list(SAMPLE_SCHEMAS))
def test_archive_column_names_and_types(committed, name):
    frame = committed[name]
    schema = SAMPLE_SCHEMAS[name]
    assert list(frame.columns) == list(schema)
    coerced = coerce_columns(frame, schema, name)  # raises if a type does not fit
    for column, dtype in schema.items():
        if dtype != "str":
            assert str(coerced[column].dtype) == dtype, column


def test_selection_is_exercised(committed):
    master = committed["master"]
    twomass = committed["twomass_psc"]
    assert (twomass["ph_qual"] != "AAA").any() and twomass["ext_key"].notna().any()
    assert (twomass["cc_flg"] != "000").any() and (twomass["gal_contam"] > 0).any()
    assert (master["class_star"] < 0.9).any() and (master["flags_psf"] > 0).any() and (master["nch_max"] > 1).any()
    assert (master["prox"] < 6).any() and (master["u_ngood"] == 0).any()
    assert (master["twomass_dist"] > 2).any() and master["gaia_dr2_id1"].isna().any()
    assert (committed["gaia_dr2"]["parallax"] < 0).any()
    assert (committed["distances"]["result_flag"] == 2).any()
    assert len(committed["distances"]) < len(committed["gaia_dr2"])  # some sources have no distance


def test_epochs_have_flags_and_several_nights(committed):
    phot = committed["photometry"].merge(committed["images"][["image_id", "night_mjd"]], on="image_id")
    assert (phot["flags"] != 0).mean() > 0.01
    nights = phot.assign(night=np.floor(phot["night_mjd"])).groupby("object_id")["night"].nunique()
    assert nights.median() >= 3


def test_populations_on_their_loci(committed):
    """Median intrinsic J-H and H-K of each population, from 2MASS corrected with the true E(B-V)."""
    truth = committed["truth"]
    joined = committed["master"].merge(committed["twomass_psc"], left_on="twomass_key", right_on="pts_key")
    joined = joined.merge(truth, on="object_id")
    joined = joined[joined["j_m"] < 13.5]  # well-measured
    for pop in POPULATIONS:
        rows = joined[joined["population"] == pop.name]
        jh0 = (rows["j_m"] - rows["h_m"]) - (0.723 - 0.460) * rows["ebv_los"]
        hk0 = (rows["h_m"] - rows["k_m"]) - (0.460 - 0.310) * rows["ebv_los"]
        locus = pop.color_minus_j
        assert np.median(jh0) == pytest.approx(-locus["H"], abs=0.08), pop.name
        assert np.median(hk0) == pytest.approx(locus["H"] - locus["K"], abs=0.08), pop.name


def test_symbiotics_sit_at_known_positions(committed):
    truth = committed["truth"]
    symb = truth[truth["population"].str.startswith("symbiotic")]
    assert len(symb) > 50
    assert (symb["known_name"] != "").sum() > 0.5 * len(symb)
    assert (truth.loc[~truth["population"].str.startswith("symbiotic"), "known_name"] == "").all()


def test_symbiotics_follow_the_real_seed_photometry(committed):
    """Symbiotics placed at a seed star's position reproduce its real u-g, u-v, J-K and M_J."""
    from symfind.rank.known import load_seed_photometry

    seeds = load_seed_photometry()
    seeds["name"] = seeds["main_id"].astype("string").fillna("SkyMapper DR2 " + seeds["object_id"].astype(str)).astype(str)
    truth = committed["truth"]
    placed = truth[truth["known_name"].isin(set(seeds["name"]))]
    assert len(placed) >= 5
    obs = placed.merge(committed["master"], on="object_id").merge(
        committed["twomass_psc"], left_on="twomass_key", right_on="pts_key").merge(seeds, left_on="known_name", right_on="name")
    ug = obs["u_psf_x"] - obs["g_psf"]
    uv = obs["u_psf_x"] - obs["v_psf"]
    ok = ug.notna() & uv.notna()
    # variability (u amplitude up to 0.8 mag) and noise scatter single objects; medians must agree
    assert np.median((ug - obs["0ug"])[ok]) == pytest.approx(0.0, abs=0.25)
    assert np.median((uv - obs["0uv"])[ok]) == pytest.approx(0.0, abs=0.25)
    jk0 = obs["j_m_x"] - obs["k_m_x"] - 0.413 * obs["ebv_los"]
    assert np.median(jk0 - obs["jmk0"]) == pytest.approx(0.0, abs=0.15)
    assert np.median(obs["abs_j_true"] + 0.723 * obs["ebv_los"] - obs["j_abs"]) == pytest.approx(0.0, abs=0.15)


def test_accreting_only_flicker_is_bounded_by_their_hot_light(committed):
    """Only the hot light flickers: an accreting-only star's u varies by 1.0857 x its hot share x
    a fraction of the hot light within HOT_FLICKER_FRACTION, never by more than its light allows."""
    from symfind.mock.sky import HOT_FLICKER_FRACTION

    truth = committed["truth"]
    acc = truth[truth["population"] == "symbiotic_acc"]
    assert len(acc) >= 10
    share = acc["hot_share_u"].to_numpy()
    assert np.isfinite(share).all() and (share > 0).all() and (share < 0.5).all()
    per_share = 2.5 / np.log(10) * share
    low, high = HOT_FLICKER_FRACTION
    rounding = 0.0006  # truth columns are rounded to 0.001
    assert (acc["flicker_u"] >= low * per_share - rounding).all()
    assert (acc["flicker_u"] <= high * per_share + rounding).all()
    # the weakest hot light cannot flicker by the 0.2 mag a star dominated by it might
    weak = share < 0.15
    assert weak.any() and (acc["flicker_u"].to_numpy()[weak] < 0.07).all()
    assert truth.loc[truth["population"] != "symbiotic_acc", "hot_share_u"].isna().all()
