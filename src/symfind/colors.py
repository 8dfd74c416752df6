"""Stage 4: nightly inverse-variance weighted magnitudes and colours of u v g r i z.

For each object, night and filter (a night is ``floor(night_mjd)``: SkyMapper observes from Siding
Spring, UTC+10, so a local night never straddles 0h UTC):

- each epoch's error is floored in quadrature, ``sigma^2 = e_mag_psf^2 + error_floor^2``;
- the weighted mean magnitude is ``sum(w m) / sum(w)`` with ``w = 1 / sigma^2``, and its variance is
  ``1 / sum(w)`` -- the variance that matches those weights (the original scripts did not);
- the nightly colour ``x - y`` is the difference of the nightly means, with variance the sum of the
  two variances;
- per object, each colour is the inverse-variance weighted mean over the nights that have both
  filters, with error ``sqrt(1 / sum(w))`` and the number of those nights.

All group sums are vectorised (``numpy.bincount`` over factorised keys); ``y - x`` is exactly
``-(x - y)``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as C
from .io import write_table

log = logging.getLogger(__name__)


def clean_epochs(epochs: pd.DataFrame, bad_flags: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop flagged epochs and epochs with non-finite magnitudes or non-finite/negative errors.

    Returns the kept epochs and the number dropped for each reason.
    """
    mag = epochs["mag_psf"].to_numpy(dtype=np.float64)
    err = epochs["e_mag_psf"].to_numpy(dtype=np.float64)
    flagged = (epochs["flags"].to_numpy(dtype=np.int64) & int(bad_flags)) != 0
    bad_mag = ~np.isfinite(mag)
    bad_err = ~np.isfinite(err) | (err < 0)
    keep = ~(flagged | bad_mag | bad_err)
    counts = {
        "epochs_in": len(epochs),
        "flagged": int(flagged.sum()),
        "bad_magnitude": int((bad_mag & ~flagged).sum()),
        "bad_error": int((bad_err & ~flagged & ~bad_mag).sum()),
    }
    counts["epochs_kept"] = int(keep.sum())
    return epochs.loc[keep], counts


def weighted_nightly_mags(epochs: pd.DataFrame, error_floor: float) -> pd.DataFrame:
    """Per object, night and filter: weighted mean magnitude (mag), its variance (mag^2), epoch count.

    Epochs with zero total error (``e_mag_psf = 0`` and no floor) have infinite weight and are
    dropped. Returns columns ``object_id, night, filter, mag, var, n_epochs``.
    """
    err2 = epochs["e_mag_psf"].to_numpy(dtype=np.float64) ** 2 + float(error_floor) ** 2
    ok = err2 > 0
    obj = epochs["object_id"].to_numpy(dtype=np.int64)[ok]
    night = np.floor(epochs["night_mjd"].to_numpy(dtype=np.float64)[ok]).astype(np.int64)
    band = pd.Categorical(epochs["filter"].to_numpy()[ok], categories=C.SKYMAPPER_BANDS).codes.astype(np.int64)
    mag = epochs["mag_psf"].to_numpy(dtype=np.float64)[ok]
    weight = 1.0 / err2[ok]
    keys = pd.MultiIndex.from_arrays([obj, night, band])
    codes, uniques = pd.factorize(keys, sort=True)
    sum_w = np.bincount(codes, weights=weight, minlength=len(uniques))
    sum_wm = np.bincount(codes, weights=weight * mag, minlength=len(uniques))
    n_epochs = np.bincount(codes, minlength=len(uniques))
    return pd.DataFrame(
        {
            "object_id": uniques.get_level_values(0).to_numpy(dtype=np.int64),
            "night": uniques.get_level_values(1).to_numpy(dtype=np.int64),
            "filter": np.asarray(C.SKYMAPPER_BANDS)[uniques.get_level_values(2).to_numpy()],
            "mag": sum_wm / sum_w,
            "var": 1.0 / sum_w,
            "n_epochs": n_epochs,
        }
    )


def combined_colors(nightly: pd.DataFrame, object_ids: np.ndarray | None = None) -> pd.DataFrame:
    """Per object: the 30 ordered colours (mag), their errors (mag) and numbers of nights.

    ``nightly`` is the output of :func:`weighted_nightly_mags`. ``object_ids`` (optional) fixes the
    rows of the result: objects without any colour get NaN and zero counts.
    """
    n_bands = len(C.SKYMAPPER_BANDS)
    band_code = pd.Categorical(nightly["filter"], categories=C.SKYMAPPER_BANDS).codes
    on_codes, on_uniques = pd.factorize(
        pd.MultiIndex.from_arrays([nightly["object_id"].to_numpy(), nightly["night"].to_numpy()]), sort=True
    )
    n_on = len(on_uniques)
    mag = np.full((n_on, n_bands), np.nan)
    var = np.full((n_on, n_bands), np.nan)
    mag[on_codes, band_code] = nightly["mag"].to_numpy()
    var[on_codes, band_code] = nightly["var"].to_numpy()
    on_object = on_uniques.get_level_values(0).to_numpy(dtype=np.int64)
    ids = np.unique(on_object) if object_ids is None else np.asarray(object_ids, dtype=np.int64)
    obj_index = pd.Index(ids).get_indexer(on_object)
    inside = obj_index >= 0
    n_obj = len(ids)
    out: dict[str, np.ndarray] = {
        "object_id": ids,
        "n_nights": np.bincount(obj_index[inside], minlength=n_obj),
    }
    position = {b: k for k, b in enumerate(C.SKYMAPPER_BANDS)}
    results: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for blue, red in C.INDEPENDENT_COLOR_PAIRS:
        a, b = position[blue], position[red]
        color = mag[:, a] - mag[:, b]
        color_var = var[:, a] + var[:, b]
        valid = inside & np.isfinite(color) & (color_var > 0)
        w = np.where(valid, 1.0 / np.where(valid, color_var, 1.0), 0.0)
        idx = np.where(valid, obj_index, 0)
        sum_w = np.bincount(idx, weights=w, minlength=n_obj)
        sum_wc = np.bincount(idx, weights=np.where(valid, w * color, 0.0), minlength=n_obj)
        n = np.bincount(idx, weights=valid.astype(np.float64), minlength=n_obj).astype(np.int64)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(n > 0, sum_wc / sum_w, np.nan)
            error = np.where(n > 0, np.sqrt(1.0 / sum_w), np.nan)
        results[(blue, red)] = (value, error, n)
        results[(red, blue)] = (-value, error, n)
    for blue, red in C.ORDERED_COLOR_PAIRS:
        value, error, n = results[(blue, red)]
        out[C.color_name(blue, red)] = value
        out[C.color_error_name(blue, red)] = error
        out[C.color_nights_name(blue, red)] = n
    return pd.DataFrame(out)[list(C.COLOR_PRODUCT_COLUMNS)]


def run_colors(epochs_parquet: str | Path, error_floor: float, bad_flags: int, out_csv: str | Path, out_parquet: str | Path) -> pd.DataFrame:
    """Stage 4: write the per-object weighted colours of every object that has epochs."""
    epochs = pd.read_parquet(epochs_parquet)
    kept, counts = clean_epochs(epochs, bad_flags)
    for reason, count in counts.items():
        log.info("epochs %-14s %10d", reason, count)
    nightly = weighted_nightly_mags(kept, error_floor)
    colors = combined_colors(nightly, np.unique(epochs["object_id"].to_numpy()))
    log.info("%d nightly magnitudes -> colours of %d objects", len(nightly), len(colors))
    write_table(colors, out_parquet)
    write_table(colors, out_csv)
    return colors
