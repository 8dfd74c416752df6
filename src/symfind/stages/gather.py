"""The one runner of the ``gather_*`` rules: per-tile tables into one product each.

A per-tile product is gathered in one of two ways: the epochs, the largest, tile by tile into the
product (:data:`STREAMED`, :func:`stream_tiles`: one tile in memory at a time), the others
concatenated and put in the product's order (:data:`COMBINE` says, per product, which key orders
it and whether a row may appear in two tiles). The CSV twins are rules of their own (:mod:`symfind.stages.twins`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..cuts import total_cutflow
from ..epochs import sort_epochs
from ..io import write_table
from ..tiles import gather as concat_tiles

log = logging.getLogger(__name__)


def _unique(key: str) -> Callable[[Sequence[str]], pd.DataFrame]:
    """Tables whose ``key`` is unique across tiles (an object lies in one tile), ordered by it."""
    return lambda paths: concat_tiles(paths, key=key)


def _shared(key: str) -> Callable[[Sequence[str]], pd.DataFrame]:
    """Tables in which two tiles may hold the same ``key`` (one Gaia source matched by objects in
    two tiles): kept once, ordered by it."""
    return lambda paths: concat_tiles(paths).drop_duplicates(key).sort_values(key, ignore_index=True)


#: Per-tile products gathered tile by tile into the product (memory: one tile's table, whatever
#: the sky): each tile's table put in the product's order by this function, the tiles one after the
#: other in the order of their paths (an object lies in one tile). Their rows are grouped by tile,
#: not sorted across tiles; a reader selects rows by key (a Parquet filter), never by position.
STREAMED: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "epochs": sort_epochs,
}

#: How each of the other per-tile products is gathered (in memory).
COMBINE: dict[str, Callable[[Sequence[str]], pd.DataFrame]] = {
    "distances": _shared("source_id"),
    "distances_missing": _shared("source_id"),
    "extinction": _unique("object_id"),
    "gaia_dr3": _unique("object_id"),
    "after_cuts": _unique("object_id"),
    "cutflow": lambda paths: total_cutflow([pd.read_parquet(p) for p in paths]),
    "colours": _unique("object_id"),
}


def stream_tiles(paths: Sequence[str | Path], order: Callable[[pd.DataFrame], pd.DataFrame], out: str | Path,
                 key: str = "object_id") -> int:
    """The tiles' Parquet tables, each put in order by ``order``, appended one after the other to
    the Parquet file ``out`` (written atomically; one row group or more per tile), so that only one
    tile's table is in memory at a time. ``key`` must not repeat across tiles (checked with the keys
    seen so far: one integer column). Returns the rows written."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..io import InputError, atomic_path

    rows, seen = 0, []
    with atomic_path(out) as tmp:
        writer = None
        try:
            for k, path in enumerate(paths):
                table = pd.read_parquet(path)
                if not len(table) and (writer is not None or k < len(paths) - 1):
                    continue  # an empty tile adds nothing (the last one gives the schema if all are)
                table = order(table)
                keys = np.unique(table[key].to_numpy())
                if seen and np.isin(keys, np.concatenate(seen), assume_unique=True).any():
                    raise InputError(f"per-tile tables overlap: {path} repeats {key}s of an earlier tile")
                seen.append(keys)
                arrow = pa.Table.from_pandas(table, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, arrow.schema, compression="zstd")
                writer.write_table(arrow.cast(writer.schema))
                rows += len(table)
                del table, arrow
            if writer is None:  # no tile at all
                pd.DataFrame().to_parquet(tmp, index=False)
        finally:
            if writer is not None:
                writer.close()
    return rows


def gather_tiles(inputs: Mapping[str, Sequence[str]], outputs: Mapping[str, str | Path]) -> dict[str, pd.DataFrame | int]:
    """Rule ``gather_<product>``: for each per-tile product named in ``inputs`` (name -> the tiles'
    Parquet files), the gathered table written to ``outputs[name]`` (CSV twins:
    :mod:`symfind.stages.twins`). Returns each gathered table, or for a product of
    :data:`STREAMED` (written tile by tile) the number of its rows."""
    tables: dict[str, pd.DataFrame | int] = {}
    for name, paths in inputs.items():
        if name in STREAMED:
            tables[name] = stream_tiles(list(paths), STREAMED[name], outputs[name])
            log.info("%s: %d rows gathered from %d tiles, one tile at a time", name, tables[name], len(paths))
            continue
        if name not in COMBINE:
            raise KeyError(f"no gather rule for per-tile product {name!r}; expected one of {', '.join([*STREAMED, *COMBINE])}")
        table = COMBINE[name](list(paths))
        log.info("%s: %d rows gathered from %d tiles", name, len(table), len(paths))
        write_table(table, outputs[name])
        tables[name] = table
    return tables
