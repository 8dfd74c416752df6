"""Stage 5: the analysed objects, the objects after the cuts inner-joined with their colours on
``object_id``, with their Gaia DR3 evidence (a left join)."""

from __future__ import annotations

import pandas as pd

from ..io import InputError


def join_on_object_id(left: pd.DataFrame, right: pd.DataFrame, names: tuple[str, str], how: str) -> pd.DataFrame:
    """``left`` joined to ``right`` on ``object_id`` (``how``: ``inner`` or ``left``), one row per
    object: both sides must have unique ids and no other column in common (``names``: what the two
    tables are, for the errors), in ``object_id`` order."""
    for name, frame in zip(names, (left, right)):
        dup = frame["object_id"].duplicated()
        if dup.any():
            raise InputError(f"{name}: column 'object_id' must be unique; {int(dup.sum())} duplicate(s)")
    clash = (set(left.columns) & set(right.columns)) - {"object_id"}
    if clash:
        raise InputError(f"{names[1]}: column(s) {sorted(clash)} also exist in the {names[0]}")
    merged = left.merge(right, on="object_id", how=how, validate="one_to_one")
    return merged.sort_values("object_id", kind="stable", ignore_index=True)


def merge_catalogue_colors(filtered: pd.DataFrame, colors: pd.DataFrame) -> pd.DataFrame:
    """Inner join on ``object_id`` (one row per object; both sides must have unique ids)."""
    return join_on_object_id(filtered, colors, ("filtered catalogue", "colour table"), "inner")


def with_gaia_dr3(analysed: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """``analysed`` with the Gaia DR3 evidence of its objects (:data:`symfind.columns.GAIA_DR3_EVIDENCE_COLUMNS`),
    a left join on ``object_id``: an object without evidence keeps missing values (never dropped)."""
    merged = join_on_object_id(analysed, evidence, ("analysed table", "Gaia DR3 evidence"), "left")
    for name in evidence.columns:
        if name.startswith("has_"):
            merged[name] = merged[name].fillna(False).astype(bool)
    return merged


def unobserved_colours(analysed: pd.DataFrame) -> list[str]:
    """The independent colours ``x_y`` (:data:`symfind.columns.INDEPENDENT_COLOR_PAIRS`) that no
    row of ``analysed`` has (every colour where it has no row)."""
    from .. import columns as C

    return C.unobserved_columns(analysed, [C.color_name(a, b) for a, b in C.INDEPENDENT_COLOR_PAIRS])


def unformed_colours(analysed: pd.DataFrame | None = None, unobserved: list[str] | None = None) -> tuple[list[str], list[str]]:
    """What the colour space of this sky lacks: ``(colours, bands)``, the independent colours
    ``x_y`` (:data:`symfind.columns.INDEPENDENT_COLOR_PAIRS`; ``y_x`` lacks with it) that no
    analysed object has, and the bands none of whose colours any analysed object has (a sky whose
    epochs hold no such band). Empty lists on a sky with every colour (or no object at all).
    ``unobserved``: the colours no object has, where they were found part by part
    (:func:`unobserved_colours`), instead of ``analysed``."""
    from .. import columns as C

    if unobserved is None:
        if analysed is None or analysed.empty:
            return [], []
        unobserved = unobserved_colours(analysed)
    missing = set(unobserved)
    colours = [name for name in (C.color_name(*pair) for pair in C.INDEPENDENT_COLOR_PAIRS) if name in missing]
    bands = [band for band in C.SKYMAPPER_BANDS
             if all(C.color_name(*pair) in colours for pair in C.INDEPENDENT_COLOR_PAIRS if band in pair)]
    return colours, bands


def unformed_colours_note(colours: list[str], bands: list[str]) -> str | None:
    """The status note of the analysed table when colours could not be formed, or None."""
    if not colours:
        return None
    why = f" (no epochs in band(s) {', '.join(bands)})" if bands else ""
    return (f"{len(colours)} of 15 colours could not be formed{why}: {', '.join(colours)}; "
            "the detectors, the ranking and the PCA use the other colours")


def no_objects_message(selection_cutflow: pd.DataFrame, cutflow: pd.DataFrame, n_filtered: int) -> str:
    """Why no object is left to analyse: the selection criterion or the cut that removed the last
    ones, with the config key to loosen (from the two cut-flows), or the missing colours."""
    from .cuts import CUT_CONFIG_KEYS

    def first_empty(flow: pd.DataFrame, name: str) -> tuple[str, int, str] | None:
        rows = flow.reset_index(drop=True)
        empty = rows.index[rows["rows_left"] == 0]
        if len(empty) == 0 or empty[0] == 0:
            return None
        k = int(empty[0])
        return str(rows.loc[k, name]), int(rows.loc[k - 1, "rows_left"]), str(rows.loc[k, "note"] if "note" in rows else "")

    selection = selection_cutflow.rename(columns={"criterion": "note"})
    if len(selection) and (selection["step"] == "tap_query").all():  # over TAP: one row per tile
        if int(selection["rows_left"].sum()) == 0:
            tiles = ", ".join(t for t in (n.rsplit(" ", 1)[-1] for n in selection["note"].astype(str)) if t != "all")
            return (f"no object to analyse: the archive's selection query returned no object in tile(s) {tiles}; "
                    "choose other tiles (config key 'sky.tiles') or loosen the 'selection.*' keys")
        selection = selection.iloc[:0]
    hit = first_empty(selection, "step")
    if hit is not None:
        step, before, criterion = hit
        key = f"selection.{step.split('.')[0]}"
        return (f"no object to analyse: the selection criterion '{step}' ({criterion}) removed the last {before:,d} "
                f"objects; loosen config key '{key}'")
    if len(selection) and int(selection["rows_left"].iloc[0]) == 0:
        return "no object to analyse: the input sky holds no object (the selection's first row counts 0)"
    total = cutflow[cutflow["tile"].astype(str) == "all"]
    hit = first_empty(total, "cut")
    if hit is not None:
        cut, before, note = hit
        return (f"no object to analyse: the cut '{cut}' ({note}) removed the last {before:,d} objects; "
                f"loosen config key '{CUT_CONFIG_KEYS.get(cut, 'cuts.' + cut)}'")
    return (f"no object to analyse: none of the {n_filtered:,d} objects that passed the cuts has SkyMapper epochs "
            "to make colours from")
