"""Write the DaCHS resource descriptors (RDs) for the archive tables symfind queries, for every
release (:mod:`symfind.query.releases`: each table and column under the release's archive names), and
optionally export a sample sky as their CSV sources (the same objects under every release's names).

    python tests/dachs/build_rds.py --rd-dir tests/dachs/rd                    # regenerate the committed RDs
    python tests/dachs/build_rds.py --rd-dir /var/gavo/inputs --sample DIR     # RDs + CSVs for `dachs imp`

Tables: dr2.master, dr2.photometry, dr2.images (SkyMapper DR2), dr4.master, dr4.photometry,
dr4.images (SkyMapper DR4), ext.twomass_psc, ext.gaia_dr2, ext.gaia_dr3, ext.allwise (SkyMapper's
cross-match tables), external.gaiadr2_geometric_distance and external.gaiaedr3_distance (Bailer-Jones
2018 and 2021 at the Gaia archive), gaiadr3.astrophysical_parameters, gaiadr3.vari_classifier_result,
gaiadr3.vari_long_period_variable and gaiadr3.dr2_neighbourhood (the Gaia archive's own).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from symfind.mock.release import archive_columns, in_release, release_schema
from symfind.query.releases import RELEASES
from symfind.query.gaia_dr3 import GAIA_DR3_ARCHIVE_TABLES, GAIA_DR3_FILES, GAIA_DR3_SOURCE_TABLES
from symfind.query.sources.local import TABLE_ROLES, TABLE_SCHEMAS, survey_folder_tables


def release_tables() -> dict[str, dict[str, tuple[str, str, dict[str, str]]]]:
    """schema -> table -> (local table name, release, the archive's column -> dtype), every release."""
    tables: dict[str, dict[str, tuple[str, str, dict[str, str]]]] = {}
    for release in RELEASES:
        schema = release_schema(release)
        for name, role in TABLE_ROLES.items():
            schema_name, table = schema.tables[role].replace('"', "").split(".")
            registry = {theirs: TABLE_SCHEMAS[name][ours] for ours, theirs in archive_columns(schema, name)}
            tables.setdefault(schema_name, {}).setdefault(table, (name, release, registry))
    for name, registry in GAIA_DR3_SOURCE_TABLES.items():  # the Gaia archive's own, for every release
        schema_name, table = GAIA_DR3_ARCHIVE_TABLES[name].split(".")
        tables.setdefault(schema_name, {}).setdefault(table, (name, "gaiadr3", dict(registry)))
    return tables


#: schema -> table -> (local table name, release, column registry in the archive's names)
TABLES = release_tables()

#: Column registry dtype -> DaCHS (PostgreSQL) type.
DACHS_TYPES = {
    "int64": "bigint", "Int64": "bigint", "int32": "integer", "int16": "smallint",
    "float32": "real", "float64": "double precision", "str": "text", "bool": "boolean",
}

TITLES = {
    "dr2": "SkyMapper DR2 (symfind mock sky)",
    "dr4": "SkyMapper DR4 (symfind mock sky, the same objects under DR4 names)",
    "ext": "SkyMapper cross-match tables (symfind mock sky)",
    "external": "Gaia archive external tables (symfind mock sky)",
    "gaiadr3": "Gaia DR3 tables: Halpha, variability classes, long-period variables, DR2 neighbourhood (symfind mock sky)",
}


def column_xml(name: str, dtype: str) -> str:
    """A column: integers that are never null are ``required``; nullable ones get a VOTable null value."""
    head = f'    <column name="{name}" type="{DACHS_TYPES[dtype]}"'
    if dtype == "Int64":
        return f'{head}>\n      <values nullLiteral="-1"/>\n    </column>'
    if dtype.startswith("int"):
        return f'{head} required="True"/>'
    return f"{head}/>"


def rd_text(schema: str) -> str:
    """The RD XML of one schema."""
    parts = [
        f'<resource schema="{schema}">',
        f"  <meta name=\"title\">{TITLES[schema]}</meta>",
        "  <meta name=\"description\">Synthetic tables in the archive's schema, served for symfind's TAP tests. Not real data.</meta>",
        "  <meta name=\"creationDate\">2026-11-23T00:00:00Z</meta>",
        "  <meta name=\"subject\">stars</meta>",
        "  <meta name=\"creator.name\">symfind developers</meta>",
    ]
    for table, (_, _, registry) in TABLES[schema].items():
        parts.append(f'  <table id="{table}" onDisk="True" adql="True">')
        parts += [column_xml(name, dtype) for name, dtype in registry.items()]
        parts.append("  </table>")
    for table in TABLES[schema]:
        parts += [
            f'  <data id="import_{table}">',
            f"    <sources>{table}.csv</sources>",
            "    <csvGrammar/>",
            f'    <make table="{table}"/>',
            "  </data>",
        ]
    parts.append("</resource>")
    return "\n".join(parts) + "\n"


def export_csv(sample_dir: Path, name: str, release: str, path: Path) -> int:
    """Local table ``name`` of the sample (DR2 names) under ``release``'s names, as CSV (a Gaia DR3
    table as it is; a sample without it gets an empty one)."""
    if release == "gaiadr3":
        file = sample_dir / GAIA_DR3_FILES[name]
        frame = pd.read_parquet(file) if file.exists() else pd.DataFrame(columns=list(GAIA_DR3_SOURCE_TABLES[name]))
        frame.to_csv(path, index=False, na_rep="")
        return len(frame)
    frame = in_release(pd.read_parquet(survey_folder_tables(sample_dir)[name]), release_schema(release), name)
    frame.to_csv(path, index=False, na_rep="")  # full precision: DaCHS must serve the same numbers
    return len(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rd-dir", required=True, help="folder that gets <schema>/q.rd")
    parser.add_argument("--sample", help="sample folder whose tables are exported as the RDs' CSV sources")
    args = parser.parse_args()
    for schema, tables in TABLES.items():
        folder = Path(args.rd_dir) / schema
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "q.rd").write_text(rd_text(schema), encoding="utf-8")
        if args.sample:
            for table, (name, release, _) in tables.items():
                rows = export_csv(Path(args.sample), name, release, folder / f"{table}.csv")
                print(f"{schema}.{table}: {rows} rows")


if __name__ == "__main__":
    main()
