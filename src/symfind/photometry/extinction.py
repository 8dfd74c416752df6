"""Stage 2: the reddening E(B-V) in front of each selected star, by the configured model.

``extinction.model``:

- ``sfd``: the catalogue's ``ebmv_sfd`` (Schlegel, Finkbeiner & Davis 1998), the total reddening
  along the line of sight. With ``extinction.layer_scale_height_pc`` set, it is scaled by the
  fraction of an exponential dust layer of that scale height that lies in front of the star,
  ``E = E_SFD (1 - exp(-r |sin b| / h))`` (r: Bailer-Jones distance, b: Galactic latitude). Near
  the plane the whole SFD column is in front of a distant giant; at high latitude a nearby star
  sees only part of it.
- ``mwdust:<Map>``: a 3-D map through mwdust (Bovy et al. 2016, ApJ 818, 130), e.g.
  ``mwdust:Combined19`` (Marshall et al. 2006 + Green et al. 2019 + Drimmel et al. 2003). Maps live
  in ``$DUST_DIR``; symfind never downloads one (a missing map is an error that says how to get it).

Stars without an accepted distance keep the total SFD value (flag ``ebv_uses_distance`` false).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..io import InputError


#: mwdust maps -> the file each needs under $DUST_DIR (None: shipped inside mwdust or no file).
MWDUST_MAP_FILES: dict[str, tuple[str, ...] | None] = {
    "Combined19": ("combined19", "combine19.h5"),
    "Combined15": ("combined15", "dust-map-3d.h5"),
    "Green19": ("green19", "bayestar2019.h5"),
    "Green17": ("green17", "bayestar2017.h5"),
    "Green15": ("green15", "dust-map-3d.h5"),
    "Marshall06": ("marshall06", "table1.dat"),
    "Sale14": ("sale14", "Amap.dat"),
    "Drimmel03": None,
    "Zero": None,
}


def parse_model(model: str) -> tuple[str, str | None]:
    """``'sfd'`` -> ``('sfd', None)``; ``'mwdust:Combined19'`` -> ``('mwdust', 'Combined19')``."""
    if model == "sfd":
        return "sfd", None
    if model.startswith("mwdust:"):
        name = model.split(":", 1)[1]
        if name not in MWDUST_MAP_FILES:
            raise InputError(f"extinction.model: unknown mwdust map {name!r}; expected one of {', '.join(MWDUST_MAP_FILES)}")
        return "mwdust", name
    raise InputError(f"extinction.model must be 'sfd' or 'mwdust:<Map>', got {model!r}")


def layer_fraction(r_pc: np.ndarray, glat_deg: np.ndarray, scale_height_pc: float) -> np.ndarray:
    """Fraction of an exponential dust layer (scale height in pc) in front of a star at r pc."""
    height = np.asarray(r_pc, dtype=np.float64) * np.abs(np.sin(np.radians(np.asarray(glat_deg, dtype=np.float64))))
    return -np.expm1(-height / float(scale_height_pc))


def check_dust_map(name: str, dust_dir: str | None) -> None:
    """Raise a clear error if map ``name`` needs a file that is not in ``dust_dir``."""
    needed = MWDUST_MAP_FILES[name]
    if needed is None:
        return
    if not dust_dir:
        raise InputError(
            f"extinction.model mwdust:{name} needs the environment variable DUST_DIR (the folder of the "
            "mwdust maps); set it, then get the map on a machine with internet access: "
            f"python -c 'import mwdust; mwdust.{name}.download()'"
        )
    path = Path(dust_dir, *needed)
    if not path.exists():
        raise InputError(
            f"extinction.model mwdust:{name}: map file {path} not found. symfind never downloads maps; "
            f"fetch it once with  DUST_DIR={dust_dir} python -c 'import mwdust; mwdust.{name}.download()'  "
            "(or copy it there), then rerun"
        )


def mwdust_ebv(name: str, glon: np.ndarray, glat: np.ndarray, r_pc: np.ndarray) -> np.ndarray:
    """E(B-V) from an mwdust 3-D map at Galactic (l, b) in deg and distance in pc."""
    check_dust_map(name, os.environ.get("DUST_DIR"))
    import mwdust

    dust_map = getattr(mwdust, name)(filter=None)
    values = np.empty(len(glon))
    for k in range(0, len(glon), 100_000):  # chunks bound mwdust's temporary arrays
        sl = slice(k, k + 100_000)
        values[sl] = dust_map(glon[sl], glat[sl], np.asarray(r_pc[sl], dtype=np.float64) / 1000.0)
    return values


def compute_ebv(selected: pd.DataFrame, distances: pd.DataFrame, extinction: Mapping[str, Any]) -> pd.DataFrame:
    """Per selected object: ``object_id, ebv, ebv_sfd, ebv_uses_distance`` (mag)."""
    kind, name = parse_model(extinction["model"])
    frame = selected[["object_id", "gaia_dr2_id1", "glon", "glat", "ebmv_sfd"]].merge(
        distances[["source_id", "r_est"]].rename(columns={"source_id": "gaia_dr2_id1"}), on="gaia_dr2_id1", how="left"
    )
    sfd = frame["ebmv_sfd"].to_numpy(dtype=np.float64)
    r = frame["r_est"].to_numpy(dtype=np.float64)
    has_r = np.isfinite(r) & (r > 0)
    ebv = sfd.copy()
    uses_distance = np.zeros(len(frame), dtype=bool)
    if kind == "sfd" and extinction.get("layer_scale_height_pc"):
        ebv[has_r] = sfd[has_r] * layer_fraction(r[has_r], frame["glat"].to_numpy()[has_r], extinction["layer_scale_height_pc"])
        uses_distance = has_r
    elif kind == "mwdust":
        ebv[has_r] = mwdust_ebv(name, frame["glon"].to_numpy()[has_r], frame["glat"].to_numpy()[has_r], r[has_r])
        uses_distance = has_r
    return pd.DataFrame({"object_id": frame["object_id"].to_numpy(), "ebv": ebv, "ebv_sfd": sfd, "ebv_uses_distance": uses_distance})
