"""Bad input, one case per row of a table: each either fails with an error that names the file,
column or key and what was expected, leaving no product behind, or is handled in a documented,
counted way (the count is asserted)."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO
from symfind.config import ConfigError
from symfind.validate import validate_config
from symfind.io import InputError
from symfind.mock import SAMPLE_FILES
from symfind.query.sources.local import LocalTables, survey_folder_tables
from symfind.stages.colours import weighted_colours
from symfind.stages.distances import fetch_distances
from symfind.stages.selection import fetch_epochs, select_objects, select_tile

N_OBJECTS = 60
#: Every product the stages below write (inputs the cases write are not products).
PRODUCTS = {"sel.parquet", "flow.csv", "tiles.csv", "epochs.parquet", "colors.parquet", "dist.parquet", "missing.parquet"}


@pytest.fixture(scope="module")
def good(tiny_sample, tmp_path_factory):
    """Small valid tables in the archives' schema: the first objects of the tiny sky."""
    joined = LocalTables(survey_folder_tables(tiny_sample)).joined_master().head(N_OBJECTS)
    ids = set(joined["object_id"])
    photometry = pd.read_parquet(tiny_sample / SAMPLE_FILES["photometry"])
    photometry = photometry[photometry["object_id"].isin(ids)].reset_index(drop=True)
    images = pd.read_parquet(tiny_sample / SAMPLE_FILES["images"])
    distances = pd.read_parquet(tiny_sample / SAMPLE_FILES["distances"])
    distances = distances[distances["source_id"].isin(set(joined["gaia_dr2_id1"]))].reset_index(drop=True)
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    return {"master": joined, "photometry": photometry, "images": images, "distances": distances, "config": config}


# -- the stages as the rules call them; each returns its product paths --------------------------------

def _select(tmp: Path, master: Path, config: dict):
    out = [tmp / "sel.parquet", tmp / "flow.csv", tmp / "tiles.csv"]
    select_objects("files", config["selection"], 4, out_parquet=out[0], out_cutflow=out[1], out_tiles=out[2],
                   tables={"master": master})
    return out


def _epochs(tmp: Path, selected: pd.DataFrame, photometry: Path, images: Path):
    selected.to_parquet(tmp / "selected.parquet")
    out = tmp / "epochs.parquet"
    fetch_epochs(tmp / "selected.parquet", "files", out, tables={"photometry": photometry, "images": images})
    return [out]


def _colors(tmp: Path, epochs: pd.DataFrame, config: dict):
    epochs.to_parquet(tmp / "epochs_in.parquet")
    out = tmp / "colors.parquet"
    c = config["colors"]
    weighted_colours(tmp / "epochs_in.parquet", c["error_floor"], c["bad_flags"], c["clip_sigma"], out_parquet=out)
    return [out]


def _distances(tmp: Path, selected: pd.DataFrame, distances: Path):
    selected.to_parquet(tmp / "selected.parquet")
    out = [tmp / "dist.parquet", tmp / "missing.parquet"]
    fetch_distances(tmp / "selected.parquet", "files", *out, tables={"distances": distances})
    return out


# -- the table ---------------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    run: Callable  # (tmp, good) -> product paths
    error: str | None = None  # regex the error must match (None: handled, see check)
    check: Callable | None = None  # (tmp, good, caplog) -> None, for handled cases


def _master_file(tmp, frame, name="master.csv"):
    path = tmp / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    elif name.endswith(".parquet"):
        frame.to_parquet(path)
    elif name.endswith(".fits"):
        from astropy.table import Table

        Table.from_pandas(frame.drop(columns=["ext_key"])).write(path)
    return path


def _with(frame, column, index, value):
    frame = frame.copy()
    if isinstance(value, str) or (frame[column].dtype.kind in "iub" and not isinstance(value, (int, np.integer))):
        frame[column] = frame[column].astype(object)
    frame.loc[index, column] = value
    return frame


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _config_with(good, dotted, value):
    config = copy.deepcopy(good["config"])
    *parents, leaf = dotted.split(".")
    node = config
    for key in parents:
        node = node[key]
    node[leaf] = value
    return config


def _user_catalogue(tmp, text, ra="RA", dec="DEC", ident="Name"):
    """Cross-match the analysed objects with a user's catalogue file holding ``text``."""
    from symfind.stages.known import crossmatch_known

    path = _written(tmp / "mine.csv", text.encode())
    pd.DataFrame({"object_id": [1], "raj2000": [10.0], "dej2000": [-20.0], "rank": [1], "is_candidate": [True],
                  "anomaly_score": [1.0], "reconstruction_loss": [1.0]}).to_parquet(tmp / "scored.parquet")
    entry = {"name": "mine", "path": str(path), "ra": ra, "dec": dec, "id": ident, "radius_arcsec": 2.0}
    return crossmatch_known(tmp / "scored.parquet", [entry], tmp / "matches.csv", tmp / "recovery.csv")


def _selected(good):
    return good["master"][["object_id", "gaia_dr2_id1", "raj2000", "dej2000"]]


def _photometry_file(tmp, frame):
    frame.to_parquet(tmp / "photometry.parquet")
    return tmp / "photometry.parquet"


def _images_file(tmp, good):
    good["images"].to_parquet(tmp / "images.parquet")
    return tmp / "images.parquet"


def _epochs_frame(good):
    return good["photometry"].merge(good["images"][["image_id", "night_mjd"]], on="image_id")


def _colour_log_count(reason):
    def check(tmp, good, caplog):
        line = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"epochs {reason}")]
        assert line and int(line[0].split()[-1]) == 1, line
        colors = pd.read_parquet(tmp / "colors.parquet")
        assert len(colors) == good["photometry"]["object_id"].nunique()  # every object keeps its row
    return check


def _no_epochs_check(tmp, good, caplog):
    epochs = pd.read_parquet(tmp / "epochs.parquet")
    assert epochs["object_id"].nunique() == N_OBJECTS - 1
    assert any("(1 objects have none)" in r.getMessage() for r in caplog.records)


def _nan_magnitude_check(tmp, good, caplog):
    selected = pd.read_parquet(tmp / "sel.parquet")
    assert good["master"]["object_id"].iloc[0] not in set(selected["object_id"])  # a missing J never passes J < 14
    flow = pd.read_csv(tmp / "flow.csv")
    assert flow["rows_left"].iloc[0] == N_OBJECTS  # counted in the cut-flow: it enters and is cut


def _empty_tile_check(tmp, good, caplog):
    part = pd.read_parquet(tmp / "tile0.parquet")
    assert len(part) == 0 and "object_id" in part.columns


CASES = [
    # user tables (source: files)
    Case("missing column", lambda t, g: _select(t, _master_file(t, g["master"].drop(columns=["j_m"])), g["config"]),
         r"master\.csv: missing column\(s\) j_m"),
    Case("wrong dtype", lambda t, g: _select(t, _master_file(t, _with(g["master"], "j_m", 3, "bright")), g["config"]),
         r"master\.csv.*j_m"),
    Case("NaN magnitude in the master", lambda t, g: _select(t, _master_file(t, _with(g["master"], "j_m", 0, np.nan)), g["config"]),
         check=_nan_magnitude_check),
    Case("duplicate object_id", lambda t, g: _select(t, _master_file(t, pd.concat([g["master"], g["master"].head(1)])), g["config"]),
         r"master\.csv: column 'object_id' must be unique; 1 duplicate"),
    Case("empty file", lambda t, g: _select(t, _written(t / "master.csv", b""), g["config"]),
         r"master\.csv: file is empty"),
    Case("header but no rows", lambda t, g: _select(t, _master_file(t, g["master"].head(0)), g["config"]),
         r"master\.csv: has no rows"),
    Case("non-UTF-8 text", lambda t, g: _select(
        t, _written(t / "master.csv", _master_file(t, g["master"]).read_bytes().replace(b"AAA", b"A\xff\xfe", 1)), g["config"]),
         r"master\.csv: not UTF-8"),
    Case("truncated Parquet", lambda t, g: _select(t, _truncate(_master_file(t, g["master"], "master.parquet")), g["config"]),
         r"master\.parquet: cannot be read as parquet"),
    Case("truncated FITS", lambda t, g: _select(t, _truncate(_master_file(t, g["master"], "master.fits")), g["config"]),
         r"master\.fits: cannot be read as fits"),
    Case("path that does not exist", lambda t, g: _select(t, t / "nowhere.csv", g["config"]),
         r"nowhere\.csv: file does not exist"),
    Case("tile with zero objects", lambda t, g: [select_tile("files", 0, t / "tile0.parquet",
                                                             selection_parquet=_select(t, _master_file(t, g["master"]), g["config"])[0])]
         and [t / "tile0.parquet"], check=_empty_tile_check),
    # per-epoch photometry
    Case("unknown filter name", lambda t, g: _epochs(t, _selected(g), _photometry_file(t, _with(g["photometry"], "filter", 2, "y")),
                                                    _images_file(t, g)), r"photometry\.parquet: column 'filter' has unknown filter name\(s\) \['y'\]"),
    Case("photometry column missing", lambda t, g: _epochs(t, _selected(g), _photometry_file(t, g["photometry"].drop(columns=["e_mag_psf"])),
                                                          _images_file(t, g)), r"photometry\.parquet: missing column\(s\) e_mag_psf"),
    Case("epoch whose image is unknown", lambda t, g: _epochs(t, _selected(g), _photometry_file(t, _with(g["photometry"], "image_id", 0, 999_999_999)),
                                                             _images_file(t, g)), r"photometry\.parquet.*image"),
    Case("objects with no epochs", lambda t, g: _epochs(t, _selected(g), _photometry_file(
        t, g["photometry"][g["photometry"]["object_id"] != g["master"]["object_id"].iloc[0]]), _images_file(t, g)), check=_no_epochs_check),
    Case("NaN magnitude in an epoch", lambda t, g: _colors(t, _with(_epochs_frame(g), "mag_psf", 0, np.nan), g["config"]),
         check=_colour_log_count("bad_magnitude")),
    Case("infinite magnitude in an epoch", lambda t, g: _colors(t, _with(_epochs_frame(g), "mag_psf", 0, np.inf), g["config"]),
         check=_colour_log_count("bad_magnitude")),
    Case("negative error", lambda t, g: _colors(t, _with(_epochs_frame(g), "e_mag_psf", 0, -0.02), g["config"]),
         check=_colour_log_count("bad_error")),
    Case("zero error without a floor", lambda t, g: _colors(t, _with(_epochs_frame(g), "e_mag_psf", 0, 0.0),
                                                             _config_with(g, "colors.error_floor", 0.0)), check=_colour_log_count("zero_error")),
    # distances
    Case("duplicate source_id in distances", lambda t, g: _distances(t, _selected(g), _master_file(
        t, pd.concat([g["distances"], g["distances"].head(1)]), "dist_in.parquet")), r"dist_in\.parquet: column 'source_id' must be unique"),
    Case("distance column missing", lambda t, g: _distances(t, _selected(g), _master_file(t, g["distances"].drop(columns=["r_est"]), "dist_in.parquet")),
         r"dist_in\.parquet: missing column\(s\) r_est"),
    # configuration
    Case("unknown config key", lambda t, g: validate_config({**g["config"], "cuts": {**g["config"]["cuts"], "jk_mn": 0.9}}),
         r"config key 'cuts\.jk_mn' is not allowed"),
    Case("out-of-range fraction", lambda t, g: validate_config(_config_with(g, "vae.anomaly_fraction", 1.5)), r"'vae\.anomaly_fraction'"),
    Case("nside not a power of two", lambda t, g: validate_config(_config_with(g, "sky.nside", 3)), r"'sky\.nside'"),
    Case("radius <= 0", lambda t, g: validate_config(_config_with(g, "selection.twomass_radius_arcsec", 0)),
         r"'selection\.twomass_radius_arcsec'"),
    Case("known-star radius < 0", lambda t, g: validate_config(_config_with(
        g, "known.catalogues", [{"name": "merc", "radius_arcsec": -1.0}])), r"'known\.catalogues\.0\.radius_arcsec'"),
    Case("own known catalogue without its columns", lambda t, g: validate_config(_config_with(
        g, "known.catalogues", [{"name": "mine", "path": "x.csv", "radius_arcsec": 2.0}])), r"known\.catalogues\.0 \(mine\).*ra, dec, id"),
    Case("unknown vendored catalogue", lambda t, g: validate_config(_config_with(
        g, "known.catalogues", [{"name": "simbad", "radius_arcsec": 2.0}])), r"known\.catalogues\.0 \(simbad\).*not a vendored"),
    Case("own known catalogue: column missing", lambda t, g: _user_catalogue(t, "RA,DEC,Name\n10.0,-20.0,A\n", ra="RAJ2000"),
         r"known catalogue 'mine' \(.*mine\.csv\): no column 'RAJ2000'"),
    Case("own known catalogue: bad sexagesimal", lambda t, g: _user_catalogue(t, "RA,DEC,Name\n12:xx:00,-20:00:00,A\n"),
         r"known catalogue 'mine'.*neither degrees nor sexagesimal"),
    Case("own known catalogue: Dec beyond 90", lambda t, g: _user_catalogue(t, "RA,DEC,Name\n10.0,-95.0,A\n"),
         r"known catalogue 'mine'.*1 row\(s\) without a valid position"),
    Case("threshold that is not a number", lambda t, g: validate_config(_config_with(g, "cuts.jk_min", "red")), r"'cuts\.jk_min'"),
    Case("ADQL injection in a threshold", lambda t, g: validate_config(_config_with(g, "selection.jk_min", "0.85) OR (1=1")),
         r"'selection\.jk_min'"),
    Case("files source without tables", lambda t, g: validate_config({**g["config"], "source": "files"}), r"'files\.master' must name a table"),
]


def test_the_table_has_at_least_twenty_cases():
    assert len(CASES) >= 20 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case, good, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    if case.error is None:
        case.run(tmp_path, good)
        case.check(tmp_path, good, caplog)
        return
    before = set(tmp_path.iterdir())
    with pytest.raises((InputError, ConfigError)) as info:
        case.run(tmp_path, good)
    assert __import__("re").search(case.error, str(info.value)), str(info.value)
    # nothing half-written: no product, and no temporary file left beside where it would be
    left = {p.name for p in set(tmp_path.iterdir()) - before}
    assert not left & PRODUCTS and not {n for n in left if n.startswith(".")}, left


def test_survey_table_with_a_repeated_key_is_refused_naming_file_and_column(tiny_sample, tmp_path):
    """Given apart, each survey table must hold one row per id the master table points at."""
    from symfind.io import InputError
    from symfind.mock import SAMPLE_FILES
    from symfind.query.sources.local import LocalTables

    tables = {name: str(tiny_sample / SAMPLE_FILES[name]) for name in ("master", "twomass_psc", "gaia_dr2", "allwise")}
    twomass = pd.read_parquet(tables["twomass_psc"])
    pd.concat([twomass, twomass.tail(1)]).to_parquet(tmp_path / "twomass.parquet")
    tables["twomass_psc"] = str(tmp_path / "twomass.parquet")
    with pytest.raises(InputError, match=r"twomass\.parquet: column 'pts_key' must be unique .*1 duplicate"):
        LocalTables(tables).joined_master()
