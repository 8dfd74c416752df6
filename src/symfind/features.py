"""Feature sets for the anomaly detectors and the PCA, built from the merged analysis table.

Derived features (IR colours) are computed into a new array; the table itself is never modified,
and missing values stay NaN here (how a model treats them is the model's business, on its copy).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import columns as C
from .io import InputError

#: Named feature sets: name -> list of (feature name, blue column, red column or None).
#: A feature with a red column is the difference ``blue - red``.
_IR_COLORS = (("j_h", "j_m", "h_m"), ("h_k", "h_m", "k_m"), ("w1_w2", "w1mpro", "w2mpro"), ("w3_w4", "w3mpro", "w4mpro"))

FEATURE_SETS: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    # The original README's input: SkyMapper u v g r i z and 2MASS J H K magnitudes.
    "magnitudes": tuple((c, c, None) for c in [f"{b}_psf" for b in C.SKYMAPPER_BANDS] + list(C.NIR_MAGS)),
    # The 15 independent nightly-weighted SkyMapper colours.
    "colors": tuple((C.color_name(a, b), C.color_name(a, b), None) for a, b in C.INDEPENDENT_COLOR_PAIRS),
    # The colours plus J-H, H-K, W1-W2, W3-W4 (what the later analysis used).
    "colors_ir": tuple((C.color_name(a, b), C.color_name(a, b), None) for a, b in C.INDEPENDENT_COLOR_PAIRS)
    + _IR_COLORS,
}


def feature_matrix(table: pd.DataFrame, feature_set: str) -> tuple[np.ndarray, list[str]]:
    """The ``(n_objects, n_features)`` float64 matrix of a named feature set (NaN where missing)."""
    if feature_set not in FEATURE_SETS:
        raise InputError(f"feature set {feature_set!r} is unknown; expected one of {', '.join(FEATURE_SETS)}")
    spec = FEATURE_SETS[feature_set]
    needed = sorted({c for _, blue, red in spec for c in (blue, red) if c})
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise InputError(f"feature set {feature_set!r} needs column(s) {', '.join(missing)} in the merged table")
    columns = []
    for _, blue, red in spec:
        values = table[blue].to_numpy(dtype=np.float64, na_value=np.nan)
        if red is not None:
            values = values - table[red].to_numpy(dtype=np.float64, na_value=np.nan)
        columns.append(np.where(np.isfinite(values), values, np.nan))
    return np.column_stack(columns), [name for name, _, _ in spec]
