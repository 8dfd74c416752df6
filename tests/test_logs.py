"""A job's log: every detail in its log file, only what needs a person's eye on the console."""

import logging

from symfind.logs import CONSOLE_LEVEL_VARIABLE, job_logging


def _run_job(log_file):
    with job_logging(log_file):
        logging.getLogger("symfind.stages.selection").info("selection ADQL: SELECT m.object_id FROM dr2.master AS m")
        logging.getLogger("symfind.stages.ranking").warning("rank_candidates skipped: no known star")


def test_details_go_to_the_log_file_and_warnings_also_to_the_console(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(CONSOLE_LEVEL_VARIABLE, raising=False)
    log_file = tmp_path / "logs" / "select_objects.log"
    _run_job(log_file)
    console = capsys.readouterr().err
    text = log_file.read_text()
    assert "SELECT m.object_id" in text and "skipped: no known star" in text
    assert "SELECT m.object_id" not in console
    assert "skipped: no known star" in console


def test_the_console_shows_everything_when_asked(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(CONSOLE_LEVEL_VARIABLE, "info")
    _run_job(tmp_path / "job.log")
    console = capsys.readouterr().err
    assert "SELECT m.object_id" in console and "skipped: no known star" in console
