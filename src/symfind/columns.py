"""Column names, bands and dtypes: the one place where the archive schema is written down.

Every name here is the name the archive itself uses (SkyMapper DR2 ``dr2.master``,
``dr2.photometry``, ``dr2.images``; 2MASS PSC ``ext.twomass_psc``; Gaia DR2 ``ext.gaia_dr2``;
AllWISE ``ext.allwise``; Bailer-Jones et al. 2018 ``external.gaiadr2_geometric_distance``), so the
embedded sample, a user's own files and a TAP result all pass through the same code.
"""

from __future__ import annotations

from itertools import combinations, permutations

#: SkyMapper filters, blue to red.
SKYMAPPER_BANDS: tuple[str, ...] = ("u", "v", "g", "r", "i", "z")

#: SkyMapper DR2 ``dr2.master`` columns used by symfind (magnitudes in AB mag, positions in deg,
#: cross-match distances in arcsec).
MASTER_COLUMNS: dict[str, str] = {
    "object_id": "int64",
    "raj2000": "float64",
    "dej2000": "float64",
    "glon": "float64",
    "glat": "float64",
    **{f"{b}_psf": "float32" for b in SKYMAPPER_BANDS},
    **{f"e_{b}_psf": "float32" for b in SKYMAPPER_BANDS},
    **{f"{b}_ngood": "int16" for b in SKYMAPPER_BANDS},
    "class_star": "float32",
    "flags_psf": "int32",
    "nch_max": "int16",
    "prox": "float32",
    "ebmv_sfd": "float32",
    "twomass_key": "Int64",
    "twomass_dist": "float32",
    "gaia_dr2_id1": "Int64",
    "gaia_dr2_dist1": "float32",
    "gaia_dr2_dist2": "float32",
    "allwise_cntr": "Int64",
    "allwise_dist": "float32",
}

#: Columns of a table that a user's file may lack (then empty; what needs them says so): the
#: distance (arcsec) from the SkyMapper object to the second-nearest Gaia source, which flags a
#: neighbour inside the PSF (a blend).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"master": ("gaia_dr2_dist2",)}

#: 2MASS Point Source Catalogue (``ext.twomass_psc``); magnitudes in Vega mag.
TWOMASS_COLUMNS: dict[str, str] = {
    "pts_key": "int64",
    "j_m": "float32",
    "j_msigcom": "float32",
    "h_m": "float32",
    "h_msigcom": "float32",
    "k_m": "float32",
    "k_msigcom": "float32",
    "ph_qual": "str",
    "gal_contam": "int16",
    "cc_flg": "str",
    "ext_key": "Int64",
}

#: Gaia DR2 (``ext.gaia_dr2``); parallax in mas, proper motions in mas/yr.
GAIA_COLUMNS: dict[str, str] = {
    "source_id": "int64",
    "parallax": "float64",
    "parallax_error": "float32",
    "pmra": "float64",
    "pmra_error": "float32",
    "pmdec": "float64",
    "pmdec_error": "float32",
    "astrometric_excess_noise": "float32",
}

#: AllWISE (``ext.allwise``); magnitudes in Vega mag.
ALLWISE_COLUMNS: dict[str, str] = {
    "cntr": "int64",
    **{f"w{k}mpro": "float32" for k in range(1, 5)},
    **{f"w{k}sigmpro": "float32" for k in range(1, 5)},
}

#: The joined "master" table: what the selection query returns, one row per SkyMapper object.
JOINED_COLUMNS: dict[str, str] = {
    **MASTER_COLUMNS,
    **TWOMASS_COLUMNS,
    **GAIA_COLUMNS,
    **ALLWISE_COLUMNS,
}

#: Per-epoch photometry (``dr2.photometry``): AB mag.
PHOTOMETRY_COLUMNS: dict[str, str] = {
    "object_id": "int64",
    "image_id": "int64",
    "filter": "str",
    "mag_psf": "float32",
    "e_mag_psf": "float32",
    "flags": "int32",
}

#: Images (``dr2.images``): ``night_mjd`` is the MJD (UTC) of the exposure, ``exp_time`` in s.
IMAGES_COLUMNS: dict[str, str] = {
    "image_id": "int64",
    "night_mjd": "float64",
    "filter": "str",
    "exp_time": "float32",
}

#: Per-epoch photometry joined with its image's epoch: what the photometry stage writes.
EPOCH_COLUMNS: dict[str, str] = {**PHOTOMETRY_COLUMNS, "night_mjd": "float64"}

#: Bailer-Jones et al. (2018) geometric distances; r_* in pc.
DISTANCE_COLUMNS: dict[str, str] = {
    "source_id": "int64",
    "r_est": "float64",
    "r_lo": "float64",
    "r_hi": "float64",
    "r_len": "float64",
    "result_flag": "int16",
    "modality_flag": "int16",
}

#: Gaia DR3's own evidence (optional tables, keyed by the Gaia DR3 ``source_id``; Gaia DR3
#: documentation, chapter 20; Creevey et al. 2023, A&A 674, A26 for ESP-ELS; Rimoldini et al. 2023,
#: A&A 674, A14 for the classifier; Lebzelter et al. 2023, A&A 674, A15 for the long-period
#: variables). ``ew_espels_halpha`` is the Halpha pseudo-equivalent width in nm, **negative for
#: emission** and positive for absorption; its uncertainty in nm; the flag is ESP-ELS's quality
#: flag (a string of digits).
ASTROPHYSICAL_PARAMETERS_COLUMNS: dict[str, str] = {
    "source_id": "int64",
    "ew_espels_halpha": "float64",
    "ew_espels_halpha_uncertainty": "float64",
    "ew_espels_halpha_flag": "str",
    "classlabel_espels": "str",
}
#: ``best_class_name``: the classifier's class (``LPV``, ``SYST``, ``YSO``, ...), its score 0-1.
VARI_CLASSIFIER_COLUMNS: dict[str, str] = {
    "source_id": "int64",
    "best_class_name": "str",
    "best_class_score": "float64",
}
#: ``frequency`` in 1/d, ``amplitude`` the G-band amplitude in mag, ``is_cstar`` a carbon star.
VARI_LPV_COLUMNS: dict[str, str] = {
    "source_id": "int64",
    "frequency": "float64",
    "amplitude": "float64",
    "is_cstar": "bool",
}
#: Gaia DR2 -> DR3 (Torra et al. 2021, A&A 649, A10): ``angular_distance`` in mas,
#: ``magnitude_difference`` in mag (DR3 - DR2 G).
DR2_NEIGHBOURHOOD_COLUMNS: dict[str, str] = {
    "dr2_source_id": "int64",
    "dr3_source_id": "int64",
    "angular_distance": "float64",
    "magnitude_difference": "float64",
}
#: The optional Gaia DR3 tables (config key ``gaia_dr3.tables``) and their columns.
GAIA_DR3_TABLES: dict[str, dict[str, str]] = {
    "astrophysical_parameters": ASTROPHYSICAL_PARAMETERS_COLUMNS,
    "vari_classifier_result": VARI_CLASSIFIER_COLUMNS,
    "vari_long_period_variable": VARI_LPV_COLUMNS,
}
#: What the Gaia DR3 stage writes per selected object (``gaia_dr3.parquet``): the DR3 id it used
#: (missing where none), the three tables' columns (missing where the table has no row or was not
#: given), ``has_<table>`` where it has a row, and ``halpha_emission_z``: the Halpha emission in
#: sigma, ``-ew_espels_halpha / ew_espels_halpha_uncertainty`` (positive for emission; missing
#: where unmeasured or where the flag is not trusted, ``gaia_dr3.halpha_flags``), and
#: ``gaia_lpv``: Gaia classified it as a long-period variable (classifier ``LPV`` or a row in
#: ``vari_long_period_variable``), missing where neither table was given.
GAIA_DR3_EVIDENCE_COLUMNS: dict[str, str] = {
    "object_id": "int64",
    "gaia_dr3_source_id": "Int64",
    **{name: dtype for table in GAIA_DR3_TABLES.values() for name, dtype in table.items() if name != "source_id"},
    **{f"has_{table}": "bool" for table in GAIA_DR3_TABLES},
    "halpha_emission_z": "float64",
    "gaia_lpv": "boolean",
}

#: Columns added by the cut stage.
CUT_COLUMNS: dict[str, str] = {
    "has_distance": "bool",
    "a_j": "float64",
    "jk0": "float64",
    "abs_j": "float64",
}

#: 2MASS and AllWISE magnitude columns, in the order used by feature sets.
NIR_MAGS: tuple[str, ...] = ("j_m", "h_m", "k_m")
WISE_MAGS: tuple[str, ...] = ("w1mpro", "w2mpro", "w3mpro", "w4mpro")


def color_name(blue: str, red: str) -> str:
    """Column name of the colour ``blue - red`` (mag), e.g. ``u_v`` for u - v."""
    return f"{blue}_{red}"


def color_error_name(blue: str, red: str) -> str:
    """Column name of the 1-sigma error of a colour (mag)."""
    return f"e_{blue}_{red}"


def color_nights_name(blue: str, red: str) -> str:
    """Column name of the number of nights that contributed to a colour."""
    return f"n_{blue}_{red}"


#: The 15 independent colours (blue minus red) of the six SkyMapper bands.
INDEPENDENT_COLOR_PAIRS: tuple[tuple[str, str], ...] = tuple(combinations(SKYMAPPER_BANDS, 2))

#: All 30 ordered colours of the six SkyMapper bands (x - y and y - x both present).
ORDERED_COLOR_PAIRS: tuple[tuple[str, str], ...] = tuple(permutations(SKYMAPPER_BANDS, 2))

#: The 15 reversed colours (``y - x`` of an independent ``x - y``, mag), their errors and nights:
#: the colour product and the tables users open carry all 30 ordered colours, but no model, score,
#: ranking or plot reads these (each is minus its independent twin), so the stages that hold every
#: analysed object leave them unread.
REVERSED_COLOUR_COLUMNS: tuple[str, ...] = tuple(
    name
    for blue, red in ORDERED_COLOR_PAIRS
    if (blue, red) not in INDEPENDENT_COLOR_PAIRS
    for name in (color_name(blue, red), color_error_name(blue, red), color_nights_name(blue, red))
)

#: Columns of the colour product, in order.
COLOR_PRODUCT_COLUMNS: tuple[str, ...] = ("object_id", "n_nights") + tuple(
    name
    for blue, red in ORDERED_COLOR_PAIRS
    for name in (color_name(blue, red), color_error_name(blue, red), color_nights_name(blue, red))
)


def variability_names(band: str) -> tuple[str, str, str]:
    """Column names of a band's variability from its nightly means: the number of nights
    (``n_nights_<band>``), the reduced chi2 about their weighted mean (``chi2r_<band>``) and the
    robust amplitude, the 10th-to-90th percentile range (``amp_<band>``, mag)."""
    return f"n_nights_{band}", f"chi2r_{band}", f"amp_{band}"


def flicker_names(band: str) -> tuple[str, str, str, str, str]:
    """Column names of a band's flickering, the scatter of the exposures of one night about that
    night's mean beyond their errors, pooled over the nights with two or more exposures: the
    degrees of freedom (``flicker_dof_<band>``, exposures less nights), the chi2 about the nightly
    means (``flicker_chi2_<band>``), the excess rms (``flicker_rms_<band>``, mag), the
    significance of the excess (``flicker_sig_<band>``, -log10 of the chi2 tail probability) and
    that significance with the night of the largest chi2 left out (``flicker_robust_sig_<band>``;
    the plain one where there is one such night): flickering is there every night, one bad
    exposure on one."""
    return (f"flicker_dof_{band}", f"flicker_chi2_{band}", f"flicker_rms_{band}", f"flicker_sig_{band}",
            f"flicker_robust_sig_{band}")


#: Per-object: the v flickering's significance (dex) beyond what the u flickering allows
#: (:func:`symfind.photometry.colours.colors_from_epochs`, ``colors.flicker_v_to_u_max``): high
#: where v scatters within a night and u, measured in the same visits, does not.
FLICKER_BEYOND_U = "flicker_beyond_u_sig_v"


def flicker_allowed_rms_name(band: str) -> str:
    """The scored table's column of the largest flickering rms (mag) in ``band`` that the object's
    light beyond the giant allows (:func:`symfind.detect.symbiotic.flicker_allowed_rms`); a larger
    ``flicker_rms_<band>`` leaves the symbiotic score."""
    return f"flicker_allowed_rms_{band}"

#: Per-object flickering columns of the colour product, band by band, then v's beyond u's.
FLICKER_COLUMNS: tuple[str, ...] = (*(name for band in SKYMAPPER_BANDS for name in flicker_names(band)), FLICKER_BEYOND_U)

#: Per-object detection fractions of the colour product: the nights on which both g and r were
#: measured (``n_nights_gr``) and the fraction of them on which u (``det_frac_u``) and v
#: (``det_frac_v``) were measured too, and how much brighter in g (mag, negative: brighter) the
#: nights with u (``det_bias_u``) and with v (``det_bias_v``) were than those without. A
#: large-amplitude pulsator's u and v are seen near maximum only, so its colours with u or v come
#: from its bright nights; a hot companion is seen every night, or, at the detection limit, on
#: nights that are not brighter than the others.
DETECTION_COLUMNS: tuple[str, ...] = ("n_nights_gr", "det_frac_u", "det_frac_v", "det_bias_u", "det_bias_v")

#: Per-object variability columns of the colour product, band by band.
VARIABILITY_COLUMNS: tuple[str, ...] = tuple(name for band in SKYMAPPER_BANDS for name in variability_names(band))


def unobserved_columns(table, names: list[str]) -> list[str]:
    """The columns of ``names`` in which no row of ``table`` (a DataFrame) has a finite value, in
    the order of ``names`` (a column the table lacks among them): on a sky without epochs in a
    band, every colour of that band."""
    import numpy as np

    return [name for name in names
            if name not in table.columns or not np.isfinite(table[name].to_numpy(dtype=np.float64, na_value=np.nan)).any()]
