"""Stage 1b: per-epoch photometry of the selected objects (``dr2.photometry`` joined with ``dr2.images``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
    return sort_epochs(epochs[list(C.EPOCH_COLUMNS)])


def sort_epochs(epochs: pd.DataFrame) -> pd.DataFrame:
    """Epochs with ``filter`` categorical (u v g r i z: compact, fast to group), in the product's
    order: object, epoch, filter, image."""
    epochs = epochs.copy()
    epochs["filter"] = pd.Categorical(epochs["filter"].astype(str), categories=C.SKYMAPPER_BANDS)
    return epochs.sort_values(["object_id", "night_mjd", "filter", "image_id"], kind="stable", ignore_index=True)


def run_epochs(selected_parquet: str | Path, photometry_file: str | Path, images_file: str | Path | None, out_parquet: str | Path) -> pd.DataFrame:
    """Stage 1b: write the per-epoch photometry of the selected objects."""
    selected = pd.read_parquet(selected_parquet, columns=["object_id"])
    wanted = [("object_id", "in", selected["object_id"].to_numpy().tolist())]
    photometry = read_table(photometry_file, C.PHOTOMETRY_COLUMNS, parquet_filters=wanted)
    images = read_table(images_file, C.IMAGES_COLUMNS) if images_file else None
    epochs = join_epochs(selected["object_id"].to_numpy(), photometry, images, str(photometry_file))
    n_with = epochs["object_id"].nunique()
    log.info("%d epochs of %d selected objects (%d objects have none)", len(epochs), n_with, len(selected) - n_with)
    write_table(epochs, out_parquet)
    return epochs


def run_epochs_tile(tile_selection: str | Path, tap: Mapping[str, Any], out_parquet: str | Path) -> pd.DataFrame:
    """Stage 1b over TAP, one tile: upload the tile's object ids (chunked), join photometry and images."""
    from .tap import EPOCHS_ADQL, fetch_by_upload, runner_from_config, typed

    ids = pd.read_parquet(tile_selection, columns=["object_id"])["object_id"].to_numpy()
    log.info("per-epoch photometry ADQL on %s:\n%s", tap["skymapper"], EPOCHS_ADQL)
    runner = runner_from_config(tap, "skymapper")
    frame = fetch_by_upload(runner, ids, "object_id", EPOCHS_ADQL, f"epochs of {tile_selection}", int(tap["upload_chunk"]))
    epochs = typed(frame, C.EPOCH_COLUMNS, f"photometry from {tap['skymapper']}")
    epochs = join_epochs(ids, epochs, None, f"photometry from {tap['skymapper']}")
    log.info("%d epochs of %d objects (%d objects have none)", len(epochs), epochs["object_id"].nunique(), len(ids) - epochs["object_id"].nunique())
    write_table(epochs, out_parquet)
    return epochs


def run_gather_epochs(paths: list[str], out_parquet: str | Path) -> pd.DataFrame:
    """Stage 1b over TAP: gather the per-tile epochs."""
    from .tiles import gather

    epochs = sort_epochs(gather(paths))
    log.info("%d epochs gathered from %d tiles", len(epochs), len(paths))
    write_table(epochs, out_parquet)
    return epochs
