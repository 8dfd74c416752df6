"""Logging set-up for workflow jobs: one readable log file per rule, also echoed to stderr."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def setup_logging(log_file: str | Path | None = None, level: int = logging.INFO) -> logging.Logger:
    """Send ``symfind`` log records to ``log_file`` (if given) and stderr; return the package logger."""
    logger = logging.getLogger("symfind")
    logger.setLevel(level)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
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
