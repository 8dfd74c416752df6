"""Per-candidate evidence: the SED in physical units, the giant's prediction, the objects shown,
the figures and the browser of a finished run (in a real browser, headless Chromium)."""

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from symfind.detect import sed
from symfind.present import evidence as ev
from symfind.products import PRODUCTS


def test_lambda_f_lambda_agrees_with_astropy_units():
    import astropy.units as u
    from astropy.constants import c

    mags = np.full((1, len(sed.SED_BANDS)), 12.0)
    errors = np.full((1, len(sed.SED_BANDS)), 0.1)
    flux, error = sed.lambda_f_lambda(mags, errors)
    for k, band in enumerate(sed.SED_BANDS):
        f_nu = band.zero_point_jy * u.Jy * 10 ** (-0.4 * 12.0)
        expected = (c / (band.wavelength_um * u.micron) * f_nu).to(u.erg / u.s / u.cm**2).value
        assert flux[0, k] == pytest.approx(expected, rel=1e-9), band.label
        assert error[0, k] == pytest.approx(expected * 0.4 * np.log(10) * 0.1, rel=1e-9)
    # AB: u = 12 is 3631 Jy x 10^-4.8 whatever the band; the 2MASS Vega zero point is 1594 Jy in J
    assert sed.SED_BANDS[0].zero_point_jy == 3631.0 and sed.SED_BANDS[6].label == "J" and sed.SED_BANDS[6].zero_point_jy == 1594.0


def test_dereddening_uses_the_configured_coefficients():
    row = {b.column: 10.0 for b in sed.SED_BANDS} | {b.error: 0.05 for b in sed.SED_BANDS} | {"ebv": 0.5}
    mags, _ = sed.dereddened_magnitudes(pd.DataFrame([row]), {"u": 4.0, "v": 4.0, "g": 3.0, "r": 2.0, "i": 1.5, "z": 1.2}, 0.7)
    labels = [b.label for b in sed.SED_BANDS]
    assert mags[0, labels.index("u")] == pytest.approx(8.0) and mags[0, labels.index("J")] == pytest.approx(9.65)
    assert mags[0, labels.index("Ks")] == pytest.approx(10 - 0.5 * 0.310) and mags[0, labels.index("W4")] == 10.0
    # without an E(B-V) there is no dereddened magnitude (as in the VAE's optical SED), not the reddened one
    unknown, _ = sed.dereddened_magnitudes(pd.DataFrame([row | {"ebv": np.nan}]), {b: 1.0 for b in "uvgriz"}, 0.7)
    assert np.isnan(unknown).all()


def _giants(n, rng):
    """Giants whose SED is one shape scaled and tilted by a temperature-like parameter."""
    t = rng.uniform(0, 1, n)
    base = np.array([16.0, 15.0, 13.5, 12.6, 12.0, 11.6, 10.8, 10.0, 9.8, 9.7, 9.6, 9.5, 9.3])
    tilt = np.array([2.0, 1.7, 1.2, 0.8, 0.5, 0.3, 0.0, -0.2, -0.3, -0.3, -0.3, -0.3, -0.3])
    return base[None, :] + t[:, None] * tilt[None, :] + rng.normal(0, 2.0, n)[:, None] + rng.normal(0, 0.02, (n, len(base)))


def test_the_giant_prediction_reveals_light_in_u_and_v_that_the_giant_cannot_make():
    rng = np.random.default_rng(3)
    reference = _giants(3000, rng)
    objects = _giants(2, rng)
    labels = [b.label for b in sed.SED_BANDS]
    hot = objects.copy()
    hot[1, labels.index("u")] -= 2.0  # a hot companion: u 2 mag (x6.3) brighter, v 1 mag
    hot[1, labels.index("v")] -= 1.0
    median, low, high = sed.giant_prediction(hot, reference)
    ratios = ev.flux_ratios(hot, median)
    assert ratios["u"][0] == pytest.approx(1.0, abs=0.15) and ratios["v"][0] == pytest.approx(1.0, abs=0.15)
    assert ratios["u"][1] == pytest.approx(10 ** 0.8, rel=0.15) and ratios["v"][1] == pytest.approx(10 ** 0.4, rel=0.15)
    assert np.all(low <= median + 1e-12) and np.all(median <= high + 1e-12)
    # the red and infrared bands are matched: the prediction follows the object there
    for label in ("i", "J", "Ks"):
        assert median[1, labels.index(label)] == pytest.approx(hot[1, labels.index(label)], abs=0.1)


def test_no_reference_giant_gives_no_prediction():
    median, _, _ = sed.giant_prediction(_giants(1, np.random.default_rng(1)), np.empty((0, len(sed.SED_BANDS))))
    assert np.isnan(median).all()


def test_shown_objects_are_the_tops_of_both_lists_once_each():
    ranked = pd.DataFrame({"object_id": [5, 6, 7, 8, 9], "rank": pd.array([2, 1, pd.NA, 3, 4], dtype="Int64")})
    vae = pd.DataFrame({"object_id": [7, 5, 1], "rank": [1, 2, 3]})
    shown = ev.shown_objects(ranked, vae, 2)
    assert shown["object_id"].tolist() == [6, 5, 7]
    assert shown["lists"].tolist() == ["ranked", "ranked+VAE", "VAE"]
    assert shown["ranked_rank"].tolist()[:2] == [1, 2] and pd.isna(shown["ranked_rank"].iloc[2])
    assert shown["vae_rank"].tolist()[1:] == [2, 1]
    assert ev.shown_objects(ranked, vae, 0).empty


def test_the_evidence_of_the_shown_objects_reads_the_giants_but_not_the_known_or_shown():
    """The library's assembly of the report (present.evidence.candidate_evidence): one panel and one
    browser row per shown object, the known stars among the giants behind the diagrams, and a hot
    companion's u light against the giants of the sky."""
    from symfind.config import defaults
    from symfind.present.browser import ROW_KEYS
    from symfind.query.epochs import join_epochs
    from conftest import REPO

    SAMPLE_DIR = REPO / "resources" / "sample"

    rng = np.random.default_rng(5)
    photometry = pd.read_parquet(SAMPLE_DIR / "dr2_photometry.parquet")
    images = pd.read_parquet(SAMPLE_DIR / "dr2_images.parquet")
    ids = np.sort(photometry["object_id"].unique())[:400]
    mags = _giants(len(ids), rng)
    hot_row = 3
    mags[hot_row, 0] -= 2.0  # u 2 mag brighter than its giant
    scored = pd.DataFrame({b.column: mags[:, k] for k, b in enumerate(sed.SED_BANDS)}
                          | {b.error: 0.03 for b in sed.SED_BANDS}
                          | {"object_id": ids, "raj2000": rng.uniform(0, 360, len(ids)), "dej2000": rng.uniform(-90, 0, len(ids)),
                             "ebv": 0.0, "jk0": 1.1, "abs_j": -4.0, "rank": np.arange(1, len(ids) + 1).astype(float),
                             "score_hot_excess": 1.0})
    known = ids[[10, 11]]
    matches = pd.DataFrame({"object_id": known, "name": ["V1", "V2"]})
    ranked = pd.DataFrame({"object_id": ids, "rank": pd.array(np.arange(1, len(ids) + 1), dtype="Int64"),
                           "rank_score": np.linspace(1, 0, len(ids)), "is_known_symbiotic": np.isin(ids, known),
                           "known_name": np.where(np.isin(ids, known), "V", ""), "nearest_known": "V1",
                           "nearest_known_distance": 1.0})
    ranked.loc[ranked["is_known_symbiotic"], "rank"] = pd.NA
    vae = pd.DataFrame({"object_id": ids[:5], "rank": np.arange(1, 6)})
    shown = ev.shown_objects(ranked, vae, 6)
    epochs = join_epochs(shown["object_id"].to_numpy(), photometry, images, "sample")
    params = {"colors": defaults("colors"), "dereddening": defaults("dereddening"), "cuts": defaults("cuts")}
    evidence = ev.candidate_evidence(scored, ranked, shown, matches, epochs, params, 6)

    assert len(evidence.panels) == len(shown) == len(evidence.browser_rows)
    assert list(evidence.browser_rows.columns) == list(ROW_KEYS)
    assert evidence.browser_rows["object_id"].tolist() == shown["object_id"].tolist()
    for (title, facts, panel_sed, curve, here, _), oid in zip(evidence.panels, shown["object_id"]):
        assert title.startswith(f"object {oid} ") and facts
        assert set(curve["object_id"]) <= {oid} and len(panel_sed["flux"]) == len(sed.SED_BANDS)
        assert here["jk0"] == 1.1
    assert evidence.giants.known.sum() == len(known)  # every known star behind the diagrams
    u_excess = evidence.browser_rows.set_index("object_id")["u_excess"]
    assert u_excess[ids[hot_row]] > 4.0  # x6.3 in u over the giants like it
    assert u_excess.drop(ids[hot_row]).between(0.6, 1.6).all()


# --- a finished run ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evidence_run(finished_run):
    import yaml

    results = finished_run[0] / "results"
    n_top = yaml.safe_load((finished_run[0] / "test_config.yaml").read_text())["report"]["n_candidates"]
    return results, n_top


def test_every_shown_candidate_has_its_figure(evidence_run):
    from PIL import Image

    results, n_top = evidence_run
    folder = results / PRODUCTS["candidate_figures"]
    index = pd.read_csv(folder / "index.csv")
    ranked = pd.read_csv(results / PRODUCTS["candidates_ranked"])
    vae = pd.read_csv(results / PRODUCTS["candidates_csv"])
    expected = set(ranked.dropna(subset=["rank"]).sort_values("rank")["object_id"].head(n_top))
    expected |= set(vae.sort_values("rank")["object_id"].head(n_top))
    assert set(index["object_id"]) == expected and len(expected) > n_top
    assert sorted(p.name for p in folder.glob("*.png")) == sorted(index["figure"])
    for name in index["figure"]:
        with Image.open(folder / name) as image:
            assert image.size[0] > 1000 and image.size[1] > 700


def test_browser_is_one_file_that_loads_nothing_from_the_network(evidence_run):
    import re

    results, _ = evidence_run
    page = (results / PRODUCTS["candidate_browser"]).read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"https?:", page)
    assert "@import" not in page and "url(http" not in page
    assert page.count("data:image/png;base64,") == len(pd.read_csv(results / PRODUCTS["candidate_figures"] / "index.csv"))


def _browser():
    """Headless Chromium through Debian's chromedriver (no download), or skip (fail in CI)."""
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        chromium = None
    if not chromium or not driver_path:
        reason = "Chromium, chromedriver or selenium missing (apt-get install chromium chromium-driver; make test does it as root)"
        if os.environ.get("SYMFIND_REQUIRE_TEST_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(f"BROWSER TEST SKIPPED: {reason}")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1600,1000",
                     "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


def test_browser_in_chromium_sorts_filters_and_opens_a_candidate(evidence_run, tmp_path):
    """The page in a real browser: sort by M_J both ways, filter by an id, open the candidate (its
    figure shows, its sky links point at its coordinates); a screenshot of the opened candidate is
    kept (SYMFIND_SCREENSHOT_DIR, else the test's folder) and checked to be a real picture."""
    from PIL import Image
    from selenium.webdriver.common.by import By

    results, _ = evidence_run
    index = pd.read_csv(results / PRODUCTS["candidate_figures"] / "index.csv")
    driver = _browser()
    try:
        driver.get((results / PRODUCTS["candidate_browser"]).resolve().as_uri())
        rows = driver.find_elements(By.CSS_SELECTOR, "#candidates tbody tr")
        assert len(rows) == len(index)
        headers = driver.find_elements(By.CSS_SELECTOR, "#candidates thead th")
        names = [h.text for h in headers]
        column = names.index("M_J")

        def values():
            cells = [row.find_elements(By.TAG_NAME, "td")[column].text
                     for row in driver.find_elements(By.CSS_SELECTOR, "#candidates tbody tr")]
            return [float(c) for c in cells if c]

        headers[column].click()
        ascending = values()
        assert ascending == sorted(ascending) and len(ascending) > 1
        headers[column].click()
        assert values() == sorted(ascending, reverse=True)

        target = int(index["object_id"].iloc[-1])
        box = driver.find_element(By.ID, "filter")
        box.send_keys(str(target))
        visible = [row for row in driver.find_elements(By.CSS_SELECTOR, "#candidates tbody tr") if row.is_displayed()]
        assert [int(row.get_attribute("data-object")) for row in visible] == [target]
        assert driver.find_element(By.ID, "count").text == "1"

        visible[0].click()
        assert driver.find_element(By.ID, "detail-title").text.startswith(f"object {target}")
        figure = driver.find_element(By.ID, "figure")
        assert figure.get_attribute("src").startswith("data:image/png;base64,")
        assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", figure) > 1000
        links = {a.text: a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#links a")}
        assert set(links) == {"SIMBAD", "VizieR", "Aladin"}
        ranked = pd.read_csv(results / PRODUCTS["candidates_ranked"]).set_index("object_id")
        ra = float(ranked.loc[target, "raj2000"])
        assert all(f"{ra:.6f}" in url for url in links.values())

        box.clear()
        box.send_keys("no such candidate")
        assert driver.find_element(By.ID, "count").text == "0"
        box.clear()
        box.send_keys(" ")
        shots = os.environ.get("SYMFIND_SCREENSHOT_DIR")
        shot = (tmp_path if not shots else __import__("pathlib").Path(shots)) / "candidates_browser.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        visible[0].click()
        assert driver.save_screenshot(str(shot))
    finally:
        driver.quit()
    with Image.open(shot) as image:
        assert image.size == (1600, 1000) or image.size[0] >= 1000
        assert len(np.unique(np.asarray(image.convert("L")))) > 50  # a page with a figure, not a blank


def test_a_sky_without_candidates_to_show_gets_an_empty_index_and_a_browser_that_says_so(finished_run, tmp_path):
    import yaml

    from symfind.stages.report import candidate_evidence

    results = finished_run[0] / "results"
    config = yaml.safe_load((results / PRODUCTS["config_used"]).read_text())
    params = {key: config[key] for key in ("report", "colors", "dereddening", "cuts")} | {"report": {"n_candidates": 0}}
    shown = candidate_evidence(results / PRODUCTS["scored"], results / PRODUCTS["candidates_ranked"], results / PRODUCTS["candidates_csv"],
                               results / PRODUCTS["epochs"], results / PRODUCTS["known_matches"], params, tmp_path / "candidates",
                               tmp_path / "candidates.html", results / PRODUCTS["config_used"], threads=2)
    assert shown.empty
    assert pd.read_csv(tmp_path / "candidates" / "index.csv").empty
    assert list((tmp_path / "candidates").glob("*.png")) == []
    page = (tmp_path / "candidates.html").read_text()
    assert "No candidate shown: report.n_candidates is 0." in page and "<tr data-object=" not in page


def test_vectorised_nan_percentiles_equal_numpys():
    """The giant prediction's percentiles over the neighbours equal numpy.nanpercentile's, NaN and
    all-NaN slices included."""
    from symfind.detect.sed import _nan_percentiles

    rng = np.random.default_rng(0)
    values = rng.normal(size=(300, 25, 13))
    values[rng.random(values.shape) < 0.1] = np.nan
    values[3, :, 2] = np.nan
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanpercentile(values, (50, 16, 84), axis=1)
    for want, got in zip(expected, _nan_percentiles(values, (50.0, 16.0, 84.0))):
        assert np.allclose(want, got, equal_nan=True)
