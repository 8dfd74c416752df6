"""Shared fixtures: the repository, the default config, a tiny generated sample sky, and one
finished workflow run on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from helpers import snakemake

REPO = Path(__file__).resolve().parents[1]


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
    from symfind.mock import write_sample

    out = tmp_path_factory.mktemp("tiny_sample")
    write_sample(out, n_objects=3000, seed=7)
    return out


@pytest.fixture(scope="session")
def finished_run(repo, tiny_sample, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("run")
    overrides = {"sample": {"dir": str(tiny_sample)}, "vae": {"epochs": 5}, "report": {"n_candidates": 4}}
    (workdir / "test_config.yaml").write_text(yaml.safe_dump(overrides))
    result = snakemake(repo, workdir, "--configfile", "test_config.yaml")
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir, result


def _unavailable(reason: str):
    if os.environ.get("SYMFIND_REQUIRE_TEST_SERVICES") == "1":
        pytest.fail(f"TAP server required but unavailable: {reason}")
    pytest.skip(f"TAP SERVER TESTS SKIPPED: {reason}")


@pytest.fixture(scope="session")
def tap_server(tiny_sample):
    """A real TAP server with the tiny sky, hermetic (tests/dachs_service.py: its own PostgreSQL
    cluster, DaCHS root folder and free port, stopped and removed after the session); skipped (or,
    in CI, failed) where DaCHS cannot run. Yields its TAP URL."""
    from dachs_service import DachsInstance, DachsUnavailable

    try:
        instance = DachsInstance("symfind-tests").start(tiny_sample)
    except DachsUnavailable as reason:
        _unavailable(str(reason))
    yield instance.url
    instance.stop()


@pytest.fixture(scope="module")
def slurm_cluster():
    """A hermetic one-node SLURM cluster (tests/slurm_service.py: its own munge, configuration,
    state and ports), one per test module, stopped and removed after it; skipped (or, in CI,
    failed) where slurm-wlm and munge cannot run."""
    from slurm_service import SlurmCluster, SlurmUnavailable

    try:
        cluster = SlurmCluster("symfind-tests").start()
    except SlurmUnavailable as reason:
        if os.environ.get("SYMFIND_REQUIRE_TEST_SERVICES") == "1":
            pytest.fail(f"SLURM test cluster required but unavailable: {reason}")
        pytest.skip(f"SLURM CLUSTER TEST SKIPPED: {reason}")
    yield cluster
    cluster.stop()


#: Fixtures that run the workflow or start a service: a test that takes one is in the slow layer
#: (``pytest -m "not slow"`` is the unit layer of the inner loop; ``make test`` runs both).
SLOW_FIXTURES = {"tiny_sample", "finished_run", "tap_server", "tap_run", "small_limit_server", "proxy", "fault_free",
                 "slurm_cluster"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
