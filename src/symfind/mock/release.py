"""A mock sky under another release's names: the same objects and numbers, the tables and columns
named as that release's archive names them (:mod:`symfind.query.releases`), for testing each release end
to end (local files and the DaCHS TAP server).

    python -m symfind.mock.release --sky resources/sample --out /tmp/sky_dr4 --release dr4

The Bailer-Jones 2021 table gets the mock's distance as both its geometric and its photogeometric
estimate (a mock has one distance per star); its ``flag`` column is not written (symfind does not
read it), nor 2018's ``r_len``, ``result_flag`` and ``modality_flag``, which 2021 does not have.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ..query.releases import DISTANCE_CATALOGUES, RELEASES, ArchiveSchema, archive_schema
from ..query.sources.local import TABLE_ROLES, TRUTH_FILE, survey_folder_tables, survey_table_files


def release_schema(release: str) -> ArchiveSchema:
    """The names of ``release`` with its own distance catalogue (geometric estimate)."""
    return archive_schema({"release": release})


def archive_columns(schema: ArchiveSchema, name: str) -> list[tuple[str, str]]:
    """``(symfind's name, the archive's name)`` of every column local table ``name`` has in the
    release (for the distances of a catalogue with several estimates: every estimate's columns)."""
    role = TABLE_ROLES[name]
    if role != "distances":
        return [(ours, theirs) for ours, theirs in schema.columns[role].items() if theirs is not None]
    pairs = []
    for estimate in DISTANCE_CATALOGUES[schema.distance_catalogue]["estimates"].values():
        for ours in schema.columns[role]:
            theirs = estimate.get(ours, ours)
            if theirs is not None and (ours, theirs) not in pairs:
                pairs.append((ours, theirs))
    return pairs


def in_release(frame: pd.DataFrame, schema: ArchiveSchema, name: str) -> pd.DataFrame:
    """Local table ``name`` (symfind's names) as the release's archive holds it."""
    return pd.DataFrame({theirs: frame[ours] for ours, theirs in archive_columns(schema, name)})


def write_release(sky: str | Path, out: str | Path, release: str) -> dict[str, int]:
    """Write the sky in folder ``sky`` (DR2 names, as :mod:`symfind.mock` writes it) to ``out`` under
    ``release``'s names; the truth table is copied. Returns rows per file."""
    if release not in RELEASES:
        raise SystemExit(f"--release {release!r}: expected one of {', '.join(RELEASES)}")
    schema = release_schema(release)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = survey_table_files(schema)
    rows = {}
    for name, path in survey_folder_tables(sky).items():
        table = in_release(pd.read_parquet(path), schema, name)
        table.to_parquet(out / files[name], index=False)
        rows[files[name]] = len(table)
    truth = Path(sky) / TRUTH_FILE
    if truth.exists():
        pd.read_parquet(truth).to_parquet(out / TRUTH_FILE, index=False)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sky", required=True, help="folder of a mock sky (DR2 names)")
    parser.add_argument("--out", required=True, help="folder for the same sky under the release's names")
    parser.add_argument("--release", required=True, choices=sorted(RELEASES))
    args = parser.parse_args(argv)
    for file, n in write_release(args.sky, args.out, args.release).items():
        print(f"{file}: {n} rows")


if __name__ == "__main__":
    main()
