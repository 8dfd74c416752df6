"""The symbiotic score (stage 6): from what the VAE's fit says of each object to the score that
ranks, its factors and the candidates.

The VAE (:mod:`symfind.detect.vae`) models the giant; its fit (:func:`symfind.detect.vae.fit_table`)
gives each object's light beyond the giant in u and v (``score_hot_excess``), the two-component
test of that light (nebula or A-G star, :mod:`symfind.detect.companion`) and the bound on the share
of the light that is not the giant's. This module weighs them with what makes the excess symbiotic,
the flickering, the phase of a pulsator, a resolved neighbour, Gaia DR3's Halpha and the giant's
luminosity (:func:`symbiotic_score`, ``vae.symbiotic``), and ranks (:func:`score_fit`). It needs no
PyTorch, so a changed weight rescores the saved fit (rule ``score_vae``) without training again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..columns import flicker_allowed_rms_name
from ..config import with_defaults
from ..io import InputError
from .features import HOT_BANDS


def flag_anomalies(object_ids: np.ndarray, scores: np.ndarray, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Rank objects by score (1 = most anomalous; ties by object_id) and flag the top ``fraction``.

    Returns ``(rank, is_candidate)``; at least one object is flagged when there are any.
    """
    if not 0 < fraction < 1:
        raise InputError(f"vae.anomaly_fraction must be between 0 and 1, got {fraction}")
    order = np.lexsort((object_ids, -scores))
    rank = np.empty(len(scores), dtype=np.int64)
    rank[order] = np.arange(1, len(scores) + 1)
    n_flag = max(1, math.ceil(fraction * len(scores))) if len(scores) else 0
    return rank, rank <= n_flag


#: Which score ranks the candidates (``vae.score``).
VAE_SCORES = ("symbiotic", "hot_excess", "any")


def symbiotic_score(hot_score: np.ndarray, companion_llr: np.ndarray, flicker_sig: np.ndarray,
                    det_frac_u: np.ndarray, weights: Mapping[str, Any],
                    neighbour_arcsec: np.ndarray | None = None,
                    neighbour_llr: np.ndarray | None = None,
                    det_bias_u: np.ndarray | None = None,
                    uv_excess_z: np.ndarray | None = None,
                    halpha_z: np.ndarray | None = None,
                    halpha_error_nm: np.ndarray | None = None,
                    lpv: np.ndarray | None = None,
                    abs_j_bright: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The default score (``vae.score: symbiotic``): the hot excess, weighed by what makes it
    symbiotic, plus the flickering that an accreting white dwarf shows without a large excess.

    ``score = (1 + hot_score * jump * phase * blend) * (1 + flicker_weight * flicker_sig) - 1``, per
    object (0 without any evidence; the flickering multiplies, as independent evidence multiplies
    odds, so that an accreting-only star with a weak excess and a strong flicker can rise past an
    impostor with a larger excess and none), where

    - ``hot_score`` is :func:`symfind.detect.vae.hot_excess`'s ``-log10 P`` of the u/v light beyond the giant's;
    - ``jump = 1 / (1 + exp(-companion_llr))`` is the probability, at equal prior odds, that that
      light has the Balmer jump in emission (a nebula and a hot dwarf) rather than in absorption (an
      A-G star: a composite binary, a blend, or a giant whose v is bright because it is metal-poor;
      :func:`symfind.detect.companion.fit_companions`), the excess taken over the VAE's giant; with
      ``neighbour_llr`` (the same test, the excess taken over the giants most like the object in
      the red and the infrared, :func:`symfind.detect.sed.neighbour_colours`, which see a companion's
      light in g that the VAE takes for the giant's own) it is the product of the two
      probabilities: both predictions of the giant must find the jump in emission; with
      ``uv_excess_z`` (how much bluer u - v is than the giant's, in sigma: the VAE's ``excess_z_u_v``)
      it is multiplied by ``1 / (1 + exp(-uv_excess_z))`` (0.5 where unknown): the direct reading of
      the jump, a nebula's u gains more than its v and makes u - v bluer than the giant's, an A-G
      star's or a metal-poor giant's v gains more and leaves it as red or redder;
    - ``phase = det_frac_u ** (detection_power * selection)``: the share of the nights with g and r
      on which u was measured too (1 where unknown). A large-amplitude pulsator's u is seen only near
      maximum, and its colours then are bluer than the giant's mean: an excess seen on its bright
      nights only counts for less. ``selection = clip(-det_bias_u / phase_bias_mag, 0, 1)`` says how
      far the u nights were the bright ones (``det_bias_u``: mean g on the g-and-r nights with u
      minus that on those without, mag): a star at u's detection limit whose u nights are no
      brighter in g than the others (a faint symbiotic star, constant or flickering) keeps its
      excess; 1 where the bias is unknown (u on all or none of the nights, or ``det_bias_u`` not
      given);
    - ``flicker_sig``: the flickering's ``-log10 P`` in u and v together
      (:func:`joint_significance`, the geometric mean of ``flicker_robust_sig_u`` and ``_v``: the
      chi2 of the exposures within a night, each band's worst night left out, exposures beyond
      ``colors.flicker_max_mag`` from their night's median, or pairs that far apart, left out; 0 where unknown):
      minutes-scale variability that a Mira, slow on nights, does not have (Lucy et al. 2024,
      arXiv:2412.00855; Wolf et al. 2018, PASA 35, e010). An accretion disc flickers in u and v
      together and on every night, by less in v, where the giant dilutes it more; one bad exposure
      raises one band on one night. v's test is left out where its flickering is beyond what u's,
      in the same visits, allows by more than ``flicker_beyond_u_dex`` (``flicker_beyond_u_sig_v``):
      a v exposure off by a few tenths while u holds steady is not the star's.

    - ``blend = blend_factor`` where a resolved Gaia source lies within ``blend_radius_arcsec``
      (``neighbour_arcsec``: the master's ``gaia_dr2_dist2``, NaN where none or unknown), else 1:
      a neighbour inside SkyMapper's PSF (seeing ~2-3") adds its light to u and v, and a foreground
      dwarf's light looks like a hot excess (``blend_flag``).

    - ``halpha``: Gaia DR3's Halpha (optional; :mod:`symfind.query.gaia_dr3`), a third multiplying term
      ``1 + halpha_weight * P``, with ``P = Phi(halpha_z - halpha_min_nm / halpha_error_nm)`` the
      probability that the line is in emission with a pseudo-equivalent width beyond
      ``halpha_min_nm`` (``halpha_z``: ``-ew_espels_halpha / uncertainty``, positive for emission).
      Strong Halpha emission is a defining criterion of a symbiotic star (EW > 5 A, Belczynski et
      al. 2000, A&AS 146, 407) that no composite binary, blend or plain giant meets; 0 (the term is 1)
      where unmeasured, exactly as without the table: a missing width is not "no emission".
    - ``lpv``: Gaia DR3 classified the object as a long-period variable (optional; missing as
      False). Its colours change with phase (Lucy et al. 2024 correct pulsating giants' colours),
      so its u detections count as phase-selected in full (``selection = 1`` whatever
      ``det_bias_u`` says) and its hot excess is multiplied by ``lpv_factor``; a D-type symbiotic
      star's Mira keeps its Halpha and its flickering.
    - ``giant``: the whole score is multiplied by ``1 / (1 + exp((abs_j_bright - giant_abs_j) /
      giant_width_mag))``, the probability that the star is luminous enough to be a giant
      (``abs_j_bright``: :func:`symfind.photometry.cuts.brightest_abs_j`, the absolute J at the distance's upper
      bound; 1 where unknown). A symbiotic star's cool component is a red giant or an AGB star
      (Mikolajewska 2007, Baltic Astron. 16, 1; Belczynski et al. 2000): with the selection's
      (J - K)0 > 0.85 that is K5 III and later, M_J below about -2.5 (Bessell & Brett 1988, PASP
      100, 1134, colours; the M giants of van Belle et al. 1999, AJ 117, 521). A young star (its
      accretion shock has a Balmer jump in emission and Halpha too, and its disc reddens J - K) or a
      dwarf that the absolute-magnitude cut lets through is fainter than that, and no colour tells
      it from a symbiotic star.

    ``weights``: ``flicker_weight``, ``detection_power``, ``phase_bias_mag`` (needed with
    ``det_bias_u``), ``blend_radius_arcsec`` and ``blend_factor``, ``halpha_weight`` and
    ``halpha_min_nm`` (needed with ``halpha_z``), ``lpv_factor`` (needed with ``lpv``),
    ``giant_abs_j`` and ``giant_width_mag`` (needed with ``abs_j_bright``) (``vae.symbiotic``).
    Returns ``score`` and its factors ``jump``, ``phase``, ``blend_flag``, ``flicker`` and
    ``halpha`` (the multiplying terms less 1) and ``giant``."""
    from scipy.special import expit

    llr = np.nan_to_num(np.asarray(companion_llr, dtype=np.float64), nan=0.0)
    jump = expit(llr)
    if neighbour_llr is not None:
        jump = jump * expit(np.nan_to_num(np.asarray(neighbour_llr, dtype=np.float64), nan=0.0))
    if uv_excess_z is not None:
        jump = jump * expit(np.nan_to_num(np.asarray(uv_excess_z, dtype=np.float64), nan=0.0, posinf=50.0, neginf=-50.0))
    det = np.asarray(det_frac_u, dtype=np.float64)
    selection = np.ones(len(det))
    if det_bias_u is not None:
        bias = np.asarray(det_bias_u, dtype=np.float64)
        scale = float(weights["phase_bias_mag"])
        with np.errstate(divide="ignore", invalid="ignore"):
            ramp = np.clip(-bias / scale, 0.0, 1.0) if scale > 0 else (bias < 0).astype(np.float64)
        selection = np.where(np.isfinite(bias), ramp, 1.0)
    lpv_flag = np.zeros(len(det), dtype=bool) if lpv is None else np.asarray(pd.array(lpv, dtype="boolean").fillna(False), dtype=bool)
    selection = np.where(lpv_flag, 1.0, selection)
    power = float(weights["detection_power"]) * selection
    phase = np.where(np.isfinite(det), np.clip(det, 0.0, 1.0), 1.0) ** power
    flicker = float(weights["flicker_weight"]) * np.clip(np.nan_to_num(np.asarray(flicker_sig, dtype=np.float64), nan=0.0), 0.0, None)
    neighbour = np.full(len(jump), np.nan) if neighbour_arcsec is None else np.asarray(neighbour_arcsec, dtype=np.float64)
    blend_flag = np.isfinite(neighbour) & (neighbour < float(weights["blend_radius_arcsec"]))
    blend = np.where(blend_flag, float(weights["blend_factor"]), 1.0)
    if lpv is not None:
        blend = blend * np.where(lpv_flag, float(weights["lpv_factor"]), 1.0)
    halpha = np.zeros(len(det))
    if halpha_z is not None:
        from scipy.special import ndtr

        z = np.asarray(halpha_z, dtype=np.float64)
        error = np.full(len(z), np.nan) if halpha_error_nm is None else np.asarray(halpha_error_nm, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            beyond = z - float(weights["halpha_min_nm"]) / error
        halpha = float(weights["halpha_weight"]) * np.where(np.isfinite(beyond), ndtr(beyond), 0.0)
    giant = np.ones(len(det))
    if abs_j_bright is not None:
        giant = giant_weight(abs_j_bright, float(weights["giant_abs_j"]), float(weights["giant_width_mag"]))
    weighed = np.clip(np.asarray(hot_score, dtype=np.float64), 0.0, None) * jump * phase * blend
    return {"score": giant * ((1.0 + weighed) * (1.0 + flicker) * (1.0 + halpha) - 1.0),
            "jump": jump, "phase": phase, "blend_flag": blend_flag, "flicker": flicker, "halpha": halpha,
            "giant": giant}


def giant_weight(abs_j_bright: np.ndarray, giant_abs_j: float, width_mag: float) -> np.ndarray:
    """The probability that a star is a giant, from the brightest absolute J its distance allows
    (``abs_j_bright``, mag): ``1 / (1 + exp((abs_j_bright - giant_abs_j) / width_mag))``, 1 where
    unknown (no distance is no evidence). ``width_mag`` 0: a step at ``giant_abs_j``."""
    from scipy.special import expit

    bright = np.asarray(abs_j_bright, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = expit((giant_abs_j - bright) / width_mag) if width_mag > 0 else (bright < giant_abs_j).astype(np.float64)
    return np.where(np.isfinite(bright), weight, 1.0)


def joint_significance(significances: np.ndarray) -> np.ndarray:
    """Flickering seen in every band tested, row by row: ``significances`` ``(n, k)`` in dex
    (``-log10 P``, negative values taken as 0; NaN where a band was not tested) -> their geometric
    mean over the bands a row has (the one value where it has one; 0 where it has none).

    A soft "and": small where any band shows nothing, so one band's artefact (an exposure off by a
    few tenths of a magnitude, below ``colors.flicker_max_mag``, with a small error) does not pass
    for flickering, as it would under Fisher's combination of independent tests (tried: on a mock
    sky it put five plain giants with one bad v exposure into the top 2%); unlike the smaller of
    the two it lets a strong u test lift a weaker v one (a giant dilutes the disc's flickering
    more in v than in u)."""
    values = np.asarray(significances, dtype=np.float64)
    present = np.isfinite(values)
    k = present.sum(axis=1)
    with np.errstate(divide="ignore"):
        logs = np.where(present, np.log(np.clip(np.where(present, values, 1.0), 0.0, None)), 0.0)
    with np.errstate(invalid="ignore"):
        mean_log = logs.sum(axis=1) / np.maximum(k, 1)
    return np.where(k > 0, np.exp(mean_log), 0.0)


def least_of_columns(table: pd.DataFrame, names: tuple[str, ...], fill: float) -> np.ndarray:
    """The row-wise minimum of those ``names`` the table has (``fill`` where none is, or all NaN)."""
    present = [name for name in names if name in table.columns]
    if not present:
        return np.full(len(table), fill)
    values = table[present].to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(all="ignore"):
        least = np.nanmin(np.where(np.isfinite(values), values, np.inf), axis=1)
    return np.where(np.isfinite(least), least, fill)


#: The confidence of the upper bound on a band's light beyond the giant that bounds its flickering
#: (:func:`hot_share_bound`): one-sided, as for the v-against-u bound of the colour stage.
HOT_SHARE_BOUND_LEVEL = 0.99


#: The red bands a hot band's light beyond the giant is read against, first choice first: where the
#: giant gives the most of the light and a hot component the least.
HOT_SHARE_REFERENCE_BANDS = ("z", "i", "r")


def hot_share_bound(observed: np.ndarray, predicted: np.ndarray, sigma: np.ndarray, names: Sequence[str],
                    level: float = HOT_SHARE_BOUND_LEVEL) -> dict[str, np.ndarray]:
    """Per hot band (:data:`symfind.detect.features.HOT_BANDS`), the upper bound (one-sided
    ``level``, ``k`` its normal quantile) on the share of the band's light that is not the giant's:
    ``s_hi = 1 - 10^(-0.4 x max(0, d + k sigma))``, ``d`` (mag, positive = bluer) how much bluer
    the band's colour against the reddest of :data:`HOT_SHARE_REFERENCE_BANDS` the object has is
    than the giant's (``predicted - observed``; ``sigma`` its error with the prediction's scatter).
    NaN where the band has no colour against a red band (no bound). It depends on the VAE's fit
    only, so the training job writes it (:func:`symfind.detect.vae.fit_table`) and the scoring
    scales it (:func:`flicker_allowed_rms`)."""
    from scipy.special import ndtri

    observed, predicted, sigma = (np.asarray(a, dtype=np.float64) for a in (observed, predicted, sigma))
    k = float(ndtri(float(level)))
    bound = {}
    for band in HOT_BANDS:
        excess = np.full(len(observed), np.nan)
        error = np.full(len(observed), np.nan)
        for red in reversed(HOT_SHARE_REFERENCE_BANDS):  # the first choice written last, over the others
            name = f"{band}_{red}"
            if name not in names:
                continue
            j = list(names).index(name)
            with np.errstate(invalid="ignore"):
                d = predicted[:, j] - observed[:, j]
            usable = np.isfinite(d) & np.isfinite(sigma[:, j])
            excess = np.where(usable, d, excess)
            error = np.where(usable, sigma[:, j], error)
        with np.errstate(invalid="ignore"):
            bound[band] = 1.0 - 10.0 ** (-0.4 * np.clip(excess + k * error, 0.0, None))
    return bound


def flicker_allowed_rms(share_bound: Mapping[str, np.ndarray], hot_rms_max: float) -> dict[str, np.ndarray]:
    """Per band, the largest flickering rms (mag) that the light beyond the giant allows:
    ``(2.5 / ln 10) x hot_rms_max x s_hi``, ``s_hi = share_bound[band]`` the upper bound on the
    share of the band's light that is not the giant's (:func:`hot_share_bound`, which the VAE's fit
    writes; NaN there, no bound, stays NaN).

    Only the light beyond the giant flickers (a giant is steady on minutes): a component that
    gives a share ``s`` of a band's light and varies by a fraction ``f`` rms of its own makes the
    band's magnitude vary by about ``1.0857 s f`` rms. ``hot_rms_max`` (``vae.symbiotic.
    flicker_hot_rms_max``) bounds ``f``: accretion flickering varies the disc's light by some tens
    of per cent (Bruch 1992, A&A 266, 237, for cataclysmic variables; Sokoloski, Bildsten & Ho
    2001, MNRAS 326, 553, for symbiotic stars, a few tenths of a magnitude in B where the hot
    component gives most of the light). A u that varies by 0.3 mag within a night
    while the u colours match the giant's is an exposure's artefact, not the star's."""
    return {band: 2.5 / np.log(10.0) * float(hot_rms_max) * np.asarray(share, dtype=np.float64)
            for band, share in share_bound.items()}


def _flicker_significance(rows: pd.DataFrame, beyond_u_dex: float | None = None,
                          allowed_rms: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """The symbiotic score's flickering: :func:`joint_significance` of the robust flickering
    significances of the hot bands the table has (0 where none), v's left out where its flickering
    lies beyond what u's allows by more than ``beyond_u_dex`` (``flicker_beyond_u_sig_v``,
    :func:`symfind.photometry.colours.colors_from_epochs`; ``vae.symbiotic.flicker_beyond_u_dex``;
    None, or a table without the column: kept), and each band's left out where its excess rms
    (``flicker_rms_<band>``) is larger than ``allowed_rms[band]`` (:func:`flicker_allowed_rms`;
    None, or NaN: kept). What a band left out takes away stays away: the result is never more than
    the joint significance of every band tested (a weak v left out does not raise a u)."""
    from ..columns import FLICKER_BEYOND_U, flicker_names

    rms_name, robust_name = {}, {}  # per band: flicker_rms_<band>, flicker_robust_sig_<band>
    for band in HOT_BANDS:
        _, _, rms_name[band], _, robust_name[band] = flicker_names(band)
    bands = [band for band in HOT_BANDS if robust_name[band] in rows.columns]
    names = [robust_name[band] for band in bands]
    if not names:
        return np.zeros(len(rows))
    every_band = rows[names].to_numpy(dtype=np.float64, na_value=np.nan)
    significances = every_band.copy()
    if beyond_u_dex is not None and FLICKER_BEYOND_U in rows.columns and "v" in bands:
        beyond = rows[FLICKER_BEYOND_U].to_numpy(dtype=np.float64, na_value=np.nan) > float(beyond_u_dex)
        significances[beyond, bands.index("v")] = np.nan
    for k, band in enumerate(bands):
        if allowed_rms is None or band not in allowed_rms or rms_name[band] not in rows.columns:
            continue
        rms = rows[rms_name[band]].to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            significances[rms > np.asarray(allowed_rms[band], dtype=np.float64), k] = np.nan
    # a band left out takes its evidence away, never adds any: without a weak band the geometric
    # mean of the others would be larger
    return np.minimum(joint_significance(every_band), joint_significance(significances))


def _gaia_dr3_inputs(rows: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """The symbiotic score's Gaia DR3 inputs from the analysed table: ``halpha_emission_z``, the
    width's uncertainty (nm) and ``gaia_lpv``; None for those the table lacks (a sky without them
    scores as before)."""
    z = rows["halpha_emission_z"].to_numpy(dtype=np.float64, na_value=np.nan) if "halpha_emission_z" in rows else None
    error = (rows["ew_espels_halpha_uncertainty"].to_numpy(dtype=np.float64, na_value=np.nan)
             if z is not None and "ew_espels_halpha_uncertainty" in rows else None)
    lpv = rows["gaia_lpv"].to_numpy(dtype=object) if "gaia_lpv" in rows else None
    return z, error, lpv


def _abs_j_bright(rows: pd.DataFrame) -> np.ndarray | None:
    """The brightest absolute J the distance allows (:func:`symfind.photometry.cuts.brightest_abs_j`), None
    where the table lacks ``abs_j``, ``r_est`` or ``r_hi`` (a user's table without distances)."""
    from ..photometry.cuts import brightest_abs_j

    if not all(c in rows.columns for c in ("abs_j", "r_est", "r_hi")):
        return None
    return brightest_abs_j(*(rows[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in ("abs_j", "r_est", "r_hi")))


#: The fit table's flag (:func:`symfind.detect.vae.fit_table`): the test of the excess against the red-and-infrared
#: neighbours was made (``neighbour_companion_llr``; not in the scored table).
NEIGHBOUR_TESTED = "neighbour_tested"


def hot_share_bound_name(band: str) -> str:
    """The fit table's column of :func:`hot_share_bound` in ``band`` (the scoring scales it into
    :func:`symfind.columns.flicker_allowed_rms_name`; not in the scored table)."""
    return f"hot_share_hi_{band}"


def symbiotic_input_columns(names: Sequence[str]) -> list[str]:
    """Of the analysed table's columns ``names``, those the scoring (:func:`score_fit`) reads besides
    the fit: the flickering's robust significance and rms in the hot bands and v's beyond u's, the
    detection fraction and bias in u, the resolved Gaia neighbour, Gaia DR3's Halpha and LPV class,
    and the distance inputs of P(giant); in table order."""
    from ..columns import FLICKER_BEYOND_U, flicker_names

    wanted = {"object_id", FLICKER_BEYOND_U, "det_frac_u", "det_bias_u", "gaia_dr2_dist2", "halpha_emission_z",
              "ew_espels_halpha_uncertainty", "gaia_lpv", "abs_j", "r_est", "r_hi"}
    for band in HOT_BANDS:
        _, _, rms, _, robust = flicker_names(band)
        wanted.update((rms, robust))
    return [name for name in names if name in wanted]


def score_fit(fit: pd.DataFrame, analysed: pd.DataFrame, params: Mapping[str, Any]) -> pd.DataFrame:
    """The VAE's per-object score table from its fit (:func:`symfind.detect.vae.fit_table`) and the analysed objects'
    columns the symbiotic score reads (:func:`symbiotic_input_columns`), by rank.

    ``anomaly_score`` is the one of ``vae.score`` and ranks the objects; the top
    ``vae.anomaly_fraction`` are the candidates (``rank``, ``is_candidate``). ``score_symbiotic``
    (:func:`symbiotic_score`, with ``vae.symbiotic``'s weights) and its factors are written for
    every object, whatever ``vae.score`` is. ``params``: the ``vae`` block (only
    :data:`symfind.config.VAE_SCORING_KEYS` are read). ``analysed`` must hold every object of ``fit``."""
    params = with_defaults("vae", params)
    score_name = params["score"]
    if score_name not in VAE_SCORES:
        raise InputError(f"vae.score must be one of {', '.join(VAE_SCORES)}, got {score_name!r}")
    weights = params["symbiotic"]
    ids = fit["object_id"].to_numpy(dtype=np.int64)
    missing = ~pd.Index(ids).isin(analysed["object_id"])
    if missing.any():
        raise InputError(f"the VAE's fit names {int(missing.sum())} object(s) the analysed table lacks "
                         f"(object_id {ids[missing][0]}...)")
    rows = analysed.set_index("object_id").reindex(ids)
    hot_rms_max = weights.get("flicker_hot_rms_max")
    share = {band: fit[hot_share_bound_name(band)].to_numpy(dtype=np.float64) for band in HOT_BANDS}
    allowed_rms = None if hot_rms_max is None else flicker_allowed_rms(share, float(hot_rms_max))
    tested = bool(fit[NEIGHBOUR_TESTED].all())
    neighbour_llr = fit["neighbour_companion_llr"].to_numpy(dtype=np.float64) if tested else None
    symbiotic = symbiotic_score(fit["score_hot_excess"].to_numpy(dtype=np.float64), fit["companion_llr"].to_numpy(dtype=np.float64),
                                _flicker_significance(rows, weights.get("flicker_beyond_u_dex"), allowed_rms),
                                least_of_columns(rows, ("det_frac_u",), np.nan), weights,
                                least_of_columns(rows, ("gaia_dr2_dist2",), np.nan), neighbour_llr,
                                least_of_columns(rows, ("det_bias_u",), np.nan),
                                _finite_column(fit, "excess_z_u_v"),
                                *_gaia_dr3_inputs(rows), _abs_j_bright(rows))
    anomaly = {"symbiotic": symbiotic["score"], "hot_excess": fit["score_hot_excess"].to_numpy(dtype=np.float64)}.get(
        score_name, fit["score_any"].to_numpy(dtype=np.float64))
    rank, is_candidate = flag_anomalies(ids, anomaly, float(params["anomaly_fraction"]))
    factors = {"jump_weight": symbiotic["jump"], "phase_weight": symbiotic["phase"], "blend_flag": symbiotic["blend_flag"],
               "flicker_term": symbiotic["flicker"],
               **{flicker_allowed_rms_name(band): (np.full(len(ids), np.nan) if allowed_rms is None else allowed_rms[band])
                  for band in HOT_BANDS},
               "halpha_term": symbiotic["halpha"], "giant_weight": symbiotic["giant"]}
    fit_only = {NEIGHBOUR_TESTED, *(hot_share_bound_name(band) for band in HOT_BANDS)}
    columns = [c for c in fit.columns if c not in fit_only]
    # the score beside the fit's scores, its factors after the two-component test, the rank
    # before the counts of features
    order = list(columns)
    order.insert(order.index("score_any"), "anomaly_score")
    order.insert(order.index("score_hot_excess") + 1, "score_symbiotic")
    at = order.index("neighbour_companion_llr") + 1
    order[at:at] = list(factors)
    at = order.index("n_features_observed")
    order[at:at] = ["rank", "is_candidate"]
    added = pd.DataFrame({"anomaly_score": anomaly, "score_symbiotic": symbiotic["score"], **factors, "rank": rank,
                          "is_candidate": is_candidate}, index=fit.index)
    scores = pd.concat([fit[columns], added], axis=1)[order]
    return scores.sort_values("rank", ignore_index=True)


def _finite_column(table: pd.DataFrame, name: str) -> np.ndarray | None:
    """Column ``name`` as floats, None where the table lacks it or it is empty everywhere (a
    feature no object has)."""
    if name not in table.columns:
        return None
    values = table[name].to_numpy(dtype=np.float64, na_value=np.nan)
    return values if np.isfinite(values).any() or not len(values) else None
