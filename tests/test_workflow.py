"""The whole workflow on a tiny generated sky, in a temporary directory."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers import planned_jobs, snakemake
from symfind.products import PRODUCTS


def test_every_product_exists(finished_run):
    workdir, _ = finished_run
    for key, name in PRODUCTS.items():
        assert (workdir / "results" / name).stat().st_size > 0, key
    for rule in ("select_objects", "gather_epochs", "gather_distances", "gather_gaia_dr3", "gather_extinction", "gather_cuts", "gather_colours",
                 "merge_catalogue", "train_vae", "score_vae", "plot_scores", "colour_pca", "crossmatch_known", "compare_detectors",
                 "candidate_table", "diagnostic_plots", "config_used", "summary", "rank_candidates", "evaluate_ranking"):
        assert (workdir / "results" / "logs" / f"{rule}.log").exists(), rule
        assert (workdir / "results" / "benchmarks" / f"{rule}.tsv").exists(), rule
    tiles = pd.read_csv(workdir / "results" / PRODUCTS["selection_tiles"])["tile"].tolist()
    assert len(tiles) == 4  # the tiny sky's four tiles
    for rule in ("select_tile", "fetch_epochs", "fetch_distances", "fetch_gaia_dr3", "extinction", "apply_cuts", "weighted_colours"):
        for tile in tiles:  # one job per tile
            assert (workdir / "results" / "logs" / rule / f"{tile}.log").exists(), (rule, tile)
            assert (workdir / "results" / "benchmarks" / rule / f"{tile}.tsv").exists(), (rule, tile)


def test_products_are_consistent(finished_run):
    results = finished_run[0] / "results"
    selected = pd.read_csv(results / PRODUCTS["selection_csv"])
    filtered = pd.read_csv(results / PRODUCTS["after_cuts_csv"])
    merged = pd.read_parquet(results / PRODUCTS["analysed"])
    losses = pd.read_parquet(results / PRODUCTS["vae_scores"])
    ids = [int(x) for x in (results / PRODUCTS["candidate_ids"]).read_text().split()]
    assert set(filtered["object_id"]) <= set(selected["object_id"])
    assert set(merged["object_id"]) <= set(filtered["object_id"])
    assert sorted(losses["object_id"]) == sorted(merged["object_id"])  # every object scored once
    assert len(ids) == losses["is_candidate"].sum() == -(-len(losses) * 2 // 100)
    cutflow = pd.read_csv(results / PRODUCTS["cutflow"])
    assert cutflow[cutflow["tile"] == "all"]["rows_left"].iloc[-1] == len(filtered)
    assert (selected["j_m"] - selected["k_m"] > 0.85).all() and (selected["ph_qual"] == "AAA").all()


def test_rerun_has_nothing_to_do(repo, finished_run):
    workdir, _ = finished_run
    result = snakemake(repo, workdir, "--configfile", "test_config.yaml", "-n")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout


DOWNSTREAM_OF_CUTS = {"apply_cuts", "gather_cuts", "merge_catalogue", "diagnostic_plots", "config_used", "summary", "rank_candidates", "evaluate_ranking",
                      "train_vae", "score_vae",
                      "train_vae_variants", "score_objects", "plot_scores", "colour_pca", "crossmatch_known", "compare_detectors", "candidate_table", "ranked_tables",
                      "candidate_evidence", "csv_twin_after_cuts", "csv_twin_analysed", "csv_twin_vae_scores", "all"}


def test_changed_cut_reruns_only_what_depends_on_it(repo, finished_run):
    workdir, _ = finished_run
    (workdir / "jk.yaml").write_text(yaml.safe_dump({"cuts": {"jk_min": 0.95}}))
    by_file = snakemake(repo, workdir, "--configfile", "test_config.yaml", "jk.yaml", "-n")
    assert by_file.returncode == 0, by_file.stdout[-3000:]
    assert planned_jobs(by_file.stdout) == DOWNSTREAM_OF_CUTS
    assert planned_jobs(by_file.stdout, counts=True)["apply_cuts"] == 4  # every tile's cuts, nothing upstream
    by_flag = snakemake(repo, workdir, "--configfile", "test_config.yaml", "-n", "--config", "cuts={jk_min: 0.95}")
    assert planned_jobs(by_flag.stdout) == DOWNSTREAM_OF_CUTS


@pytest.mark.parametrize("override", ["vae={symbiotic: {flicker_weight: 3.0}}", "vae={anomaly_fraction: 0.05}",
                                      "vae={score: hot_excess}", "vae={compare_max_objects: 500}"])
def test_a_changed_score_setting_rescores_without_training_the_vae_again(repo, finished_run, override):
    """The symbiotic score's weights, the score that ranks and the candidate fraction are read by
    ``score_vae`` from the VAE's saved fit, and the comparison's settings by what compares: a changed
    one reruns those and what follows, never the training of the VAE (a minute or two on a large
    sky) nor anything before it."""
    workdir, _ = finished_run
    plan = snakemake(repo, workdir, "--configfile", "test_config.yaml", "-n", "--config", override)
    assert plan.returncode == 0, plan.stdout[-3000:]
    jobs = planned_jobs(plan.stdout)
    assert "train_vae" not in jobs and not jobs & {"merge_catalogue", "gather_colours", "apply_cuts"}, jobs
    if "compare_max_objects" in override:  # the variants and the baselines are fitted on that many
        assert {"train_vae_variants", "score_objects"} <= jobs and "score_vae" not in jobs
    else:
        assert {"score_vae", "score_objects", "candidate_table", "rank_candidates"} <= jobs
        assert "train_vae_variants" not in jobs  # the default VAE is conditional: no variant scores by these


def test_the_ranking_evaluation_holds_back_only_the_summary(repo, finished_run):
    """The hidden-label evaluation is the ranking's slow part: the ranked list's tables and the
    evidence need only the ranked list, so a rerun of the evaluation (or a sky where it is slow)
    holds back the summary alone."""
    workdir, _ = finished_run
    result = snakemake(repo, workdir, "--configfile", "test_config.yaml", "-n", "--forcerun", "evaluate_ranking")
    assert result.returncode == 0, result.stdout[-3000:]
    assert planned_jobs(result.stdout) == {"evaluate_ranking", "summary", "all"}
    ranking = snakemake(repo, workdir, "--configfile", "test_config.yaml", "-n", "--forcerun", "rank_candidates")
    assert {"ranked_tables", "candidate_evidence", "summary"} <= planned_jobs(ranking.stdout)
    assert "evaluate_ranking" not in planned_jobs(ranking.stdout)


def test_csv_twins_are_jobs_of_their_own_and_equal_their_products(repo, finished_run):
    """The original scripts' CSV tables are written from the Parquet products by rules of their
    own (no stage waits for a CSV): each twin is its product as pandas writes it (the selection
    without symfind's tile column), and forcing a twin plans nothing else."""
    from symfind.products import LEGACY_CSV

    workdir, _ = finished_run
    results = workdir / "results"
    for twin, product in LEGACY_CSV.items():
        table = pd.read_parquet(results / PRODUCTS[product])
        assert (results / PRODUCTS[twin]).read_text() == table.drop(columns=["tile"], errors="ignore").to_csv(index=False), twin
        assert (results / "benchmarks" / f"csv_twin_{product}.tsv").exists(), twin
    assert "tile" not in pd.read_csv(results / PRODUCTS["selection_csv"], nrows=1).columns
    forced = snakemake(repo, workdir, "--configfile", "test_config.yaml", "-n", "--forcerun", "csv_twin_colours")
    assert forced.returncode == 0, forced.stdout[-3000:]
    assert planned_jobs(forced.stdout) == {"csv_twin_colours", "all"}


def test_changed_colour_floor_does_not_rerun_selection(repo, finished_run):
    workdir, _ = finished_run
    (workdir / "floor.yaml").write_text(yaml.safe_dump({"colors": {"error_floor": 0.02}}))
    result = snakemake(repo, workdir, "--configfile", "test_config.yaml", "floor.yaml", "-n")
    jobs = planned_jobs(result.stdout)
    assert {"weighted_colours", "gather_colours", "merge_catalogue"} <= jobs
    assert not jobs & {"select_objects", "select_tile", "fetch_epochs", "apply_cuts", "gather_cuts"}


def test_bad_key_fails_before_any_job(repo, tmp_path):
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"cuts": {"jk_mn": 0.9}}))
    result = snakemake(repo, tmp_path, "--configfile", "bad.yaml")
    assert result.returncode != 0
    assert "cuts.jk_mn" in result.stdout
    assert not (tmp_path / "results").exists()


def test_lint_is_clean(repo, tmp_path):
    result = snakemake(repo, tmp_path, "--lint")
    assert result.returncode == 0, result.stdout
    assert "Congratulations" in result.stdout


@pytest.mark.parametrize("layout", ["one joined table", "four survey tables"])
def test_files_source_gives_the_same_selection(layout, repo, tiny_sample, finished_run, tmp_path):
    """A user's own tables through source: files select the same objects as the sample: one
    pre-joined master table (CSV), or the four survey tables apart as the archives hold them
    (SkyMapper master as CSV, 2MASS as FITS, Gaia as a VOTable, AllWISE as Parquet), joined the
    way the archive query joins them."""
    from astropy.table import Table

    from symfind.mock import SAMPLE_FILES
    from symfind.query.sources.local import LocalTables, survey_folder_tables

    files = {"photometry": str(tiny_sample / SAMPLE_FILES["photometry"]), "images": str(tiny_sample / SAMPLE_FILES["images"]),
             "distances": str(tiny_sample / SAMPLE_FILES["distances"])}
    if layout == "one joined table":
        LocalTables(survey_folder_tables(tiny_sample)).joined_master().to_csv(tmp_path / "master.csv", index=False)
        files["master"] = str(tmp_path / "master.csv")
    else:
        tables = {name: pd.read_parquet(tiny_sample / SAMPLE_FILES[name]) for name in ("master", "twomass_psc", "gaia_dr2", "allwise")}
        tables["master"].to_csv(tmp_path / "master.csv", index=False)
        Table.from_pandas(tables["twomass_psc"]).write(tmp_path / "twomass.fits")
        Table.from_pandas(tables["gaia_dr2"]).write(tmp_path / "gaia.vot", format="votable")
        tables["allwise"].to_parquet(tmp_path / "allwise.parquet")
        files.update(master=str(tmp_path / "master.csv"), twomass_psc=str(tmp_path / "twomass.fits"),
                     gaia_dr2=str(tmp_path / "gaia.vot"), allwise=str(tmp_path / "allwise.parquet"))
    config = {"source": "files", "sample": {"dir": str(tiny_sample)}, "vae": {"epochs": 2}, "files": files}
    (tmp_path / "files.yaml").write_text(yaml.safe_dump(config))
    target = str(Path("results") / PRODUCTS["selection_csv"])
    result = snakemake(repo, tmp_path, target, "--configfile", "files.yaml")
    assert result.returncode == 0, result.stdout[-3000:]
    mine = pd.read_csv(tmp_path / "results" / PRODUCTS["selection_csv"])
    sample = pd.read_csv(finished_run[0] / "results" / PRODUCTS["selection_csv"])
    assert len(sample) > 10
    assert mine["object_id"].tolist() == sample["object_id"].tolist()
    pd.testing.assert_frame_equal(mine, sample)


def test_changed_extinction_model_reruns_from_the_extinction_stage(repo, finished_run):
    workdir, _ = finished_run
    (workdir / "ext.yaml").write_text(yaml.safe_dump({"extinction": {"layer_scale_height_pc": 125.0}}))
    result = snakemake(repo, workdir, "--configfile", "test_config.yaml", "ext.yaml", "-n")
    assert planned_jobs(result.stdout) == DOWNSTREAM_OF_CUTS | {"extinction", "gather_extinction"}


def _reversed_keys(value):
    """The same values with every mapping's keys in reverse order."""
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(list(value))}
    return value


def test_config_rewritten_in_another_key_order_reruns_nothing(repo, tiny_sample, tmp_path):
    import shutil

    copy = tmp_path / "symfind"
    ignore = shutil.ignore_patterns(".git", ".venv", "results", ".snakemake", "__pycache__", "*.egg-info", "sample", "docs")
    shutil.copytree(repo, copy, ignore=ignore, symlinks=True)
    config = yaml.safe_load((repo / "config.yaml").read_text())
    config["sample"]["dir"] = str(tiny_sample)
    config["vae"]["epochs"] = 3
    config["report"]["n_candidates"] = 3
    config["vae"]["compare_losses"] = False
    (copy / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    workdir = tmp_path / "run"
    workdir.mkdir()
    first = snakemake(copy, workdir)
    assert first.returncode == 0, first.stdout[-3000:]
    (copy / "config.yaml").write_text(yaml.safe_dump(_reversed_keys(config), sort_keys=False))
    assert list(yaml.safe_load((copy / "config.yaml").read_text())) == list(reversed(list(config)))
    again = snakemake(copy, workdir, "-n")
    assert again.returncode == 0, again.stdout[-3000:]
    assert "Nothing to be done" in again.stdout, planned_jobs(again.stdout)
    config["cuts"]["jk_min"] = 0.9  # a changed value still reruns what depends on it
    (copy / "config.yaml").write_text(yaml.safe_dump(_reversed_keys(config), sort_keys=False))
    changed = snakemake(copy, workdir, "-n")
    assert "apply_cuts" in planned_jobs(changed.stdout) and "select_objects" not in planned_jobs(changed.stdout)
