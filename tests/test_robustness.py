"""Killed jobs leave nothing a later run would trust; the same config and seed give the same bytes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers import snakemake, snakemake_command
from symfind.io import InputError, read_table
from symfind.products import PRODUCTS

WRITER = """
import sys
import numpy as np, pandas as pd
from symfind.io import write_table
frame = pd.DataFrame(np.random.default_rng(0).normal(size=(3_000_000, 8)), columns=list("abcdefgh"))
write_table(frame, sys.argv[1])
"""


def test_write_killed_midway_leaves_no_product(tmp_path):
    target = tmp_path / "big.csv"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)])
    deadline = time.time() + 120
    partial = []
    while time.time() < deadline and proc.poll() is None:
        partial = [p for p in tmp_path.glob(".big.csv.*.tmp") if p.stat().st_size > 1_000_000]
        if partial:
            break
        time.sleep(0.02)
    assert partial, "the writer finished before it could be killed"
    proc.kill()
    proc.wait()
    assert not target.exists()  # the product never appears half-written
    with pytest.raises(InputError, match="does not exist"):
        read_table(target)


#: The one thing two runs may write differently: the date in the tables and the browser that say
#: when they were written (FITS DATE card, VOTable INFO, the page's footer).
_WRITE_DATE = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _products(results: Path) -> dict[str, bytes]:
    skip = ("logs", "benchmarks")
    out = {}
    for path in sorted(results.rglob("*")):
        if path.is_file() and path.relative_to(results).parts[0] not in skip:
            data = path.read_bytes()
            if path.suffix in (".fits", ".vot", ".html"):
                data = _WRITE_DATE.sub(b"YYYY-MM-DDThh:mm:ss", data)
            out[str(path.relative_to(results))] = data
    return out


def test_killed_run_resumes_to_the_same_products(repo, finished_run, tmp_path):
    (tmp_path / "test_config.yaml").write_text((finished_run[0] / "test_config.yaml").read_text())
    command = snakemake_command(repo, tmp_path, "--configfile", "test_config.yaml")
    proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    vae_log = tmp_path / "results" / "logs" / "train_vae.log"
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None and not vae_log.exists():
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # snakemake and its running job, as an out-of-memory kill or a power cut would
    proc.wait()
    results = tmp_path / "results"
    assert not (results / PRODUCTS["vae_fit"]).exists() and not (results / PRODUCTS["vae_scores"]).exists()
    for path in results.glob("*.parquet"):  # whatever exists is whole
        pd.read_parquet(path)
    # what the README says to do after a crash: release the lock, rerun what was incomplete
    assert snakemake(repo, tmp_path, "--configfile", "test_config.yaml", "--unlock").returncode == 0
    rerun = snakemake(repo, tmp_path, "--configfile", "test_config.yaml", "--rerun-incomplete")
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert "rule select_objects:" not in rerun.stdout  # finished stages are not redone
    mine, reference = _products(results), _products(finished_run[0] / "results")
    assert mine.keys() == reference.keys()
    different = [name for name in mine if mine[name] != reference[name]]
    assert not different, different


def test_same_config_and_seed_give_identical_bytes(repo, finished_run, tmp_path):
    """Determinism: a second run from scratch writes byte-identical products (plots included), but
    for the date on which the FITS, VOTable and browser files say they were written."""
    (tmp_path / "test_config.yaml").write_text((finished_run[0] / "test_config.yaml").read_text())
    result = snakemake(repo, tmp_path, "--configfile", "test_config.yaml")
    assert result.returncode == 0, result.stdout[-3000:]
    mine, reference = _products(tmp_path / "results"), _products(finished_run[0] / "results")
    assert mine.keys() == reference.keys()
    different = [name for name in mine if mine[name] != reference[name]]
    assert not different, different


def test_a_crowded_scatter_draws_a_fixed_subset_and_every_marked_object():
    """Beyond MAX_BACKGROUND_POINTS background points a panel draws a fixed random subset (the
    same on every run) and says so in its legend; fewer are drawn whole."""
    import numpy as np

    from symfind.present.plots.figure import MAX_BACKGROUND_POINTS, drawn, drawn_note

    many = np.ones(MAX_BACKGROUND_POINTS + 500, dtype=bool)
    many[:10] = False
    kept = drawn(many)
    assert kept.sum() == MAX_BACKGROUND_POINTS and not kept[:10].any()
    assert np.array_equal(kept, drawn(many))
    few = np.zeros(100, dtype=bool)
    few[::3] = True
    assert np.array_equal(drawn(few), few) and drawn_note(len(few)) == ""
    assert drawn_note(len(many)) == f"; {MAX_BACKGROUND_POINTS:,d} drawn"
