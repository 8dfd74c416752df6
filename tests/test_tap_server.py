"""The TAP stages against a real IVOA TAP server: GAVO DaCHS on loopback, serving the tiny sample sky.

`make test` installs DaCHS (tests/install_services.sh); the session's hermetic instance
(tests/dachs_service.py: its own PostgreSQL cluster, root folder and port) serves the sky. Where the server cannot run, the tests are skipped with the reason,
unless SYMFIND_REQUIRE_TEST_SERVICES=1 (set by .ci/run), which turns that into a failure.
"""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from symfind.products import PRODUCTS
from helpers import planned_jobs, snakemake


TILES = [112, 113, 138, 168]
UPSTREAM = [PRODUCTS[k] for k in ("selection_csv", "selection", "epochs", "distances", "distances_csv", "distances_missing",
                                   "gaia_dr3")]


def _tap_config(workdir: Path, tiny_sample: Path, url: str, **tap) -> str:
    config = {
        "source": "tap",
        "sample": {"dir": str(tiny_sample)},
        "sky": {"tiles": TILES},
        "tap": {"skymapper": url, "gaia": url, "backoff_s": 0.2, "upload_chunk": 150, **tap},
        "report": {"n_candidates": 3},  # a few evidence figures (they are tested in test_evidence)
    }
    (workdir / "tap.yaml").write_text(yaml.safe_dump(config))
    return "tap.yaml"


@pytest.fixture(scope="module")
def tap_run(repo, tiny_sample, tap_server, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("tap_run")
    configfile = _tap_config(workdir, tiny_sample, tap_server)
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
    assert "FROM gaiadr3.dr2_neighbourhood AS t" in logs and "FROM gaiadr3.astrophysical_parameters AS t" in logs
    assert "CONTAINS(POINT('ICRS'" in logs
    assert len(list((workdir / "results" / "logs" / "select_tile").glob("*.log"))) == len(TILES)


def test_deleted_tile_is_refetched_alone(repo, tap_run):
    """The state a failed tile leaves (its products and the gathered tables missing): the rerun
    queries that tile alone and refetches nothing that completed."""
    workdir, configfile, _ = tap_run
    before = _read(workdir / "results" / PRODUCTS["selection"])
    for path in [workdir / "results" / "tiles" / "113" / f"{name}.parquet"
                 for name in ("selection", "epochs", "distances", "distances_missing", "gaia_dr3")]:
        path.unlink()
    for name in UPSTREAM:
        (workdir / "results" / name).unlink()
    targets = [f"results/{p}" for p in UPSTREAM]
    plan = snakemake(repo, workdir, *targets, "--configfile", configfile, "-n")
    jobs = plan.stdout
    assert planned_jobs(jobs) == {"select_tile", "fetch_epochs", "fetch_distances", "fetch_gaia_dr3", "select_objects",
                                   "gather_epochs", "gather_distances", "gather_gaia_dr3", "csv_twin_selection",
                                   "csv_twin_distances"}
    assert "tiles/113/selection.parquet" in jobs and "tiles/112/selection.parquet" not in jobs.split("select_objects")[0]
    rerun = snakemake(repo, workdir, *targets, "--configfile", configfile)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert rerun.stdout.count("rule select_tile:") == 1
    pd.testing.assert_frame_equal(_read(workdir / "results" / PRODUCTS["selection"]), before)


def test_overflow_splits_tiles_and_keeps_every_row(repo, tiny_sample, tap_server, tap_run, tmp_path):
    configfile = _tap_config(tmp_path, tiny_sample, tap_server, maxrec=350, max_split_depth=2)
    result = snakemake(repo, tmp_path, f"results/{PRODUCTS['selection']}", "--configfile", configfile)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "overflowed; splitting" in result.stdout
    pd.testing.assert_frame_equal(_read(tmp_path / "results" / PRODUCTS["selection"]),
                                  _read(tap_run[0] / "results" / PRODUCTS["selection"]))


def test_overflow_that_cannot_split_fails_saying_so(repo, tiny_sample, tap_server, tmp_path):
    configfile = _tap_config(tmp_path, tiny_sample, tap_server, maxrec=20, max_split_depth=0, retries=0)
    result = snakemake(repo, tmp_path, f"results/{PRODUCTS['selection']}", "--configfile", configfile)
    assert result.returncode != 0
    assert "truncated at the row limit" in result.stdout and "cannot be split further" in result.stdout
    assert not (tmp_path / "results" / PRODUCTS["selection"]).exists()


def test_two_hermetic_servers_run_at_once_each_with_its_own_sky(tap_server, tmp_path):
    """A second instance beside the session's: its own cluster, root and port; each serves its own
    tables, nothing is left behind, and neither is the system-wide DaCHS (port 8080)."""
    from dachs_service import DachsInstance
    from symfind.mock import write_sample
    from symfind.query.tap import TapRunner

    small = tmp_path / "small_sky"
    write_sample(small, n_objects=200, seed=11)
    second = DachsInstance("symfind-second").start(small)
    try:
        assert second.url != tap_server and ":8080/" not in second.url and ":8080/" not in tap_server
        counts = [TapRunner(url=url, maxrec=None, timeout_s=60, retries=0, backoff_s=0.1)
                  .run("SELECT COUNT(*) AS n FROM dr2.master", "count")["n"].iloc[0] for url in (tap_server, second.url)]
        assert counts[1] == len(pd.read_parquet(small / "dr2_master.parquet")) and counts[0] != counts[1]
    finally:
        second.stop()
    assert not second.root.exists()


def test_over_tap_a_tile_list_with_an_empty_tile_completes(repo, tiny_sample, tap_server, tmp_path):
    empty = next(t for t in range(192) if t not in TILES)
    configfile = _tap_config(tmp_path, tiny_sample, tap_server)
    config = yaml.safe_load((tmp_path / configfile).read_text())
    config["sky"]["tiles"] = [TILES[0], empty]
    config["vae"] = {"epochs": 3, "compare_losses": False}
    (tmp_path / configfile).write_text(yaml.safe_dump(config))
    result = snakemake(repo, tmp_path, "--configfile", configfile)
    assert result.returncode == 0, result.stdout[-4000:]
    tile_epochs = pd.read_parquet(tmp_path / "results" / "tiles" / str(empty) / "epochs.parquet")
    assert tile_epochs.empty and not pd.api.types.is_numeric_dtype(tile_epochs["filter"])  # typed, not float64
    assert (tmp_path / "results" / PRODUCTS["summary"]).exists()
    assert len(pd.read_parquet(tmp_path / "results" / PRODUCTS["analysed"])) > 0


def test_over_tap_only_empty_tiles_stop_saying_so(repo, tiny_sample, tap_server, tmp_path):
    empties = [t for t in range(192) if t not in TILES][:2]
    configfile = _tap_config(tmp_path, tiny_sample, tap_server)
    config = yaml.safe_load((tmp_path / configfile).read_text())
    config["sky"]["tiles"] = empties
    (tmp_path / configfile).write_text(yaml.safe_dump(config))
    result = snakemake(repo, tmp_path, "--configfile", configfile)
    assert result.returncode != 0
    assert f"returned no object in tile(s) {empties[0]}, {empties[1]}" in result.stdout and "'sky.tiles'" in result.stdout
    assert not (tmp_path / "results" / PRODUCTS["analysed"]).exists()


def test_dr4_over_tap_gives_the_same_selection_colours_and_candidates(repo, tiny_sample, tap_server, tmp_path):
    """``release: dr4`` against the server's DR4 tables (dr4.master, ext.gaia_dr3, dr4.photometry,
    dr4.images, "external".gaiaedr3_distance: the same objects under DR4's table and column names)
    gives what ``release: dr2`` gives from the sample's own DR2 tables: the same selection, epochs,
    colours and both candidate lists (the 2021 table has no result_flag, so both runs keep every
    distance)."""
    # without the Gaia DR3 tables: the mock's DR4 master keeps the DR2 numbers as its Gaia ids, and
    # some of the mock's DR3 ids differ from them (the DR2 run maps them through dr2_neighbourhood)
    common = {"vae": {"epochs": 5}, "report": {"n_candidates": 2}, "cuts": {"distance_result_flags": None},
              "gaia_dr3": {"tables": []}}
    runs = {}
    for release in ("dr4", "dr2"):
        workdir = tmp_path / release
        workdir.mkdir()
        if release == "dr4":
            _tap_config(workdir, tiny_sample, tap_server)
            config = {**yaml.safe_load((workdir / "tap.yaml").read_text()), **common, "release": "dr4"}
        else:
            config = {"sample": {"dir": str(tiny_sample)}, **common}
        (workdir / "c.yaml").write_text(yaml.safe_dump(config))
        result = snakemake(repo, workdir, "--configfile", "c.yaml")
        assert result.returncode == 0, result.stdout[-5000:]
        runs[release] = workdir / "results"
    logs = "".join(p.read_text() for p in (runs["dr4"] / "logs").rglob("*.log"))
    assert "FROM dr4.master AS m" in logs and "m.gaia_dr3_id1 AS gaia_dr2_id1" in logs
    assert "FROM dr4.photometry AS p" in logs and '"external".gaiaedr3_distance' in logs
    for key in ("selection", "epochs", "colours", "candidates_csv", "candidates_ranked"):
        pd.testing.assert_frame_equal(_read(runs["dr4"] / PRODUCTS[key]), _read(runs["dr2"] / PRODUCTS[key]), obj=key)
    distances = {release: _read(runs[release] / PRODUCTS["distances"]) for release in runs}
    pd.testing.assert_frame_equal(distances["dr4"][["source_id", "r_est", "r_lo", "r_hi"]],
                                  distances["dr2"][["source_id", "r_est", "r_lo", "r_hi"]])
    assert distances["dr4"]["result_flag"].isna().all()  # Bailer-Jones 2021 has none
    assert "release: dr4" in (runs["dr4"] / PRODUCTS["config_used"]).read_text()


def _upstream_compared(workdir: Path, finished_run) -> dict[str, int]:
    """The TAP run's selection, epochs and distances equal the sample run's rows of the same
    objects (``source: sample`` reads the same sky as local tables); their row counts."""
    results, local = workdir / "results", finished_run[0] / "results"
    selected = _read(results / PRODUCTS["selection"])
    counts = {"selection": len(selected)}
    for key, id_column, key_column in (("selection", "object_id", "object_id"), ("epochs", "object_id", "object_id"),
                                       ("distances", "gaia_dr2_id1", "source_id")):
        tap, mine = _read(results / PRODUCTS[key]), _read(local / PRODUCTS[key])
        mine = mine[mine[key_column].isin(selected[id_column])]
        drop = [c for c in ("tile",) if c in tap.columns]  # the tiling differs: the rows do not
        pd.testing.assert_frame_equal(tap.drop(columns=drop).sort_values(list(tap.columns.drop(drop)), ignore_index=True),
                                      mine.drop(columns=drop).sort_values(list(mine.columns.drop(drop)), ignore_index=True), obj=key)
        counts[key] = len(tap)
    assert not list(results.rglob("*.parts")), "the kept upload parts are removed once the products are written"
    return counts


def test_default_row_limit_does_not_truncate_a_tile_of_more_epochs(repo, tiny_sample, tap_server, finished_run, tmp_path):
    """DaCHS as installed gives 20,000 rows to a job that sets no MAXREC: a tile of more epochs in one
    upload chunk (tap.maxrec null, the default chunk) gets them all, the runner asking for the
    service's hard limit."""
    configfile = _tap_config(tmp_path, tiny_sample, tap_server, upload_chunk=10000)
    config = yaml.safe_load((tmp_path / configfile).read_text())
    config["sky"] = {"nside": 2, "tiles": [28]}  # tiles 112 and 113 of nside 4 in one
    (tmp_path / configfile).write_text(yaml.safe_dump(config))
    result = snakemake(repo, tmp_path, *[f"results/{PRODUCTS[k]}" for k in ("selection", "epochs", "distances")], "--configfile", configfile)
    assert result.returncode == 0, result.stdout[-5000:]
    counts = _upstream_compared(tmp_path, finished_run)
    assert counts["epochs"] > 20_000
    logs = "".join(p.read_text() for p in (tmp_path / "results" / "logs").rglob("*.log"))
    assert "allows at most 20000000 rows per job" in logs and "chunk 1/1" in logs and "overflowed" not in logs


@pytest.fixture(scope="module")
def small_limit_server(tiny_sample):
    """A second hermetic DaCHS with the same sky and a hard row limit of 100 ([async]hardMAXREC)."""
    from dachs_service import DachsInstance, DachsUnavailable

    from conftest import _unavailable

    try:
        instance = DachsInstance("symfind-limit", hard_maxrec=100).start(tiny_sample)
    except DachsUnavailable as reason:
        _unavailable(str(reason))
    yield instance.url
    instance.stop()


def test_a_small_hard_row_limit_splits_the_tile_and_both_uploads_and_keeps_every_row(repo, tiny_sample, small_limit_server,
                                                                                    finished_run, tmp_path):
    """Behind a service that allows 100 rows per job, a tile of 140 selected objects is split in
    four, its epochs (thousands of rows) and distances (140 rows) uploads are halved until each
    part fits, and the products equal the local tables'."""
    configfile = _tap_config(tmp_path, tiny_sample, small_limit_server, upload_chunk=10000)
    config = yaml.safe_load((tmp_path / configfile).read_text())
    config["sky"] = {"tiles": [138]}
    (tmp_path / configfile).write_text(yaml.safe_dump(config))
    result = snakemake(repo, tmp_path, *[f"results/{PRODUCTS[k]}" for k in ("selection", "epochs", "distances")], "--configfile", configfile)
    assert result.returncode == 0, result.stdout[-5000:]
    counts = _upstream_compared(tmp_path, finished_run)
    assert counts["selection"] > 100 and counts["distances"] > 100 and counts["epochs"] > 100 * 16
    logs = {p.parent.name: p.read_text() for p in (tmp_path / "results" / "logs").glob("*/138.log")}
    assert "allows at most 100 rows per job" in logs["select_tile"] and "overflowed; splitting into 4" in logs["select_tile"]
    for rule in ("fetch_epochs", "fetch_distances"):
        assert "it overflowed the row limit; splitting its" in logs[rule], rule
