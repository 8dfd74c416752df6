"""Stage 2: Bailer-Jones et al. (2018) geometric distances of the selected Gaia DR2 sources.

Every requested ``source_id`` is accounted for: found (in ``bailer_jones_distances.csv``) or listed
in ``distances_missing.csv``; the counts go to the log. No ``TOP`` limit anywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..io import InputError


def lookup_distances(source_ids: np.ndarray, table: pd.DataFrame, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Distances of ``source_ids`` from a Bailer-Jones table; returns ``(found, missing)``.

    ``found`` has the archive columns (pc), one row per requested id present in ``table``;
    ``missing`` has the requested ids that are not.
    """
    dup = table["source_id"].duplicated()
    if dup.any():
        raise InputError(f"{source}: column 'source_id' must be unique; {int(dup.sum())} duplicate(s)")
    requested = pd.Index(pd.unique(np.asarray(source_ids, dtype=np.int64)))
    found = table[table["source_id"].isin(requested)][list(C.DISTANCE_COLUMNS)]
    found = found.sort_values("source_id", kind="stable", ignore_index=True)
    missing = pd.DataFrame({"source_id": requested.difference(found["source_id"]).sort_values().to_numpy(dtype=np.int64)})
    if len(found) + len(missing) != len(requested):  # pragma: no cover - invariant
        raise AssertionError("distance bookkeeping lost ids")
    return found, missing
