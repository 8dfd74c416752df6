"""Releases (symfind.query.releases): each release's names reach the ADQL and the local readers, config
overrides reach them too, and what a release lacks is refused naming the config key."""

import copy

import numpy as np
import pandas as pd
import pytest

from symfind.config import ConfigError
from symfind.validate import validate_config
from symfind.io import InputError
from symfind.mock.release import write_release
from symfind.query.releases import RELEASES, archive_schema, schema_table
from symfind.query.selection import criteria_from_config
from symfind.query.sources.local import LocalTables, survey_folder_tables
from symfind.query.sources.tap import distances_adql, epochs_adql, selection_adql


def _config(default_config, **sections):
    config = copy.deepcopy(default_config)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    return validate_config(config)


def test_dr4_query_uses_dr4_names_and_returns_symfinds(default_config):
    config = _config(default_config, release="dr4", cuts={"distance_result_flags": None})
    schema = archive_schema(config)
    adql = selection_adql(criteria_from_config(config["selection"]), schema=schema)
    assert "FROM dr4.master AS m" in adql and "JOIN ext.gaia_dr3 AS g ON m.gaia_dr3_id1 = g.source_id" in adql
    assert "m.gaia_dr3_id1 AS gaia_dr2_id1" in adql and "m.self_dist1 AS prox" in adql
    assert "m.gaia_dr3_dist1 < 1.99999" in adql and "m.self_dist1 > 6.00001" in adql
    assert "dr2." not in adql and "gaia_dr2_dist1 <" not in adql
    assert "FROM dr4.photometry AS p" in epochs_adql(schema) and "JOIN dr4.images AS i" in epochs_adql(schema)
    distances = distances_adql(schema)
    assert '"external".gaiaedr3_distance' in distances and "d.r_med_geo AS r_est" in distances
    assert "result_flag" not in distances  # 2021 has none: added empty after the query


def test_photogeometric_estimate_is_the_one_queried(default_config):
    config = _config(default_config, release="dr4", distances={"estimate": "photogeometric"}, cuts={"distance_result_flags": None})
    adql = distances_adql(archive_schema(config))
    assert "d.r_med_photogeo AS r_est" in adql and "d.r_lo_photogeo AS r_lo" in adql and "d.r_hi_photogeo AS r_hi" in adql
    assert "_geo " not in adql


def test_a_column_renamed_in_config_reaches_the_adql(default_config):
    config = _config(default_config, archive={"tables": {"master": "dr2b.master"},
                                              "columns": {"master": {"class_star": "stellarity"}, "twomass_psc": {"j_m": "jmag"}}})
    schema = archive_schema(config)
    adql = selection_adql(criteria_from_config(config["selection"]), schema=schema)
    assert "m.stellarity > 0.90001" in adql and "m.stellarity AS class_star" in adql
    assert "(t.jmag - t.k_m) > 0.85001" in adql and "t.jmag < 13.99999" in adql
    assert "FROM dr2b.master AS m" in adql


def test_a_criterion_without_counterpart_is_refused_naming_it(default_config):
    config = _config(default_config, archive={"columns": {"master": {"nch_max": None}}})
    with pytest.raises(InputError, match=r"config key 'selection.nch_max' filters column 'nch_max', which release dr2 does not have"):
        selection_adql(criteria_from_config(config["selection"]), schema=archive_schema(config))


def test_release_settings_that_do_not_fit_are_refused(default_config):
    with pytest.raises(ConfigError, match=r"'cuts.distance_result_flags' filters result_flag, which bailer_jones_2021 does not have"):
        _config(default_config, release="dr4")
    with pytest.raises(ConfigError, match=r"'distances.catalogue': bailer_jones_2018 is keyed on other Gaia source ids"):
        _config(default_config, release="dr4", distances={"catalogue": "bailer_jones_2018"})
    with pytest.raises(ConfigError, match=r"'distances.estimate': photogeometric is not offered by bailer_jones_2018"):
        _config(default_config, distances={"estimate": "photogeometric"})
    with pytest.raises(ConfigError, match=r"archive.*columns.*master.*class_star"):
        _config(default_config, archive={"columns": {"master": {"class_star": "x; DROP TABLE"}}})
    with pytest.raises(InputError, match=r"'archive.columns.master.no_such'"):
        archive_schema({"archive": {"columns": {"master": {"no_such": "x"}}}})


def test_every_release_maps_every_column_once():
    for release in RELEASES:
        rows = schema_table(archive_schema({"release": release}))
        assert len({(r["role"], r["symfind"]) for r in rows}) == len(rows)
        assert all(r["archive"] for r in rows)


def test_the_same_sky_under_dr4_names_reads_as_under_dr2(tiny_sample, tmp_path):
    """The tiny sky written under DR4's names (tables and columns) and read with release dr4:
    the same joined master, epochs and distances as the DR2 files."""
    write_release(tiny_sample, tmp_path, "dr4")
    assert (tmp_path / "dr4_master.parquet").exists() and (tmp_path / "external_gaiaedr3_distance.parquet").exists()
    assert "gaia_dr3_id1" in pd.read_parquet(tmp_path / "dr4_master.parquet").columns
    dr4 = archive_schema({"release": "dr4"})
    new = LocalTables(survey_folder_tables(tmp_path, schema=dr4), dr4)
    old = LocalTables(survey_folder_tables(tiny_sample))
    pd.testing.assert_frame_equal(new.joined_master(), old.joined_master())
    ids = old.joined_master()["object_id"].to_numpy()[:50]
    pd.testing.assert_frame_equal(new.epochs(ids), old.epochs(ids))
    gaia = old.joined_master()["gaia_dr2_id1"].to_numpy(dtype=np.int64)[:50]
    found_new, missing_new = new.distances(gaia)
    found_old, missing_old = old.distances(gaia)
    pd.testing.assert_frame_equal(missing_new, missing_old)
    pd.testing.assert_frame_equal(found_new[["source_id", "r_est", "r_lo", "r_hi"]], found_old[["source_id", "r_est", "r_lo", "r_hi"]])
    assert found_new["result_flag"].isna().all() and found_new["r_len"].isna().all()  # 2021 has none


def test_a_dr2_table_read_as_dr4_names_the_missing_column(tiny_sample):
    dr4 = archive_schema({"release": "dr4"})
    tables = survey_folder_tables(tiny_sample)  # DR2 files, DR2 column names
    with pytest.raises(InputError, match=r"gaia_dr3_id1"):
        LocalTables(tables, dr4).joined_master()
