"""Configuration: validation against the JSON schema, with errors that name the key.

``snakemake --config cuts='{jk_min: 0.9}'`` hands nested values over as strings; where the schema
asks for a number, integer or boolean, a string that reads as one is converted first, so an
override from the command line behaves like the same value in ``config.yaml``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

#: The workflow's folder (the repository: Snakefile, config.yaml, workflow/, resources/, profiles/).
REPOSITORY = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPOSITORY / "workflow" / "schemas" / "config.schema.yaml"
#: The shipped configuration: every default value, validated against the schema. The library's own
#: defaults (a function called without a setting) are read from it, so there is one source of truth.
DEFAULT_CONFIG_PATH = REPOSITORY / "config.yaml"


class ConfigError(ValueError):
    """The configuration is invalid; the message names the key."""


def load_schema(path: str | Path = SCHEMA_PATH) -> dict:
    """The config JSON schema (YAML file) as a dict."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if ref and ref.startswith("#/definitions/"):
        return root["definitions"][ref.split("/")[-1]]
    return schema


def _coerce(value: Any, schema: dict, root: dict) -> Any:
    """Read strings from ``--config`` as YAML where the schema wants another type: numbers,
    booleans, lists, and ``null`` (or ``~``) where null is allowed."""
    schema = _resolve(schema, root)
    types = schema.get("type")
    types = [types] if isinstance(types, str) else (types or [])
    allows_null = "null" in types or None in schema.get("enum", [])
    if isinstance(value, str) and allows_null and value.strip() in ("null", "~", "None"):
        return None
    if isinstance(value, Mapping):
        props = schema.get("properties", {})
        return {k: (_coerce(v, props[k], root) if k in props else v) for k, v in value.items()}
    if isinstance(value, list) and "items" in schema:
        return [_coerce(v, schema["items"], root) for v in value]
    if isinstance(value, str) and "string" not in types and set(types) & {"number", "integer", "boolean", "array"}:
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return value
        if isinstance(parsed, (int, float, bool, list)):
            return _coerce(parsed, schema, root)
    return value


def canonical(value: Any) -> Any:
    """``value`` with every mapping's keys in sorted order (recursively): the form in which the
    rules get their params, so that a config file with the same values in another key order
    reruns nothing (Snakemake compares params by their text)."""
    if isinstance(value, Mapping):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "<top level>"


def validate_schema(config: Mapping[str, Any], schema: dict | None = None) -> dict:
    """Return a validated (and type-coerced) copy of ``config`` against the schema and the checks
    that need the configuration alone; raise :class:`ConfigError`. The workflow validates with
    :func:`symfind.validate.validate_config`, which adds the checks that ask the stages.

    The error message names the offending key, e.g. ``config key 'cuts.jk_mn' is not allowed``.
    """
    schema = load_schema() if schema is None else schema
    coerced = _coerce(copy.deepcopy(dict(config)), schema, schema)
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(coerced), key=lambda e: (len(e.absolute_path), _key_path(e)))
    if errors:
        raise ConfigError("invalid configuration:\n" + "\n".join(_describe(e) for e in errors))
    _check_consistency(coerced)
    return canonical(coerced)


@functools.lru_cache(maxsize=1)
def _default_config() -> dict:
    with open(DEFAULT_CONFIG_PATH, encoding="utf-8") as handle:
        return validate_schema(yaml.safe_load(handle))


def defaults(section: str) -> dict[str, Any]:
    """The default settings of config section ``section`` (a copy), from the shipped ``config.yaml``."""
    return copy.deepcopy(_default_config()[section])


def with_defaults(section: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with every setting of ``section`` it leaves out taken from :func:`defaults`."""
    return {**defaults(section), **params}


def _describe(error: jsonschema.ValidationError) -> str:
    where = _key_path(error)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        prefix = f"{where}." if error.absolute_path else ""
        return "; ".join(
            f"  config key '{prefix}{key}' is not allowed (allowed here: {', '.join(allowed)})" for key in extra
        )
    if error.validator == "required":
        return f"  config key '{where}': {error.message}"
    return f"  config key '{where}': {error.message}"


#: ``vae.preset: seed``: the original recipe exactly (for comparison and reproduction of old results).
VAE_PRESETS: dict[str, dict[str, Any]] = {
    "seed": {"model": "plain", "score": "any", "features": "magnitudes", "loss": "mse", "missing": "median",
             "max_steps_per_epoch": None, "train_max_objects": None},
}


#: The ``vae`` settings that choose and cut the score, not the fit
#: (:func:`symfind.detect.symbiotic.score_fit`): a changed one reruns the scoring, not the training.
VAE_SCORING_KEYS = ("score", "symbiotic", "anomaly_fraction")
#: The ``vae`` settings only the comparison reads (the other variants and the baselines).
VAE_COMPARISON_KEYS = ("compare_losses", "compare_max_objects")


def vae_fit_settings(vae: Mapping[str, Any]) -> dict[str, Any]:
    """The ``vae`` block as the training job (rule ``train_vae``) is given it: without
    :data:`VAE_SCORING_KEYS` and :data:`VAE_COMPARISON_KEYS`, so that a changed score weight,
    candidate fraction or comparison setting reruns what reads it and not the training."""
    return {key: value for key, value in vae.items() if key not in (*VAE_SCORING_KEYS, *VAE_COMPARISON_KEYS)}


def vae_scoring_settings(vae: Mapping[str, Any]) -> dict[str, Any]:
    """The ``vae`` block as the scoring job (rule ``score_vae``) is given it: :data:`VAE_SCORING_KEYS` only."""
    return {key: vae[key] for key in VAE_SCORING_KEYS if key in vae}


def vae_variant_settings(vae: Mapping[str, Any]) -> dict[str, Any]:
    """The ``vae`` block as the comparison's variants (rule ``train_vae_variants``) are given it:
    without ``score`` and ``anomaly_fraction`` (each variant keeps one score column of its own and
    no candidates), and without ``symbiotic`` unless a variant it trains scores by it: the
    giant-conditioned one, trained for the comparison where the configured VAE is not
    conditional (:func:`symfind.detect.detectors.other_variants`)."""
    dropped = {"score", "anomaly_fraction"} | ({"symbiotic"} if vae.get("model") == "conditional" else set())
    return {key: value for key, value in vae.items() if key not in dropped}


def _apply_presets(config: dict) -> None:
    preset = config["vae"].get("preset")
    if preset:
        config["vae"].update(VAE_PRESETS[preset])


def _check_consistency(config: dict) -> None:
    """The checks that need nothing but the configuration itself (the workflow's checks that ask
    a stage, such as the releases or the vendored catalogues, are :func:`symfind.validate.validate_config`'s)."""
    _apply_presets(config)
    if config["vae"]["loss"] == "chi2" and config["vae"]["missing"] != "mask":
        raise ConfigError(
            "invalid configuration:\n  config key 'vae.loss' chi2 needs 'vae.missing: mask' "
            "(an imputed value has no measurement error)"
        )
    sel = config["selection"]
    if sel["parallax_min_mas"] >= sel["parallax_max_mas"]:
        raise ConfigError(
            "invalid configuration:\n  config key 'selection.parallax_min_mas' must be below "
            f"'selection.parallax_max_mas' (got {sel['parallax_min_mas']} >= {sel['parallax_max_mas']})"
        )
    if config["source"] == "hats":
        hats = config.get("hats") or {}
        needed = ("master", "twomass_psc", "gaia_dr2", "allwise", "distances")
        missing = [f"config key 'hats.{k}' must name a HATS catalogue (a folder or a URL) when source is 'hats'"
                   for k in needed if not hats.get(k)]
        if missing:
            raise ConfigError("invalid configuration:\n" + "\n".join(f"  {line}" for line in missing))
    if config["source"] == "files":
        missing = [k for k in ("master", "photometry", "distances") if not config["files"].get(k)]
        if missing:
            raise ConfigError(
                "invalid configuration:\n"
                + "\n".join(f"  config key 'files.{k}' must name a table when source is 'files'" for k in missing)
            )


def schema_parameters(schema: dict | None = None) -> list[dict[str, Any]]:
    """Every key of the config schema, depth first in the schema's order: ``key`` (dotted; ``[]``
    for a list's items), ``type`` (JSON-schema types, or the allowed values), ``default`` (from the
    shipped ``config.yaml``; absent where it has none) and ``description`` (None where the schema
    has none). The configuration reference of the documentation is made from it."""
    root = load_schema() if schema is None else schema
    shipped = _default_config()
    rows: list[dict[str, Any]] = []

    def default_of(parts: list[str]) -> tuple[bool, Any]:
        node: Any = shipped
        for part in parts:
            if part.endswith("[]") or not isinstance(node, Mapping) or part not in node:
                return False, None
            node = node[part]
        return True, node

    def kind(node: dict) -> str:
        node = _resolve(node, root)
        if "enum" in node:
            return " | ".join("null" if v is None else str(v) for v in node["enum"])
        types = node.get("type", "object" if "properties" in node else "any")
        return " or ".join(types) if isinstance(types, list) else str(types)

    def walk(node: dict, parts: list[str]) -> None:
        for name, child in node.get("properties", {}).items():
            here = [*parts, name]
            has_default, default = default_of(here)
            row = {"key": ".".join(here), "type": kind(child), "description": child.get("description")}
            if has_default:
                row["default"] = default
            rows.append(row)
            walk(_resolve(child, root), here)
            items = child.get("items")
            if isinstance(items, dict) and "properties" in items:
                walk(items, [*here[:-1], here[-1] + "[]"])

    walk(root, [])
    return rows
