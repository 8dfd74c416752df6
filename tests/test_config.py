import pytest

from symfind.config import ConfigError, validate_config


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


def test_radius_must_be_positive(default_config):
    default_config["known"]["radius_arcsec"]["merc"] = 0
    with pytest.raises(ConfigError, match=r"known\.radius_arcsec\.merc"):
        validate_config(default_config)
