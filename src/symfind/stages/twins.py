"""Rules csv_twin_<product>: the original scripts' CSV tables, written from the Parquet products
by jobs of their own (:data:`symfind.products.LEGACY_CSV` says which twin copies which product),
so that no stage waits for a CSV: on a 10^6-object sky the four largest twins took 58 s of
writing inside the stages that every later stage waits for."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..io import write_table
from ..tiles import TILE_COLUMN

log = logging.getLogger(__name__)

#: symfind's own bookkeeping columns, which the original scripts' tables did not have.
NOT_IN_TWINS = (TILE_COLUMN,)


def csv_twin(product_parquet: str | Path, out_csv: str | Path) -> pd.DataFrame:
    """Rule ``csv_twin_<product>``: the Parquet product ``product_parquet`` written as CSV
    (:func:`symfind.io.write_csv`: the shortest round-trip repr of every float, byte for byte what
    pandas writes), without :data:`NOT_IN_TWINS`."""
    table = pd.read_parquet(product_parquet)
    twin = table.drop(columns=[c for c in NOT_IN_TWINS if c in table.columns])
    write_table(twin, out_csv)
    log.info("%s: %d rows x %d columns written as %s", product_parquet, len(twin), len(twin.columns), out_csv)
    return twin
