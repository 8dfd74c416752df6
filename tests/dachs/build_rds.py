"""Write the DaCHS resource descriptors (RDs) for the archive tables symfind queries, from the one
column registry (``symfind.columns``), and optionally export a sample sky as their CSV sources.

    python tests/dachs/build_rds.py --rd-dir tests/dachs/rd                    # regenerate the committed RDs
    python tests/dachs/build_rds.py --rd-dir /var/gavo/inputs --sample DIR     # RDs + CSVs for `dachs imp`

Tables: dr2.master, dr2.photometry, dr2.images (SkyMapper DR2), ext.twomass_psc, ext.gaia_dr2,
ext.allwise (SkyMapper's cross-match tables) and external.gaiadr2_geometric_distance (Gaia archive).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from symfind import columns as C
from symfind.mock import SAMPLE_FILES

#: schema -> table -> (sample table name, column registry)
TABLES: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "dr2": {
        "master": ("master", C.MASTER_COLUMNS),
        "photometry": ("photometry", C.PHOTOMETRY_COLUMNS),
        "images": ("images", C.IMAGES_COLUMNS),
    },
    "ext": {
        "twomass_psc": ("twomass_psc", C.TWOMASS_COLUMNS),
        "gaia_dr2": ("gaia_dr2", C.GAIA_COLUMNS),
        "allwise": ("allwise", C.ALLWISE_COLUMNS),
    },
    "external": {
        "gaiadr2_geometric_distance": ("distances", C.DISTANCE_COLUMNS),
    },
}

#: Column registry dtype -> DaCHS (PostgreSQL) type.
DACHS_TYPES = {
    "int64": "bigint", "Int64": "bigint", "int32": "integer", "int16": "smallint",
    "float32": "real", "float64": "double precision", "str": "text", "bool": "boolean",
}

TITLES = {
    "dr2": "SkyMapper DR2 (symfind mock sky)",
    "ext": "SkyMapper DR2 cross-match tables (symfind mock sky)",
    "external": "Gaia archive external tables (symfind mock sky)",
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
    for table, (_, registry) in TABLES[schema].items():
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


def export_csv(sample_dir: Path, sample_name: str, registry: dict[str, str], path: Path) -> int:
    frame = pd.read_parquet(sample_dir / SAMPLE_FILES[sample_name])[list(registry)]
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
            for table, (sample_name, registry) in tables.items():
                rows = export_csv(Path(args.sample), sample_name, registry, folder / f"{table}.csv")
                print(f"{schema}.{table}: {rows} rows")


if __name__ == "__main__":
    main()
