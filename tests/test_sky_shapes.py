"""Every valid sky completes: a table of sky shapes, each run through the whole workflow, asserting
what completes and what each product and the summary say."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers import snakemake
from symfind.products import PRODUCTS
from symfind.mock import SAMPLE_FILES

#: Archive tables keyed by SkyMapper object_id, and the key columns of the cross-matched ones.
CROSSMATCHED = {"twomass_psc": ("twomass_key", "pts_key"), "gaia_dr2": ("gaia_dr2_id1", "source_id"),
                "allwise": ("allwise_cntr", "cntr")}


def sub_sky(sample: Path, object_ids: list[int], out: Path) -> Path:
    """A copy of the sample sky that holds only ``object_ids`` (every archive table filtered alike)."""
    out.mkdir(parents=True, exist_ok=True)
    master = pd.read_parquet(sample / SAMPLE_FILES["master"])
    master = master[master["object_id"].isin(object_ids)]
    master.to_parquet(out / SAMPLE_FILES["master"], index=False)
    for table, (key, archive_key) in CROSSMATCHED.items():
        frame = pd.read_parquet(sample / SAMPLE_FILES[table])
        frame[frame[archive_key].isin(master[key].dropna())].to_parquet(out / SAMPLE_FILES[table], index=False)
    for table in ("photometry", "truth"):
        frame = pd.read_parquet(sample / SAMPLE_FILES[table])
        frame[frame["object_id"].isin(object_ids)].to_parquet(out / SAMPLE_FILES[table], index=False)
    for table in ("images", "distances"):
        pd.read_parquet(sample / SAMPLE_FILES[table]).to_parquet(out / SAMPLE_FILES[table], index=False)
    return out


def statuses(results: Path) -> dict[str, str]:
    return {p.stem: p.read_text().strip().partition(": ")[2] for p in (results / "status").glob("*.txt")}


@pytest.fixture(scope="module")
def analysed(finished_run):
    """The tiny sky's analysed objects and which of them are known symbiotic stars."""
    results = finished_run[0] / "results"
    ids = pd.read_parquet(results / PRODUCTS["analysed"], columns=["object_id"])["object_id"].tolist()
    known = set(pd.read_csv(results / PRODUCTS["known_matches"])["object_id"])
    return ids, known


#: name -> (how to pick the objects, what the status files must say: stage -> start of the text)
SHAPES = {
    "one analysed object": (lambda ids, known: ids[:1], {
        "colour_pca": "skipped: the PCA needs at least 16 objects", "compare_detectors": "ran without: isolation_forest needs at least 2"}),
    "five analysed objects": (lambda ids, known: [i for i in ids if i in known][:1] + [i for i in ids if i not in known][:4], {
        "colour_pca": "skipped: the PCA needs at least 16 objects", "compare_detectors": "ran",
        "rank_candidates": "ran", "evaluate_ranking": "skipped: the evaluation needs at least 2 known symbiotic stars"}),
    "thirty analysed objects": (lambda ids, known: [i for i in ids if i in known][:4] + [i for i in ids if i not in known][:26], {
        "compare_detectors": "ran", "rank_candidates": "ran", "evaluate_ranking": "ran"}),
    "no known symbiotic star": (lambda ids, known: [i for i in ids if i not in known][:60], {
        "colour_pca": "ran", "compare_detectors": "ran",
        "rank_candidates": "skipped: the ranking needs at least 1 known symbiotic star among the analysed objects, found 0",
        "evaluate_ranking": "skipped: the ranking needs at least 1 known symbiotic star"}),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_sky_shape_completes_and_says_what_it_skipped(shape, repo, tiny_sample, analysed, tmp_path):
    pick, expected = SHAPES[shape]
    ids, known = analysed
    chosen = pick(ids, known)
    sky = sub_sky(tiny_sample, chosen, tmp_path / "sky")
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({"sample": {"dir": str(sky)}, "vae": {"epochs": 3},
                                                             "report": {"n_candidates": 3}}))
    result = snakemake(repo, tmp_path, "--configfile", "c.yaml")
    assert result.returncode == 0, result.stdout[-4000:]
    results = tmp_path / "results"
    for key, name in PRODUCTS.items():  # every product exists, whatever was skipped
        assert (results / name).exists(), key
    merged = pd.read_parquet(results / PRODUCTS["analysed"])
    assert sorted(merged["object_id"]) == sorted(chosen)
    summary = (results / PRODUCTS["summary"]).read_text()
    assert f"analysed (cuts and colours joined) {len(chosen):>12,d}".split() == \
        [w for line in summary.splitlines() if line.strip().startswith("analysed") for w in line.split()]
    said = statuses(results)
    for stage, text in expected.items():
        assert said[stage].startswith(text), (stage, said[stage])
        if text != "ran":  # the summary repeats what a stage could not do
            assert f"{stage}: {said[stage]}" in summary
    ranked = pd.read_csv(results / PRODUCTS["candidates_ranked"])
    assert sorted(ranked["object_id"]) == sorted(chosen)  # the ranked list always holds every object
    if said["evaluate_ranking"].startswith("skipped"):
        assert pd.read_csv(results / PRODUCTS["ranking_evaluation"]).empty
    if said["rank_candidates"].startswith("skipped"):
        assert ranked["rank_score"].isna().all()  # nothing learnt, and it shows
        new = ranked[~ranked["is_known_symbiotic"]]
        assert new["rank"].tolist() == list(range(1, len(new) + 1))  # the objects not yet known, by the VAE's score
        assert new["vae_score"].is_monotonic_decreasing
    if said["colour_pca"].startswith("skipped"):
        assert pd.read_csv(results / PRODUCTS["pca_explained"]).empty
    # the evidence of the top 3 of each list, whatever the sky
    shown = pd.read_csv(results / PRODUCTS["candidate_figures"] / "index.csv")
    assert 0 < len(shown) <= 6 and set(shown["object_id"]) <= set(chosen)
    assert all((results / PRODUCTS["candidate_figures"] / name).stat().st_size > 10_000 for name in shown["figure"])
    assert (results / PRODUCTS["candidate_browser"]).read_text().count("<tr data-object=") == len(shown)


def test_zero_analysed_objects_stop_naming_the_cut(repo, tiny_sample, tmp_path):
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({"sample": {"dir": str(tiny_sample)}, "cuts": {"abs_j_max": -15.0}}))
    result = snakemake(repo, tmp_path, "--configfile", "c.yaml")
    assert result.returncode != 0
    assert "no object to analyse: the cut 'abs_j_max'" in result.stdout
    assert "loosen config key 'cuts.abs_j_max'" in result.stdout
    assert not (tmp_path / "results" / PRODUCTS["analysed"]).exists()  # no half-written product


def test_a_known_list_from_a_users_file(repo, tiny_sample, finished_run, analysed, tmp_path):
    """Only the user's own catalogue (sexagesimal positions, 3 of the analysed objects and one star
    elsewhere): the cross-match, the recovery and the ranking use it; the file is a rule input."""
    from astropy.coordinates import SkyCoord

    ids, known = analysed
    merged = pd.read_parquet(finished_run[0] / "results" / PRODUCTS["analysed"]).set_index("object_id")
    listed = [i for i in ids if i not in known][:3]
    coords = SkyCoord(list(merged.loc[listed, "raj2000"]) + [1.0], list(merged.loc[listed, "dej2000"]) + [-89.0], unit="deg")
    pd.DataFrame({"RA": coords.ra.to_string(unit="hourangle", sep=":", precision=3),
                  "Dec": coords.dec.to_string(unit="deg", sep=":", precision=2, alwayssign=True),
                  "Name": ["New SySt 1", "New SySt 2", "New SySt 3", "Far away"]}).to_csv(tmp_path / "my_list.csv", index=False)
    config = {"sample": {"dir": str(tiny_sample)}, "vae": {"epochs": 3, "compare_losses": False}, "report": {"n_candidates": 3},
              "known": {"catalogues": [{"name": "my_list", "path": "my_list.csv", "ra": "RA", "dec": "Dec", "id": "Name",
                                        "radius_arcsec": 1.0}]}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(repo, tmp_path, "--configfile", "c.yaml")
    assert result.returncode == 0, result.stdout[-4000:]
    results = tmp_path / "results"
    matches = pd.read_csv(results / PRODUCTS["known_matches"])
    assert sorted(matches["object_id"]) == sorted(listed) and set(matches["catalogue"]) == {"my_list"}
    recovery = pd.read_csv(results / PRODUCTS["known_recovery"]).set_index("catalogue")
    assert list(recovery.index) == ["my_list", "all"] and recovery.loc["my_list", "n_in_sample"] == 3
    ranked = pd.read_csv(results / PRODUCTS["candidates_ranked"])
    assert sorted(ranked.loc[ranked["is_known_symbiotic"], "object_id"]) == sorted(listed)
    assert statuses(results)["rank_candidates"] == "ran"
    # an edited list reruns the cross-match and what follows, not the stages before
    with open(tmp_path / "my_list.csv", "a", encoding="utf-8") as handle:
        handle.write("00:00:00.000,+00:00:00.00,Another\n")
    plan = snakemake(repo, tmp_path, "--configfile", "c.yaml", "-n")
    from helpers import planned_jobs

    assert "crossmatch_known" in planned_jobs(plan.stdout) and "train_vae" not in planned_jobs(plan.stdout)


def test_a_users_sky_with_only_u_v_g_epochs_completes_and_names_the_missing_colours(repo, tiny_sample, tmp_path):
    """A user who fetched the epochs of three bands (``source: files``): every colour that can be
    formed (u-v, u-g, v-g) is scored; the colours that cannot are named in the status files and the
    summary, and their columns stay empty."""
    sky = tmp_path / "sky"
    sky.mkdir()
    for table, name in SAMPLE_FILES.items():
        frame = pd.read_parquet(tiny_sample / name)
        if table == "photometry":
            frame = frame[frame["filter"].isin(["u", "v", "g"])]
        frame.to_parquet(sky / name, index=False)
    files = {table: str(sky / name) for table, name in SAMPLE_FILES.items() if table != "truth"}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({"source": "files", "files": files, "vae": {"epochs": 3},
                                                     "report": {"n_candidates": 3}}))
    result = snakemake(repo, tmp_path, "--configfile", "c.yaml")
    assert result.returncode == 0, result.stdout[-4000:]
    results = tmp_path / "results"
    for key, name in PRODUCTS.items():
        assert (results / name).exists(), key
    unformed = ["u_r", "u_i", "u_z", "v_r", "v_i", "v_z", "g_r", "g_i", "g_z", "r_i", "r_z", "i_z"]
    said = statuses(results)
    assert said["merge_catalogue"].startswith("ran without: 12 of 15 colours could not be formed (no epochs in band(s) r, i, z)")
    assert all(name in said["merge_catalogue"] for name in unformed)
    assert said["colour_pca"].startswith("ran without") and "r_i" in said["colour_pca"]
    summary = (results / PRODUCTS["summary"]).read_text()
    assert f"merge_catalogue: {said['merge_catalogue']}" in summary
    scores = pd.read_parquet(results / PRODUCTS["vae_scores"])
    analysed = pd.read_parquet(results / PRODUCTS["analysed"])
    assert sorted(scores["object_id"]) == sorted(analysed["object_id"])  # every object scored on u-v, u-g, v-g
    assert np.isfinite(scores["score_hot_excess"]).all() and (scores["n_features_observed"] <= 3).all()
    assert scores[[f"excess_z_{name}" for name in unformed]].isna().all().all()
    assert scores[["excess_z_u_v", "excess_z_u_g", "excess_z_v_g"]].notna().any().all()
    loadings = pd.read_csv(results / PRODUCTS["pca_loadings"])
    assert loadings["r_i"].isna().all() and loadings["u_v"].notna().all()
