"""The one runner of the ``gather_*`` rules: per-tile tables into one product each.

Every per-tile product is gathered the same way: the tiles' tables concatenated and put in the
product's order (:data:`COMBINE` says, per product, which key orders it and whether a row may
appear in two tiles). The CSV twins are rules of their own (:mod:`symfind.stages.twins`).
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


#: How each per-tile product is gathered.
COMBINE: dict[str, Callable[[Sequence[str]], pd.DataFrame]] = {
    "epochs": lambda paths: sort_epochs(concat_tiles(paths)),
    "distances": _shared("source_id"),
    "distances_missing": _shared("source_id"),
    "extinction": _unique("object_id"),
    "gaia_dr3": _unique("object_id"),
    "after_cuts": _unique("object_id"),
    "cutflow": lambda paths: total_cutflow([pd.read_parquet(p) for p in paths]),
    "colours": _unique("object_id"),
}


def gather_tiles(inputs: Mapping[str, Sequence[str]], outputs: Mapping[str, str | Path]) -> dict[str, pd.DataFrame]:
    """Rule ``gather_<product>``: for each per-tile product named in ``inputs`` (name -> the tiles'
    Parquet files), the gathered table written to ``outputs[name]`` (CSV twins:
    :mod:`symfind.stages.twins`)."""
    tables = {}
    for name, paths in inputs.items():
        if name not in COMBINE:
            raise KeyError(f"no gather rule for per-tile product {name!r}; expected one of {', '.join(COMBINE)}")
        table = COMBINE[name](list(paths))
        log.info("%s: %d rows gathered from %d tiles", name, len(table), len(paths))
        write_table(table, outputs[name])
        tables[name] = table
    return tables
