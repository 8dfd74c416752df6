"""Catalogues of known symbiotic stars, and the cross-match of candidates against them.

The catalogues are vendored in ``resources/known_symbiotics/`` with their provenance and licences:

- ``merc``: the New Online Database of Symbiotic Variables (Merc et al. 2019), as redistributed by
  fink-filters (dec > -30 deg only); precise positions.
- ``belczynski2000``: Belczynski et al. 2000, A&AS 146, 407; low-precision positions (match ~30").
- ``seed``: known symbiotic stars recovered in SkyMapper DR2 (SkyMapper positions, precise).

A user adds a catalogue of their own (``known.catalogues``: ``name``, ``path``, ``ra``, ``dec``,
``id``, ``radius_arcsec``): any table symfind reads, positions in degrees or sexagesimal text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..io import InputError, read_table
from ..config import REPOSITORY


#: Folder of the vendored catalogues inside the repository.
KNOWN_DIR = REPOSITORY / "resources" / "known_symbiotics"

#: Catalogue name -> the files it is read from.
CATALOGUE_FILES: dict[str, tuple[str, ...]] = {
    "merc": ("merc_database_via_fink.txt",),
    "belczynski2000": ("belczynski2000.csv",),
    "seed": (
        "seed_merc_galactic.csv",
        "seed_merc_extragalactic.csv",
        "seed_skymapper.csv",
    ),
}

#: Columns of a loaded catalogue.
CATALOGUE_COLUMNS = ("catalogue", "name", "ra", "dec")


def sexagesimal_degrees(ra: np.ndarray, dec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RA (hours, ``hh:mm:ss.s`` or ``hh mm ss.s``) and Dec (degrees, ``dd:mm:ss``) text to degrees;
    raises ValueError for text that is neither."""
    import astropy.units as u  # astropy on use: the workflow's parse (config check) needs only the names
    from astropy.coordinates import SkyCoord

    coords = SkyCoord(ra, dec, unit=(u.hourangle, u.deg))
    return coords.ra.deg, coords.dec.deg


def load_catalogue(name: str, directory: str | Path = KNOWN_DIR) -> pd.DataFrame:
    """Load one known-symbiotic catalogue as ``catalogue, name, ra, dec`` (ICRS, deg)."""
    if name not in CATALOGUE_FILES:
        raise InputError(
            f"known.catalogues: unknown catalogue {name!r}; expected one of {', '.join(CATALOGUE_FILES)}"
        )
    directory = Path(directory)
    frames = []
    for filename in CATALOGUE_FILES[name]:
        path = directory / filename
        if name == "merc":
            raw = pd.read_csv(path, dtype=str, skipinitialspace=True)
            ra_deg, dec_deg = sexagesimal_degrees(raw["RA(J2000)"].to_numpy(), raw["DEC(J2000)"].to_numpy())
            frame = pd.DataFrame({"name": raw["Name"].str.strip(), "ra": ra_deg, "dec": dec_deg})
        elif name == "belczynski2000":
            raw = read_table(path)
            frame = pd.DataFrame(
                {"name": raw["name"].astype(str), "ra": raw["ra_deg"], "dec": raw["dec_deg"]}
            )
        else:
            raw = read_table(path)
            names = raw["main_id"].astype("string").fillna(
                "SkyMapper DR2 " + raw["object_id"].astype(str)
            )
            frame = pd.DataFrame({"name": names.astype(str), "ra": raw["raj2000"], "dec": raw["dej2000"]})
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "catalogue", name)
    return out[list(CATALOGUE_COLUMNS)]


def load_user_catalogue(entry: Mapping[str, Any]) -> pd.DataFrame:
    """A user's catalogue of known symbiotic stars (``known.catalogues`` entry with ``path``) as
    ``catalogue, name, ra, dec`` (deg). Numeric RA/Dec columns are degrees; text columns are read
    as sexagesimal (RA in hours, ``hh:mm:ss.s`` or ``hh mm ss.s``; Dec in degrees). Errors name the
    file and the column."""
    path = Path(entry["path"])
    raw = read_table(path)
    where = f"known catalogue {entry['name']!r} ({path})"
    for key in ("ra", "dec", "id"):
        if entry[key] not in raw.columns:
            raise InputError(f"{where}: no column {entry[key]!r} (known.catalogues {key}); found {', '.join(map(str, raw.columns))}")
    ra, dec = raw[entry["ra"]], raw[entry["dec"]]
    if pd.api.types.is_numeric_dtype(ra) and pd.api.types.is_numeric_dtype(dec):
        ra_deg, dec_deg = ra.to_numpy(dtype=np.float64), dec.to_numpy(dtype=np.float64)
    else:
        try:
            ra_deg, dec_deg = sexagesimal_degrees(ra.astype(str).str.strip().to_numpy(), dec.astype(str).str.strip().to_numpy())
        except ValueError as exc:
            raise InputError(f"{where}: columns {entry['ra']!r}, {entry['dec']!r} are neither degrees nor "
                             f"sexagesimal text ({exc})") from exc
    bad = ~(np.isfinite(ra_deg) & np.isfinite(dec_deg) & (ra_deg >= 0) & (ra_deg < 360) & (np.abs(dec_deg) <= 90))
    if bad.any():
        raise InputError(f"{where}: {int(bad.sum())} row(s) without a valid position in {entry['ra']!r}, {entry['dec']!r} "
                         f"(first: row {int(np.flatnonzero(bad)[0])})")
    return pd.DataFrame({"catalogue": entry["name"], "name": raw[entry["id"]].astype(str).to_numpy(), "ra": ra_deg,
                         "dec": dec_deg})[list(CATALOGUE_COLUMNS)]


def catalogue_of(entry: Mapping[str, Any], directory: str | Path = KNOWN_DIR) -> pd.DataFrame:
    """The catalogue of one ``known.catalogues`` entry: a vendored one by name, or a user's file."""
    return load_user_catalogue(entry) if "path" in entry else load_catalogue(entry["name"], directory)


def load_seed_photometry(directory: str | Path = KNOWN_DIR) -> pd.DataFrame:
    """The real SkyMapper DR2 photometry of known symbiotic stars (the ``seed_*`` files).

    Columns as in PROVENANCE.md: ``j_abs`` (mag), ``jmk0`` (dereddened J-K, mag), ``0ug``, ``0uv``
    (nightly weighted u-g and u-v, mag), ``r_est`` (pc), ``raj2000``, ``dej2000`` (deg).
    """
    directory = Path(directory)
    return pd.concat(
        [read_table(directory / f) for f in CATALOGUE_FILES["seed"]], ignore_index=True
    )


def crossmatch(
    objects: pd.DataFrame,
    catalogue: pd.DataFrame,
    radius_arcsec: float,
    ra: str = "raj2000",
    dec: str = "dej2000",
) -> pd.DataFrame:
    """Match every catalogue entry to its nearest object within ``radius_arcsec``.

    Returns one row per matched catalogue entry: ``object_id, catalogue, name, separation_arcsec``.
    """
    import astropy.units as u  # astropy on use: the workflow's parse (config check) needs only the names
    from astropy.coordinates import SkyCoord

    if radius_arcsec <= 0:
        raise InputError(f"known.catalogues: radius_arcsec must be > 0, got {radius_arcsec}")
    columns = ["object_id", "catalogue", "name", "separation_arcsec"]
    if len(objects) == 0 or len(catalogue) == 0:
        return pd.DataFrame(columns=columns)
    obj = SkyCoord(objects[ra].to_numpy() * u.deg, objects[dec].to_numpy() * u.deg)
    cat = SkyCoord(catalogue["ra"].to_numpy() * u.deg, catalogue["dec"].to_numpy() * u.deg)
    index, separation, _ = cat.match_to_catalog_sky(obj)
    sep_arcsec = separation.to_value(u.arcsec)
    hit = sep_arcsec <= radius_arcsec
    return pd.DataFrame(
        {
            "object_id": objects["object_id"].to_numpy()[index[hit]],
            "catalogue": catalogue["catalogue"].to_numpy()[hit],
            "name": catalogue["name"].to_numpy()[hit],
            "separation_arcsec": np.round(sep_arcsec[hit], 3),
        }
    ).sort_values(["catalogue", "object_id"], kind="stable", ignore_index=True)


def match_known(
    merged: pd.DataFrame,
    candidate_ids: np.ndarray,
    catalogues: list[Mapping[str, Any]],
    directory: str | Path = KNOWN_DIR,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cross-match the analysed sample with each catalogue; say which matches are candidates.

    Returns ``(matches, recovery)``: every known star found in the sample with ``is_candidate``,
    and per catalogue the number found in the sample, the number among the candidates, and the
    recall (candidates / found). A star found in several catalogues counts once in ``all``.
    """
    candidates = set(np.asarray(candidate_ids).tolist())
    matches = []
    for entry in catalogues:
        matches.append(crossmatch(merged, catalogue_of(entry, directory), float(entry["radius_arcsec"])))
    matched = pd.concat(matches, ignore_index=True) if matches else pd.DataFrame(
        columns=["object_id", "catalogue", "name", "separation_arcsec"]
    )
    matched["is_candidate"] = matched["object_id"].isin(candidates)
    rows = []
    for name in [entry["name"] for entry in catalogues] + ["all"]:
        subset = matched if name == "all" else matched[matched["catalogue"] == name]
        found = subset["object_id"].unique()
        recovered = np.intersect1d(found, list(candidates)) if candidates else np.array([])
        rows.append(
            {
                "catalogue": name,
                "n_in_sample": len(found),
                "n_candidates_matched": len(recovered),
                "recall": (len(recovered) / len(found)) if len(found) else np.nan,
            }
        )
    return matched, pd.DataFrame(rows)
