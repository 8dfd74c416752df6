"""Runners of ``workflow/rules/colours.smk`` (stage 4): nightly weighted magnitudes and colours, per tile."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..photometry.colours import colors_from_epochs
from ..io import write_table

log = logging.getLogger(__name__)


def weighted_colours(epochs_parquet: str | Path, error_floor: float, bad_flags: int, clip_sigma: float | None,
                     out_parquet: str | Path, flicker_max_mag: float | None = None,
                     flicker_v_to_u_max: float | None = None) -> pd.DataFrame:
    """Rule ``weighted_colours``: the per-object weighted colours (mag) of one tile's objects that
    have epochs (``flicker_max_mag``, ``flicker_v_to_u_max``: :func:`symfind.photometry.colours.colors_from_epochs`)."""
    epochs = pd.read_parquet(epochs_parquet)
    colours, counts = colors_from_epochs(epochs, error_floor, bad_flags, clip_sigma, flicker_max_mag=flicker_max_mag,
                                         flicker_v_to_u_max=flicker_v_to_u_max)
    for reason, count in counts.items():
        log.info("epochs %-14s %10d", reason, count)
    write_table(colours, out_parquet)
    return colours
