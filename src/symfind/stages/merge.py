"""Runner of ``workflow/rules/merge.smk`` (stage 5): the analysed objects."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..io import InputError, write_table
from ..merge import merge_catalogue_colors, no_objects_message, unformed_colours, unformed_colours_note, with_gaia_dr3
from ..status import write_status

log = logging.getLogger(__name__)


def merge_catalogue(after_cuts_parquet: str | Path, colours_parquet: str | Path, out_parquet: str | Path,
                    selection_cutflow_csv: str | Path | None = None, cutflow_csv: str | Path | None = None,
                    out_status: str | Path | None = None, gaia_dr3_parquet: str | Path | None = None) -> pd.DataFrame:
    """Rule ``merge_catalogue``: the objects after the cuts inner-joined with their colours on
    ``object_id``, with their Gaia DR3 evidence where ``gaia_dr3_parquet`` is given
    (:func:`symfind.merge.with_gaia_dr3`). With no object left, stop with a message that names the criterion or cut that
    removed the last objects (from the cut-flows) and its config key. The status file names the
    colours that no analysed object has (a sky without epochs in some band)."""
    after_cuts = pd.read_parquet(after_cuts_parquet)
    colours = pd.read_parquet(colours_parquet)
    analysed = merge_catalogue_colors(after_cuts, colours)
    if gaia_dr3_parquet is not None:
        analysed = with_gaia_dr3(analysed, pd.read_parquet(gaia_dr3_parquet))
    if analysed.empty and selection_cutflow_csv is not None and cutflow_csv is not None:
        raise InputError(no_objects_message(pd.read_csv(selection_cutflow_csv), pd.read_csv(cutflow_csv), len(after_cuts)))
    log.info("analysed: %d objects after the cuts x %d with colours -> %d rows (%d objects after the cuts have no epochs)",
             len(after_cuts), len(colours), len(analysed), len(after_cuts) - len(analysed))
    write_table(analysed, out_parquet)
    if out_status is not None:
        note = unformed_colours_note(*unformed_colours(analysed))
        write_status(out_status, "merge_catalogue", partly=[note] if note else None)
    return analysed
