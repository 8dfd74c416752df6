"""Rules csv_twin_<product>: the original scripts' CSV tables, written from the Parquet products
by jobs of their own (:data:`symfind.products.LEGACY_CSV` says which twin copies which product),
so that no stage waits for a CSV: on a 10^6-object sky the four largest twins took 58 s of
writing inside the stages that every later stage waits for."""

from __future__ import annotations

import logging
from pathlib import Path

from ..query.tiles import TILE_COLUMN

log = logging.getLogger(__name__)

#: symfind's own bookkeeping columns, which the original scripts' tables did not have.
NOT_IN_TWINS = (TILE_COLUMN,)


#: Rows of the Parquet product read and written at a time (:func:`csv_twin`).
TWIN_BATCH_ROWS = 20_000


def csv_twin(product_parquet: str | Path, out_csv: str | Path, batch_rows: int = TWIN_BATCH_ROWS) -> int:
    """Rule ``csv_twin_<product>``: the Parquet product ``product_parquet`` written as CSV
    (:func:`symfind.io.write_csv`: the shortest round-trip repr of every float, byte for byte what
    pandas writes for the whole table), without :data:`NOT_IN_TWINS`, ``batch_rows`` rows at a
    time, so that the job holds one batch whatever the product's size (written atomically).
    Returns the rows written."""
    import pyarrow.parquet as pq

    from ..io import atomic_path, write_csv

    product = pq.ParquetFile(product_parquet)
    dropped = [c for c in NOT_IN_TWINS if c in product.schema_arrow.names]
    rows = 0
    with atomic_path(out_csv) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        for batch in product.iter_batches(batch_size=max(1, int(batch_rows))):
            frame = batch.to_pandas().drop(columns=dropped)
            write_csv(frame, handle, header=rows == 0)
            rows += len(frame)
        if rows == 0:  # the header alone
            write_csv(product.schema_arrow.empty_table().to_pandas().drop(columns=dropped), handle)
    log.info("%s: %d rows x %d columns written as %s, %d rows at a time", product_parquet, rows,
             len(product.schema_arrow.names) - len(dropped), out_csv, batch_rows)
    return rows
