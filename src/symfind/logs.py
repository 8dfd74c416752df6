"""Logging set-up for workflow jobs: one readable log file per rule; the console sees only what
needs a person's eye (warnings and errors), so a run's screen stays short.

Every detail (counts, the ADQL sent, timings) is in ``results/logs/<rule>.log``. Set the
environment variable ``SYMFIND_CONSOLE_LOG=INFO`` to see it all on the console as well.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

#: Environment variable with the console's log level (a logging level name); WARNING by default.
CONSOLE_LEVEL_VARIABLE = "SYMFIND_CONSOLE_LOG"


def console_level() -> int:
    """The console's log level: ``SYMFIND_CONSOLE_LOG`` (e.g. ``INFO``) or WARNING."""
    name = os.environ.get(CONSOLE_LEVEL_VARIABLE, "WARNING").strip().upper()
    level = logging.getLevelName(name)
    return level if isinstance(level, int) else logging.WARNING


def setup_logging(log_file: str | Path | None = None, level: int = logging.INFO) -> logging.Logger:
    """Send ``symfind`` log records of ``level`` and above to ``log_file`` (if given), and those of
    :func:`console_level` and above to stderr (all of them when there is no log file); return the
    package logger."""
    logger = logging.getLogger("symfind")
    logger.setLevel(level)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(console_level() if log_file is not None else level)
    handlers: list[logging.Handler] = [console]
    if log_file is not None:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, mode="w", encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.propagate = False
    return logger


class job_logging:
    """Context manager for a workflow job: log to the rule's log file; log and re-raise any error."""

    def __init__(self, log_file: str | Path | None) -> None:
        self.logger = setup_logging(log_file)

    def __enter__(self) -> logging.Logger:
        return self.logger

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is not None:
            self.logger.error("%s: %s", exc_type.__name__, exc)
        for handler in self.logger.handlers:
            handler.flush()
        return False
