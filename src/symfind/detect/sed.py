"""The spectral energy distribution of an object from u to W4, and what a giant alone would show.

Used by the score's neighbour test (:func:`neighbour_colours`, read by
:func:`symfind.detect.companion.fit_companions` through :mod:`symfind.detect.vae`) and by the
evidence an observer checks (:mod:`symfind.present.evidence`): the magnitudes dereddened with the
E(B-V) the cuts used, as lambda F_lambda (erg s^-1 cm^-2), and the median SED of the giants most
like the object in the red and the infrared (r-i, i-z, z-J, J-H, H-Ks), scaled to it in i, z, J, H
and Ks.

Wavelengths and zero points (one table, :data:`SED_BANDS`): SkyMapper u v g r i z are AB
magnitudes at the effective wavelengths of Bessell et al. (2011, PASP 123, 789); 2MASS J H Ks are
Vega magnitudes with the isophotal wavelengths and zero points of Cohen, Wheaton & Megeath (2003,
AJ 126, 1090); AllWISE W1-W4 are Vega magnitudes with those of Wright et al. (2010, AJ 140, 1868)
and Jarrett et al. (2011, ApJ 735, 112). Extinction per E(B-V): SkyMapper from the configuration
(``dereddening.a_per_ebv``), J from ``cuts.aj_per_ebv``, H and Ks from Schlafly & Finkbeiner
(2011, ApJ 737, 103, R_V = 3.1; Ks = A_J - E(J-Ks), consistent with ``cuts.ejk_per_ebv``), W1 and
W2 from Yuan, Liu & Xiang (2013, MNRAS 430, 2188), W3 and W4 taken as 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import columns as C

#: Speed of light (micron Hz); 1 Jy in erg s^-1 cm^-2 Hz^-1; the AB zero point (Jy).
_C_MICRON_HZ = 2.99792458e14
_JY = 1e-23
_AB_ZERO_JY = 3631.0


@dataclass(frozen=True)
class Band:
    """One band of the SED: magnitude and error columns, label, wavelength (micron), zero point
    (Jy; 3631 for AB magnitudes) and extinction per E(B-V) (None: taken from the configuration)."""

    column: str
    error: str
    label: str
    wavelength_um: float
    zero_point_jy: float
    a_per_ebv: float | None


#: The SED's bands from u to W4 (sources in the module docstring).
SED_BANDS: tuple[Band, ...] = (
    Band("u_psf", "e_u_psf", "u", 0.349, _AB_ZERO_JY, None),
    Band("v_psf", "e_v_psf", "v", 0.384, _AB_ZERO_JY, None),
    Band("g_psf", "e_g_psf", "g", 0.510, _AB_ZERO_JY, None),
    Band("r_psf", "e_r_psf", "r", 0.617, _AB_ZERO_JY, None),
    Band("i_psf", "e_i_psf", "i", 0.779, _AB_ZERO_JY, None),
    Band("z_psf", "e_z_psf", "z", 0.916, _AB_ZERO_JY, None),
    Band("j_m", "j_msigcom", "J", 1.235, 1594.0, None),
    Band("h_m", "h_msigcom", "H", 1.662, 1024.0, 0.460),
    Band("k_m", "k_msigcom", "Ks", 2.159, 666.7, 0.310),
    Band("w1mpro", "w1sigmpro", "W1", 3.353, 309.540, 0.18),
    Band("w2mpro", "w2sigmpro", "W2", 4.603, 171.787, 0.16),
    Band("w3mpro", "w3sigmpro", "W3", 11.561, 31.674, 0.0),
    Band("w4mpro", "w4sigmpro", "W4", 22.088, 8.363, 0.0),
)

#: Bands that anchor the giant's template.
ANCHOR_BANDS = ("i", "z", "J", "H", "Ks")
#: Dereddened colours (consecutive bands) that find the giants most like a candidate.
MATCH_COLOURS = (("r", "i"), ("i", "z"), ("z", "J"), ("J", "H"), ("H", "Ks"))
#: Giants whose median SED is the prediction.
N_NEIGHBOURS = 25


def extinction_per_ebv(a_per_ebv: Mapping[str, float], aj_per_ebv: float) -> np.ndarray:
    """A_band / E(B-V) of each band of :data:`SED_BANDS` (SkyMapper from ``a_per_ebv``, J from
    ``aj_per_ebv``, the others from the table)."""
    values = []
    for band in SED_BANDS:
        if band.a_per_ebv is not None:
            values.append(band.a_per_ebv)
        elif band.label == "J":
            values.append(float(aj_per_ebv))
        else:
            values.append(float(a_per_ebv[band.label]))
    return np.array(values)


def dereddened_magnitudes(table: pd.DataFrame, a_per_ebv: Mapping[str, float], aj_per_ebv: float) -> tuple[np.ndarray, np.ndarray]:
    """Dereddened magnitudes and their errors (mag), one column per band of :data:`SED_BANDS`
    (NaN where not measured; E(B-V) from the ``ebv`` column: an object without one gets no
    dereddened magnitude, as in :func:`symfind.detect.features.optical_sed`, never its reddened one)."""
    mags = np.column_stack([table[b.column].to_numpy(dtype=np.float64) for b in SED_BANDS])
    errors = np.column_stack([table[b.error].to_numpy(dtype=np.float64) for b in SED_BANDS])
    ebv = table["ebv"].to_numpy(dtype=np.float64, na_value=np.nan)
    return mags - ebv[:, None] * extinction_per_ebv(a_per_ebv, aj_per_ebv)[None, :], errors


def lambda_f_lambda(mags: np.ndarray, errors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """lambda F_lambda (= nu F_nu, erg s^-1 cm^-2) of magnitudes in the bands of :data:`SED_BANDS`
    (last axis), and its error from the magnitude errors (first order)."""
    zero = np.array([b.zero_point_jy for b in SED_BANDS]) * _JY
    nu = _C_MICRON_HZ / np.array([b.wavelength_um for b in SED_BANDS])
    flux = nu * zero * 10.0 ** (-0.4 * mags)
    if errors is None:
        return flux, None
    return flux, flux * 0.4 * np.log(10.0) * errors


#: Each band's column in the arrays of :data:`SED_BANDS` (label -> index).
BAND_INDEX: dict[str, int] = {b.label: k for k, b in enumerate(SED_BANDS)}


def band_indices(labels: tuple[str, ...]) -> list[int]:
    """The columns of ``labels`` (band labels) in the arrays of :data:`SED_BANDS`."""
    return [BAND_INDEX[label] for label in labels]


def giant_prediction(mags: np.ndarray, reference: np.ndarray, k: int = N_NEIGHBOURS,
                     chunk_rows: int = 20_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a giant alone would show in every band, for each row of ``mags`` (dereddened, bands of
    :data:`SED_BANDS`): the median SED of the ``k`` rows of ``reference`` nearest in the colours of
    :data:`MATCH_COLOURS` (standardised), each shifted to the object in :data:`ANCHOR_BANDS` (the
    mean difference over the bands both have). Returns ``(median, p16, p84)`` magnitudes (NaN where
    no reference giant has the colours, or the object has no anchor band). The objects pass
    ``chunk_rows`` at a time, so memory does not grow with the sky (k x bands per object)."""
    from scipy.spatial import cKDTree

    n_objects, n_bands = mags.shape
    out = [np.full((n_objects, n_bands), np.nan) for _ in range(3)]
    pairs = [(BAND_INDEX[a], BAND_INDEX[b]) for a, b in MATCH_COLOURS]

    def colours(m):
        return np.column_stack([m[:, a] - m[:, b] for a, b in pairs])

    ref_colours = colours(reference)
    usable = np.all(np.isfinite(ref_colours), axis=1)
    reference, ref_colours = reference[usable], ref_colours[usable]
    if len(reference) == 0 or n_objects == 0:
        return tuple(out)
    centre, scale = ref_colours.mean(axis=0), ref_colours.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    anchors = band_indices(ANCHOR_BANDS)
    k = min(k, len(reference))
    tree = cKDTree((ref_colours - centre) / scale)
    import warnings

    for start in range(0, n_objects, chunk_rows):
        part = mags[start:start + chunk_rows]
        query = colours(part)
        # a colour the object lacks is taken at the reference mean (it does not pull the match)
        query = np.where(np.isfinite(query), query, centre)
        _, index = tree.query((query - centre) / scale, k=k)
        index = np.asarray(index).reshape(len(part), k)
        neighbours = reference[index]  # (objects, k, bands)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN band or anchor: NaN
            shift = np.nanmean(part[:, None, anchors] - neighbours[:, :, anchors], axis=2)  # (objects, k)
            shifted = neighbours + shift[:, :, None]
            for target, values in zip(out, _nan_percentiles(shifted, (50.0, 16.0, 84.0))):
                target[start:start + chunk_rows] = values
    return tuple(out)


def _nan_percentiles(values: np.ndarray, percentiles: tuple[float, ...]) -> list[np.ndarray]:
    """``numpy.nanpercentile(values, q, axis=1)`` (linear interpolation) for each ``q``, vectorised:
    one sort along axis 1 (NaN last) instead of numpy's slice-by-slice path for NaN."""
    ordered = np.sort(values, axis=1)
    n_finite = np.isfinite(ordered).sum(axis=1)  # (objects, bands)
    out = []
    for q in percentiles:
        position = (q / 100.0) * np.maximum(n_finite - 1, 0)
        low = np.floor(position).astype(np.int64)
        high = np.minimum(low + 1, np.maximum(n_finite - 1, 0))
        below = np.take_along_axis(ordered, low[:, None, :], axis=1)[:, 0, :]
        above = np.take_along_axis(ordered, high[:, None, :], axis=1)[:, 0, :]
        value = below + (position - low) * (above - below)
        out.append(np.where(n_finite > 0, value, np.nan))
    return out


#: Scatter (mag) of a colour predicted from the giant's neighbours, beyond the measurement errors.
NEIGHBOUR_SCATTER_MAG = 0.05


def neighbour_colours(table: pd.DataFrame, a_per_ebv: Mapping[str, float], aj_per_ebv: float,
                      sigma_int: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """The dereddened SkyMapper colours of every object of ``table`` and what the giants most like
    it predict (:func:`giant_prediction`, every object of the table as the reference), for the
    two-component test of :mod:`symfind.detect.companion`: ``(observed, predicted, sigma, names)``, the 15
    independent colours ``x_y`` (mag), ``sigma`` the colour's measurement error with ``sigma_int``
    and :data:`NEIGHBOUR_SCATTER_MAG` in quadrature."""
    mags, errors = dereddened_magnitudes(table, a_per_ebv, aj_per_ebv)
    predicted, _, _ = giant_prediction(mags, mags)
    pairs = C.INDEPENDENT_COLOR_PAIRS

    def colours(m: np.ndarray) -> np.ndarray:
        return np.column_stack([m[:, BAND_INDEX[a]] - m[:, BAND_INDEX[b]] for a, b in pairs])

    sigma = np.column_stack([np.hypot(errors[:, BAND_INDEX[a]], errors[:, BAND_INDEX[b]]) for a, b in pairs])
    sigma = np.sqrt(sigma**2 + float(sigma_int) ** 2 + NEIGHBOUR_SCATTER_MAG**2)
    return colours(mags), colours(predicted), sigma, [C.color_name(a, b) for a, b in pairs]
