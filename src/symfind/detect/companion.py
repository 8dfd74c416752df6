"""The two-component test of an optical excess: is the light a red giant has beyond its own in
u v g r i a nebula (the Balmer jump in emission) or a main-sequence star (the jump in absorption)?

A symbiotic star's hot component ionises the giant's wind: the nebular recombination continuum has
the Balmer jump in *emission*, so it adds more light below 364.6 nm (SkyMapper u) than above it (v),
with a hot white dwarf's Rayleigh-Jeans tail beside it. A giant with an A-G main-sequence companion
(a composite spectrum) or a chance blend with a foreground dwarf adds light whose Balmer jump is in
*absorption*: v gains more than u. So, per object, the excess flux over what the giant alone
predicts is fitted twice, each time by non-negative amounts of two template spectra:

- (a) ``nebular``: a hydrogen nebula (T_e = 10, 20 or 40 kK, the best of the three) plus a hot
  white dwarf (10^5 K);
- (b) ``stellar``: the A0V and G2V spectra (their non-negative mixtures span A0V-G2V);

and ``companion_llr = (chi2_stellar - chi2_nebular) / 2`` is the log-likelihood ratio of (a)
over (b) (natural log; positive: the excess has the Balmer jump in emission). An object whose
light is all giant has ``chi2`` alike in both and a ratio near 0. The templates' synthetic
SkyMapper magnitudes are in ``resources/companion_templates/`` (with their sources).

Which bands are fitted (``bands``) depends on what the giant's prediction saw. A prediction made
from the object's own g r i z colours (the giant-conditioned VAE's) has taken a companion's light
in g and r for the giant's own, so the excess it leaves there is about 0 whatever the companion;
fitted in g as well, that missing g light favours the model that needs the least of it, the
nebula, and a G dwarf blended with the giant looks nebular. Against such a prediction only u and
v are fitted: the ratio of the u to the v excess is the Balmer jump itself (A0V-G2V light adds
0.5-0.7 times as much flux in u as in v, a nebula with a hot dwarf 1.2-8 times as much). A
prediction that did not see the optical (the neighbours in the red and infrared of
:func:`symfind.detect.sed.neighbour_colours`) is fitted in all of u v g r i.

Units: the fit runs in flux relative to the object's own flux in the reference band (z; i or r
where the object lacks z, or z and i), from the dereddened colours ``b - ref`` observed and
predicted (mag); a colour error sigma (mag) is a relative flux error ``0.921 sigma``. The
companion's own light in the reference band is neglected (an A0V star beside an M giant adds ~2% in z).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import columns as C
from ..io import InputError
from ..config import REPOSITORY

#: The templates' synthetic magnitudes (see the folder's PROVENANCE.md).
TEMPLATES_FILE = REPOSITORY / "resources" / "companion_templates" / "skymapper_templates.csv"
#: Bands whose excess flux is fitted (by default), and the reference bands (per object, the first
#: one whose colours it has).
FIT_BANDS: tuple[str, ...] = ("u", "v", "g", "r", "i")
#: The fewest bands with a usable excess a fit needs (all of them where fewer are fitted).
MIN_FIT_BANDS = 3
REFERENCE_BANDS: tuple[str, ...] = ("z", "i", "r")
#: The templates of each model: (a) any nebula plus the white dwarf; (b) the two stars.
NEBULAR_TEMPLATES: tuple[str, ...] = ("nebula_10kK", "nebula_20kK", "nebula_40kK")
HOT_DWARF_TEMPLATE = "wd_100kK"
STELLAR_TEMPLATES: tuple[str, str] = ("A0V", "G2V")
#: The product's columns (see :func:`fit_companions`).
COMPANION_COLUMNS: tuple[str, ...] = (
    "companion_llr", "companion_chi2_nebular", "companion_chi2_stellar", "companion_nebula",
    "companion_a0v_share", "companion_excess_g",
)
_MAG_TO_FLUX = 0.4 * np.log(10.0)


@lru_cache(maxsize=4)
def load_templates(path: str | Path = TEMPLATES_FILE) -> pd.DataFrame:
    """The template table (one row per template: SkyMapper AB and 2MASS Vega magnitudes)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"companion templates {path} are missing")
    table = pd.read_csv(path, comment="#").set_index("template")
    missing = [b for b in C.SKYMAPPER_BANDS if b not in table.columns]
    if missing:
        raise InputError(f"companion templates {path} lack column(s) {', '.join(missing)}")
    return table


def template_flux(name: str, bands: tuple[str, ...], reference: str) -> np.ndarray:
    """A template's flux in ``bands`` relative to its flux in ``reference`` (F_nu ratio)."""
    table = load_templates()
    mags = table.loc[name, list(bands)].to_numpy(dtype=np.float64)
    return 10.0 ** (-0.4 * (mags - float(table.loc[name, reference])))


def _nonnegative_pair(R: np.ndarray, W: np.ndarray, t1: np.ndarray, t2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted least squares ``R ~ a t1 + b t2`` with ``a, b >= 0``, per row (vectorised).

    ``R`` (n, k) residual fluxes (0 where missing), ``W`` (n, k) weights (0 where missing); ``t1``,
    ``t2`` (k,) template fluxes scaled per row by the caller's choice of units. Returns ``(a, b,
    chi2)``: the exact non-negative optimum (the unconstrained one if both amounts are >= 0, else
    the better of the two one-template fits, each floored at 0).
    """
    s11 = (W * t1 * t1).sum(axis=1)
    s22 = (W * t2 * t2).sum(axis=1)
    s12 = (W * t1 * t2).sum(axis=1)
    r1 = (W * R * t1).sum(axis=1)
    r2 = (W * R * t2).sum(axis=1)
    rr = (W * R * R).sum(axis=1)
    det = s11 * s22 - s12**2
    with np.errstate(divide="ignore", invalid="ignore"):
        a_both = np.where(det > 0, (r1 * s22 - r2 * s12) / det, -1.0)
        b_both = np.where(det > 0, (r2 * s11 - r1 * s12) / det, -1.0)
        a_only = np.where(s11 > 0, np.maximum(r1 / s11, 0.0), 0.0)
        b_only = np.where(s22 > 0, np.maximum(r2 / s22, 0.0), 0.0)

    def chi2(a, b):
        return rr - 2 * (a * r1 + b * r2) + a * a * s11 + b * b * s22 + 2 * a * b * s12

    both_ok = (a_both >= 0) & (b_both >= 0)
    chi_a, chi_b = chi2(a_only, 0.0), chi2(0.0, b_only)
    a = np.where(both_ok, a_both, np.where(chi_a <= chi_b, a_only, 0.0))
    b = np.where(both_ok, b_both, np.where(chi_a <= chi_b, 0.0, b_only))
    return a, b, np.maximum(chi2(a, b), 0.0)


def _against_reference(values: np.ndarray, index: dict[str, int], bands: tuple[str, ...], reference: str,
                       sign: bool) -> np.ndarray:
    """The columns ``b - reference`` of ``values`` for ``bands`` (n, len(bands)): the colour where
    ``names`` hold it, minus its reverse where they hold ``reference - b`` (``sign`` False: an
    error, taken as it is), NaN where neither."""
    columns = []
    for band in bands:
        if C.color_name(band, reference) in index:
            columns.append(values[:, index[C.color_name(band, reference)]])
        elif C.color_name(reference, band) in index:
            column = values[:, index[C.color_name(reference, band)]]
            columns.append(-column if sign else column)
        else:
            columns.append(np.full(len(values), np.nan))
    return np.column_stack(columns)


def _fit_against(observed: np.ndarray, predicted: np.ndarray, sigma: np.ndarray, index: dict[str, int],
                 reference: str, fit_bands: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The two-component test of every row in ``fit_bands`` with ``reference`` as the flux unit
    (module docstring); ``fitted`` is False where fewer than :data:`MIN_FIT_BANDS` bands (or all
    of them, where fewer are fitted) have a usable excess."""
    n = len(observed)
    bands = tuple(b for b in fit_bands if b != reference)
    obs_flux = 10.0 ** (-0.4 * _against_reference(observed, index, bands, reference, True))
    giant_flux = 10.0 ** (-0.4 * _against_reference(predicted, index, bands, reference, True))
    giant_g = 10.0 ** (-0.4 * _against_reference(predicted, index, ("g",), reference, True)[:, 0])
    flux_error = _MAG_TO_FLUX * _against_reference(sigma, index, bands, reference, False) * np.fmax(obs_flux, giant_flux)
    usable = np.isfinite(obs_flux) & np.isfinite(giant_flux) & np.isfinite(flux_error) & (flux_error > 0)
    residual = np.where(usable, obs_flux - giant_flux, 0.0)
    weight = np.where(usable, 1.0 / np.where(usable, flux_error, 1.0) ** 2, 0.0)

    def in_g(name: str) -> np.ndarray:  # a template normalised to its own g flux (amounts are g fluxes)
        return template_flux(name, bands, reference) / template_flux(name, ("g",), reference)[0]

    # (b) stellar: A0V + G2V
    a, b, chi2_stellar = _nonnegative_pair(residual, weight, in_g(STELLAR_TEMPLATES[0]), in_g(STELLAR_TEMPLATES[1]))
    # (a) nebular: each T_e plus the white dwarf; the best T_e per object
    t_wd = in_g(HOT_DWARF_TEMPLATE)
    chi2_nebular = np.full(n, np.inf)
    nebula = np.full(n, "", dtype=object)
    excess_g = np.full(n, np.nan)
    for name in NEBULAR_TEMPLATES:
        p, q, chi2 = _nonnegative_pair(residual, weight, in_g(name), t_wd)
        better = chi2 < chi2_nebular
        chi2_nebular = np.where(better, chi2, chi2_nebular)
        nebula[better] = name
        with np.errstate(divide="ignore", invalid="ignore"):
            excess_g = np.where(better, (p + q) / giant_g, excess_g)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(a + b > 0, a / (a + b), np.nan)
    fitted = usable.sum(axis=1) >= min(MIN_FIT_BANDS, len(bands))
    return {"fitted": fitted, "companion_llr": 0.5 * (chi2_stellar - chi2_nebular),
            "companion_chi2_nebular": chi2_nebular, "companion_chi2_stellar": chi2_stellar, "companion_nebula": nebula,
            "companion_a0v_share": share, "companion_excess_g": excess_g}


def fit_companions(observed: np.ndarray, predicted: np.ndarray, sigma: np.ndarray, names: list[str],
                   bands: tuple[str, ...] = FIT_BANDS) -> pd.DataFrame:
    """The two-component test for every object (module docstring), in ``bands`` (g among them or not).

    ``observed``, ``predicted`` (what the giant alone gives) and ``sigma`` (1-sigma, measurement
    and model in quadrature): ``(n, n_features)`` dereddened colours in mag, named ``x_y`` by
    ``names`` (NaN where missing). The flux unit is the object's own z, or i where its z colours are
    missing, or r (a bright giant saturated in z, a band flagged on one object only). Returns one
    row per object: ``companion_llr`` (nebular over stellar, natural log; 0 where nothing could be
    fitted: fewer than three bands, or than all of ``bands`` where fewer are fitted, with an excess
    against every reference), the two chi-squares,
    ``companion_nebula`` (the best nebular template), ``companion_a0v_share`` (the A0V share of the
    stellar fit's g flux; NaN without a stellar fit) and ``companion_excess_g`` (the excess flux in g
    over the giant's, as a fraction of the giant's g flux, in the nebular fit).
    """
    n = len(observed)
    index = {name: k for k, name in enumerate(names)}
    out = {"companion_llr": np.zeros(n), "companion_chi2_nebular": np.full(n, np.nan),
           "companion_chi2_stellar": np.full(n, np.nan), "companion_nebula": np.full(n, "", dtype=object),
           "companion_a0v_share": np.full(n, np.nan), "companion_excess_g": np.full(n, np.nan)}
    pending = np.arange(n)
    for reference in REFERENCE_BANDS:
        if not len(pending):
            break
        if not any(reference in name.split("_") for name in names):
            continue
        fit = _fit_against(observed[pending], predicted[pending], sigma[pending], index, reference, tuple(bands))
        done = fit.pop("fitted")
        for column, values in fit.items():
            out[column][pending[done]] = values[done]
        pending = pending[~done]
    return pd.DataFrame(out)
