"""Runner of ``workflow/rules/merge.smk`` (stage 5): the analysed objects."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..io import InputError
from ..merge import merge_catalogue_colors, no_objects_message, unformed_colours, unformed_colours_note, with_gaia_dr3
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
    (:func:`symfind.merge.with_gaia_dr3`), in ``object_id`` order. Joined in parts of at most
    ``part_rows`` consecutive ids after the cuts, each read from the three tables with a range
    filter (the gathered tables are in id order, in row groups of that size), so that the job holds
    one part whatever the sky; the product is the table the join of the whole tables gives. With no
    object left, stop with a message that names the criterion or cut that removed the last objects
    (from the cut-flows) and its config key, and write nothing. The status file names the colours
    that no analysed object has (a sky without epochs in some band). Returns the rows written."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..io import atomic_path
    from ..merge import unobserved_colours

    ids = np.sort(pq.read_table(after_cuts_parquet, columns=["object_id"]).column("object_id").to_numpy())
    n_colours = pq.ParquetFile(colours_parquet).metadata.num_rows
    edges = ids[::max(1, int(part_rows))] if len(ids) else np.zeros(1, dtype=np.int64)
    unobserved: set[str] | None = None
    rows = 0
    with atomic_path(out_parquet) as tmp:
        writer = None
        try:
            for start, low in enumerate(edges):
                high = edges[start + 1] if start + 1 < len(edges) else None
                filters = None if not len(ids) else [("object_id", ">=", low)] + ([("object_id", "<", high)] if high is not None else [])
                part = merge_catalogue_colors(pd.read_parquet(after_cuts_parquet, filters=filters),
                                              pd.read_parquet(colours_parquet, filters=filters))
                if gaia_dr3_parquet is not None:
                    part = with_gaia_dr3(part, pd.read_parquet(gaia_dr3_parquet, filters=filters))
                if len(part):
                    missing = set(unobserved_colours(part))
                    unobserved = missing if unobserved is None else unobserved & missing
                elif rows or start < len(edges) - 1:
                    continue
                arrow = pa.Table.from_pandas(part, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, arrow.schema, compression="zstd")
                writer.write_table(arrow.cast(writer.schema))
                rows += len(part)
                del part, arrow
            if not rows and selection_cutflow_csv is not None and cutflow_csv is not None:
                raise InputError(no_objects_message(pd.read_csv(selection_cutflow_csv), pd.read_csv(cutflow_csv), len(ids)))
        finally:
            if writer is not None:
                writer.close()
    log.info("analysed: %d objects after the cuts x %d with colours -> %d rows (%d objects after the cuts have no epochs), "
             "joined in parts of at most %d", len(ids), n_colours, rows, len(ids) - rows, part_rows)
    if out_status is not None:
        note = unformed_colours_note(*unformed_colours(unobserved=sorted(unobserved or ())))
        write_status(out_status, "merge_catalogue", partly=[note] if note else None)
    return rows
