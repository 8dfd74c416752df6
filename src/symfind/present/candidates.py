"""The candidate table astronomers open: CSV, FITS and VOTable, with units and UCDs on every column.

One row per VAE candidate, by rank: identifiers in every survey, position, photometry, distance and
absolute magnitude, the 15 independent colours with errors, the anomaly score, rank, the features
that make it odd, and the known symbiotic star it matches (if any).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..detect.features import HOT_BANDS


MAG = ("mag", "phot.mag")
EMAG = ("mag", "stat.error;phot.mag")

#: name -> (unit, UCD, description). Units in the VOUnit syntax; UCD1+ words.
COLUMN_META: dict[str, tuple[str, str, str]] = {
    "rank": ("", "meta.number", "Rank by VAE anomaly score (1 = most anomalous)"),
    "object_id": ("", "meta.id;meta.main", "SkyMapper object_id (release in the RELEASE card / INFO)"),
    "gaia_dr2_id1": ("", "meta.id.cross", "Gaia source_id: DR2 (release dr2) or DR3 (release dr4)"),
    "twomass_key": ("", "meta.id.cross", "2MASS PSC pts_key"),
    "allwise_cntr": ("", "meta.id.cross", "AllWISE cntr"),
    "raj2000": ("deg", "pos.eq.ra;meta.main", "Right ascension (J2000, SkyMapper)"),
    "dej2000": ("deg", "pos.eq.dec;meta.main", "Declination (J2000, SkyMapper)"),
    "glon": ("deg", "pos.galactic.lon", "Galactic longitude"),
    "glat": ("deg", "pos.galactic.lat", "Galactic latitude"),
    **{f"{b}_psf": (MAG[0], f"{MAG[1]};em.opt", f"SkyMapper {b} PSF magnitude (AB)") for b in C.SKYMAPPER_BANDS},
    **{f"e_{b}_psf": (EMAG[0], f"{EMAG[1]};em.opt", f"Error of the SkyMapper {b} magnitude") for b in C.SKYMAPPER_BANDS},
    **{f"{b}_m": (MAG[0], f"{MAG[1]};em.IR", f"2MASS {b.upper()} magnitude (Vega)") for b in "jhk"},
    **{f"{b}_msigcom": (EMAG[0], f"{EMAG[1]};em.IR", f"2MASS {b.upper()} total error") for b in "jhk"},
    **{f"w{k}mpro": (MAG[0], f"{MAG[1]};em.IR", f"AllWISE W{k} profile-fit magnitude (Vega)") for k in range(1, 5)},
    **{f"w{k}sigmpro": (EMAG[0], f"{EMAG[1]};em.IR", f"AllWISE W{k} error") for k in range(1, 5)},
    "parallax": ("mas", "pos.parallax.trig", "Gaia parallax (DR2 or DR3, by release)"),
    "parallax_error": ("mas", "stat.error;pos.parallax.trig", "Gaia parallax error"),
    "pmra": ("mas/yr", "pos.pm;pos.eq.ra", "Gaia proper motion in RA (x cos dec)"),
    "pmdec": ("mas/yr", "pos.pm;pos.eq.dec", "Gaia proper motion in Dec"),
    "r_est": ("pc", "pos.distance", "Bailer-Jones distance (catalogue and estimate in DISTCAT / INFO distances)"),
    "r_lo": ("pc", "pos.distance;stat.min", "Bailer-Jones lower bound (68% interval in 2018; 16th percentile in 2021)"),
    "r_hi": ("pc", "pos.distance;stat.max", "Bailer-Jones upper bound (68% interval in 2018; 84th percentile in 2021)"),
    "ebv": ("mag", "phys.absorption;em.opt.B", "E(B-V) used by the cuts"),
    "jk0": ("mag", "phot.color.excess", "Extinction-corrected J-K"),
    "abs_j": ("mag", "phys.magAbs;em.IR.J", "Absolute J magnitude (distance and extinction corrected)"),
    **{C.color_name(a, b): ("mag", "phot.color", f"Nightly-weighted SkyMapper {a}-{b}") for a, b in C.INDEPENDENT_COLOR_PAIRS},
    **{C.color_error_name(a, b): ("mag", "stat.error;phot.color", f"Error of {a}-{b}") for a, b in C.INDEPENDENT_COLOR_PAIRS},
    "anomaly_score": ("", "stat.value", "VAE anomaly score that ranks the candidates (vae.score)"),
    "score_hot_excess": ("", "stat.value", "VAE hot-excess score: -log10 P of the u/v light beyond what the giant predicts"),
    "score_symbiotic": ("", "stat.value", "Symbiotic score: P(giant) x ((1 + hot excess x Balmer-jump probability x phase x blend) x (1 + flickering) x (1 + Halpha) - 1)"),
    "companion_llr": ("", "stat.likelihood", "ln L(nebula + hot dwarf) - ln L(A0V-G2V star) of the optical excess (> 0: Balmer jump in emission)"),
    "companion_nebula": ("", "meta.note", "Best nebular template of the excess (electron temperature)"),
    "companion_a0v_share": ("", "stat.value", "A0V share of the g flux of the stellar fit of the excess (the rest G2V)"),
    "gaia_dr2_dist2": ("arcsec", "pos.angDistance", "Distance to the second-nearest Gaia source (DR2; DR3 with release dr4)"),
    "blend_flag": ("", "meta.code", "A second Gaia source inside the PSF (gaia_dr2_dist2 < vae.symbiotic.blend_radius_arcsec)"),
    "giant_weight": ("", "stat.probability", "Symbiotic score's P(giant): from M_J at the distance's upper bound (vae.symbiotic.giant_abs_j; 1 without a distance)"),
    "gaia_dr3_source_id": ("", "meta.id.cross", "Gaia DR3 source_id of the Gaia DR3 evidence (release dr2: through gaiadr3.dr2_neighbourhood)"),
    "ew_espels_halpha": ("nm", "spect.line.eqWidth;em.line.Halpha", "Gaia DR3 ESP-ELS Halpha pseudo-equivalent width (negative: emission)"),
    "ew_espels_halpha_uncertainty": ("nm", "stat.error;spect.line.eqWidth;em.line.Halpha", "Uncertainty of ew_espels_halpha"),
    "ew_espels_halpha_flag": ("", "meta.code.qual", "Gaia DR3 ESP-ELS quality flag of the Halpha width"),
    "classlabel_espels": ("", "src.class", "Gaia DR3 ESP-ELS emission-line class"),
    "halpha_emission_z": ("", "stat.value", "Halpha emission in sigma: -ew_espels_halpha / its uncertainty (positive: emission)"),
    "halpha_term": ("", "stat.value", "Symbiotic score's Halpha term: halpha_weight x P(emission beyond halpha_min_nm)"),
    "best_class_name": ("", "src.class", "Gaia DR3 variability class (LPV, SYST: symbiotic, YSO, ...)"),
    "best_class_score": ("", "stat.probability", "Score of the Gaia DR3 variability class"),
    "gaia_lpv": ("", "meta.code", "Gaia DR3 classed it a long-period variable (LPV class or vari_long_period_variable row)"),
    "frequency": ("d-1", "src.var;time.period", "Gaia DR3 long-period variable: frequency"),
    "amplitude": ("mag", "src.var.amplitude;em.opt", "Gaia DR3 long-period variable: G amplitude"),
    "score_any": ("", "stat.value", "VAE undirected score (vae.loss chi2: -log10 P(chi2); mse: the reconstruction loss)"),
    "excess_features": ("", "meta.note", "u/v colours more than 2 sigma bluer than the giant predicts, largest first"),
    "n_nights_gr": ("", "meta.number", "Nights on which both g and r were measured"),
    **{f"det_frac_{band}": ("", "stat.value", f"Share of the g-and-r nights on which {band} was measured too") for band in HOT_BANDS},
    **{f"det_bias_{band}": ("mag", "src.var", f"Mean g on the g-and-r nights with {band} minus that on those without (negative: {band} seen on bright nights)") for band in HOT_BANDS},
    **{name: meta for band in HOT_BANDS for name, meta in zip(C.flicker_names(band)[2:], (
        ("mag", "src.var.amplitude", f"Flickering in {band}: excess rms of one night's exposures about the night's mean beyond their errors"),
        ("", "stat.value", f"Significance of the {band} flickering: -log10 P(chi2 > observed) on its degrees of freedom"),
        ("", "stat.value", f"Significance of the {band} flickering with its worst night left out (what the symbiotic score uses)")))},
    **{C.flicker_allowed_rms_name(band): ("mag", "src.var.amplitude", f"The largest {band} flickering rms that the light beyond the giant allows (vae.symbiotic.flicker_hot_rms_max); a larger flicker_rms_{band} leaves the score") for band in HOT_BANDS},
    C.FLICKER_BEYOND_U: ("", "stat.value", "Significance of the v flickering beyond what the u flickering of the same visits allows (colors.flicker_v_to_u_max; above vae.symbiotic.flicker_beyond_u_dex v leaves the score)"),
    "reconstruction_loss": ("", "stat.value", "VAE reconstruction term (chi2, or MSE in standardised units)"),
    "top_features": ("", "meta.note", "Features with the largest shares of the reconstruction error"),
    "known_catalogue": ("", "meta.dataset", "Catalogue of the matched known symbiotic star"),
    "known_name": ("", "meta.id", "Name of the matched known symbiotic star"),
    "known_separation": ("arcsec", "pos.angDistance", "Separation from the known symbiotic star"),
}

CANDIDATE_COLUMNS: tuple[str, ...] = tuple(COLUMN_META)

#: The ranked list's columns: name -> (unit, UCD, description), for its FITS and VOTable.
RANKED_COLUMN_META: dict[str, tuple[str, str, str]] = {
    **{name: COLUMN_META[name] for name in ("object_id", "raj2000", "dej2000")},  # as in the VAE's list
    "rank_score": ("", "stat.probability", "Ranking score: how much it looks like the known symbiotic stars"),
    "rank": ("", "meta.number", "Rank among objects not yet known (1 = most like them); empty if known"),
    "is_known_symbiotic": ("", "meta.code", "True for a known symbiotic star (a label of the ranking)"),
    "known_name": ("", "meta.id", "Name of the known symbiotic star it is"),
    "nearest_known": ("", "meta.id", "Nearest known symbiotic star in standardised feature space"),
    "nearest_known_distance": ("", "stat.value", "Distance to nearest_known in standard deviations"),
    "vae_score": ("", "stat.value", "VAE anomaly score (vae.score)"),
    "vae_rank": ("", "meta.number", "Rank by the VAE anomaly score alone"),
    "rank_disagreement": ("", "stat.stdev", "Spread of the PU bags' probabilities: how unsure the ranking is"),
    "vet_order": ("", "meta.number", "Next to vet: order among the unvetted objects, most disagreement first"),
    "vetted_verdict": ("", "meta.code.class", "The astronomer's verdict (vetting.labels): symbiotic, not_symbiotic, uncertain"),
    "vetted_class": ("", "src.class", "What a not_symbiotic object is instead (vetting.labels)"),
    "vetted_file": ("", "meta.file", "The labels file of the verdict"),
}


def candidate_table(scored: pd.DataFrame, matches: pd.DataFrame, n_top_features: int = 3) -> pd.DataFrame:
    """The VAE's candidates (``is_candidate`` of the scored table) with every column of
    :data:`COLUMN_META`, by rank."""
    from ..detect.scored import vae_view

    cand = vae_view(scored)
    cand = cand[cand["is_candidate"].astype(bool)].copy()  # one block per dtype, not a column each
    shares = cand[[c for c in cand.columns if c.startswith("share_")]]
    names = np.array([c.removeprefix("share_") for c in shares.columns])
    top = np.argsort(-shares.to_numpy(), axis=1)[:, :n_top_features]
    table = cand.assign(top_features=[",".join(names[row]) for row in top])
    table["excess_features"] = table["excess_features"].fillna("").astype(str)
    best = matches.sort_values("separation_arcsec").drop_duplicates("object_id")
    best = best.rename(columns={"catalogue": "known_catalogue", "name": "known_name", "separation_arcsec": "known_separation"})
    table = table.merge(best[["object_id", "known_catalogue", "known_name", "known_separation"]], on="object_id", how="left")
    table["known_catalogue"] = table["known_catalogue"].fillna("")
    table["known_name"] = table["known_name"].fillna("")
    table = with_evidence_columns(table)
    return table.sort_values("rank", ignore_index=True)[list(CANDIDATE_COLUMNS)]


def with_evidence_columns(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the optional Gaia DR3 columns of :data:`COLUMN_META` it lacks (a scored table
    from a sky without them), empty; ``gaia_lpv`` as text (``true``/``false``/empty) so that every
    table format writes it with its missing values; text columns empty, not null, where unknown."""
    optional = {name: dtype for name, dtype in C.GAIA_DR3_EVIDENCE_COLUMNS.items() if name in COLUMN_META}
    optional["halpha_term"] = "float64"
    absent = {name: (None if dtype in ("str", "boolean") else np.nan) for name, dtype in optional.items() if name not in table.columns}
    out = table.assign(**absent) if absent else table
    text = [name for name, dtype in optional.items() if dtype == "str"]
    out = out.assign(**{name: out[name].where(out[name].notna(), "").astype(str) for name in text})
    lpv = pd.array(out["gaia_lpv"], dtype="boolean")
    return out.assign(gaia_lpv=np.where(pd.isna(lpv), "", np.where(lpv.fillna(False), "true", "false")),
                      gaia_dr3_source_id=pd.array(out["gaia_dr3_source_id"], dtype="Int64"))
