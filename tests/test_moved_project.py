"""A finished project moved or copied to another folder is up to date there: no path that the
workflow records (inputs, params) may depend on where the project lies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

#: What a project folder holds besides its code that does not travel in a copy of the code.
NOT_COPIED = (".venv", ".git", "results", ".snakemake", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis")


def _snakemake(project: Path, *args: str) -> subprocess.CompletedProcess:
    """``snakemake`` as a user runs it: in the project's own folder, with its own Snakefile."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "small.yaml", *args],
                          cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, timeout=900)


def test_a_moved_or_copied_finished_project_has_nothing_to_do(repo, tiny_sample, tmp_path):
    project = tmp_path / "first_place"
    shutil.copytree(repo, project, symlinks=True, ignore=shutil.ignore_patterns(*NOT_COPIED))
    # the project's own sky in a folder of its own, named relative to the project (as the shipped sample is)
    shutil.rmtree(project / "resources" / "sample")
    shutil.copytree(tiny_sample, project / "resources" / "sample")
    (project / "small.yaml").write_text(yaml.safe_dump({"vae": {"epochs": 3}, "report": {"n_candidates": 2}}))
    run = _snakemake(project)
    assert run.returncode == 0, run.stdout[-4000:]

    moved = tmp_path / "moved" / "elsewhere"
    moved.parent.mkdir()
    shutil.move(project, moved)
    plan = _snakemake(moved, "-n")
    assert plan.returncode == 0, plan.stdout[-4000:]
    assert "Nothing to be done" in plan.stdout, plan.stdout[-4000:]

    copied = tmp_path / "a_copy"
    shutil.copytree(moved, copied, symlinks=True)  # file times kept, as `cp -a` keeps them
    plan = _snakemake(copied, "-n")
    assert plan.returncode == 0, plan.stdout[-4000:]
    assert "Nothing to be done" in plan.stdout, plan.stdout[-4000:]
