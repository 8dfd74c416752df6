"""Stage 4: nightly inverse-variance weighted magnitudes and colours of u v g r i z.

For each object, night and filter (a night is ``floor(night_mjd)``: SkyMapper observes from Siding
Spring, UTC+10, so a local night never straddles 0h UTC):

- epochs with ``flags & bad_flags`` set, non-finite magnitudes or unusable errors are dropped, and
  counted;
- each epoch's error is floored in quadrature, ``sigma^2 = e_mag_psf^2 + error_floor^2``;
- in a group of three or more epochs, an epoch more than ``clip_sigma`` sigma from the group median
  is clipped (counted);
- the weighted mean magnitude is ``sum(w m) / sum(w)`` with ``w = 1 / sigma^2``, and its variance is
  ``1 / sum(w)`` -- the variance that matches those weights (the original scripts did not);
- the nightly colour ``x - y`` is the difference of the nightly means, with variance the sum of the
  two variances;
- per object, each colour is the inverse-variance weighted mean over the nights that have both
  filters, with error ``sqrt(B / sum(w))`` and the number of those nights, where ``B`` =
  ``max(1, chi2 / (n - 1))`` is the Birge ratio of the ``n`` nightly colours about their mean
  (Birge 1932, Phys. Rev. 40, 207): a colour that changes from night to night (a pulsating giant's,
  bluer at maximum) is known no better than its scatter says; a constant one keeps ``1 / sum(w)``.
  A colour measured on one night only has no scatter of its own: its variance gets that of the
  object's nightly g means added (0 for a star seen in g on one night), so a large-amplitude
  variable's colour from one, perhaps bright, night is known no better than its brightness.

All group sums are vectorised (``numpy.bincount`` over integer group keys, each group's epochs
summed in their input order); groups are ordered and medians and percentiles taken by integer
sorts of packed int64 keys (numpy's vectorised sort), not argsorts; the epochs pass a few objects at
a time (:data:`CHUNK_EPOCHS`), which keeps the arrays small enough to be reused rather than faulted
in afresh and changes no number. ``y - x`` is exactly ``-(x - y)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C


def clean_epochs(epochs: pd.DataFrame, bad_flags: int, error_floor: float = 0.0) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop flagged epochs and epochs that cannot be weighted; count each reason.

    Dropped, in this order: ``flags & bad_flags != 0`` (``flagged``), a non-finite magnitude
    (``bad_magnitude``), a non-finite or negative error (``bad_error``), and a zero total error
    (``e_mag_psf = 0`` with no floor: infinite weight, ``zero_error``).
    """
    keep, counts = usable_epochs(epochs["mag_psf"].to_numpy(dtype=np.float64), epochs["e_mag_psf"].to_numpy(dtype=np.float64),
                                 epochs["flags"].to_numpy(dtype=np.int64), bad_flags, error_floor)
    return epochs.loc[keep], counts


def usable_epochs(mag: np.ndarray, err: np.ndarray, flags: np.ndarray, bad_flags: int,
                  error_floor: float = 0.0) -> tuple[np.ndarray, dict[str, int]]:
    """The kernel of :func:`clean_epochs`: which epochs (``mag``, ``err`` in mag) can be weighted
    (a boolean mask), and the count of each reason for dropping the others."""
    flagged = (flags & int(bad_flags)) != 0
    bad_mag = ~flagged & ~np.isfinite(mag)
    bad_err = ~flagged & ~bad_mag & (~np.isfinite(err) | (err < 0))
    with np.errstate(invalid="ignore"):
        zero = ~flagged & ~bad_mag & ~bad_err & (err**2 + float(error_floor) ** 2 <= 0)
    keep = ~(flagged | bad_mag | bad_err | zero)
    counts = {
        "epochs_in": len(mag),
        "flagged": int(flagged.sum()),
        "bad_magnitude": int(bad_mag.sum()),
        "bad_error": int(bad_err.sum()),
        "zero_error": int(zero.sum()),
        "epochs_kept": int(keep.sum()),
    }
    return keep, counts


def band_codes(filters: pd.Series | np.ndarray) -> np.ndarray:
    """Index of each filter name in ``u v g r i z`` (int64), fast for text and categorical columns
    (the names are looked up once per distinct value, not once per row)."""
    series = pd.Series(filters) if not isinstance(filters, pd.Series) else filters
    if isinstance(series.dtype, pd.CategoricalDtype):
        row_codes, names = series.cat.codes.to_numpy(), series.cat.categories
    else:
        row_codes, names = pd.factorize(series)
    lookup = pd.Index(C.SKYMAPPER_BANDS).get_indexer(pd.Index(names).map(str) if len(names) else pd.Index([], dtype=object))
    lookup = np.append(lookup, -1)  # code -1 (missing) -> -1
    codes = lookup[row_codes]
    if (codes < 0).any():
        bad = sorted({"<missing>" if pd.isna(name) else str(name) for name in series[codes < 0].unique()})[:5]
        raise ValueError(f"unknown filter name(s) {bad}; expected {list(C.SKYMAPPER_BANDS)}")
    return codes.astype(np.int64)


def _run_starts(values: np.ndarray) -> np.ndarray:
    """True where a run of equal values begins (``values`` non-empty, equal values adjacent)."""
    starts = np.empty(len(values), dtype=bool)
    starts[0] = True
    np.not_equal(values[1:], values[:-1], out=starts[1:])
    return starts


def _index_bits(n: int) -> int:
    """Bits that hold a row number below ``n``."""
    return max(int(n - 1).bit_length(), 1)


def _stable_sort(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(key[order], order)`` with ``order = numpy.argsort(key, kind="stable")`` for a non-negative
    int64 ``key``. Where the key and the row number fit in one int64 together, one ``numpy.sort`` of
    ``key << bits | row`` gives both: the row number breaks ties the stable way, and numpy's
    vectorised integer sort is several times faster than an argsort on 10^7 rows."""
    n = len(key)
    bits = _index_bits(n)
    if n and int(key.min()) >= 0 and int(key.max()) < 1 << (63 - bits):
        packed = np.left_shift(key, bits)
        packed |= np.arange(n, dtype=np.int64)
        packed.sort()
        order = packed & ((1 << bits) - 1)
        packed >>= bits
        return packed, order
    order = np.argsort(key, kind="stable")
    return key[order], order


def _group_codes(object_id: np.ndarray, night: np.ndarray, band: np.ndarray) -> tuple[np.ndarray, ...]:
    """The (object, night, band) groups of the rows, numbered in (object, night, band) order.

    Returns ``(order, codes, group_object, group_night, group_band)``: ``order`` puts the rows group
    by group, each group's rows in their input order (a stable sort), and ``codes`` is the group of
    each row in that order (non-decreasing). One int64 key per row (object rank x night range x 6 +
    band); ranking the objects needs no hashing when the rows are ordered by object (as the epoch
    product is).
    """
    n_bands = len(C.SKYMAPPER_BANDS)
    if len(object_id) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, empty
    if np.all(object_id[1:] >= object_id[:-1]):
        new_object = _run_starts(object_id)
        row_rank = np.cumsum(new_object, dtype=np.int64) - 1
        sorted_objects = object_id[new_object]
    else:
        obj_codes, obj_uniques = pd.factorize(object_id)
        obj_order = np.argsort(obj_uniques, kind="stable")
        obj_rank = np.empty_like(obj_order)
        obj_rank[obj_order] = np.arange(len(obj_order))
        row_rank = obj_rank[obj_codes].astype(np.int64)
        sorted_objects = np.asarray(obj_uniques)[obj_order]
    night_min = int(night.min())
    night_span = int(night.max()) - night_min + 1
    key = row_rank * night_span
    key += night - night_min
    key *= n_bands
    key += band
    sorted_key, order = _stable_sort(key)
    new_group = _run_starts(sorted_key)
    codes = np.cumsum(new_group, dtype=np.int64) - 1
    keys = sorted_key[new_group]
    group_band = keys % n_bands
    rest = keys // n_bands
    return order, codes, sorted_objects[rest // night_span], rest % night_span + night_min, group_band


def _positions(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position of each of ``values`` in ``ids`` (unique), -1 where absent: a binary search when
    ``ids`` are sorted (as ``numpy.unique`` gives them), else a hash lookup."""
    if len(ids) and np.all(ids[1:] > ids[:-1]):
        position = np.minimum(np.searchsorted(ids, values), len(ids) - 1)
        return np.where(ids[position] == values, position, -1)
    return pd.Index(ids).get_indexer(values)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``numpy.unique(values)``, without hashing or sorting when ``values`` are already in order."""
    if len(values) and np.all(values[1:] >= values[:-1]):
        return values[_run_starts(values)]
    return np.unique(values)


def _orderable(values: np.ndarray) -> np.ndarray:
    """int64 numbers in the order of the float64 ``values`` (finite or infinite; no NaN)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    return bits ^ ((bits >> 63) & np.int64(0x7FFFFFFFFFFFFFFF))


def _values_by_group(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` (finite) sorted by group code, and by value within each group: what
    ``values[numpy.lexsort((values, codes))]`` gives, by integer sorts of one packed int64 each.

    Values that round-trip through float32 (the survey's magnitudes) pack beside the code in one
    int64: one sort. Others are ranked first (one argsort), and the rank packs beside the code.
    """
    m = len(values)
    if m == 0:
        return values.astype(np.float64)
    codes = np.asarray(codes, dtype=np.int64)
    single = values.astype(np.float32)
    if int(codes.max()) < 1 << 31 and np.array_equal(single, values):
        bits = single.view(np.int32).astype(np.int64)
        packed = np.left_shift(codes, 32)
        packed |= (bits ^ ((bits >> 31) & 0x7FFFFFFF)) + (1 << 31)  # float32 order as 0 .. 2^32 - 1
        packed.sort()
        low = (packed & 0xFFFFFFFF) - (1 << 31)
        low ^= (low >> 31) & 0x7FFFFFFF
        return low.astype(np.int32).view(np.float32).astype(np.float64)
    by_value = np.argsort(_orderable(values))
    bits = _index_bits(m)
    if int(codes.max()) < 1 << (63 - bits):
        rank = np.empty(m, dtype=np.int64)
        rank[by_value] = np.arange(m, dtype=np.int64)
        packed = np.left_shift(codes, bits)
        packed |= rank
        packed.sort()
        return values[by_value[packed & ((1 << bits) - 1)]]
    return values[by_value[np.argsort(codes[by_value], kind="stable")]]


def _group_layout(codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows per group and where each group starts once the rows are ordered by group."""
    counts = np.bincount(codes, minlength=n_groups)
    starts = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    return counts, starts


def _group_median(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of ``values`` (finite) in each group (vectorised: integer sorts, no per-group Python)."""
    counts, starts = _group_layout(codes, n_groups)
    sorted_values = _values_by_group(codes, values)
    nonempty = counts > 0
    median = np.full(n_groups, np.nan)
    lower = sorted_values[(starts + (counts - 1) // 2)[nonempty]]
    upper = sorted_values[(starts + counts // 2)[nonempty]]
    median[nonempty] = 0.5 * (lower + upper)
    return median


def _group_quantiles(codes: np.ndarray, values: np.ndarray, n_groups: int, quantiles: tuple[float, ...]) -> list[np.ndarray]:
    """Quantiles of ``values`` (finite) in each group, interpolated linearly between order
    statistics as ``numpy.quantile`` does by default (one sort for all quantiles; NaN for an empty
    group)."""
    counts, starts = _group_layout(codes, n_groups)
    sorted_values = _values_by_group(codes, values)
    nonempty = counts > 0
    out = []
    for q in quantiles:
        result = np.full(n_groups, np.nan)
        position = q * (counts[nonempty] - 1)
        below = np.floor(position).astype(np.int64)
        above = np.minimum(below + 1, counts[nonempty] - 1)
        low = sorted_values[starts[nonempty] + below]
        high = sorted_values[starts[nonempty] + above]
        result[nonempty] = low + (position - below) * (high - low)
        out.append(result)
    return out


def weighted_nightly_mags(epochs: pd.DataFrame, error_floor: float, clip_sigma: float | None = None) -> pd.DataFrame:
    """Per object, night and filter: weighted mean magnitude (mag), its variance (mag^2), epoch count.

    ``epochs`` must come from :func:`clean_epochs` (finite magnitudes, positive total errors).
    If ``clip_sigma`` is set, in every group of three or more epochs an epoch further than
    ``clip_sigma`` x its (floored) error from the group median is dropped before averaging; the
    number clipped per group is in ``n_clipped``. Returns columns
    ``object_id, night, filter, mag, var, n_epochs, n_clipped``, ordered by object, night and filter.
    """
    return nightly_mags(epochs["object_id"].to_numpy(dtype=np.int64), epochs["night_mjd"].to_numpy(dtype=np.float64),
                        band_codes(epochs["filter"]), epochs["mag_psf"].to_numpy(dtype=np.float64),
                        epochs["e_mag_psf"].to_numpy(dtype=np.float64), error_floor, clip_sigma)


def nightly_mags(object_id: np.ndarray, night_mjd: np.ndarray, band: np.ndarray, mag: np.ndarray, err: np.ndarray,
                 error_floor: float, clip_sigma: float | None = None) -> pd.DataFrame:
    """The kernel of :func:`weighted_nightly_mags` on arrays: ``night_mjd`` (d), ``band`` (index
    in ``u v g r i z``), ``mag`` and ``err`` (mag), ``error_floor`` (mag)."""
    nightly = _nightly_arrays(object_id, night_mjd, band, mag, err, error_floor, clip_sigma)
    nightly["filter"] = pd.Categorical.from_codes(nightly.pop("band"), categories=C.SKYMAPPER_BANDS)
    return pd.DataFrame(nightly)[["object_id", "night", "filter", "mag", "var", "n_epochs", "n_clipped"]]


def _nightly_arrays(object_id: np.ndarray, night_mjd: np.ndarray, band: np.ndarray, mag: np.ndarray, err: np.ndarray,
                    error_floor: float, clip_sigma: float | None,
                    flicker_max_mag: float | None = None) -> dict[str, np.ndarray]:
    """:func:`nightly_mags` as arrays, one entry per (object, night, band) in that order (``band``
    as an index in ``u v g r i z``). Each group's sums run over its epochs in their input order.

    The within-night sums for the flickering (``n_exposures``, ``within_*``) take every exposure
    but those further than ``flicker_max_mag`` (mag; None: none left out) from their night's median
    in groups of three or more, and both exposures of a pair that differ by more than it (a pair's
    median is its mean, half the jump from either: which of the two is off cannot be told): a jump
    beyond any accreting white dwarf's flickering is an artefact (a cosmic ray, a satellite trail,
    a bad pixel), not the star."""
    night = np.floor(night_mjd).astype(np.int64)
    order, codes, g_obj, g_night, g_band = _group_codes(object_id, night, band)
    n_groups = len(g_obj)
    mag = mag[order]
    err2 = err[order] ** 2 + float(error_floor) ** 2
    n_all = np.bincount(codes, minlength=n_groups)
    use = np.ones(len(mag), dtype=bool)
    in_flicker = np.ones(len(mag), dtype=bool)
    if (clip_sigma is not None or flicker_max_mag is not None) and len(mag):
        # the clip looks at groups of three or more epochs, the flickering's ceiling at pairs too:
        # the medians of those groups alone (a group's median does not depend on the others)
        rows = np.flatnonzero(n_all[codes] >= (3 if flicker_max_mag is None else 2))
        if len(rows):
            median = _group_median(codes[rows], mag[rows], n_groups)
            offset = np.abs(mag[rows] - median[codes[rows]])
            if clip_sigma is not None:
                far = (offset > float(clip_sigma) * np.sqrt(err2[rows])) & (n_all[codes[rows]] >= 3)
                use[rows[far]] = False
            if flicker_max_mag is not None:
                # a pair's jump is twice each exposure's offset from its mean
                jump = np.where(n_all[codes[rows]] == 2, 2.0 * offset, offset)
                in_flicker[rows[jump > float(flicker_max_mag)]] = False
    weight = np.where(use, 1.0 / err2, 0.0)
    sum_w = np.bincount(codes, weights=weight, minlength=n_groups)
    sum_wm = np.bincount(codes, weights=weight * mag, minlength=n_groups)
    n_used = np.bincount(codes[use], minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):  # a group whose epochs were all clipped: NaN
        mean, variance = sum_wm / sum_w, 1.0 / sum_w
    # within the night, for the flickering: every usable exposure's chi2 about the night's weighted
    # mean of all of them, and the sums of their squared deviations and errors (mag^2). Not clipped:
    # the clip (a few sigma of the errors) protects the nightly means and would cut the flickering
    # itself away (a flicker of 5x the errors loses most of its exposures to a 5-sigma clip).
    if use.all() and in_flicker.all():  # nothing clipped: the means are those of every exposure already
        all_weight, all_mean, n_flicker = weight, mean, n_all
    else:
        all_weight = np.where(in_flicker, 1.0 / err2, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):  # a pair both beyond the ceiling: no mean
            all_mean = np.bincount(codes, weights=all_weight * mag, minlength=n_groups) / np.bincount(codes, weights=all_weight,
                                                                                                      minlength=n_groups)
        n_flicker = np.bincount(codes[in_flicker], minlength=n_groups)
    residual2 = np.where(in_flicker, (mag - all_mean[codes]) ** 2, 0.0)
    within_chi2 = np.bincount(codes, weights=all_weight * residual2, minlength=n_groups)
    within_sq = np.bincount(codes, weights=residual2, minlength=n_groups)
    within_err2 = np.bincount(codes, weights=np.where(in_flicker, err2, 0.0), minlength=n_groups)
    return {"object_id": g_obj, "night": g_night, "band": g_band, "mag": mean, "var": variance, "n_epochs": n_used,
            "n_clipped": n_all - n_used, "n_exposures": n_flicker, "within_chi2": within_chi2, "within_sq": within_sq,
            "within_err2": within_err2}


def _object_nights(object_id: np.ndarray, night: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (object, night) of each row numbered in (object, night) order, and each number's object:
    runs of rows when the rows are in that order already (as the nightly table is), else a sort."""
    if len(object_id) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    step_object, step_night = np.diff(object_id), np.diff(night)
    if np.all((step_object > 0) | ((step_object == 0) & (step_night >= 0))):
        new = np.empty(len(object_id), dtype=bool)
        new[0] = True
        np.not_equal(step_object, 0, out=new[1:])
        new[1:] |= step_night != 0
        return np.cumsum(new, dtype=np.int64) - 1, object_id[new]
    order, sorted_codes, on_object, _, _ = _group_codes(object_id, night, np.zeros(len(object_id), dtype=np.int64))
    codes = np.empty(len(object_id), dtype=np.int64)
    codes[order] = sorted_codes
    return codes, on_object


def combined_colors(nightly: pd.DataFrame, object_ids: np.ndarray | None = None) -> pd.DataFrame:
    """Per object: the 30 ordered colours (mag), their errors (mag) and numbers of nights.

    ``nightly`` is the output of :func:`weighted_nightly_mags` (in any row order). ``object_ids``
    (optional) fixes the rows of the result: objects without any colour get NaN and zero counts.
    """
    object_id = nightly["object_id"].to_numpy(dtype=np.int64)
    night = nightly["night"].to_numpy(dtype=np.int64)
    ids = _sorted_unique(object_id) if object_ids is None else np.asarray(object_ids, dtype=np.int64)
    colours = _combined_colors(object_id, night, band_codes(nightly["filter"]), nightly["mag"].to_numpy(dtype=np.float64),
                               nightly["var"].to_numpy(dtype=np.float64), ids)
    return pd.DataFrame(colours)[list(C.COLOR_PRODUCT_COLUMNS)]


def _combined_colors(object_id: np.ndarray, night: np.ndarray, band: np.ndarray, mag: np.ndarray, var: np.ndarray,
                     ids: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`combined_colors` on the nightly arrays, as a dict of columns (rows follow ``ids``).

    Each (object, colour) sum runs over the object's nights that have both bands, in night order;
    ``y - x`` is ``-(x - y)``."""
    n_bands = len(C.SKYMAPPER_BANDS)
    on_codes, on_object = _object_nights(object_id, night)
    n_on = len(on_object)
    mag_by_band = np.full((n_bands, n_on), np.nan)  # one contiguous row per band
    var_by_band = np.full((n_bands, n_on), np.nan)
    mag_by_band[band, on_codes] = mag
    var_by_band[band, on_codes] = var
    obj_index = _positions(ids, on_object)
    inside = obj_index >= 0
    n_obj = len(ids)
    present = np.isfinite(mag_by_band) & inside
    out: dict[str, np.ndarray] = {"object_id": ids, "n_nights": np.bincount(obj_index[inside], minlength=n_obj)}
    position = {b: k for k, b in enumerate(C.SKYMAPPER_BANDS)}
    # how much the object's brightness changes between nights: the standard deviation of its
    # nightly g means (0 with fewer than two), which a colour measured on one night inherits
    g_nights = np.flatnonzero(present[position["g"]])
    g_owner, g_mag = obj_index[g_nights], mag_by_band[position["g"], g_nights]
    n_g = np.bincount(g_owner, minlength=n_obj)
    with np.errstate(divide="ignore", invalid="ignore"):
        g_mean = np.bincount(g_owner, weights=g_mag, minlength=n_obj) / n_g
        g_var = np.bincount(g_owner, weights=(g_mag - g_mean[g_owner]) ** 2, minlength=n_obj) / np.maximum(n_g - 1, 1)
    night_scatter = np.where(n_g > 1, np.sqrt(g_var), 0.0)
    results: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for blue, red in C.INDEPENDENT_COLOR_PAIRS:
        a, b = position[blue], position[red]
        nights = np.flatnonzero(present[a] & present[b])
        color = mag_by_band[a, nights] - mag_by_band[b, nights]
        color_var = var_by_band[a, nights] + var_by_band[b, nights]
        usable = color_var > 0  # always, for means of positive weights; kept as a guard
        if not usable.all():
            nights, color, color_var = nights[usable], color[usable], color_var[usable]
        where = obj_index[nights]
        w = 1.0 / color_var
        sum_w = np.bincount(where, weights=w, minlength=n_obj)
        sum_wc = np.bincount(where, weights=w * color, minlength=n_obj)
        n = np.bincount(where, minlength=n_obj)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(n > 0, sum_wc / sum_w, np.nan)
            # the night-to-night scatter about that mean, beyond the nightly errors (Birge ratio)
            scatter = np.bincount(where, weights=w * (color - value[where]) ** 2, minlength=n_obj)
            birge = np.where(n > 1, np.maximum(scatter / np.maximum(n - 1, 1), 1.0), 1.0)
            error = np.where(n > 1, np.sqrt(birge / sum_w),
                             np.where(n == 1, np.sqrt(1.0 / sum_w + night_scatter**2), np.nan))
        results[(blue, red)] = (value, error, n)
        results[(red, blue)] = (-value, error, n)
    for blue, red in C.ORDERED_COLOR_PAIRS:
        value, error, n = results[(blue, red)]
        out[C.color_name(blue, red)] = value
        out[C.color_error_name(blue, red)] = error
        out[C.color_nights_name(blue, red)] = n
    return out


def nightly_variability(nightly: pd.DataFrame, object_ids: np.ndarray) -> pd.DataFrame:
    """Per object and band, the variability of the nightly mean magnitudes of
    :func:`weighted_nightly_mags` (one vectorised pass, no per-object Python):

    - ``n_nights_<band>``: the number of nights;
    - ``chi2r_<band>``: the reduced chi2 of the nightly means about their inverse-variance weighted
      mean, ``sum((m_k - M)^2 / var_k) / (N - 1)`` (about 1 for a constant star; NaN below 2 nights);
    - ``amp_<band>``: a robust amplitude, the range between the 10th and the 90th percentile of the
      nightly means (mag; linear interpolation between order statistics; NaN below 2 nights).

    A symbiotic star's hot component flickers in u and v; a Mira swings by magnitudes in the red.
    Rows follow ``object_ids``; an object without nights in a band gets 0 nights and NaN.
    """
    ids = np.asarray(object_ids, dtype=np.int64)
    return pd.DataFrame(_variability(nightly["object_id"].to_numpy(dtype=np.int64), band_codes(nightly["filter"]),
                                     nightly["mag"].to_numpy(dtype=np.float64), nightly["var"].to_numpy(dtype=np.float64), ids))


def _variability(object_id: np.ndarray, band: np.ndarray, mag: np.ndarray, var: np.ndarray,
                 ids: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`nightly_variability` on the nightly arrays, as a dict of columns (rows follow ``ids``)."""
    n_bands = len(C.SKYMAPPER_BANDS)
    obj_index = _positions(ids, object_id)
    # a night whose epochs were all clipped has no mean: it is not a night of the light curve
    inside = (obj_index >= 0) & np.isfinite(mag)
    codes = obj_index[inside] * n_bands + band[inside]
    n_groups = len(ids) * n_bands
    mag = mag[inside]
    weight = 1.0 / var[inside]
    n = np.bincount(codes, minlength=n_groups)
    sum_w = np.bincount(codes, weights=weight, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(codes, weights=weight * mag, minlength=n_groups) / sum_w
        chi2 = np.bincount(codes, weights=weight * (mag - mean[codes]) ** 2, minlength=n_groups)
        chi2r = np.where(n >= 2, chi2 / (n - 1), np.nan)
    p10, p90 = _group_quantiles(codes, mag, n_groups, (0.1, 0.9))
    amplitude = np.where(n >= 2, p90 - p10, np.nan)
    out: dict[str, np.ndarray] = {"object_id": ids}
    for k, name in enumerate(C.SKYMAPPER_BANDS):
        n_name, chi2_name, amp_name = C.variability_names(name)
        out[n_name] = n[k::n_bands].astype(np.int64)
        out[chi2_name] = chi2r[k::n_bands]
        out[amp_name] = amplitude[k::n_bands]
    return out


#: The confidence of u's upper limit on the flickering that the v test of
#: :func:`_flicker` allows (the lower 1% point of u's chi2: a genuine flicker is
#: under its bound 99 times in 100).
FLICKER_BOUND_LEVEL = 0.99


def _flicker(object_id: np.ndarray, band: np.ndarray, n_exposures: np.ndarray, within_chi2: np.ndarray,
             within_sq: np.ndarray, within_err2: np.ndarray, ids: np.ndarray,
             v_to_u_max: float | None = None) -> dict[str, np.ndarray]:
    """Per object and band, the flickering: the scatter of one night's exposures about that night's
    weighted mean beyond their errors, pooled over the nights with two or more exposures (the
    columns of :func:`symfind.columns.flicker_names`; rows follow ``ids``).

    For a night of ``n`` exposures ``m_i`` with errors ``sigma_i`` (the floor included) and weighted
    mean ``M``: ``chi2 = sum((m_i - M)^2 / sigma_i^2)`` with ``n - 1`` degrees of freedom, summed
    over nights (every usable exposure: the per-night clip of the means does not apply); the excess
    variance is ``(sum (m_i - M)^2 - sum (n - 1)/n sigma_i^2) / sum (n - 1)``
    (the expected scatter of a constant star subtracted; its square root, floored at 0, is
    ``flicker_rms``, mag); ``flicker_sig = -log10 P(chi2_dof > chi2)``. A slow variable (a Mira) is
    constant within a night: its nightly means move, its flicker stays near zero. SkyMapper observes
    the six bands of a colour sequence within about 20 minutes, the Shallow Survey u and v three
    times (Wolf et al. 2018, PASA 35, e010); Lucy et al. (2024, arXiv:2412.00855) find that at
    least a fifth of symbiotic stars flicker measurably between the exposures of one sequence.
    Nights with one exposure add nothing; an object without such nights has 0 dof and NaN.

    ``v_to_u_max``: the largest flickering amplitude in v (mag) that an accreting white dwarf's
    flickering in u allows, as a multiple of u's (``colors.flicker_v_to_u_max``; None: no test).
    Flickering is bluer than the system's light (Bruch 1992, A&A 266, 237, for cataclysmic
    variables; in the symbiotic star CH Cyg its amplitude is largest in U, Dobrzycka, Kenyon &
    Milone 1996, AJ 111, 414), and the giant dilutes v more than u, so a v flicker far above what u allows is one
    bad exposure, not the star. The test (``flicker_beyond_u_sig_v``, dex): u's excess variance at
    its upper limit (:data:`FLICKER_BOUND_LEVEL`, from u's chi2 of its own dof), scaled by
    ``v_to_u_max``^2, is added to every v exposure's variance, and v's chi2 about its nightly means
    is tested again (``-log10 P``; NaN where v or u has no night with two exposures).
    """
    from scipy.special import chdtrc

    n_bands = len(C.SKYMAPPER_BANDS)
    obj_index = _positions(ids, object_id)
    inside = (obj_index >= 0) & (n_exposures >= 2)
    codes = obj_index[inside] * n_bands + band[inside]
    n_groups = len(ids) * n_bands
    n = n_exposures[inside].astype(np.float64)
    dof = np.bincount(codes, weights=n - 1, minlength=n_groups)
    chi2 = np.bincount(codes, weights=within_chi2[inside], minlength=n_groups)
    expected = np.bincount(codes, weights=within_err2[inside] * (n - 1) / n, minlength=n_groups)
    scatter = np.bincount(codes, weights=within_sq[inside], minlength=n_groups)
    has = dof > 0
    rms = np.full(n_groups, np.nan)
    significance = np.full(n_groups, np.nan)
    # the tail probability where there is a night to measure, floored at 1e-300 (a significance of
    # 300 dex: far beyond any doubt)
    rms[has] = np.sqrt(np.maximum(scatter[has] - expected[has], 0.0) / dof[has])
    significance[has] = -np.log10(np.maximum(chdtrc(dof[has], chi2[has]), 1e-300))
    # the same with each group's worst night (largest chi2) left out, where it has two or more
    night_chi2 = within_chi2[inside]
    order = np.lexsort((night_chi2, codes))
    sorted_codes = codes[order]
    last = np.flatnonzero(np.r_[sorted_codes[1:] != sorted_codes[:-1], True]) if len(order) else np.array([], dtype=np.int64)
    worst_chi2 = np.zeros(n_groups)
    worst_dof = np.zeros(n_groups)
    worst_chi2[sorted_codes[last]] = night_chi2[order[last]]
    worst_dof[sorted_codes[last]] = n[order[last]] - 1
    n_nights = np.bincount(codes, minlength=n_groups)
    several = has & (n_nights >= 2)
    robust = significance.copy()
    robust[several] = -np.log10(np.maximum(chdtrc(dof[several] - worst_dof[several], chi2[several] - worst_chi2[several]), 1e-300))
    out: dict[str, np.ndarray] = {C.FLICKER_BEYOND_U: _beyond_u(codes, n, within_sq[inside], within_err2[inside], dof,
                                                                 scatter, expected, len(ids), v_to_u_max)}
    for k, name in enumerate(C.SKYMAPPER_BANDS):
        dof_name, chi2_name, rms_name, sig_name, robust_name = C.flicker_names(name)
        out[dof_name] = dof[k::n_bands].astype(np.int64)
        out[chi2_name] = np.where(has[k::n_bands], chi2[k::n_bands], np.nan)
        out[rms_name] = rms[k::n_bands]
        out[sig_name] = significance[k::n_bands]
        out[robust_name] = robust[k::n_bands]
    return out


def _beyond_u(codes: np.ndarray, n: np.ndarray, night_sq: np.ndarray, night_err2: np.ndarray, dof: np.ndarray,
              scatter: np.ndarray, expected: np.ndarray, n_objects: int, v_to_u_max: float | None) -> np.ndarray:
    """The v flickering beyond what u's allows (:func:`_flicker`'s ``v_to_u_max`` test), per object:
    ``-log10 P`` of v's chi2 with ``v_to_u_max``^2 x u's upper-limit excess variance added to each
    exposure's (a night's exposures taken at their mean variance), NaN where either band has no
    night of two exposures or there is no test. ``codes``: object x band of each night with two or
    more exposures (``n`` of them, ``night_sq`` the squared residuals about the night's mean,
    ``night_err2`` their variances, summed); ``dof``, ``scatter``, ``expected``: their sums per
    object and band."""
    from scipy.special import chdtrc, chdtri

    out = np.full(n_objects, np.nan)
    if v_to_u_max is None or not len(codes):
        return out
    n_bands = len(C.SKYMAPPER_BANDS)
    u, v = C.SKYMAPPER_BANDS.index("u"), C.SKYMAPPER_BANDS.index("v")
    dof_u, dof_v = dof[u::n_bands], dof[v::n_bands]
    tested = (dof_u > 0) & (dof_v > 0)
    # u's chi2 is scatter / (mean variance + V) with dof_u degrees of freedom: V's upper limit at
    # the bound's level is where that chi2 falls to its lower (1 - level) point
    with np.errstate(divide="ignore", invalid="ignore"):
        low_point = chdtri(np.where(tested, dof_u, 1.0), FLICKER_BOUND_LEVEL)
        u_bound = np.maximum(scatter[u::n_bands] / low_point - expected[u::n_bands] / np.maximum(dof_u, 1.0), 0.0)
    allowed = float(v_to_u_max) ** 2 * np.where(tested, u_bound, 0.0)
    on_v = (codes % n_bands) == v
    owner = codes[on_v] // n_bands
    chi2 = np.bincount(owner, weights=night_sq[on_v] / (night_err2[on_v] / n[on_v] + allowed[owner]), minlength=n_objects)
    out[tested] = -np.log10(np.maximum(chdtrc(dof_v[tested], chi2[tested]), 1e-300))
    return out


def _detection_fractions(object_id: np.ndarray, night: np.ndarray, band: np.ndarray, mag: np.ndarray,
                         ids: np.ndarray) -> dict[str, np.ndarray]:
    """Per object (rows follow ``ids``): the nights with a g and an r mean (``n_nights_gr``), the
    share of them with a u (``det_frac_u``) and a v mean (``det_frac_v``; NaN without such
    nights), and how much brighter in g the object was on those of them with u (``det_bias_u``)
    and with v (``det_bias_v``) than on those without: mean g with minus mean g without, mag
    (negative: the band was seen on the bright nights, as a pulsator's u near maximum; NaN where
    either set of nights is empty). From the nightly arrays (a night whose epochs were all clipped
    has no mean)."""
    seen = np.isfinite(mag)
    codes, on_object = _object_nights(object_id[seen], night[seen])
    band, mag = band[seen], mag[seen]
    n_on = len(on_object)
    has = {name: np.bincount(codes[band == k], minlength=n_on) > 0
           for k, name in enumerate(C.SKYMAPPER_BANDS) if name in ("u", "v", "g", "r")}
    g_code = C.SKYMAPPER_BANDS.index("g")
    g_mag = np.zeros(n_on)
    g_mag[codes[band == g_code]] = mag[band == g_code]  # one nightly mean per band and night
    both = has["g"] & has["r"]
    owner = _positions(ids, on_object)
    n_gr = np.bincount(owner[both], minlength=len(ids))
    out: dict[str, np.ndarray] = {"n_nights_gr": n_gr.astype(np.int64)}
    for name in ("u", "v"):
        with_band, without_band = both & has[name], both & ~has[name]
        n_with = np.bincount(owner[with_band], minlength=len(ids))
        n_without = n_gr - n_with
        g_with = np.bincount(owner[with_band], weights=g_mag[with_band], minlength=len(ids))
        g_without = np.bincount(owner[without_band], weights=g_mag[without_band], minlength=len(ids))
        out[f"det_frac_{name}"] = np.where(n_gr > 0, n_with / np.maximum(n_gr, 1), np.nan)
        out[f"det_bias_{name}"] = np.where((n_with > 0) & (n_without > 0),
                                           g_with / np.maximum(n_with, 1) - g_without / np.maximum(n_without, 1), np.nan)
    return out


#: Epochs per pass of :func:`colors_from_epochs`. Every sum runs within one object, so passes over
#: whole objects give the same numbers as one pass; arrays of a few MB are reused by the allocator
#: instead of being faulted in afresh (on 10^7 epochs about half the time of one pass).
CHUNK_EPOCHS = 1 << 17


def _object_chunks(object_id: np.ndarray, chunk_epochs: int) -> list[tuple[int, int]]:
    """``(start, stop)`` row ranges of about ``chunk_epochs`` rows that split ``object_id`` (ordered
    by object) only between objects; one empty range for no rows."""
    n = len(object_id)
    if n == 0:
        return [(0, 0)]
    object_starts = np.flatnonzero(_run_starts(object_id))
    wanted = np.arange(0, n, max(int(chunk_epochs), 1))
    cuts = np.unique(object_starts[np.searchsorted(object_starts, wanted, side="right") - 1])
    bounds = np.append(cuts, n)
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))


def colors_from_epochs(
    epochs: pd.DataFrame, error_floor: float, bad_flags: int, clip_sigma: float | None,
    chunk_epochs: int = CHUNK_EPOCHS, flicker_max_mag: float | None = None, flicker_v_to_u_max: float | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The whole colour stage in memory: clean, nightly weighted means (clipped), colours
    (:func:`combined_colors`), each band's variability (:func:`nightly_variability`), detection
    fractions and flickering (exposures further than ``flicker_max_mag`` from their night's
    median, and pairs that differ by more, left out of it: ``colors.flicker_max_mag``; the v
    flickering tested against what u's allows, ``colors.flicker_v_to_u_max``: :func:`_flicker`).

    Every object in ``epochs`` gets a row (ordered by ``object_id``), also one whose epochs were all
    dropped. The epochs are taken about ``chunk_epochs`` at a time, whole objects per pass; an
    object's epochs are used in their input order whatever the row order of ``epochs``.
    """
    object_id = epochs["object_id"].to_numpy(dtype=np.int64)
    columns = {"mag": epochs["mag_psf"].to_numpy(), "err": epochs["e_mag_psf"].to_numpy(),
               "flags": epochs["flags"].to_numpy(), "night_mjd": epochs["night_mjd"].to_numpy(),
               "band": band_codes(epochs["filter"])}
    if len(object_id) and not np.all(object_id[1:] >= object_id[:-1]):
        by_object = np.argsort(object_id, kind="stable")  # stable: each object's epochs keep their order
        object_id = object_id[by_object]
        columns = {name: values[by_object] for name, values in columns.items()}
    counts: dict[str, int] = {}
    parts: list[dict[str, np.ndarray]] = []
    clipped = nightly_rows = 0
    for start, stop in _object_chunks(object_id, chunk_epochs):
        ids = object_id[start:stop]
        mag = columns["mag"][start:stop].astype(np.float64)
        err = columns["err"][start:stop].astype(np.float64)
        keep, chunk_counts = usable_epochs(mag, err, columns["flags"][start:stop].astype(np.int64), bad_flags, error_floor)
        for reason, count in chunk_counts.items():
            counts[reason] = counts.get(reason, 0) + count
        rows = slice(None) if keep.all() else keep  # the kept rows of each array (views when all are kept)
        nightly = _nightly_arrays(ids[rows], columns["night_mjd"][start:stop].astype(np.float64)[rows],
                                  columns["band"][start:stop][rows], mag[rows], err[rows], error_floor, clip_sigma,
                                  flicker_max_mag)
        clipped += int(nightly["n_clipped"].sum())
        nightly_rows += len(nightly["mag"])
        chunk_ids = _sorted_unique(ids)
        part = _combined_colors(nightly["object_id"], nightly["night"], nightly["band"], nightly["mag"], nightly["var"],
                                chunk_ids)
        variability = _variability(nightly["object_id"], nightly["band"], nightly["mag"], nightly["var"], chunk_ids)
        del variability["object_id"]
        part.update(variability)
        part.update(_detection_fractions(nightly["object_id"], nightly["night"], nightly["band"], nightly["mag"], chunk_ids))
        part.update(_flicker(nightly["object_id"], nightly["band"], nightly["n_exposures"], nightly["within_chi2"],
                             nightly["within_sq"], nightly["within_err2"], chunk_ids, flicker_v_to_u_max))
        parts.append(part)
    order = [*C.COLOR_PRODUCT_COLUMNS, *C.VARIABILITY_COLUMNS, *C.DETECTION_COLUMNS, *C.FLICKER_COLUMNS]
    table = pd.DataFrame({name: np.concatenate([part[name] for part in parts]) for name in order})
    counts["clipped"] = clipped
    counts["nightly_magnitudes"] = nightly_rows
    counts["objects"] = len(table)
    return table, counts
