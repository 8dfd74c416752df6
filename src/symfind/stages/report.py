"""Runners of ``workflow/rules/report.smk`` (stage 9): the plots an astronomer looks at, the
configuration used and the end-of-run summary."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..io import current_umask, read_parquet_chosen, read_parquet_without, write_text
from ..products import PRODUCTS

log = logging.getLogger(__name__)


def diagnostic_plots(selection_parquet: str | Path, scored_parquet: str | Path, matches_csv: str | Path, cuts: Mapping[str, Any],
                     loss_kind: str, out_sky: str | Path, out_colour_colour: str | Path, out_cmd: str | Path,
                     out_latent: str | Path) -> None:
    """Rule ``diagnostic_plots``: sky map, colour-colour and colour-magnitude diagrams, latent space."""
    from ..present.plots.scores import latent_plot
    from ..present.plots.sky import colour_colour_plot, colour_magnitude_plot, sky_plot
    from ..detect.scored import vae_view

    selected = pd.read_parquet(selection_parquet, columns=["object_id", "raj2000", "dej2000"])
    scored = read_parquet_without(scored_parquet, C.REVERSED_COLOUR_COLUMNS)
    scores = vae_view(scored)
    matches = pd.read_csv(matches_csv)
    sky_plot(selected, scored, scores, matches, out_sky)
    colour_colour_plot(scored, scores, matches, out_colour_colour)
    colour_magnitude_plot(scored, scores, matches, dict(cuts), out_cmd)
    latent_plot(scores, out_latent, loss_kind)


def config_used(config: Mapping[str, Any], out_yaml: str | Path) -> None:
    """Rule ``config_used``: the configuration the run used (validated, every default filled in), for
    the paper's methods section."""
    import yaml

    from .. import __version__

    header = f"# symfind {__version__}: the configuration of this run (validated; every default filled in)\n"
    write_text(header + yaml.safe_dump(dict(config), sort_keys=False, default_flow_style=False), out_yaml)


def summary(selection_cutflow_csv: str | Path, cutflow_csv: str | Path, colours_parquet: str | Path, scored_parquet: str | Path,
            recovery_csv: str | Path, comparison_csv: str | Path, products: Mapping[str, str], out_txt: str | Path,
            status_files: list[str] | None = None, ranking_evaluation_csv: str | Path | None = None,
            lists: Mapping[str, Any] | None = None) -> str:
    """Rule ``summary``: which list to start from, objects per stage, candidates, known symbiotic
    stars recovered, detector recall and where the products are; logged, and printed at the end of
    the run. ``lists``: ``ranked``, ``candidates`` (paths), ``rank_method``, ``top_fraction``,
    ``report_command`` and optionally ``browser`` (path), for the "Start here" lines."""
    import pyarrow.parquet as pq

    from ..status import read_statuses
    from ..present.summary import gaia_dr3_lines, stage_counts, start_here, summary_text

    scored = pd.read_parquet(scored_parquet, columns=["is_candidate"])
    n_candidates = int(scored["is_candidate"].sum())
    counts = stage_counts(pd.read_csv(selection_cutflow_csv), pd.read_csv(cutflow_csv), pq.ParquetFile(colours_parquet).metadata.num_rows,
                          len(scored), n_candidates)
    statuses = read_statuses(status_files or [])
    first_look = None
    if lists is not None and ranking_evaluation_csv is not None:
        problem = statuses.get("rank_candidates", "")
        first_look = start_here(lists["ranked"], lists["candidates"], pd.read_csv(ranking_evaluation_csv), lists["rank_method"],
                                float(lists["top_fraction"]), n_candidates,
                                problem.removeprefix("skipped: ") if problem.startswith("skipped") else None,
                                lists["report_command"], lists.get("browser"))
    evidence_columns = [c for c in pq.ParquetFile(scored_parquet).schema_arrow.names
                        if c in C.GAIA_DR3_EVIDENCE_COLUMNS and c != "object_id"]
    evidence = pd.read_parquet(scored_parquet, columns=evidence_columns) if evidence_columns else pd.DataFrame(index=scored.index)
    text = summary_text(counts, pd.read_csv(recovery_csv), pd.read_csv(comparison_csv), products, statuses, first_look,
                        gaia_dr3_lines(evidence))
    for line in text.splitlines():
        log.info("%s", line)
    write_text(text, out_txt)
    return text


#: Analysed objects drawn behind every candidate's diagrams at most (a seeded subsample beyond:
#: enough to show the giants' locus, few enough that a hundred figures take seconds).
BACKGROUND_OBJECTS = 3_000


def candidate_evidence(scored_parquet: str | Path, ranked_csv: str | Path, candidates_csv: str | Path,
                       epochs_parquet: str | Path, matches_csv: str | Path, params: Mapping[str, Any],
                       out_dir: str | Path, out_html: str | Path, config_used: str | Path | None = None,
                       threads: int = 1) -> pd.DataFrame:
    """Rule ``candidate_evidence``: for the top ``report.n_candidates`` of the ranked list and of
    the VAE's candidates, one evidence figure each (``<out_dir>/<object_id>.png``; SED with the
    giant's prediction, light curves, diagrams, what made it stand out: :mod:`symfind.present.evidence`),
    ``<out_dir>/index.csv`` (the objects shown, with both ranks and the figure's file), and the
    browser ``out_html`` (:mod:`symfind.present.browser`). ``params``: the ``report``, ``colors``,
    ``dereddening`` and ``cuts`` sections. The figures are drawn by ``threads`` processes. A sky
    without candidates gets an empty index and a browser that says so."""
    import shutil
    import tempfile

    from ..detect.sed import SED_BANDS, dereddened_magnitudes
    from ..present import evidence as ev
    from ..present.browser import browser_html
    from ..present.plots.evidence import Giants
    from ..present.plots.figure import drawn
    from ..rank.ranking import read_ranked_list
    from ..present.vo import provenance

    n_top = int(params["report"]["n_candidates"])
    a_per_ebv, aj_per_ebv = params["dereddening"]["a_per_ebv"], params["cuts"]["aj_per_ebv"]
    scored = read_parquet_chosen(scored_parquet, ev.evidence_columns)  # of a wide table, only what the evidence uses
    ranked = read_ranked_list(ranked_csv)
    vae_list = pd.read_csv(candidates_csv, usecols=["object_id", "rank"])
    matches = pd.read_csv(matches_csv)
    shown = ev.shown_objects(ranked, vae_list, n_top)
    table = scored.set_index("object_id")
    rows = table.reindex(shown["object_id"].to_numpy())
    known_ids = set(matches["object_id"].tolist())
    is_known = scored["object_id"].isin(known_ids).to_numpy()
    pool = scored[~is_known & ~scored["object_id"].isin(set(shown["object_id"]))]
    sed_evidence = ev.sed_evidence(rows, pool, a_per_ebv, aj_per_ebv)
    observed, flux, flux_error = sed_evidence.observed, sed_evidence.flux, sed_evidence.flux_error
    giant_flux, ratios, ratio_all = sed_evidence.giant_flux, sed_evidence.ratios, sed_evidence.ratio_all
    labels = np.array([b.label for b in SED_BANDS])
    hot = np.isin(labels, ev.EXCESS_BANDS)

    ids = shown["object_id"].tolist()
    epochs = pd.read_parquet(epochs_parquet, filters=[("object_id", "in", ids)]) if ids else None
    light_curves = ev.nightly_light_curves(epochs, params["colors"]) if ids else None  # (empty without epochs)

    # a subsample of the giants, and every known symbiotic star
    behind = drawn(np.ones(len(scored), dtype=bool), BACKGROUND_OBJECTS) | is_known
    background = scored[behind]
    back_mags, _ = dereddened_magnitudes(background, a_per_ebv, aj_per_ebv)
    column = {b.label: k for k, b in enumerate(SED_BANDS)}
    giants = Giants(jk0=background["jk0"].to_numpy(dtype=np.float64), abs_j=background["abs_j"].to_numpy(dtype=np.float64),
                    ug0=back_mags[:, column["u"]] - back_mags[:, column["g"]], gr0=back_mags[:, column["g"]] - back_mags[:, column["r"]],
                    known=background["object_id"].isin(known_ids).to_numpy())
    ranked_by_id = ranked.set_index("object_id")
    n_scored = int(scored["rank"].notna().sum()) if "rank" in scored else len(scored)

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    staging.chmod(0o777 & ~current_umask())  # a folder made the ordinary way, not a temporary one's 0700
    try:
        figures = {}
        drawings = []
        browser_rows = []
        for k, entry in enumerate(shown.itertuples(index=False)):
            oid = int(entry.object_id)
            row = rows.iloc[k]
            facts = ev.evidence_facts(entry, row, ranked_by_id.loc[oid] if oid in ranked_by_id.index else None, ratios, k, n_scored, n_top)
            sed = {"wavelength": np.array([b.wavelength_um for b in SED_BANDS]), "flux": flux[k], "error": flux_error[k],
                   "giant": giant_flux[0][k], "giant_low": giant_flux[1][k], "giant_high": giant_flux[2][k], "labels": labels,
                   "hot": hot, "ratio": ratio_all[k]}
            here = {"jk0": float(row["jk0"]), "abs_j": float(row["abs_j"]),
                    "ug0": float(observed[k, column["u"]] - observed[k, column["g"]]),
                    "gr0": float(observed[k, column["g"]] - observed[k, column["r"]])}
            curve = light_curves[light_curves["object_id"] == oid]
            known_name = ranked_by_id.at[oid, "known_name"] if oid in ranked_by_id.index else ""
            title = (f"object {oid}  RA {row['raj2000']:.5f}  Dec {row['dej2000']:+.5f}  ({entry.lists} list"
                     f"{'s' if '+' in entry.lists else ''})" + (f"  known: {known_name}" if known_name else ""))
            path = staging / f"{oid}.png"
            drawings.append((title, facts, sed, curve, here, ev.excess_sigmas(row), path))
            figures[oid] = path
            nearest = ranked_by_id.at[oid, "nearest_known"] if oid in ranked_by_id.index else ""
            browser_rows.append({
                "lists": entry.lists, "ranked_rank": entry.ranked_rank, "vae_rank": entry.vae_rank, "object_id": oid,
                "raj2000": float(row["raj2000"]), "dej2000": float(row["dej2000"]),
                "known": f"= {known_name}" if known_name else (f"near {nearest}" if nearest else ""),
                "rank_score": ranked_by_id.at[oid, "rank_score"] if oid in ranked_by_id.index else np.nan,
                "score_hot_excess": float(row.get("score_hot_excess", np.nan)),
                "u_excess": float(ratios["u"][k]), "jk0": float(row["jk0"]), "abs_j": float(row["abs_j"]),
                "excess_features": row.get("excess_features") if isinstance(row.get("excess_features"), str) else "",
                "halpha_ew": float(row["ew_espels_halpha"]) if pd.notna(row.get("ew_espels_halpha", np.nan)) else np.nan,
                "gaia_class": row.get("best_class_name") if isinstance(row.get("best_class_name"), str) else "",
                **{column: (ranked_by_id.at[oid, column] if oid in ranked_by_id.index and column in ranked_by_id.columns else default)
                   for column, default in (("vet_order", pd.NA), ("rank_disagreement", np.nan), ("vetted_verdict", ""),
                                           ("vetted_class", ""), ("vetted_file", ""))},
                "verdict": "",
            })
        del scored, table, pool, epochs, background  # not copied into the drawing processes
        _draw_all(drawings, giants, params["cuts"], threads)
        index = shown.assign(figure=[f"{int(oid)}.png" for oid in shown["object_id"]])
        index.to_csv(staging / "index.csv", index=False)
        if len(shown):
            note = (f"The top {n_top} of the ranked list ({ranked_csv}) and of the VAE's candidates ({candidates_csv}); "
                    f"{len(shown)} objects.")
        elif n_top == 0:
            note = "No candidate shown: report.n_candidates is 0."
        else:
            note = "No candidate on this sky: the ranked list and the VAE's list are empty (see summary.txt)."
        page = browser_html(pd.DataFrame(browser_rows, columns=["lists", "ranked_rank", "vae_rank", "object_id", "raj2000",
                                                                "dej2000", "known", "rank_score", "score_hot_excess",
                                                                "u_excess", "jk0", "abs_j", "excess_features", "halpha_ew",
                                                                "gaia_class", "vet_order", "rank_disagreement", "verdict",
                                                                "vetted_verdict", "vetted_class", "vetted_file"]),
                            figures, provenance(config_used), note, _from_browser(PRODUCTS["candidates_vot"]))
        write_text(page, out_html)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    log.info("%d candidates shown (top %d of each list) -> %s, %s", len(shown), n_top, out_dir, out_html)
    return shown


def _from_browser(product: str) -> str:
    """A product's path (relative to the results folder) as seen from the browser page's folder, as a URL path."""
    import os

    return Path(os.path.relpath(product, Path(PRODUCTS["candidate_browser"]).parent)).as_posix()


#: What every evidence figure shares (the giants behind the diagrams, the cut lines), for the
#: processes that draw them (inherited, not sent with each figure).
_SHARED_FIGURE_DATA: dict[str, Any] = {}


def _draw_one(drawing: tuple) -> None:
    from ..present.plots.evidence import evidence_figure

    title, facts, sed, curve, here, excess, path = drawing
    evidence_figure(title, facts, sed, curve, here, _SHARED_FIGURE_DATA["giants"], _SHARED_FIGURE_DATA["cuts"], excess, path)


def _draw_all(drawings: list[tuple], giants, cuts: Mapping[str, float], threads: int) -> None:
    """Draw every evidence figure: in ``threads`` forked processes where there are several figures
    and fork exists (Linux), else one after the other. The figures are the same either way."""
    import gc
    import multiprocessing

    _SHARED_FIGURE_DATA.update(giants=giants, cuts=cuts)
    workers = min(max(1, int(threads)), len(drawings))
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        gc.collect()
        gc.freeze()  # the collector in the children then leaves the parent's objects (and their pages) alone
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                pool.map(_draw_one, drawings, chunksize=max(1, len(drawings) // (4 * workers)))
        finally:
            gc.unfreeze()
    else:
        for drawing in drawings:
            _draw_one(drawing)
