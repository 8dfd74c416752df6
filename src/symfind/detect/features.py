"""Feature sets for the anomaly detectors and the PCA, built from the merged analysis table.

Derived features (IR colours) are computed into a new array; the table itself is never modified,
and missing values stay NaN here (how a model treats them is the model's business, on its copy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import columns as C
from ..io import InputError

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
        raise InputError(f"feature set {feature_set!r} needs column(s) {', '.join(missing)} in the analysed table")
    columns = []
    for _, blue, red in spec:
        values = table[blue].to_numpy(dtype=np.float64, na_value=np.nan)
        if red is not None:
            values = values - table[red].to_numpy(dtype=np.float64, na_value=np.nan)
        columns.append(np.where(np.isfinite(values), values, np.nan))
    return np.column_stack(columns), [name for name, _, _ in spec]


#: The feature sets made of colours only: what the PCA of the colour space takes (``pca.features``).
COLOUR_FEATURE_SETS: tuple[str, ...] = ("colors", "colors_ir")

#: The 1-sigma error column of each magnitude column (mag): SkyMapper mean PSF magnitudes, 2MASS
#: total photometric uncertainties (``*_msigcom``), AllWISE profile-fit uncertainties.
MAGNITUDE_ERRORS: dict[str, str] = {
    **{f"{b}_psf": f"e_{b}_psf" for b in C.SKYMAPPER_BANDS},
    "j_m": "j_msigcom", "h_m": "h_msigcom", "k_m": "k_msigcom",
    **{f"w{k}mpro": f"w{k}sigmpro" for k in range(1, 5)},
}


def _error_column(table: pd.DataFrame, column: str) -> np.ndarray:
    """The 1-sigma error (mag) of a magnitude or SkyMapper colour column."""
    if column in MAGNITUDE_ERRORS:
        name = MAGNITUDE_ERRORS[column]
    elif column.count("_") == 1 and column.split("_")[0] in C.SKYMAPPER_BANDS:  # a colour x_y: e_x_y
        name = C.color_error_name(*column.split("_"))
    else:
        raise InputError(f"no measurement error is known for feature column {column!r}")
    if name not in table.columns:
        raise InputError(f"the error column {name!r} of {column!r} is not in the analysed table")
    return table[name].to_numpy(dtype=np.float64, na_value=np.nan)


def feature_errors(table: pd.DataFrame, feature_set: str) -> np.ndarray:
    """The 1-sigma measurement error (mag) of each entry of :func:`feature_matrix`.

    A difference of two magnitudes gets the two errors added in quadrature (the 2MASS and AllWISE
    colours); a SkyMapper colour has its own error from the colour stage. An error that is missing,
    not finite or not positive is NaN: such an entry counts as missing in an error-aware score.
    """
    X, _ = feature_matrix(table, feature_set)
    errors = []
    for _, blue, red in FEATURE_SETS[feature_set]:
        sigma = _error_column(table, blue)
        if red is not None:
            sigma = np.hypot(sigma, _error_column(table, red))
        errors.append(np.where(np.isfinite(sigma) & (sigma > 0), sigma, np.nan))
    E = np.column_stack(errors)
    return np.where(np.isfinite(X), E, np.nan)


#: The cool giant's properties that condition the giant-conditioned VAE (``vae.model:
#: conditional``): 2MASS J-H and H-K (mag), the dereddened (J-K)_0 and M_J of the cut stage (mag),
#: AllWISE W1-W2 and W3-W4 (mag), and the E(B-V) used to deredden (mag), so that the model can learn
#: what a reddening estimate that is too high or too low does to the optical colours.
CONDITION_FEATURES: tuple[tuple[str, str, str | None], ...] = (
    ("j_h", "j_m", "h_m"), ("h_k", "h_m", "k_m"), ("jk0", "jk0", None), ("abs_j", "abs_j", None),
    ("w1_w2", "w1mpro", "w2mpro"), ("w3_w4", "w3mpro", "w4mpro"), ("ebv", "ebv", None),
)
FEATURE_SETS["giant_condition"] = CONDITION_FEATURES

#: Bands a hot companion brightens (SkyMapper u and v: below and just above the Balmer jump).
HOT_BANDS: tuple[str, ...] = ("u", "v")


def optical_sed(table: pd.DataFrame, a_per_ebv: dict[str, float]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The dereddened optical SED that the giant-conditioned VAE models: the 15 independent
    SkyMapper colours ``(x - y)_0 = (x - y) - (A_x - A_y)/E(B-V) * E(B-V)`` (mag), their 1-sigma
    errors (mag, from the colour stage; NaN where missing or unusable) and their names (``x_y``).

    ``a_per_ebv``: A_band / E(B-V) for u v g r i z; ``E(B-V)`` is the table's ``ebv`` column (the
    value the cuts used). An object without ``ebv`` gets no dereddened colour.
    """
    missing_bands = [b for b in C.SKYMAPPER_BANDS if b not in a_per_ebv]
    if missing_bands:
        raise InputError(f"dereddening.a_per_ebv has no coefficient for band(s) {', '.join(missing_bands)}")
    if "ebv" not in table.columns:
        raise InputError("the dereddened optical SED needs column 'ebv' in the analysed table")
    X, names = feature_matrix(table, "colors")
    E = feature_errors(table, "colors")
    ebv = table["ebv"].to_numpy(dtype=np.float64, na_value=np.nan)
    reddening = np.array([float(a_per_ebv[a]) - float(a_per_ebv[b]) for a, b in C.INDEPENDENT_COLOR_PAIRS])
    X0 = X - reddening[None, :] * ebv[:, None]
    X0 = np.where(np.isfinite(X0), X0, np.nan)
    return X0, np.where(np.isfinite(X0), E, np.nan), names


def unobserved_features(X: np.ndarray, names: list[str]) -> list[str]:
    """The features (columns of ``X``, named by ``names``) that no object has: on a sky without
    epochs in a band, every colour of that band. A model leaves them out and says so."""
    return [name for name, seen in zip(names, np.isfinite(X).any(axis=0)) if not seen]


def hot_feature_mask(names: list[str]) -> np.ndarray:
    """Which features involve a hot band (u or v): colours ``x_y`` with x or y in u, v, and the
    magnitudes ``u_psf``, ``v_psf``; where a hot companion's light makes the object bluer (a
    smaller ``x - y``) or brighter (a smaller magnitude) than the giant alone."""
    return np.array([any(band in HOT_BANDS for band in name.split("_")) for name in names])


@dataclass(frozen=True)
class Standardiser:
    """Per-feature centre and scale (standard deviation, ddof 0), fitted on the observed entries: the
    one standardiser of the detectors, the ranking, the PCA and the VAE. ``centre`` is ``median``
    (robust: the detectors, the VAE) or ``mean`` (the PCA of complete rows)."""

    center: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray, allow_empty: bool = False, centre: str = "median",
            names: list[str] | None = None) -> Standardiser:
        """Fit on the finite entries of each column; a column without any raises, naming it by
        ``names`` (the feature names of the columns), unless ``allow_empty`` (then centre 0 and
        scale 1: every entry of it is missing anyway). A column without spread gets scale 1."""
        observed = np.isfinite(X).sum(axis=0)
        if np.any(observed == 0) and not allow_empty:
            empty = np.flatnonzero(observed == 0)
            named = ", ".join(names[k] for k in empty) if names is not None else f"at column indices {empty.tolist()}"
            raise InputError(f"feature(s) {named} have no observed value")
        center = np.zeros(X.shape[1])
        scale = np.ones(X.shape[1])
        seen = observed > 0
        if seen.any():  # each column's statistics over its own contiguous values (Fortran order)
            values = np.asfortranarray(np.where(np.isfinite(X[:, seen]), X[:, seen], np.nan))
            center[seen] = np.nanmedian(values, axis=0) if centre == "median" else np.nanmean(values, axis=0)
            spread = np.nanstd(values, axis=0)
            scale[seen] = np.where(spread > 0, spread, 1.0)
        return cls(center, scale)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """``(x - centre) / scale``; missing entries stay NaN."""
        return (X - self.center) / self.scale

    def filled(self, X: np.ndarray) -> np.ndarray:
        """:meth:`transform` with missing entries at 0 (the centre), for models that cannot take NaN."""
        Z = self.transform(X)
        return np.where(np.isfinite(Z), Z, 0.0)


def standardised_filled(X: np.ndarray) -> np.ndarray:
    """``(x - median) / std`` per feature, 0 where missing (a copy, for detectors that cannot take NaN)."""
    return Standardiser.fit(X, allow_empty=True).filled(X)
