"""What a stage does on a sky it cannot work on: it is skipped, says why, and the run goes on.

Every valid sky must complete: a small field has too few objects for a PCA, a user's table may
hold no known symbiotic star to learn from. A stage that meets such a sky raises :class:`Skipped`
with the reason and the number it needed; its runner still writes every product (tables with their
columns and no rows, figures that state the reason) and a one-line status file
(``results/status/<rule>.txt``: ``ran`` or ``skipped: <reason>``), which the summary and the report
show. Bad input is another matter: it stops the stage with :class:`symfind.io.InputError`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from .io import write_text

log = logging.getLogger(__name__)


class Skipped(Exception):
    """This stage cannot run on this sky; the message says why and what it needed."""


def write_status(path: str | Path, stage: str, skipped: Skipped | str | None = None, partly: list[str] | None = None) -> None:
    """Write the stage's status file and log it: ``<stage>: ran``, ``<stage>: skipped: <reason>``,
    or, where parts of it could not run, ``<stage>: ran without: <reason>; <reason>``."""
    if skipped:
        log.warning("%s skipped: %s", stage, skipped)
        write_text(f"{stage}: skipped: {skipped}\n", path)
    elif partly:
        log.warning("%s ran without: %s", stage, "; ".join(partly))
        write_text(f"{stage}: ran without: {'; '.join(partly)}\n", path)
    else:
        write_text(f"{stage}: ran\n", path)


def read_statuses(paths: Iterable[str | Path]) -> dict[str, str]:
    """``{stage: what it says}`` of the stages that did not run in full, from their status files."""
    notes = {}
    for path in paths:
        stage, _, rest = Path(path).read_text(encoding="utf-8").strip().partition(": ")
        if rest != "ran":
            notes[stage] = rest
    return notes
