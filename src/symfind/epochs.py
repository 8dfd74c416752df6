"""Stage 1b: per-epoch photometry of the selected objects (``dr2.photometry`` joined with ``dr2.images``)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as C
from .io import InputError, read_table, write_table

log = logging.getLogger(__name__)


def join_epochs(selected_ids: np.ndarray, photometry: pd.DataFrame, images: pd.DataFrame | None, source: str) -> pd.DataFrame:
    """Epochs of ``selected_ids`` with the ``night_mjd`` of their image.

    ``photometry`` may already carry ``night_mjd`` (then ``images`` may be None). Every epoch must
    find its image; an epoch whose image is unknown is an error, not a silent drop.
    """
    unknown_filters = sorted(set(photometry["filter"].unique()) - set(C.SKYMAPPER_BANDS))
    if unknown_filters:
        raise InputError(
            f"{source}: column 'filter' has unknown filter name(s) {unknown_filters}; expected {list(C.SKYMAPPER_BANDS)}"
        )
    epochs = photometry[photometry["object_id"].isin(selected_ids)]
    if "night_mjd" not in epochs.columns:
        if images is None:
            raise InputError(f"{source}: photometry has no 'night_mjd' column and no images table was given")
        epochs = epochs.merge(images[["image_id", "night_mjd"]], on="image_id", how="left", validate="many_to_one")
        lost = epochs["night_mjd"].isna()
        if lost.any():
            raise InputError(
                f"{source}: {int(lost.sum())} epoch(s) refer to image_id(s) missing from the images table, "
                f"e.g. {int(epochs.loc[lost, 'image_id'].iloc[0])}"
            )
    epochs = epochs[list(C.EPOCH_COLUMNS)].copy()
    epochs["filter"] = pd.Categorical(epochs["filter"], categories=C.SKYMAPPER_BANDS)  # compact, fast to group
    return epochs.sort_values(["object_id", "night_mjd", "filter", "image_id"], kind="stable", ignore_index=True)


def run_epochs(selected_parquet: str | Path, photometry_file: str | Path, images_file: str | Path | None, out_parquet: str | Path) -> pd.DataFrame:
    """Stage 1b: write the per-epoch photometry of the selected objects."""
    selected = pd.read_parquet(selected_parquet, columns=["object_id"])
    photometry = read_table(photometry_file, C.PHOTOMETRY_COLUMNS)
    images = read_table(images_file, C.IMAGES_COLUMNS) if images_file else None
    epochs = join_epochs(selected["object_id"].to_numpy(), photometry, images, str(photometry_file))
    n_with = epochs["object_id"].nunique()
    log.info("%d epochs of %d selected objects (%d objects have none)", len(epochs), n_with, len(selected) - n_with)
    write_table(epochs, out_parquet)
    return epochs
