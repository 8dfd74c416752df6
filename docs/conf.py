"""Sphinx configuration of symfind's documentation (MyST Markdown). ``make docs`` builds it with
warnings as errors; the configuration reference is written from the config schema at each build."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

project = "symfind"
author = "the symfind developers"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
master_doc = "index"
exclude_patterns = ["_build", "README.md"]
myst_heading_anchors = 4
html_theme = "alabaster"
html_static_path: list[str] = []
suppress_warnings: list[str] = []


def _write_reference(app) -> None:
    from config_reference import write_reference

    write_reference(HERE / "configuration.md")


def setup(app):
    app.connect("builder-inited", _write_reference)
    return {"parallel_read_safe": True}
