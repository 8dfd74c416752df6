"""Runners of ``workflow/rules/report.smk`` (stage 9): the plots an astronomer looks at, the
configuration used and the end-of-run summary."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..io import write_text

log = logging.getLogger(__name__)


def diagnostic_plots(selection_parquet: str | Path, scored_parquet: str | Path, matches_csv: str | Path, cuts: Mapping[str, Any],
                     loss_kind: str, out_sky: str | Path, out_colour_colour: str | Path, out_cmd: str | Path,
                     out_latent: str | Path) -> None:
    """Rule ``diagnostic_plots``: sky map, colour-colour and colour-magnitude diagrams, latent space."""
    from ..plots.scores import latent_plot
    from ..plots.sky import colour_colour_plot, colour_magnitude_plot, sky_plot
    from ..scored import vae_view

    selected = pd.read_parquet(selection_parquet, columns=["object_id", "raj2000", "dej2000"])
    scored = pd.read_parquet(scored_parquet)
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
            status_files: list[str] | None = None) -> str:
    """Rule ``summary``: objects per stage, candidates, known symbiotic stars recovered, detector
    recall and where the products are; logged, and printed at the end of the run."""
    import pyarrow.parquet as pq

    from ..status import read_statuses
    from ..summary import stage_counts, summary_text

    scored = pd.read_parquet(scored_parquet, columns=["is_candidate"])
    counts = stage_counts(pd.read_csv(selection_cutflow_csv), pd.read_csv(cutflow_csv), pq.ParquetFile(colours_parquet).metadata.num_rows,
                          len(scored), int(scored["is_candidate"].sum()))
    text = summary_text(counts, pd.read_csv(recovery_csv), pd.read_csv(comparison_csv), products, read_statuses(status_files or []))
    for line in text.splitlines():
        log.info("%s", line)
    write_text(text, out_txt)
    return text
