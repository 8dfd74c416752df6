"""Writes ``configuration.md``, the configuration reference, from the config schema
(:func:`symfind.config.schema_parameters`): every key with its type, default and description."""

from __future__ import annotations

from pathlib import Path

import yaml

INTRO = """# Configuration reference

Every key of `config.yaml`, from the schema it is validated against
(`workflow/schemas/config.schema.yaml`; this page is written from it at each build). Override any
of them with `--configfile my.yaml` (a file with only the keys you change) or
`--config section='{key: value}'`; a changed value reruns the stage that reads it and what depends
on it, nothing upstream. The VAE's training (`train_vae`) reads only the fit's settings: a changed
`vae.score`, `vae.anomaly_fraction` or `vae.symbiotic.*` rescores the saved fit (`score_vae`), a
changed `vae.compare_losses` or `vae.compare_max_objects` reruns the comparison's fits and
baselines, and neither trains the VAE again.

| key | type | default | description |
|---|---|---|---|
"""


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_reference(path: Path) -> None:
    from symfind.config import schema_parameters

    rows = []
    parameters = schema_parameters()
    parents = {row["key"].rsplit(".", 1)[0] for row in parameters if "." in row["key"]}
    for row in parameters:
        default = row.get("default", "")
        if row["key"] in parents:  # a section: its keys follow, each with its default
            default = ""
        elif "default" in row:
            default = yaml.safe_dump(default, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()
            default = f"`{_cell(default)}`" if default else ""
        rows.append(f"| `{row['key']}` | {_cell(row['type'])} | {default} | {_cell(row['description'] or '')} |")
    text = INTRO + "\n".join(rows) + "\n"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
