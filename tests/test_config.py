import pytest

from symfind.config import ConfigError
from symfind.validate import validate_config


def test_default_config_is_valid(default_config):
    validated = validate_config(default_config)
    assert validated["cuts"]["jk_min"] == 0.85
    assert validated["vae"]["anomaly_fraction"] == 0.02


def test_unknown_key_is_named(default_config):
    default_config["cuts"]["jk_mn"] = 0.9
    with pytest.raises(ConfigError, match=r"cuts\.jk_mn"):
        validate_config(default_config)


def test_unknown_top_level_key_is_named(default_config):
    default_config["colour"] = {}
    with pytest.raises(ConfigError, match=r"'colour' is not allowed"):
        validate_config(default_config)


def test_wrong_type_names_key(default_config):
    default_config["vae"]["epochs"] = "many"
    with pytest.raises(ConfigError, match=r"vae\.epochs"):
        validate_config(default_config)


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5, -0.1])
def test_out_of_range_fraction(default_config, fraction):
    default_config["vae"]["anomaly_fraction"] = fraction
    with pytest.raises(ConfigError, match=r"vae\.anomaly_fraction"):
        validate_config(default_config)


def test_numeric_strings_from_command_line_are_coerced(default_config):
    # snakemake --config cuts='{jk_min: 0.9}' hands over strings
    default_config["cuts"]["jk_min"] = "0.9"
    default_config["vae"]["epochs"] = "5"
    default_config["selection"]["require_no_extended"] = "false"
    validated = validate_config(default_config)
    assert validated["cuts"]["jk_min"] == 0.9
    assert validated["vae"]["epochs"] == 5
    assert validated["selection"]["require_no_extended"] is False
    # text stays text: a 2MASS flag like '000' must not become the number 0
    default_config["selection"]["cc_flg"] = "000"
    assert validate_config(default_config)["selection"]["cc_flg"] == "000"


def test_injection_in_a_threshold_is_rejected(default_config):
    default_config["selection"]["jk_min"] = "0.85) OR (1=1"
    with pytest.raises(ConfigError, match=r"selection\.jk_min"):
        validate_config(default_config)


def test_injection_in_a_flag_is_rejected(default_config):
    default_config["selection"]["ph_qual"] = "AAA' OR '1'='1"
    with pytest.raises(ConfigError, match=r"selection\.ph_qual"):
        validate_config(default_config)


def test_parallax_range_must_be_ordered(default_config):
    default_config["selection"]["parallax_min_mas"] = 100
    with pytest.raises(ConfigError, match=r"selection\.parallax_min_mas"):
        validate_config(default_config)


def test_files_source_needs_files(default_config):
    default_config["source"] = "files"
    with pytest.raises(ConfigError, match=r"files\.master"):
        validate_config(default_config)


def test_survey_tables_apart_come_all_three_or_none(default_config):
    default_config["source"] = "files"
    default_config["files"].update(master="m.csv", photometry="p.csv", distances="d.csv", gaia_dr2="g.fits")
    with pytest.raises(ConfigError, match=r"files\.twomass_psc' must name a table: 'files\.gaia_dr2' is given") as raised:
        validate_config(default_config)
    assert "files.allwise" in str(raised.value)
    default_config["files"].update(twomass_psc="t.csv", allwise="a.vot")
    validate_config(default_config)


def test_radius_must_be_positive(default_config):
    default_config["known"]["catalogues"][1]["radius_arcsec"] = 0
    with pytest.raises(ConfigError, match=r"known\.catalogues\.1\.radius_arcsec"):
        validate_config(default_config)


def test_command_line_nulls_and_lists_are_read_as_yaml(default_config):
    # snakemake --config colors='{clip_sigma: null}' vae='{preset: ~}' rank='{top_fractions: [0.05]}'
    default_config["colors"]["clip_sigma"] = "null"
    default_config["vae"]["preset"] = "~"
    default_config["rank"]["top_fractions"] = "[0.05, 0.01]"
    validated = validate_config(default_config)
    assert validated["colors"]["clip_sigma"] is None
    assert validated["vae"]["preset"] is None
    assert validated["rank"]["top_fractions"] == [0.05, 0.01]
    default_config["cuts"]["jk_min"] = "null"  # a threshold cannot be null: named, not silently dropped
    with pytest.raises(ConfigError, match="cuts.jk_min"):
        validate_config(default_config)


def test_validated_config_does_not_depend_on_key_order(default_config):
    reordered = {key: default_config[key] for key in reversed(list(default_config))}
    reordered["vae"] = {key: default_config["vae"][key] for key in reversed(list(default_config["vae"]))}
    assert repr(validate_config(reordered)) == repr(validate_config(default_config))


def test_every_schema_key_has_a_description():
    """The configuration reference is made from the schema: a key without a description would be a
    blank row there."""
    from symfind.config import schema_parameters

    rows = schema_parameters()
    keys = [row["key"] for row in rows]
    assert {"cuts.abs_j_max", "vetting.labels", "known.catalogues[].radius_arcsec", "dereddening.a_per_ebv.u"} <= set(keys)
    assert [row["key"] for row in rows if not (row["description"] or "").strip()] == []
    by_key = {row["key"]: row for row in rows}
    assert by_key["cuts.abs_j_max"]["default"] == 0.0 and by_key["rank.method"]["type"] == "pu_bagging | nearest_known"


@pytest.mark.parametrize("memory", [{"job_mb": 100}, {}, {"job_mb": "lots"}])
def test_a_job_memory_out_of_range_or_missing_is_named(default_config, memory):
    default_config["memory"] = memory
    with pytest.raises(ConfigError, match=r"memory"):
        validate_config(default_config)
