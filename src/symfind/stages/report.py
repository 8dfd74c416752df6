"""Runners of ``workflow/rules/report.smk`` (stage 9): the plots an astronomer looks at, the
configuration used and the end-of-run summary."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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

    from ..present import evidence as ev
    from ..present.browser import browser_html
    from ..rank.ranking import read_ranked_list
    from ..present.vo import provenance

    n_top = int(params["report"]["n_candidates"])
    scored = read_parquet_chosen(scored_parquet, ev.evidence_columns)  # of a wide table, only what the evidence uses
    ranked = read_ranked_list(ranked_csv)
    vae_list = pd.read_csv(candidates_csv, usecols=["object_id", "rank"])
    matches = pd.read_csv(matches_csv)
    shown = ev.shown_objects(ranked, vae_list, n_top)
    ids = shown["object_id"].tolist()
    epochs = pd.read_parquet(epochs_parquet, filters=[("object_id", "in", ids)]) if ids else None
    evidence = ev.candidate_evidence(scored, ranked, shown, matches, epochs, params, n_top)
    del scored, epochs  # not copied into the drawing processes

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    staging.chmod(0o777 & ~current_umask())  # a folder made the ordinary way, not a temporary one's 0700
    try:
        figures = {int(oid): staging / f"{int(oid)}.png" for oid in shown["object_id"]}
        drawings = [(*panel, figures[oid]) for oid, panel in zip(shown["object_id"], evidence.panels)]
        _draw_all(drawings, evidence.giants, params["cuts"], threads)
        index = shown.assign(figure=[figures[int(oid)].name for oid in shown["object_id"]])
        index.to_csv(staging / "index.csv", index=False)
        if len(shown):
            note = (f"The top {n_top} of the ranked list ({ranked_csv}) and of the VAE's candidates ({candidates_csv}); "
                    f"{len(shown)} objects.")
        elif n_top == 0:
            note = "No candidate shown: report.n_candidates is 0."
        else:
            note = "No candidate on this sky: the ranked list and the VAE's list are empty (see summary.txt)."
        page = browser_html(evidence.browser_rows, figures, provenance(config_used), note,
                            _from_browser(PRODUCTS["candidates_vot"]))
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
