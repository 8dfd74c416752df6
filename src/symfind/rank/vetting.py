"""The astronomer's verdicts: the vocabulary of the browser's vetting buttons, the labels file they
are exported to, and what the ranking learns from it (``vetting.labels``).

A labels file is CSV with the columns of :data:`LABEL_COLUMNS`, one row per verdict:
``object_id`` (the workflow's object id), ``verdict`` (one of :data:`VERDICTS`), ``class`` (for
``not_symbiotic``: what it is instead, one of :data:`CLASSES`, or empty), ``note`` (free text) and
``time`` (ISO 8601, UTC). It is the durable record of the vetting: the browser keeps the verdicts in
its storage only until they are exported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import InputError

#: The verdicts: a symbiotic star (a positive for the ranking), not one (a labelled negative), or
#: uncertain (recorded, learnt from by nothing).
VERDICTS = ("symbiotic", "not_symbiotic", "uncertain")
#: What a ``not_symbiotic`` object is instead (the ``class`` column; empty: not said).
CLASSES = ("mira_lpv", "young_star", "composite_or_blend", "emission_line_star", "artefact")
#: The browser's buttons, in order: (verdict, class, label shown).
CHOICES: tuple[tuple[str, str, str], ...] = (
    ("symbiotic", "", "symbiotic"),
    ("not_symbiotic", "mira_lpv", "not: Mira / long-period variable"),
    ("not_symbiotic", "young_star", "not: young star"),
    ("not_symbiotic", "composite_or_blend", "not: composite or blend"),
    ("not_symbiotic", "emission_line_star", "not: emission-line star of another kind"),
    ("not_symbiotic", "artefact", "not: artefact"),
    ("uncertain", "", "uncertain"),
)
#: The columns of a labels file, in the order the browser exports them.
LABEL_COLUMNS = ("object_id", "verdict", "class", "note", "time")


def read_labels(paths: str | Path | Sequence[str | Path], object_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """The verdicts of one or more labels files: one row per object, the columns of
    :data:`LABEL_COLUMNS` and ``labels_file`` (the file it came from).

    An object vetted more than once (in one file or several) keeps its latest verdict by ``time``;
    rows without a time count as older than those with one, and among equals the later file and row
    win. ``object_ids``: the objects the verdicts may name (the scored table's); an id outside them
    is refused. Every refusal names the file, the row (the CSV line, the header being line 1) and
    the column."""
    files = [paths] if isinstance(paths, (str, Path)) else list(paths)
    allowed = None if object_ids is None else set(int(i) for i in object_ids)
    frames = []
    for order, path in enumerate(files):
        path = Path(path)
        if not path.is_file():
            raise InputError(f"vetting.labels: {path} does not exist")
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
            raise InputError(f"vetting.labels: {path} is not a readable CSV file ({error})") from error
        missing = [c for c in LABEL_COLUMNS if c not in table.columns]
        if missing:
            raise InputError(f"vetting.labels: {path} lacks column(s) {', '.join(missing)}; a labels file has "
                             f"{', '.join(LABEL_COLUMNS)}")
        table = table[list(LABEL_COLUMNS)].apply(lambda column: column.str.strip())
        line = np.arange(len(table)) + 2

        def refuse_first(bad: pd.Series, column: str, why) -> None:
            """Refuse the file at its first ``bad`` row, naming the row, the column and ``why(k)``."""
            if bad.any():
                k = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(f"vetting.labels: {path}, row {line[k]}, column {column}: {why(k)}")

        ids = pd.to_numeric(table["object_id"], errors="coerce")
        refuse_first(ids.isna() | (ids != np.floor(ids)), "object_id", lambda k: f"{table['object_id'].iloc[k]!r} is not an object id")
        ids = ids.astype(np.int64)
        if allowed is not None:
            refuse_first(~ids.isin(allowed), "object_id", lambda k: f"{int(ids.iloc[k])} is not an analysed object of this run")
        verdict, cls = table["verdict"], table["class"]
        refuse_first(~verdict.isin(VERDICTS), "verdict", lambda k: f"{verdict.iloc[k]!r} is not one of {', '.join(VERDICTS)}")
        refuse_first(~(cls.eq("") | (verdict.eq("not_symbiotic") & cls.isin(CLASSES))), "class",
                     lambda k: f"{cls.iloc[k]!r} is not a class of verdict {verdict.iloc[k]!r} "
                               f"(not_symbiotic: {', '.join(CLASSES)}; otherwise empty)")
        time = pd.to_datetime(table["time"].replace("", None), utc=True, errors="coerce", format="ISO8601")
        refuse_first(time.isna() & table["time"].ne(""), "time", lambda k: f"{table['time'].iloc[k]!r} is not an ISO 8601 time")
        frames.append(table.assign(object_id=ids, labels_file=str(path), _time=time, _file=order, _row=line))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "object_id" else "object") for c in (*LABEL_COLUMNS, "labels_file")})
    verdicts = pd.concat(frames, ignore_index=True)
    verdicts = verdicts.assign(_has_time=verdicts["_time"].notna())
    verdicts = verdicts.sort_values(["_has_time", "_time", "_file", "_row"], kind="stable", na_position="first")
    latest = verdicts.drop_duplicates("object_id", keep="last").sort_values("object_id", ignore_index=True)
    return latest[[*LABEL_COLUMNS, "labels_file"]]


def vetted_masks(object_ids: np.ndarray, verdicts: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """``(symbiotic, not_symbiotic)``: boolean masks over ``object_ids`` of the objects vetted so
    (``verdicts``: :func:`read_labels`; None: nothing vetted). Uncertain verdicts are in neither."""
    ids = np.asarray(object_ids, dtype=np.int64)
    if verdicts is None or verdicts.empty:
        return np.zeros(len(ids), dtype=bool), np.zeros(len(ids), dtype=bool)
    by_verdict = verdicts.set_index("object_id")["verdict"]
    verdict = by_verdict.reindex(ids).to_numpy()
    return verdict == "symbiotic", verdict == "not_symbiotic"
