"""The mock sky's Gaia DR3 tables: Halpha, variability classes, long-period variables, DR2 -> DR3.

Drawn per population from the literature, with its own random stream (the other tables of a sky
do not change when this recipe does), and never complete:

- **Halpha** (``astrophysical_parameters``; ESP-ELS, Creevey et al. 2023, A&A 674, A26: a
  pseudo-equivalent width in nm, negative for emission, measured on BP/RP spectra of sources with
  G < 17.65 that ESP-ELS processed, here 85% of them). Shell-burning symbiotic stars have EW(Halpha)
  of tens to hundreds of A (Belczynski et al. 2000, A&AS 146, 407; Akras et al. 2019, ApJS 240,
  21), D-types the strongest; accreting-only ones a few A or none (Munari et al. 2021,
  arXiv:2109.01101); T Tauri and Herbig stars are strong emitters too (the YSO impostor keeps its
  line); a fifth of the Miras show Balmer emission from their shocks, weak at Halpha under TiO;
  chromospherically active giants and dMe dwarfs fill in or show weak emission; giants with an A-G
  companion, blends with a dwarf and plain giants have Halpha in absorption.
- **Variability classes** (``vari_classifier_result``; Rimoldini et al. 2023, A&A 674, A14): most
  Miras and many carbon stars as ``LPV``, some semi-regular M giants too, half the D-types (their
  giant is a Mira) and a few S-types; ``SYST`` for a tenth of the shell-burning symbiotic stars;
  ``YSO``, ``RS`` and ``ECL`` for some of the young stars, active giants and composites.
- **Long-period variables** (``vari_long_period_variable``; Lebzelter et al. 2023, A&A 674, A15):
  four in five of the ``LPV``-classed objects, with the mock's period and its G amplitude; carbon
  stars flagged.
- **DR2 -> DR3** (``dr2_neighbourhood``; Torra et al. 2021, A&A 649, A10): most DR2 ids keep their
  number in DR3, some get a new one, and a blend's resolved neighbour appears as a second, farther
  DR3 neighbour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C

#: ESP-ELS processed sources brighter than this G (Creevey et al. 2023), and this share of them.
ESPELS_G_MAX = 17.65
ESPELS_COVERAGE = 0.85

#: Per population: (share in emission, median emission width nm, scatter dex) for the emitters, and
#: (mean, sigma) nm of the others' width (positive: absorption).
HALPHA = {
    "symbiotic_s": (0.95, 4.0, 0.4, (0.0, 0.1)),
    "symbiotic_d": (1.0, 8.0, 0.35, (0.0, 0.1)),
    "symbiotic_acc": (0.6, 0.3, 0.35, (0.05, 0.1)),
    "dusty_yso": (0.85, 2.0, 0.45, (0.1, 0.1)),
    "mira_agb": (0.2, 0.4, 0.3, (0.05, 0.15)),
    "active_giant": (0.5, 0.12, 0.3, (0.05, 0.05)),
    "m_dwarf": (0.3, 0.3, 0.3, (0.05, 0.05)),
    "giant_ms_companion": (0.0, 0.0, 0.0, (0.3, 0.15)),
    "chance_blend": (0.0, 0.0, 0.0, (0.2, 0.1)),
    "k_giant": (0.0, 0.0, 0.0, (0.12, 0.06)),
    "m_giant": (0.02, 0.2, 0.3, (0.05, 0.12)),
    "carbon": (0.05, 0.3, 0.3, (0.0, 0.2)),
}
#: Per population: the classifier's classes and their probabilities (the rest: not classified).
VARI_CLASSES = {
    "mira_agb": {"LPV": 0.7},
    "carbon": {"LPV": 0.4},
    "m_giant": {"LPV": 0.15},
    "k_giant": {"LPV": 0.02},
    "symbiotic_d": {"LPV": 0.5, "SYST": 0.1},
    "symbiotic_s": {"LPV": 0.15, "SYST": 0.1},
    "symbiotic_acc": {"LPV": 0.05, "SYST": 0.03},
    "dusty_yso": {"YSO": 0.4},
    "active_giant": {"RS": 0.2},
    "giant_ms_companion": {"ECL": 0.05},
}
#: Share of the LPV-classed objects with a row in vari_long_period_variable.
LPV_TABLE_SHARE = 0.8
#: Share of the DR2 ids whose DR3 id differs, and of the objects with a second DR3 neighbour.
NEW_DR3_ID_SHARE = 0.08
DR3_ID_OFFSET = 1_000_000_007


def halpha_widths(rng: np.random.Generator, population: np.ndarray) -> np.ndarray:
    """True Halpha pseudo-equivalent widths (nm, negative for emission) per object."""
    ew = np.zeros(len(population))
    for name, (share, median, scatter, (mean, sigma)) in HALPHA.items():
        rows = np.flatnonzero(population == name)
        if not len(rows):
            continue
        emits = rng.random(len(rows)) < share
        strength = median * 10 ** rng.normal(0.0, scatter, len(rows)) if median > 0 else np.zeros(len(rows))
        ew[rows] = np.where(emits, -strength, rng.normal(mean, sigma, len(rows)))
    return ew


def gaia_dr3_tables(rng: np.random.Generator, source_id: np.ndarray, has_gaia: np.ndarray, population: np.ndarray,
                    g_mag: np.ndarray, period_d: np.ndarray, amplitude_g: np.ndarray,
                    blend_sep_arcsec: np.ndarray) -> dict[str, pd.DataFrame]:
    """The four Gaia DR3 tables of one chunk (archive columns, :data:`symfind.columns.GAIA_DR3_TABLES`
    and :data:`symfind.columns.DR2_NEIGHBOURHOOD_COLUMNS`) for the objects with a Gaia DR2 source."""
    n = len(source_id)
    new_id = rng.random(n) < NEW_DR3_ID_SHARE
    dr3_id = np.where(new_id, source_id + DR3_ID_OFFSET, source_id).astype(np.int64)
    # Halpha: measured on the BP/RP spectra of the bright sources ESP-ELS processed
    true_ew = halpha_widths(rng, population)
    error = 0.03 + 0.12 * 10 ** (0.4 * (g_mag - 15.0))
    flag = np.where(rng.random(n) < 0.1, "1", "0").astype(object)
    error = np.where(flag == "1", 2.0 * error, error)
    measured = true_ew + rng.normal(0.0, 1.0, n) * error
    has_ap = has_gaia & (g_mag < ESPELS_G_MAX) & (rng.random(n) < ESPELS_COVERAGE)
    label = np.full(n, None, dtype=object)
    emitter = measured < -3 * error
    label[emitter & (population == "dusty_yso")] = "tTauriStar"
    label[emitter & (population == "m_dwarf")] = "dMe"
    strong = emitter & np.isin(population, ("symbiotic_s", "symbiotic_d")) & (rng.random(n) < 0.5)
    label[strong] = np.where(rng.random(int(strong.sum())) < 0.5, "PN", "herbigStar")
    ap = pd.DataFrame({
        "source_id": dr3_id, "ew_espels_halpha": np.round(measured, 4), "ew_espels_halpha_uncertainty": np.round(error, 4),
        "ew_espels_halpha_flag": flag, "classlabel_espels": label,
    })[has_ap].reset_index(drop=True)
    # variability classes and the long-period variables
    best = np.full(n, None, dtype=object)
    draw = rng.random(n)
    for name, classes in VARI_CLASSES.items():
        rows = population == name
        edge = 0.0
        for cls, share in classes.items():
            best[rows & (draw >= edge) & (draw < edge + share)] = cls
            edge += share
    classified = has_gaia & np.array([b is not None for b in best])
    vari = pd.DataFrame({"source_id": dr3_id, "best_class_name": best,
                         "best_class_score": np.round(rng.uniform(0.4, 1.0, n), 3)})[classified].reset_index(drop=True)
    in_lpv = classified & (best == "LPV") & (rng.random(n) < LPV_TABLE_SHARE)
    lpv = pd.DataFrame({"source_id": dr3_id, "frequency": 1.0 / period_d,
                        "amplitude": np.round(np.clip(1.6 * amplitude_g, 0.05, None) * rng.uniform(0.8, 1.2, n), 3),
                        "is_cstar": population == "carbon"})[in_lpv].reset_index(drop=True)
    # DR2 -> DR3: the match, and for resolved blends (and a few others) a second, farther neighbour
    match = pd.DataFrame({"dr2_source_id": source_id, "dr3_source_id": dr3_id,
                          "angular_distance": np.round(rng.uniform(0.0, 30.0, n), 2),
                          "magnitude_difference": np.round(rng.normal(0.0, 0.02, n), 3)})[has_gaia]
    second = has_gaia & ((np.isfinite(blend_sep_arcsec) & (blend_sep_arcsec > 0.5)) | (rng.random(n) < 0.02))
    extra = pd.DataFrame({"dr2_source_id": source_id, "dr3_source_id": source_id + 2 * DR3_ID_OFFSET,
                          "angular_distance": np.round(rng.uniform(300.0, 2500.0, n), 2),
                          "magnitude_difference": np.round(rng.uniform(-1.0, 3.0, n), 3)})[second]
    neighbourhood = pd.concat([match, extra], ignore_index=True).sort_values(["dr2_source_id", "angular_distance"],
                                                                              ignore_index=True)
    text = {"ew_espels_halpha_flag": "string", "classlabel_espels": "string"}
    ap, vari = ap.astype(text), vari.astype({"best_class_name": "string"})
    return {"astrophysical_parameters": ap[list(C.ASTROPHYSICAL_PARAMETERS_COLUMNS)],
            "vari_classifier_result": vari[list(C.VARI_CLASSIFIER_COLUMNS)],
            "vari_long_period_variable": lpv[list(C.VARI_LPV_COLUMNS)],
            "dr2_neighbourhood": neighbourhood[list(C.DR2_NEIGHBOURHOOD_COLUMNS)]}
