"""TAP under faults: a fault-injecting proxy (tests/fault_proxy.py, loopback) in front of the real
DaCHS server. Every fault is retried with bounded, doubling backoff and then fails with a message
naming the tile or chunk and the service; completed tiles are kept, and a rerun ends with exactly
the rows of a fault-free run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from fault_proxy import FaultProxy
from helpers import planned_jobs, snakemake
from symfind.products import PRODUCTS
from symfind.query.selection import criteria_from_config
from symfind.query.sources.tap import EPOCHS_ADQL, fetch_selection_tile
from symfind.query.tap import TapError, TapOverflow, TapRunner, fetch_by_upload
from symfind.query.tiles import tile_cone

TILE = 112
RETRIES = 2
BACKOFF_S = 0.25
TIMEOUT_S = 6.0  # per request and per job; a warm loopback DaCHS answers in ~1 s


@pytest.fixture(scope="module")
def proxy(tap_server):
    server = FaultProxy(tap_server.rsplit("/", 1)[0])
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _no_faults_left(proxy, fault_free):  # fault_free: the server is warm before any fault test
    proxy.clear()
    yield
    proxy.clear()


@pytest.fixture(scope="module")
def criteria():
    from conftest import REPO

    return criteria_from_config(yaml.safe_load((REPO / "config.yaml").read_text())["selection"])


def _runner(proxy, timeout_s=TIMEOUT_S):
    sleeps: list[float] = []
    runner = TapRunner(proxy.url("/tap"), timeout_s=timeout_s, retries=RETRIES, backoff_s=BACKOFF_S, sleep=sleeps.append)
    return runner, sleeps


def _tile_marker(nside: int, tile: int) -> str:
    """A piece of the tile's ADQL that no other tile's query contains: its cone centre."""
    ra, dec, _ = tile_cone(nside, tile)
    return f"CIRCLE('ICRS', {ra:.8f}, {dec:.8f}"


@pytest.fixture(scope="module")
def fault_free(proxy, criteria):
    runner, _ = _runner(proxy, timeout_s=120)  # also warms up a freshly started server
    return fetch_selection_tile(runner, criteria, 4, TILE)


FAULTS = ["http500", "http503", "reset", "slow", "error", "aborted", "truncated"]


@pytest.mark.parametrize("kind", FAULTS)
def test_fault_is_retried_and_the_tile_completes(kind, proxy, criteria, fault_free):
    proxy.add(kind, _tile_marker(4, TILE), times=RETRIES, delay_s=TIMEOUT_S + 1)
    runner, sleeps = _runner(proxy)
    frame = fetch_selection_tile(runner, criteria, 4, TILE)
    pd.testing.assert_frame_equal(frame, fault_free)
    assert sleeps == [BACKOFF_S, 2 * BACKOFF_S]  # bounded, doubling backoff
    assert [k for k, _ in proxy.log].count(kind) >= RETRIES


@pytest.mark.parametrize("kind", FAULTS)
def test_persistent_fault_fails_naming_tile_and_service(kind, proxy, criteria):
    proxy.add(kind, _tile_marker(4, TILE), times=None, delay_s=TIMEOUT_S + 1)
    runner, sleeps = _runner(proxy)
    with pytest.raises(TapError) as info:
        fetch_selection_tile(runner, criteria, 4, TILE)
    message = str(info.value)
    assert f"selection tile {TILE} (nside 4)" in message and proxy.url("/tap") in message
    assert f"after {RETRIES + 1} attempts" in message
    assert sleeps == [BACKOFF_S, 2 * BACKOFF_S]


def test_overflow_splits_the_tile_and_loses_nothing(proxy, criteria, fault_free):
    proxy.add("overflow", _tile_marker(4, TILE), times=None)
    runner, sleeps = _runner(proxy)
    frame = fetch_selection_tile(runner, criteria, 4, TILE, max_split_depth=1)
    pd.testing.assert_frame_equal(frame.sort_values("object_id", ignore_index=True), fault_free.sort_values("object_id", ignore_index=True))
    assert sleeps == []  # an overflow is not retried as if it were a glitch
    assert ("overflow", _tile_marker(4, TILE)) in proxy.log


def test_overflow_that_cannot_be_split_fails(proxy, criteria):
    proxy.add("overflow", _tile_marker(4, TILE), times=None)
    runner, _ = _runner(proxy)
    with pytest.raises(TapOverflow, match=rf"selection tile {TILE} \(nside 4\): result truncated at the row limit of .*cannot be split"):
        fetch_selection_tile(runner, criteria, 4, TILE, max_split_depth=0)


def test_empty_result_is_an_empty_tile(proxy, criteria):
    runner, _ = _runner(proxy)
    frame = fetch_selection_tile(runner, criteria, 4, 0)  # a northern tile: no SkyMapper objects
    assert len(frame) == 0 and {"object_id", "raj2000", "j_m"} <= set(frame.columns)


@pytest.mark.parametrize("kind", ["http503", "truncated", "overflow"])
def test_dr4_names_under_faults_give_the_dr2_rows(kind, proxy, criteria, fault_free):
    """The same tile through the server's DR4 tables (DR4 table and column names, the same objects):
    a glitch is retried and an overflow split as under DR2, and the rows are DR2's."""
    from symfind.query.releases import archive_schema

    dr4 = archive_schema({"release": "dr4"})
    proxy.add(kind, _tile_marker(4, TILE), times=None if kind == "overflow" else RETRIES)
    runner, _ = _runner(proxy)
    frame = fetch_selection_tile(runner, criteria, 4, TILE, max_split_depth=1, schema=dr4)
    pd.testing.assert_frame_equal(frame.sort_values("object_id", ignore_index=True), fault_free.sort_values("object_id", ignore_index=True))
    assert (kind, _tile_marker(4, TILE)) in proxy.log


def test_upload_chunk_fault_names_the_chunk(proxy, fault_free):
    ids = np.sort(fault_free["object_id"].to_numpy())[:30]
    runner, _ = _runner(proxy)
    proxy.add("http503", "TAP_UPLOAD", times=None)
    with pytest.raises(TapError, match=rf"epochs test chunk 1/3 \(10 ids\): TAP query to {proxy.url('/tap')} failed after 3 attempts"):
        fetch_by_upload(runner, ids, "object_id", EPOCHS_ADQL, "epochs test", 10)
    proxy.clear()
    proxy.add("truncated", "TAP_UPLOAD", times=2)  # glitches in the first chunk only: retried, nothing lost
    glitchy = fetch_by_upload(runner, ids, "object_id", EPOCHS_ADQL, "epochs test", 10)
    clean = fetch_by_upload(runner, ids, "object_id", EPOCHS_ADQL, "epochs test", 10)
    pd.testing.assert_frame_equal(glitchy, clean)
    assert set(glitchy["object_id"]) == set(ids) and [k for k, _ in proxy.log].count("truncated") == 2


def test_failed_tile_keeps_the_others_and_a_rerun_completes_exactly(repo, proxy, tiny_sample, finished_run, tmp_path):
    tiles = [112, 113, 138, 168]
    config = {"source": "tap", "sample": {"dir": str(tiny_sample)}, "sky": {"tiles": tiles},
              "tap": {"skymapper": proxy.url("/tap"), "gaia": proxy.url("/tap"), "retries": 1, "backoff_s": 0.1,
                      "timeout_s": 30, "upload_chunk": 500}}
    (tmp_path / "tap.yaml").write_text(yaml.safe_dump(config))
    targets = [f"results/{PRODUCTS[k]}" for k in ("selection", "epochs", "distances")]
    proxy.add("http500", _tile_marker(4, 113), times=None)
    failed = snakemake(repo, tmp_path, *targets, "--configfile", "tap.yaml", "--keep-going")
    assert failed.returncode != 0
    tiles_dir = tmp_path / "results" / "tiles"
    assert not (tiles_dir / "113" / "selection.parquet").exists()
    for tile in (112, 138, 168):  # completed tiles are kept, with their photometry and distances
        for name in ("selection", "epochs", "distances"):
            assert (tiles_dir / str(tile) / f"{name}.parquet").exists(), (tile, name)
    assert not any((tmp_path / "results" / PRODUCTS[k]).exists() for k in ("selection", "epochs", "distances"))
    log = (tmp_path / "results" / "logs" / "select_tile" / "113.log").read_text()
    assert "selection tile 113 (nside 4)" in log and proxy.url("/tap") in log and "failed after 2 attempts" in log

    proxy.clear()  # the service recovers
    plan = snakemake(repo, tmp_path, *targets, "--configfile", "tap.yaml", "-n")
    assert planned_jobs(plan.stdout, counts=True)["select_tile"] == 1  # only the failed tile
    rerun = snakemake(repo, tmp_path, *targets, "--configfile", "tap.yaml")
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    for key in ("selection", "epochs", "distances"):  # exactly the rows of a fault-free run
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "results" / PRODUCTS[key]),
                                      pd.read_parquet(finished_run[0] / "results" / PRODUCTS[key]), obj=key)


def _counting(runner):
    """The pieces of work the runner is asked to run, in order."""
    asked: list[str] = []
    run = runner.run

    def counted(adql, what, uploads=None):
        asked.append(what)
        return run(adql, what, uploads)

    runner.run = counted
    return asked


@pytest.mark.parametrize("table", ["epochs", "distances"])
def test_an_overflowing_upload_chunk_is_halved_and_loses_nothing(table, proxy, fault_free):
    from symfind.query.sources.tap import DISTANCES_ADQL

    column, adql = ("object_id", EPOCHS_ADQL) if table == "epochs" else ("source_id", DISTANCES_ADQL)
    ids = np.sort(fault_free["object_id" if table == "epochs" else "gaia_dr2_id1"].to_numpy())[:40]
    runner, _ = _runner(proxy)
    clean = fetch_by_upload(runner, ids, column, adql, f"{table} test", 20)
    proxy.add("overflow", "TAP_UPLOAD", times=2)  # chunk 1 overflows, then its first half
    asked = _counting(runner)
    split = fetch_by_upload(runner, ids, column, adql, f"{table} test", 20)
    pd.testing.assert_frame_equal(split.sort_values(list(split.columns), ignore_index=True),
                                  clean.sort_values(list(clean.columns), ignore_index=True))
    assert [k for k, _ in proxy.log].count("overflow") == 2 and len(clean) > 0
    first, second = f"{table} test chunk 1/2 (20 ids)", f"{table} test chunk 2/2 (20 ids)"
    fives = [f"{half} part {k}/2 (5 ids)" for half in (f"{first} part 2/2 (10 ids)", f"{second} part 1/2 (10 ids)",
                                                     f"{second} part 2/2 (10 ids)") for k in (1, 2)]
    # after overflows at 20 and 10 ids, the rest of the fetch starts at 5: no query that must overflow again
    assert asked == [first, f"{first} part 1/2 (10 ids)", f"{first} part 1/2 (10 ids) part 1/2 (5 ids)",
                     f"{first} part 1/2 (10 ids) part 2/2 (5 ids)", *fives]
    proxy.clear()
    proxy.add("overflow", "TAP_UPLOAD", times=None)
    with pytest.raises(TapOverflow, match=rf"{table} test chunk 1/2 \(20 ids\) part 1/2 \(10 ids\): result truncated .* cannot be split further"):
        fetch_by_upload(runner, ids, column, adql, f"{table} test", 20, max_split_depth=1)


def test_a_resumed_upload_queries_only_the_parts_that_were_missing(proxy, fault_free, tmp_path):
    ids = np.sort(fault_free["object_id"].to_numpy())[:30]
    runner, _ = _runner(proxy)
    clean = fetch_by_upload(runner, ids, "object_id", EPOCHS_ADQL, "epochs test", 10)
    proxy.add("http503", f"<TD>{ids[25]}</TD>", times=None)  # the upload of chunk 3 fails every time
    with pytest.raises(TapError, match=r"epochs test chunk 3/3 \(10 ids\)"):
        fetch_by_upload(runner, ids, "object_id", EPOCHS_ADQL, "epochs test", 10, parts_dir=tmp_path / "parts")
    assert len(list((tmp_path / "parts").glob("*.parquet"))) == 2  # chunks 1 and 2 kept
    proxy.clear()
    asked = _counting(runner)
    resumed = fetch_by_upload(runner, ids, "object_id", EPOCHS_ADQL, "epochs test", 10, parts_dir=tmp_path / "parts")
    assert asked == ["epochs test chunk 3/3 (10 ids)"]
    pd.testing.assert_frame_equal(resumed, clean, check_dtype=False)


def test_without_maxrec_the_runner_asks_for_the_services_hard_limit(proxy):
    runner, _ = _runner(proxy)
    assert runner.maxrec is None
    assert runner.row_limit() == 20_000_000  # DaCHS's [async]hardMAXREC as installed, from its capabilities
    runner, _ = TapRunner(proxy.url("/tap"), maxrec=123), None
    assert runner.row_limit() == 123  # a configured limit is kept
