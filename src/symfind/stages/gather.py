"""The one runner of the ``gather_*`` rules: per-tile tables into one product each.

A per-tile product is gathered in one of three ways, none of which holds the sky where its tiles
hold their own objects:

- the epochs, the largest, tile by tile into the product (:data:`STREAMED`, :func:`stream_tiles`:
  one tile in memory at a time), their rows grouped by tile;
- the per-object products (:data:`SORTED`: colours, the objects after the cuts, extinction, Gaia
  DR3 evidence) in ``object_id`` order across the sky, in parts of at most
  :data:`GATHER_PART_ROWS` objects (:func:`stream_sorted_tiles`);
- the small ones (distances, the cut-flow) concatenated in memory (:data:`COMBINE`).

The CSV twins are rules of their own (:mod:`symfind.stages.twins`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..photometry.cuts import total_cutflow
from ..query.epochs import sort_epochs
from ..io import write_table
from ..query.tiles import gather as concat_tiles

log = logging.getLogger(__name__)


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

#: Per-object products gathered in ``object_id`` order (unique across tiles) by
#: :func:`stream_sorted_tiles`.
SORTED: tuple[str, ...] = ("extinction", "gaia_dr3", "after_cuts", "colours")

#: Objects per part of a sorted gather (:func:`stream_sorted_tiles`): its memory is that many rows
#: of the product beside the tiles that hold them, whatever the sky.
GATHER_PART_ROWS = 100_000

#: How each of the small per-tile products is gathered (in memory).
COMBINE: dict[str, Callable[[Sequence[str]], pd.DataFrame]] = {
    "distances": _shared("source_id"),
    "distances_missing": _shared("source_id"),
    "cutflow": lambda paths: total_cutflow([pd.read_parquet(p) for p in paths]),
}


def stream_tiles(paths: Sequence[str | Path], order: Callable[[pd.DataFrame], pd.DataFrame], out: str | Path,
                 key: str = "object_id") -> int:
    """The tiles' Parquet tables, each put in order by ``order``, appended one after the other to
    the Parquet file ``out`` (written atomically; one row group or more per tile), so that only one
    tile's table is in memory at a time. ``key`` must not repeat across tiles (checked with the keys
    seen so far: one integer column). Returns the rows written."""
    import numpy as np

    from ..io import InputError, parquet_parts

    seen = []
    with parquet_parts(out) as product:
        for path in paths:
            table = pd.read_parquet(path)
            if len(table):
                table = order(table)
                keys = np.unique(table[key].to_numpy())
                if seen and np.isin(keys, np.concatenate(seen), assume_unique=True).any():
                    raise InputError(f"per-tile tables overlap: {path} repeats {key}s of an earlier tile")
                seen.append(keys)
            product.append(table)  # an empty tile adds nothing (the last one gives the schema if all are)
            del table
    return product.rows


def stream_sorted_tiles(paths: Sequence[str | Path], out: str | Path, key: str = "object_id",
                        part_rows: int = GATHER_PART_ROWS) -> int:
    """The tiles' Parquet tables gathered into ``out`` in ``key`` order across all of them, the
    same table as concatenating them and sorting (:func:`symfind.query.tiles.gather`), without holding
    them: the keys are read first (one column), then the product is written in parts of at most
    ``part_rows`` consecutive keys, each part from the tiles whose keys it spans (a tile read with a
    range filter). Where each tile holds a range of keys of its own (ids given per region, as the
    surveys and the generator give them) every tile is read about once; where the ranges
    interleave, a tile is read once per part it spans, and memory stays that of a part and a tile.
    ``key`` must not repeat across tiles (:class:`symfind.io.InputError` naming the first repeated
    key; nothing is written). Returns the rows written."""
    import numpy as np
    import pyarrow.parquet as pq

    from ..io import key_ranges, parquet_parts
    from ..query.tiles import require_no_overlap

    paths = list(paths)
    keys = [pq.read_table(p, columns=[key]).column(key).to_numpy() for p in paths]
    everything = require_no_overlap(np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64), key)  # sorted
    spans = [(k.min(), k.max()) if len(k) else None for k in keys]
    # the columns' types as concatenating the tiles would make them (an integer column that some
    # tile has missing values in becomes float in all)
    heads = [pq.read_schema(p).empty_table().to_pandas() for p, span in zip(paths, spans) if span is not None]
    dtypes = pd.concat(heads, ignore_index=True).dtypes if heads else None
    with parquet_parts(out) as product:
        if not len(everything):  # no object in any tile: the columns of the first tile
            product.append(pd.read_parquet(paths[0]) if paths else pd.DataFrame())
            return 0
        for low, high, filters in key_ranges(everything, part_rows, key):
            parts = [pd.read_parquet(path, filters=filters) for path, span in zip(paths, spans)
                     if span is not None and span[1] >= low and (high is None or span[0] < high)]
            table = pd.concat(parts, ignore_index=True).sort_values(key, kind="stable", ignore_index=True)
            changed = {c: t for c, t in dtypes.items() if table[c].dtype != t}
            product.append(table.astype(changed) if changed else table)
            del table, parts
    return product.rows


def gather_tiles(inputs: Mapping[str, Sequence[str]], outputs: Mapping[str, str | Path]) -> dict[str, pd.DataFrame | int]:
    """Rule ``gather_<product>``: for each per-tile product named in ``inputs`` (name -> the tiles'
    Parquet files), the gathered table written to ``outputs[name]`` (CSV twins:
    :mod:`symfind.stages.twins`). Returns each gathered table, or for a product of
    :data:`STREAMED` or :data:`SORTED` (written in parts) the number of its rows."""
    tables: dict[str, pd.DataFrame | int] = {}
    for name, paths in inputs.items():
        if name in STREAMED:
            tables[name] = stream_tiles(list(paths), STREAMED[name], outputs[name])
            log.info("%s: %d rows gathered from %d tiles, one tile at a time", name, tables[name], len(paths))
            continue
        if name in SORTED:
            tables[name] = stream_sorted_tiles(list(paths), outputs[name])
            log.info("%s: %d rows gathered from %d tiles in object_id order, in parts of at most %d", name, tables[name],
                     len(paths), GATHER_PART_ROWS)
            continue
        if name not in COMBINE:
            raise KeyError(f"no gather rule for per-tile product {name!r}; expected one of {', '.join([*STREAMED, *SORTED, *COMBINE])}")
        table = COMBINE[name](list(paths))
        log.info("%s: %d rows gathered from %d tiles", name, len(table), len(paths))
        write_table(table, outputs[name])
        tables[name] = table
    return tables
