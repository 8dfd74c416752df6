"""The evidence an observer checks per candidate before spending telescope time (stage 9).

For the top of both lists (the ranked list and the VAE's candidates):

- the **spectral energy distribution** from u to W4 as lambda F_lambda (erg s^-1 cm^-2), dereddened
  with the E(B-V) the cuts used, with errors; and **what the giant alone predicts**: the median SED
  of the analysed giants most like it in the red and the infrared (r-i, i-z, z-J, J-H, H-Ks,
  dereddened; known symbiotic stars and the shown candidates left out), scaled to the object in
  i, z, J, H and Ks. A symbiotic star's hot companion shows as light in u and v (and g) above that
  prediction; a Mira or a carbon star does not;
- the **light curve** of each band: nightly inverse-variance weighted means with errors, from the
  per-epoch photometry (the colour stage's cleaning and clipping);
- its place among the giants in the (J-Ks)_0 vs M_J and (u-g)_0 vs (g-r)_0 diagrams;
- the features that made it stand out: the VAE's per-colour deviation from the giant's prediction
  and the numbers of both lists.

The bands, their dereddening and the giant's prediction from its neighbours are
:mod:`symfind.detect.sed`'s (the score's neighbour test reads them too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import columns as C
from ..detect.features import HOT_BANDS
from ..detect.sed import BAND_INDEX, SED_BANDS, band_indices, dereddened_magnitudes, giant_prediction, lambda_f_lambda

#: Bands a hot companion brightens, marked as excess in the evidence figure (u, v and g: a nebula
#: adds light in g too; the score's hot bands, :data:`symfind.detect.features.HOT_BANDS`, are u and v).
EXCESS_BANDS = ("u", "v", "g")


@dataclass(frozen=True)
class SedEvidence:
    """The SED side of the shown objects' evidence (:func:`sed_evidence`), one row per object and
    one column per band of :data:`symfind.detect.sed.SED_BANDS`: dereddened magnitudes ``observed`` (mag), their
    lambda F_lambda ``flux`` and ``flux_error``, the giant's prediction as lambda F_lambda
    (``giant_flux``: median, 16th and 84th percentile), the flux ratios of :data:`EXCESS_BANDS`
    (``ratios``, band -> values) and the same in a full table (``ratio_all``, NaN in the other
    bands)."""

    observed: np.ndarray
    flux: np.ndarray
    flux_error: np.ndarray
    giant_flux: list[np.ndarray]
    ratios: dict[str, np.ndarray]
    ratio_all: np.ndarray


def sed_evidence(rows: pd.DataFrame, pool: pd.DataFrame, a_per_ebv: Mapping[str, float], aj_per_ebv: float) -> SedEvidence:
    """The shown objects' SEDs (``rows``) against what a giant like each one makes, predicted from
    the giants of ``pool`` most like it (:func:`symfind.detect.sed.giant_prediction`), all dereddened
    (:func:`symfind.detect.sed.dereddened_magnitudes`)."""
    observed, errors = dereddened_magnitudes(rows, a_per_ebv, aj_per_ebv)
    reference, _ = dereddened_magnitudes(pool, a_per_ebv, aj_per_ebv)
    giant, giant_low, giant_high = giant_prediction(observed, reference)
    flux, flux_error = lambda_f_lambda(observed, errors)
    ratios = flux_ratios(observed, giant)
    ratio_all = np.full(observed.shape, np.nan)
    for label, values in ratios.items():
        ratio_all[:, BAND_INDEX[label]] = values
    return SedEvidence(observed, flux, flux_error, [lambda_f_lambda(m)[0] for m in (giant, giant_low, giant_high)], ratios,
                       ratio_all)


def shown_objects(ranked: pd.DataFrame, vae_candidates: pd.DataFrame, n: int) -> pd.DataFrame:
    """The objects to show: the top ``n`` of the ranked list (objects not yet known, by ``rank``)
    and the top ``n`` of the VAE's candidates (by its ``rank``), each once, with both ranks
    (``ranked_rank``, ``vae_rank``; empty where it is not in that top) and ``lists`` (which tops it
    is in). Ordered by the ranked list, then the VAE's."""
    top_ranked = ranked[ranked["rank"].notna()].sort_values("rank").head(n)
    top_vae = vae_candidates.sort_values("rank").head(n)
    ids = list(dict.fromkeys([*top_ranked["object_id"].tolist(), *top_vae["object_id"].tolist()]))
    ranked_rank = top_ranked.set_index("object_id")["rank"]
    vae_rank = top_vae.set_index("object_id")["rank"]
    out = pd.DataFrame({"object_id": np.array(ids, dtype=np.int64)})
    out["ranked_rank"] = pd.array([ranked_rank.get(i, pd.NA) for i in ids], dtype="Int64")
    out["vae_rank"] = pd.array([vae_rank.get(i, pd.NA) for i in ids], dtype="Int64")
    out["lists"] = ["+".join(name for name, rank in (("ranked", r), ("VAE", v)) if not pd.isna(rank))
                    for r, v in zip(out["ranked_rank"], out["vae_rank"])]
    return out


def flux_ratios(observed: np.ndarray, predicted: np.ndarray) -> dict[str, np.ndarray]:
    """Per band of :data:`EXCESS_BANDS`: the observed flux over the giant's predicted flux (1 = no
    excess), from dereddened magnitudes ``observed`` and ``predicted`` (bands of :data:`symfind.detect.sed.SED_BANDS`).
    (The score's statistic of the same light is :func:`symfind.detect.vae.hot_excess`.)"""
    return {label: 10.0 ** (0.4 * (predicted[:, k] - observed[:, k]))
            for label, k in zip(EXCESS_BANDS, band_indices(EXCESS_BANDS))}


def nightly_light_curves(epochs: pd.DataFrame, colors: Mapping[str, float]) -> pd.DataFrame:
    """Nightly weighted mean magnitudes (mag) with errors of ``epochs``, cleaned and clipped as the
    colour stage does (``colors``: ``error_floor``, ``bad_flags``, ``clip_sigma``): columns
    ``object_id, night, filter, mag, e_mag, n_epochs``."""
    from ..photometry.colours import clean_epochs, weighted_nightly_mags

    good, _ = clean_epochs(epochs, int(colors["bad_flags"]), float(colors["error_floor"]))
    nightly = weighted_nightly_mags(good, float(colors["error_floor"]), colors.get("clip_sigma"))
    nightly = nightly[np.isfinite(nightly["mag"])]
    return nightly.assign(e_mag=np.sqrt(nightly["var"]))[["object_id", "night", "filter", "mag", "e_mag", "n_epochs"]]


def excess_sigmas(row: pd.Series) -> dict[str, float]:
    """The VAE's deviation of each u/v colour from what the giant predicts (sigma; positive =
    bluer), where the scored table has it."""
    return {f"{a}-{b}": float(row[f"excess_z_{C.color_name(a, b)}"]) for a, b in C.INDEPENDENT_COLOR_PAIRS
            if "u" in (a, b) or "v" in (a, b)
            if f"excess_z_{C.color_name(a, b)}" in row.index and np.isfinite(row[f"excess_z_{C.color_name(a, b)}"])}


def finite(value) -> bool:
    """Whether ``value`` (a table cell: None, NaN, pd.NA or a number) is a finite number."""
    return value is not None and not pd.isna(value) and np.isfinite(float(value))


def number(value, fmt: str) -> str:
    """``value`` formatted with ``fmt``, or ``-`` where it is not a finite number (:func:`finite`)."""
    return format(float(value), fmt) if finite(value) else "-"


def companion_facts(row: Mapping[str, Any]) -> list[str]:
    """What the two-component test (:mod:`symfind.detect.companion`) and the blend flag say of one object
    (a row of the scored table), as lines of text for its evidence: which fit the excess prefers, by
    how much (the log-likelihood ratio, natural log), the fitted companion, a Gaia neighbour
    inside the PSF, and a star too faint to be a giant (``giant_weight`` below 0.5). Nothing where
    the object has no such columns."""
    lines = []
    llr = row.get("companion_llr")
    if finite(row.get("companion_chi2_nebular")) and finite(llr):
        nebula = str(row.get("companion_nebula") or "nebula").replace("nebula_", "nebula ").replace("kK", " kK")
        share = row.get("companion_a0v_share")
        star = f"star ({float(share):.0%} A0V, the rest G2V)" if finite(share) else "A0V-G2V star"
        if float(llr) >= 0:
            lines.append(f"Balmer jump in emission: {nebula} + hot dwarf over a {star}, ln L ratio {float(llr):.1f}")
        else:
            lines.append(f"Balmer jump in absorption: a {star} over a {nebula}, ln L ratio {float(llr):.1f}")
    if bool(row.get("blend_flag", False)):
        lines.append(f"blend: a Gaia source {float(row.get('gaia_dr2_dist2')):.1f}\" away, inside the PSF (its light may be the excess)")
    weight = row.get("giant_weight")
    if finite(weight) and float(weight) < 0.5:
        lines.append(f"too faint for a giant: P(giant) {float(weight):.2f} from M_J {float(row.get('abs_j')):.1f} "
                     "(a young star or a dwarf; the score is multiplied by it)")
    return lines


def gaia_dr3_facts(row: Mapping[str, Any]) -> list[str]:
    """What Gaia DR3 says of one object (a row of the scored table; :mod:`symfind.query.gaia_dr3`), as
    lines of text for its evidence: the Halpha pseudo-equivalent width (nm, negative for emission)
    and its significance, the ESP-ELS class, the variability class and the long-period variable's
    period and amplitude. Nothing where the object has no DR3 row (or the run no such column)."""
    lines = []
    ew, err = row.get("ew_espels_halpha"), row.get("ew_espels_halpha_uncertainty")
    if finite(ew) and finite(err):
        z = -float(ew) / float(err) if float(err) > 0 else float("nan")
        kind = "emission" if z >= 3 else ("absorption" if z <= -3 else "no clear line")
        label = row.get("classlabel_espels")
        label = f", ESP-ELS class {label}" if isinstance(label, str) and label else ""
        flag = row.get("ew_espels_halpha_flag")
        flag = f", flag {flag}" if isinstance(flag, str) and flag else ""
        lines.append(f"Gaia DR3 Halpha: pEW {float(ew):+.2f} +- {float(err):.2f} nm ({kind}, {z:+.1f} sigma{flag}{label})")
    cls = row.get("best_class_name")
    if isinstance(cls, str) and cls:
        score = row.get("best_class_score")
        lines.append(f"Gaia DR3 variability class: {cls}" + (f" (score {float(score):.2f})" if finite(score) else ""))
    if finite(row.get("frequency")) and float(row.get("frequency")) > 0:
        amplitude = row.get("amplitude")
        lines.append(f"Gaia DR3 long-period variable: P = {1.0 / float(row.get('frequency')):.0f} d"
                     + (f", G amplitude {float(amplitude):.2f} mag" if finite(amplitude) else "")
                     + (", carbon star" if row.get("is_cstar") is True or str(row.get("is_cstar")).lower() == "true" else ""))
    return lines


def _beyond_allowed(row: pd.Series, band: str) -> str:
    """`` (beyond the X mag ...)`` where ``band``'s flickering rms exceeds what its light beyond the
    giant allows (:func:`symfind.detect.symbiotic.flicker_allowed_rms`: the score leaves it out), else ``""``."""
    _, _, rms_column, _, _ = C.flicker_names(band)
    allowed, rms = row.get(C.flicker_allowed_rms_name(band)), row.get(rms_column)
    if not (finite(allowed) and finite(rms) and float(rms) > float(allowed)):
        return ""
    return f" (beyond the {number(allowed, '.3f')} mag its light over the giant allows: not in the score)"


def evidence_columns(names: list[str]) -> list[str]:
    """Of a scored table's columns ``names``, those the evidence figures and their text use, in order."""
    wanted = {"object_id", "raj2000", "dej2000", "ebv", "jk0", "abs_j", "r_est", "rank", "score_hot_excess", "excess_features",
              "score_symbiotic", "gaia_dr2_dist2", "blend_flag", "jump_weight", "phase_weight", "flicker_term",
              *(b.column for b in SED_BANDS), *(b.error for b in SED_BANDS)}
    return [n for n in names if n in wanted or n.startswith(("excess_z_", "chi2r_", "amp_", "flicker_", "det_frac_", "n_nights_gr",
                                                               "companion_"))]


def evidence_facts(entry, row: pd.Series, ranked_row: pd.Series | None, ratios: Mapping[str, np.ndarray], k: int,
                    n_scored: int, n_top: int) -> list[str]:
    """The lines of text beside a candidate's figure: both lists (``entry``: its row of
    :func:`shown_objects`; ``ranked_row``: its row of the ranked list, None if not in it), the
    VAE's rank among ``n_scored``, the companion test, Gaia DR3, the nearest known star, the flux
    over the giant (``ratios[band][k]``), variability, flickering, the detection fractions and
    the giant's (J-K)0, M_J, E(B-V) and distance (pc)."""

    lines = []
    if not pd.isna(entry.ranked_rank):
        lines.append(f"ranked list: #{entry.ranked_rank}, score {number(ranked_row['rank_score'], '.3f')}")
    elif ranked_row is not None and bool(ranked_row["is_known_symbiotic"]):
        lines.append(f"ranked list: known ({ranked_row['known_name']})")
    else:
        lines.append(f"ranked list: not in its top {n_top}")
    vae_rank = row.get("rank")
    lines.append(f"VAE: #{number(vae_rank, '.0f')} of {n_scored}, hot excess {number(row.get('score_hot_excess'), '.3g')}, "
                 f"symbiotic {number(row.get('score_symbiotic'), '.3g')}")
    lines.extend(companion_facts(row))
    lines.extend(gaia_dr3_facts(row))
    if ranked_row is not None and ranked_row["nearest_known"]:
        lines.append(f"nearest known: {ranked_row['nearest_known']} ({number(ranked_row['nearest_known_distance'], '.1f')} sd)")
    lines.append("over the giant: " + ", ".join(f"{band} x{number(values[k], '.2g')}" for band, values in ratios.items()))
    variability = [f"{band} chi2r {number(row.get(f'chi2r_{band}'), '.1f')}, amp {number(row.get(f'amp_{band}'), '.2f')}"
                   for band in ("u", "v", "r") if f"chi2r_{band}" in row.index]
    for line, text in enumerate(variability):
        lines.append(("variability: " if line == 0 else "             ") + text)
    flicker = []
    for band in HOT_BANDS:
        dof, _, rms, sig, _ = C.flicker_names(band)
        if dof in row.index and row.get(dof, 0) > 0:
            flicker.append(f"{band} rms {number(row.get(rms), '.3f')} mag, {number(row.get(sig), '.1f')} dex"
                           + _beyond_allowed(row, band))
    beyond = number(row.get(C.FLICKER_BEYOND_U), ".1f")
    if flicker and beyond != "-":
        flicker.append(f"v beyond what u allows {beyond} dex")
    if flicker:
        lines.append("within a night: " + "; ".join(flicker))
    if row.get("n_nights_gr", 0) > 0:
        lines.append(f"of {number(row.get('n_nights_gr'), '.0f')} g-and-r nights: u on {number(row.get('det_frac_u'), '.0%')}, "
                     f"v on {number(row.get('det_frac_v'), '.0%')}")
        biased = [f"{band} nights {number(row.get(f'det_bias_{band}'), '+.2f')} mag in g" for band in HOT_BANDS
                  if number(row.get(f"det_bias_{band}"), "+.2f") != "-"]
        if biased:
            lines.append("  against the others: " + ", ".join(biased))
    lines.append(f"(J-K)0 {number(row.get('jk0'), '.2f')}, M_J {number(row.get('abs_j'), '.2f')}, "
                 f"E(B-V) {number(row.get('ebv'), '.2f')}, d {number(row.get('r_est'), '.0f')} pc")
    return lines


#: Analysed objects drawn behind every candidate's diagrams at most (a seeded subsample beyond:
#: enough to show the giants' locus, few enough that a hundred figures take seconds).
BACKGROUND_OBJECTS = 3_000


@dataclass(frozen=True)
class CandidateEvidence:
    """What :func:`candidate_evidence` gives the report: per shown object (in the order of
    :func:`shown_objects`) the figure's panels ``(title, facts, sed, light_curve, here,
    excess_sigmas)`` (the arguments of :func:`symfind.present.plots.evidence.evidence_figure` but
    the giants, the cuts and the path), the giants behind every diagram, and the browser's rows
    (:data:`symfind.present.browser.ROW_KEYS`)."""

    panels: list[tuple]
    giants: Any
    browser_rows: pd.DataFrame


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def candidate_evidence(scored: pd.DataFrame, ranked: pd.DataFrame, shown: pd.DataFrame, matches: pd.DataFrame,
                       epochs: pd.DataFrame | None, params: Mapping[str, Any], n_top: int) -> CandidateEvidence:
    """The evidence of the ``shown`` objects (:func:`shown_objects`): their SEDs against the giants
    of ``scored`` most like them (known symbiotic stars and the shown objects left out of the pool;
    :func:`sed_evidence`), their nightly light curves from ``epochs`` (their per-epoch photometry;
    None only where none is shown), their place among the giants (a subsample of :data:`BACKGROUND_OBJECTS` and every known star, dereddened
    (J-Ks)_0 vs M_J and (u-g)_0 vs (g-r)_0), the facts (:func:`evidence_facts`) and the browser's
    rows. ``scored``: the scored table's :func:`evidence_columns`; ``ranked``: the ranked list;
    ``matches``: the known stars' cross-match; ``params``: the ``colors``, ``dereddening`` and
    ``cuts`` sections."""
    from .browser import ROW_KEYS
    from .plots.evidence import Giants
    from .plots.figure import drawn

    a_per_ebv, aj_per_ebv = params["dereddening"]["a_per_ebv"], params["cuts"]["aj_per_ebv"]
    rows = scored.set_index("object_id").reindex(shown["object_id"].to_numpy())
    known_ids = set(matches["object_id"].tolist())
    is_known = scored["object_id"].isin(known_ids).to_numpy()
    pool = scored[~is_known & ~scored["object_id"].isin(set(shown["object_id"]))]
    sed = sed_evidence(rows, pool, a_per_ebv, aj_per_ebv)
    labels = np.array([b.label for b in SED_BANDS])
    hot = np.isin(labels, EXCESS_BANDS)
    column = BAND_INDEX
    light_curves = nightly_light_curves(epochs, params["colors"]) if len(shown) else None

    behind = drawn(np.ones(len(scored), dtype=bool), BACKGROUND_OBJECTS) | is_known
    background = scored[behind]
    back_mags, _ = dereddened_magnitudes(background, a_per_ebv, aj_per_ebv)
    giants = Giants(jk0=background["jk0"].to_numpy(dtype=np.float64), abs_j=background["abs_j"].to_numpy(dtype=np.float64),
                    ug0=back_mags[:, column["u"]] - back_mags[:, column["g"]], gr0=back_mags[:, column["g"]] - back_mags[:, column["r"]],
                    known=background["object_id"].isin(known_ids).to_numpy())
    ranked_by_id = ranked.set_index("object_id")
    n_scored = int(scored["rank"].notna().sum()) if "rank" in scored else len(scored)
    wavelengths = np.array([b.wavelength_um for b in SED_BANDS])

    panels, browser_rows = [], []
    for k, entry in enumerate(shown.itertuples(index=False)):
        oid = int(entry.object_id)
        row = rows.iloc[k]
        in_ranked = oid in ranked_by_id.index
        facts = evidence_facts(entry, row, ranked_by_id.loc[oid] if in_ranked else None, sed.ratios, k, n_scored, n_top)
        panel_sed = {"wavelength": wavelengths, "flux": sed.flux[k], "error": sed.flux_error[k], "giant": sed.giant_flux[0][k],
                     "giant_low": sed.giant_flux[1][k], "giant_high": sed.giant_flux[2][k], "labels": labels, "hot": hot,
                     "ratio": sed.ratio_all[k]}
        here = {"jk0": float(row["jk0"]), "abs_j": float(row["abs_j"]),
                "ug0": float(sed.observed[k, column["u"]] - sed.observed[k, column["g"]]),
                "gr0": float(sed.observed[k, column["g"]] - sed.observed[k, column["r"]])}
        curve = light_curves[light_curves["object_id"] == oid]
        known_name = ranked_by_id.at[oid, "known_name"] if in_ranked else ""
        title = (f"object {oid}  RA {row['raj2000']:.5f}  Dec {row['dej2000']:+.5f}  ({entry.lists} list"
                 f"{'s' if '+' in entry.lists else ''})" + (f"  known: {known_name}" if known_name else ""))
        panels.append((title, facts, panel_sed, curve, here, excess_sigmas(row)))
        nearest = ranked_by_id.at[oid, "nearest_known"] if in_ranked else ""
        browser_rows.append({
            "lists": entry.lists, "ranked_rank": entry.ranked_rank, "vae_rank": entry.vae_rank, "object_id": oid,
            "raj2000": float(row["raj2000"]), "dej2000": float(row["dej2000"]),
            "known": f"= {known_name}" if known_name else (f"near {nearest}" if nearest else ""),
            "rank_score": ranked_by_id.at[oid, "rank_score"] if in_ranked else np.nan,
            "score_hot_excess": float(row.get("score_hot_excess", np.nan)),
            "u_excess": float(sed.ratios["u"][k]), "jk0": float(row["jk0"]), "abs_j": float(row["abs_j"]),
            "excess_features": _text(row.get("excess_features")),
            "halpha_ew": float(row["ew_espels_halpha"]) if pd.notna(row.get("ew_espels_halpha", np.nan)) else np.nan,
            "gaia_class": _text(row.get("best_class_name")),
            **{name: (ranked_by_id.at[oid, name] if in_ranked and name in ranked_by_id.columns else default)
               for name, default in (("vet_order", pd.NA), ("rank_disagreement", np.nan), ("vetted_verdict", ""),
                                     ("vetted_class", ""), ("vetted_file", ""))},
            "verdict": "",
        })
    return CandidateEvidence(panels, giants, pd.DataFrame(browser_rows, columns=list(ROW_KEYS)))
