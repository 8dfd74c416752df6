"""Runner of ``workflow/rules/merge.smk`` (stage 5): the analysed objects."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..io import InputError
from ..photometry.merge import merge_catalogue_colors, no_objects_message, unformed_colours, unformed_colours_note, with_gaia_dr3
from ..status import write_status

log = logging.getLogger(__name__)


#: Objects after the cuts joined per part (:func:`merge_catalogue`): its memory is that many
#: analysed rows, whatever the sky.
MERGE_PART_ROWS = 50_000


def merge_catalogue(after_cuts_parquet: str | Path, colours_parquet: str | Path, out_parquet: str | Path,
                    selection_cutflow_csv: str | Path | None = None, cutflow_csv: str | Path | None = None,
                    out_status: str | Path | None = None, gaia_dr3_parquet: str | Path | None = None,
                    part_rows: int = MERGE_PART_ROWS) -> int:
    """Rule ``merge_catalogue``: the objects after the cuts inner-joined with their colours on
    ``object_id``, with their Gaia DR3 evidence where ``gaia_dr3_parquet`` is given
    (:func:`symfind.photometry.merge.with_gaia_dr3`), in ``object_id`` order. Joined in parts of at most
    ``part_rows`` consecutive ids after the cuts, each read from the three tables with a range
    filter (the gathered tables are in id order, in row groups of that size), so that the job holds
    one part whatever the sky; the product is the table the join of the whole tables gives. With no
    object left, stop with a message that names the criterion or cut that removed the last objects
    (from the cut-flows) and its config key, and write nothing. The status file names the colours
    that no analysed object has (a sky without epochs in some band). Returns the rows written."""
    import numpy as np
    import pyarrow.parquet as pq

    from ..io import key_ranges, parquet_parts
    from ..photometry.merge import unobserved_colours

    ids = np.sort(pq.read_table(after_cuts_parquet, columns=["object_id"]).column("object_id").to_numpy())
    n_colours = pq.ParquetFile(colours_parquet).metadata.num_rows
    unobserved: set[str] | None = None
    with parquet_parts(out_parquet) as analysed:
        for _, _, filters in key_ranges(ids, part_rows):
            part = merge_catalogue_colors(pd.read_parquet(after_cuts_parquet, filters=filters),
                                          pd.read_parquet(colours_parquet, filters=filters))
            if gaia_dr3_parquet is not None:
                part = with_gaia_dr3(part, pd.read_parquet(gaia_dr3_parquet, filters=filters))
            if len(part):
                missing = set(unobserved_colours(part))
                unobserved = missing if unobserved is None else unobserved & missing
            analysed.append(part)
            del part
        if not analysed.rows and selection_cutflow_csv is not None and cutflow_csv is not None:
            raise InputError(no_objects_message(pd.read_csv(selection_cutflow_csv), pd.read_csv(cutflow_csv), len(ids)))
    rows = analysed.rows
    log.info("analysed: %d objects after the cuts x %d with colours -> %d rows (%d objects after the cuts have no epochs), "
             "joined in parts of at most %d", len(ids), n_colours, rows, len(ids) - rows, part_rows)
    if out_status is not None:
        note = unformed_colours_note(*unformed_colours(unobserved=sorted(unobserved or ())))
        write_status(out_status, "merge_catalogue", partly=[note] if note else None)
    return rows
