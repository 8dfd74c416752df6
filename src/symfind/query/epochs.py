"""Stage 1: per-epoch photometry of the selected objects (``dr2.photometry`` joined with ``dr2.images``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..io import InputError


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
    return sort_epochs(epochs[list(C.EPOCH_COLUMNS)])


def sort_epochs(epochs: pd.DataFrame) -> pd.DataFrame:
    """Epochs with ``filter`` categorical (u v g r i z: compact, fast to group), in the product's
    order: object, epoch, filter, image."""
    epochs = epochs.copy()
    epochs["filter"] = pd.Categorical(epochs["filter"].astype(str), categories=C.SKYMAPPER_BANDS)
    return epochs.sort_values(["object_id", "night_mjd", "filter", "image_id"], kind="stable", ignore_index=True)
