"""The TAP stages against a real IVOA TAP server: GAVO DaCHS on loopback, serving the tiny sample sky.

`make test` installs DaCHS (tests/install_services.sh); this module loads the sky and starts the
server (tests/dachs/serve.sh). Where the server cannot run, the tests are skipped with the reason,
unless SYMFIND_REQUIRE_TEST_SERVICES=1 (set by .ci/run), which turns that into a failure.
"""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from symfind.products import PRODUCTS
from helpers import planned_jobs, snakemake

from conftest import TAP_URL

TILES = [112, 113, 138, 168]
UPSTREAM = [PRODUCTS[k] for k in ("selection_csv", "selection", "epochs", "distances", "distances_csv", "distances_missing")]


def _tap_config(workdir: Path, tiny_sample: Path, **tap) -> str:
    config = {
        "source": "tap",
        "sample": {"dir": str(tiny_sample)},
        "sky": {"tiles": TILES},
        "tap": {"skymapper": TAP_URL, "gaia": TAP_URL, "backoff_s": 0.2, "upload_chunk": 150, **tap},
    }
    (workdir / "tap.yaml").write_text(yaml.safe_dump(config))
    return "tap.yaml"


@pytest.fixture(scope="module")
def tap_run(repo, tiny_sample, tap_server, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("tap_run")
    configfile = _tap_config(workdir, tiny_sample)
    result = snakemake(repo, workdir, *[f"results/{p}" for p in UPSTREAM], "--configfile", configfile)
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir, configfile, result


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def test_tap_gives_the_same_tables_as_the_sample(tap_run, finished_run):
    workdir, _, _ = tap_run
    for name in UPSTREAM:
        pd.testing.assert_frame_equal(_read(workdir / "results" / name), _read(finished_run[0] / "results" / name), obj=name)


def test_uploads_and_async_jobs_are_exercised(tap_run):
    workdir = tap_run[0]
    logs = "".join(p.read_text() for p in (workdir / "results" / "logs").rglob("*.log"))
    assert "JOIN TAP_UPLOAD.ids" in logs and "chunk 2/" in logs  # several upload chunks
    assert "CONTAINS(POINT('ICRS'" in logs
    assert len(list((workdir / "results" / "logs" / "query_selection_tile").glob("*.log"))) == len(TILES)


def test_deleted_tile_is_refetched_alone(repo, tap_run):
    """The state a failed tile leaves (its products and the gathered tables missing): the rerun
    queries that tile alone and refetches nothing that completed."""
    workdir, configfile, _ = tap_run
    before = _read(workdir / "results" / PRODUCTS["selection"])
    for path in [workdir / "results" / "tiles" / "113" / f"{name}.parquet" for name in ("selection", "epochs", "distances", "distances_missing")]:
        path.unlink()
    for name in UPSTREAM:
        (workdir / "results" / name).unlink()
    targets = [f"results/{p}" for p in UPSTREAM]
    plan = snakemake(repo, workdir, *targets, "--configfile", configfile, "-n")
    jobs = plan.stdout
    assert planned_jobs(jobs) == {"query_selection_tile", "fetch_epochs_tile", "fetch_distances_tile",
                                   "gather_selection", "gather_epochs", "gather_distances"}
    assert "tiles/113/selection.parquet" in jobs and "tiles/112/selection.parquet" not in jobs.split("gather_selection")[0]
    rerun = snakemake(repo, workdir, *targets, "--configfile", configfile)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert rerun.stdout.count("rule query_selection_tile:") == 1
    pd.testing.assert_frame_equal(_read(workdir / "results" / PRODUCTS["selection"]), before)


def test_overflow_splits_tiles_and_keeps_every_row(repo, tiny_sample, tap_run, tmp_path):
    configfile = _tap_config(tmp_path, tiny_sample, maxrec=350, max_split_depth=2)
    result = snakemake(repo, tmp_path, f"results/{PRODUCTS['selection']}", "--configfile", configfile)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "overflowed; splitting" in result.stdout
    pd.testing.assert_frame_equal(_read(tmp_path / "results" / PRODUCTS["selection"]),
                                  _read(tap_run[0] / "results" / PRODUCTS["selection"]))


def test_overflow_that_cannot_split_fails_saying_so(repo, tiny_sample, tap_server, tmp_path):
    configfile = _tap_config(tmp_path, tiny_sample, maxrec=20, max_split_depth=0, retries=0)
    result = snakemake(repo, tmp_path, f"results/{PRODUCTS['selection']}", "--configfile", configfile)
    assert result.returncode != 0
    assert "truncated at the row limit" in result.stdout and "cannot be split further" in result.stdout
    assert not (tmp_path / "results" / PRODUCTS["selection"]).exists()
