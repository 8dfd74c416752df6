"""Shared fixtures: the repository, the default config, a tiny generated sample sky, and one
finished workflow run on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import snakemake

REPO = Path(__file__).resolve().parents[1]
#: The tests' TAP service: GAVO DaCHS on loopback, serving the tiny sample sky (tests/dachs/serve.sh).
TAP_URL = "http://localhost:8080/tap"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture()
def default_config() -> dict:
    with open(REPO / "config.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def tiny_sample(tmp_path_factory) -> Path:
    """A 3,000-object sky from the generator (same code as the committed sample)."""
    from symfind.sample import write_sample

    out = tmp_path_factory.mktemp("tiny_sample")
    write_sample(out, n_objects=3000, seed=7)
    return out


@pytest.fixture(scope="session")
def finished_run(repo, tiny_sample, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("run")
    overrides = {"sample": {"dir": str(tiny_sample)}, "vae": {"epochs": 5}}
    (workdir / "test_config.yaml").write_text(yaml.safe_dump(overrides))
    result = snakemake(repo, workdir, "--configfile", "test_config.yaml")
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir, result


def _unavailable(reason: str):
    if os.environ.get("SYMFIND_REQUIRE_TEST_SERVICES") == "1":
        pytest.fail(f"TAP server required but unavailable: {reason}")
    pytest.skip(f"TAP SERVER TESTS SKIPPED: {reason}")


@pytest.fixture(scope="session")
def tap_server(repo, tiny_sample):
    """A real TAP server with the tiny sky; skipped (or, in CI, failed) where DaCHS cannot run."""
    if shutil.which("dachs") is None:
        _unavailable("GAVO DaCHS is not installed (run `make test` as root, or apt-get install gavodachs2-server)")
    env = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run(["bash", str(repo / "tests" / "dachs" / "serve.sh"), str(tiny_sample)], env=env,
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        _unavailable(f"tests/dachs/serve.sh failed: {result.stderr[-2000:]}")
    return TAP_URL
