"""The workflow's configuration check: the schema (:func:`symfind.config.validate_schema`) and the
checks that ask the stages what they know (the releases and their archives, the survey tables of
``source: files``, the vendored catalogues of known symbiotic stars).

It sits above the stage subpackages, beside the runners, so that the core (:mod:`symfind.config`)
reads none of them; the Snakefile calls :func:`validate_config` once, before any rule runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import ConfigError, validate_schema
from .query.releases import release_problems
from .query.sources.local import CROSSMATCH_TABLES
from .rank.known import CATALOGUE_FILES


def validate_config(config: Mapping[str, Any], schema: dict | None = None) -> dict:
    """Return a validated (and type-coerced) copy of ``config``; raise :class:`ConfigError`.

    The error message names the offending key, e.g. ``config key 'cuts.jk_mn' is not allowed``.
    """
    validated = validate_schema(config, schema)
    problems = known_catalogue_problems(validated["known"]["catalogues"])
    problems += release_problems(validated)
    if validated["source"] == "files":
        problems += files_problems(validated)
    if problems:
        raise ConfigError("invalid configuration:\n" + "\n".join(f"  {line}" for line in problems))
    return validated


def known_catalogue_problems(catalogues: list[Mapping[str, Any]]) -> list[str]:
    """Each known-star catalogue is a vendored one (by name) or a user's file with its columns:
    what is wrong, one line per problem."""
    problems, seen = [], set()
    for k, entry in enumerate(catalogues):
        where = f"known.catalogues.{k} ({entry['name']})"
        if entry["name"] in seen:
            problems.append(f"config key '{where}': the name is used twice")
        seen.add(entry["name"])
        given = [key for key in ("path", "ra", "dec", "id") if key in entry]
        if "path" in entry:
            missing = [key for key in ("ra", "dec", "id") if key not in entry]
            if missing:
                problems.append(f"config key '{where}': a catalogue file needs its column(s) {', '.join(missing)}")
        elif given:
            problems.append(f"config key '{where}': {', '.join(given)} given without 'path'")
        elif entry["name"] not in CATALOGUE_FILES:
            problems.append(f"config key '{where}': not a vendored catalogue ({', '.join(CATALOGUE_FILES)}); "
                            "a catalogue of your own needs path, ra, dec and id")
    return problems


def files_problems(config: Mapping[str, Any]) -> list[str]:
    """``source: files``: the master table is joined to all three survey tables or to none, and a
    Gaia DR3 table beside a DR2 master needs the DR2-DR3 neighbourhood table."""
    files = config["files"]
    given = [k for k in CROSSMATCH_TABLES if files.get(k)]
    if given and len(given) < len(CROSSMATCH_TABLES):
        return [f"config key 'files.{k}' must name a table: 'files.{given[0]}' is given, and the master table is joined "
                "to all three survey tables or to none (then it must hold their columns)"
                for k in CROSSMATCH_TABLES if k not in given]
    dr3_given = [k for k in (config.get("gaia_dr3") or {}).get("tables", []) if files.get(k)]
    if dr3_given and config["release"] == "dr2" and not files.get("dr2_neighbourhood"):
        return [f"config key 'files.dr2_neighbourhood' must name a table: 'files.{dr3_given[0]}' is keyed by Gaia DR3 ids, "
                "and release dr2's master table holds Gaia DR2 ids (gaiadr3.dr2_neighbourhood maps them; or set "
                "gaia_dr3.tables to [])"]
    return []
