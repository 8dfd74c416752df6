"""source: hats: HATS catalogues built here from a generated sky (LSDB, margin caches included) select
what the same tables on disk select, pixel by pixel on Dask; what cannot be read is refused by key."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

pytest.importorskip("lsdb")

from helpers import snakemake  # noqa: E402
from symfind.config import ConfigError, with_defaults  # noqa: E402
from symfind.validate import validate_config  # noqa: E402
from symfind.io import InputError  # noqa: E402
from symfind.query.selection import criteria_from_config  # noqa: E402
from symfind.query.sources.hats import HATS_TABLES, HatsCatalogues, write_hats_catalogues  # noqa: E402
from symfind.query.sources.local import LocalTables, survey_folder_tables  # noqa: E402

CRITERIA = criteria_from_config(with_defaults("selection", {}))


@pytest.fixture(scope="module")
def hats_sky(tiny_sample, tmp_path_factory):
    """The tiny sky's tables as HATS catalogues, in pixels of at most 300 rows (many pixel edges)."""
    out = tmp_path_factory.mktemp("hats")
    return write_hats_catalogues(tiny_sample, out, partition_rows=300)


def _images(sky):
    return {"images": survey_folder_tables(sky, ("images",))["images"]}


def test_hats_selects_what_the_files_select(tiny_sample, hats_sky):
    hats = HatsCatalogues(hats_sky, files=_images(tiny_sample))
    selected, flow = hats.select(CRITERIA, 4)
    local_selected, local_flow = LocalTables(survey_folder_tables(tiny_sample)).select(CRITERIA, 4)
    assert len(selected) > 500
    pd.testing.assert_frame_equal(selected, local_selected)
    pd.testing.assert_frame_equal(flow, local_flow)
    assert len(hats.joined_catalogue()[0].get_healpix_pixels()) > 4


def test_the_margin_caches_catch_counterparts_across_pixel_edges(tiny_sample, tmp_path):
    """Counterparts 1.5" from their master rows, in pixels of at most 50 rows: with the margins the
    selection is that of the files; without them, counterparts across a pixel's edge are lost."""
    sky = tmp_path / "sky"
    shutil.copytree(tiny_sample, sky)
    master_file = survey_folder_tables(sky, ("master",))["master"]
    master = pd.read_parquet(master_file)
    for column in ("twomass_dist", "gaia_dr2_dist1"):
        master[column] = np.where(master[column] < 1.5, np.float32(1.5), master[column]).astype(master[column].dtype)
    master.to_parquet(master_file)
    paths = write_hats_catalogues(sky, tmp_path / "hats", names=("master", "twomass_psc", "gaia_dr2", "allwise"),
                                  partition_rows=50)
    selected, flow = HatsCatalogues(paths).select(CRITERIA, 4)
    local_selected, local_flow = LocalTables(survey_folder_tables(sky)).select(CRITERIA, 4)
    assert selected["object_id"].tolist() == local_selected["object_id"].tolist()
    pd.testing.assert_frame_equal(flow, local_flow)
    bare = dict(paths)
    for name in ("twomass_psc", "gaia_dr2", "allwise"):
        main = next(p for p in Path(paths[name]).iterdir() if p.is_dir() and "arcs" not in p.name)
        bare[name] = str(main)  # the catalogue itself, without the collection's margin
    _, without = HatsCatalogues(bare).select(CRITERIA, 4)
    assert without["rows_left"].iloc[0] < flow["rows_left"].iloc[0]


def test_hats_epochs_and_distances_are_those_of_the_files(tiny_sample, hats_sky):
    """Per tile, as the per-tile jobs ask: only the pixels of the tile and its neighbours are read."""
    from symfind.query.tiles import tile_index

    local = LocalTables(survey_folder_tables(tiny_sample))
    selected, _ = local.select(CRITERIA, 4)
    tiles = tile_index(selected["raj2000"], selected["dej2000"], 4)
    assert len(np.unique(tiles)) > 1
    for tile in np.unique(tiles):
        mine = selected[tiles == tile]
        ids, gaia = mine["object_id"].to_numpy(), mine["source_id"].to_numpy()
        hats = HatsCatalogues(hats_sky, files=_images(tiny_sample), region=(4, int(tile)))
        epochs = hats.epochs(ids)
        assert epochs["object_id"].nunique() > 0.9 * len(ids)
        pd.testing.assert_frame_equal(epochs.reset_index(drop=True), local.epochs(ids).reset_index(drop=True))
        for ours, theirs in zip(hats.distances(gaia), local.distances(gaia)):
            pd.testing.assert_frame_equal(ours.reset_index(drop=True), theirs.reset_index(drop=True))


def test_a_local_dask_cluster_of_two_workers_selects_the_same(tiny_sample, hats_sky, caplog):
    caplog.set_level(logging.INFO, logger="symfind.query.parallel")
    selected, flow = HatsCatalogues(hats_sky, threads=2).select(CRITERIA, 4)
    assert "a local cluster of 2 workers" in caplog.text
    assert "HEALPix pixels selected done" in caplog.text
    local_selected, local_flow = LocalTables(survey_folder_tables(tiny_sample)).select(CRITERIA, 4)
    assert selected["object_id"].tolist() == local_selected["object_id"].tolist()
    pd.testing.assert_frame_equal(flow, local_flow)


def test_a_master_without_the_allwise_ids_is_matched_by_position(tiny_sample, tmp_path):
    """Where the master has no allwise_cntr, LSDB's cross-match within the selection's radius finds
    the same AllWISE sources (written at the master's recorded distance from it)."""
    master = pd.read_parquet(survey_folder_tables(tiny_sample, ("master",))["master"])
    sky = tmp_path / "sky"
    shutil.copytree(tiny_sample, sky)
    paths = write_hats_catalogues(sky, tmp_path / "hats", names=("twomass_psc", "gaia_dr2", "allwise"), partition_rows=500)
    import lsdb

    catalogue = lsdb.from_dataframe(master.drop(columns=["allwise_cntr"]), ra_column="raj2000", dec_column="dej2000",
                                    catalog_name="master", partition_rows=500)
    catalogue.write_catalog(tmp_path / "hats" / "master", overwrite=True, progress_bar=False)
    paths["master"] = str(tmp_path / "hats" / "master")
    selected, _ = HatsCatalogues(paths).select(CRITERIA, 4)
    local_selected, _ = LocalTables(survey_folder_tables(tiny_sample)).select(CRITERIA, 4)
    assert selected["object_id"].tolist() == local_selected["object_id"].tolist()
    np.testing.assert_array_equal(selected["allwise_cntr"].to_numpy(), local_selected["allwise_cntr"].to_numpy())
    np.testing.assert_allclose(selected["allwise_dist"], local_selected["allwise_dist"], atol=1e-3)


def _small_catalogue(tmp_path, drop=()):
    import lsdb

    frame = pd.DataFrame({"object_id": np.arange(40), "raj2000": np.linspace(10, 11, 40), "dej2000": np.linspace(-30, -29, 40),
                          "class_star": np.full(40, 0.95)})
    lsdb.from_dataframe(frame.drop(columns=list(drop)), ra_column="raj2000", dec_column="dej2000",
                        catalog_name="master").write_catalog(tmp_path / "master", overwrite=True, progress_bar=False)
    return str(tmp_path / "master")


def test_a_url_that_cannot_be_reached_is_refused_naming_the_key():
    hats = HatsCatalogues({name: f"http://127.0.0.1:9/hats/{name}" for name in HATS_TABLES})
    with pytest.raises(InputError, match=r"config key 'hats\.master': http://127\.0\.0\.1:9/hats/master cannot be opened"):
        hats.select(CRITERIA, 4)


def test_a_folder_that_does_not_exist_is_refused_naming_the_key(tmp_path):
    hats = HatsCatalogues({name: str(tmp_path / name) for name in HATS_TABLES})
    with pytest.raises(InputError, match=r"config key 'hats\.master': .*master does not exist"):
        hats.select(CRITERIA, 4)


def test_a_catalogue_that_lacks_a_column_is_refused_naming_the_key_and_the_column(tmp_path):
    path = _small_catalogue(tmp_path, drop=("class_star",))
    hats = HatsCatalogues({"master": path})
    with pytest.raises(InputError, match=r"config key 'hats\.master': the HATS catalogue .* has no column\(s\) .*class_star"):
        hats.select(CRITERIA, 4)


def test_source_hats_without_its_catalogues_is_refused_by_the_config(default_config):
    config = {**default_config, "source": "hats"}
    with pytest.raises(ConfigError, match=r"config key 'hats\.master' must name a HATS catalogue"):
        validate_config(config)
    config["hats"] = {**config["hats"], **{name: f"/data/{name}" for name in HATS_TABLES if name != "allwise"}}
    with pytest.raises(ConfigError, match=r"config key 'hats\.allwise' must name") as refused:
        validate_config(config)
    assert "hats.master" not in str(refused.value)
    config["hats"]["allwise"] = "https://example.org/hats/allwise"
    assert validate_config(config)["hats"]["allwise"] == "https://example.org/hats/allwise"


def test_the_slurm_cluster_takes_the_profiles_account_and_partition(tmp_path):
    from symfind.query.parallel import slurm_profile_resources

    profile = tmp_path / "config.yaml"
    profile.write_text(yaml.safe_dump({"executor": "slurm", "default-resources": {"mem_mb": 4000, "slurm_account": "astro",
                                                                                  "slurm_partition": "short"}}))
    assert slurm_profile_resources(profile) == {"slurm_account": "astro", "slurm_partition": "short"}
    assert slurm_profile_resources(tmp_path / "none.yaml") == {}


def test_an_unknown_dask_cluster_kind_is_refused():
    from symfind.query.parallel import dask_client

    with pytest.raises(InputError, match=r"config key 'dask\.cluster': 'kubernetes'"):
        with dask_client({"cluster": "kubernetes"}, 2):
            pass


def test_the_workflow_on_hats_catalogues_makes_the_same_products(repo, tiny_sample, hats_sky, tmp_path):
    """source: hats through the workflow: the selection, its cut-flow, the epochs and the colours are
    those of the same sky as tables on disk (source: sample)."""
    products = ["results/selection.parquet", "results/selection_cutflow.csv", "results/epochs.parquet",
                "results/colours.parquet", "results/distances.parquet"]
    runs = {}
    for name, overrides in {
        "files": {"sample": {"dir": str(tiny_sample)}},
        "hats": {"source": "hats", "hats": dict(hats_sky), "files": _images(tiny_sample)},
    }.items():
        workdir = tmp_path / name
        workdir.mkdir()
        (workdir / "c.yaml").write_text(yaml.safe_dump(overrides))
        result = snakemake(repo, workdir, *products, "--configfile", "c.yaml")
        assert result.returncode == 0, result.stdout[-5000:]
        runs[name] = workdir
    log = (runs["hats"] / "results" / "logs" / "select_objects.log").read_text()
    assert "HEALPix pixels selected done" in log
    for product in products:
        read = pd.read_csv if product.endswith(".csv") else pd.read_parquet
        pd.testing.assert_frame_equal(read(runs["hats"] / product), read(runs["files"] / product))


def test_an_existing_dask_scheduler_is_used_by_its_address(tiny_sample, hats_sky, caplog):
    """dask.scheduler: the selection runs on a cluster started elsewhere (here, in the test), which
    the job uses and leaves running."""
    from distributed import Client, LocalCluster

    caplog.set_level(logging.INFO, logger="symfind.query.parallel")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        selected, flow = HatsCatalogues(hats_sky, dask={"scheduler": cluster.scheduler_address}).select(CRITERIA, 4)
        assert f"the cluster at {cluster.scheduler_address} (2 workers)" in caplog.text
        with Client(cluster.scheduler_address) as client:
            assert len(client.scheduler_info()["workers"]) == 2  # still there
    local_selected, local_flow = LocalTables(survey_folder_tables(tiny_sample)).select(CRITERIA, 4)
    assert selected["object_id"].tolist() == local_selected["object_id"].tolist()
    pd.testing.assert_frame_equal(flow, local_flow)


def test_a_dask_scheduler_that_does_not_answer_is_refused_naming_the_key():
    from symfind.query.parallel import dask_client

    with pytest.raises(InputError, match=r"config key 'dask\.scheduler': cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:9'"):
        with dask_client({"scheduler": "tcp://127.0.0.1:9", "timeout_s": 2}, 1):
            pass


def test_dask_workers_started_as_slurm_jobs_select_the_same(tiny_sample, hats_sky, slurm_cluster, monkeypatch, caplog, tmp_path):
    """dask.cluster: slurm on a real (hermetic, one-node) SLURM cluster: the workers are SLURM jobs
    started by dask-jobqueue, the selection is that of the files, and the jobs show in SLURM's log."""
    pytest.importorskip("dask_jobqueue")
    for key in ("SLURM_CONF", "PATH"):
        monkeypatch.setenv(key, slurm_cluster.env[key])
    monkeypatch.chdir(tmp_path)  # the worker jobs' slurm-<id>.out land in the submitting directory
    caplog.set_level(logging.INFO, logger="symfind.query.parallel")
    settings = {"cluster": "slurm", "workers": 1, "timeout_s": 120,
                "slurm": {"account": None, "partition": "debug", "memory": "2GB", "walltime": "00:10:00"}}
    selected, flow = HatsCatalogues(hats_sky, dask=settings).select(CRITERIA, 4)
    assert "the first of the SLURM workers runs" in caplog.text and "#SBATCH -p debug" in caplog.text
    local_selected, local_flow = LocalTables(survey_folder_tables(tiny_sample)).select(CRITERIA, 4)
    assert selected["object_id"].tolist() == local_selected["object_id"].tolist()
    pd.testing.assert_frame_equal(flow, local_flow)
    deadline = time.monotonic() + 60
    while "dask-worker" not in slurm_cluster.jobcomp_text() and time.monotonic() < deadline:
        time.sleep(1)  # the worker job ends when the cluster is closed; SLURM logs it then
    assert "dask-worker" in slurm_cluster.jobcomp_text()
