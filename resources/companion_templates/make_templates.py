"""Make ``skymapper_templates.csv``: synthetic SkyMapper and 2MASS magnitudes of the companions a red
giant can have (run once, offline; the workflow reads only the CSV).

    python -m venv /tmp/tpl && /tmp/tpl/bin/pip install pyphot requests
    /tmp/tpl/bin/python resources/companion_templates/make_templates.py

Sources (all shipped inside the ``pyphot`` package, version printed into the CSV header):

- bandpasses: SkyMapper u v g r i z (Bessell et al. 2011, PASP 123, 789, as distributed by the SVO
  Filter Profile Service) and 2MASS J H Ks (Cohen, Wheaton & Megeath 2003, AJ 126, 1090);
- A0V: the HST/STIS spectrum of Vega (``alpha_lyr_stis_011``; Bohlin 2014, AJ 147, 127), scaled to
  the A0V absolute magnitude M_V = 1.11 of Pecaut & Mamajek (2013, ApJS 208, 9);
- G2V: the HST/STIS solar reference spectrum (``sun_reference_stis_001``), at 10 pc;
- nebula: the hydrogen recombination (free-bound, all levels) and free-free continuum of an ionised
  nebula, ``j_nu ~ T^-1/2 exp(-h nu / kT) [1 + sum_n (2 chi_H / kT) n^-3 exp(chi_n / kT)]`` over
  the levels with ``h nu >= chi_n = chi_H / n^2`` (Kramers' hydrogenic cross-sections with Gaunt
  factors of unity; Brown & Mathews 1970, ApJ 160, 939; Osterbrock & Ferland 2006, ch. 4), at the
  electron temperatures of symbiotic nebulae (1-4 x 10^4 K; Skopal 2005, A&A 440, 995); shape only;
- hot white dwarf: a blackbody of 10^5 K (the hot components of symbiotic stars, Muerset et al.
  1991, A&A 248, 458); shape only.

SkyMapper magnitudes are AB, 2MASS Vega (Vega = 0), both photon-counting. The templates of shape
only are normalised to g = 0.
"""

import importlib.metadata
from pathlib import Path

import numpy as np
from astropy.io import fits
from pyphot import get_library

LIBS = Path(__import__("pyphot").__file__).parent / "libs"
C_ANGSTROM = 2.99792458e18  # speed of light, Angstrom / s
H_OVER_K = 4.799243e-11  # h / k, K s
CHI_H_K = 157807.0  # chi_H / k, K
SKYMAPPER = ["u", "v", "g", "r", "i", "z"]
TWOMASS = {"J": "2MASS_J", "H": "2MASS_H", "K": "2MASS_Ks"}


def read_spectrum(name):
    data = fits.getdata(LIBS / name, 1)
    return np.asarray(data["WAVELENGTH"], float), np.asarray(data["FLUX"], float)  # Angstrom, erg/s/cm2/A


def nebular_flam(wavelength, te):
    nu = C_ANGSTROM / wavelength
    x = H_OVER_K * nu / te
    total = np.ones_like(nu)
    for n in range(2, 60):
        chi_n = CHI_H_K / n**2
        edge = H_OVER_K * nu >= chi_n  # h nu / k >= chi_n / k: this level's continuum
        total += np.where(edge, 2.0 * CHI_H_K / te / n**3 * np.exp(chi_n / te), 0.0)
    fnu = te**-0.5 * np.exp(-x) * total
    return fnu * C_ANGSTROM / wavelength**2


def blackbody_flam(wavelength, t):
    return wavelength**-5 / np.expm1(1.438777e8 / (wavelength * t))


def magnitudes(wavelength, flam, library, vega):
    out = {}
    for band in SKYMAPPER:
        f = library[f"SkyMapper_{band}"]
        lam, tr = np.asarray(f.wavelength.to("AA").value), np.asarray(f.transmit)
        s = np.interp(lam, wavelength, flam)
        ab = 3631e-23 * C_ANGSTROM / lam**2
        out[band] = -2.5 * np.log10(np.trapezoid(s * tr * lam, lam) / np.trapezoid(ab * tr * lam, lam))
    for band, name in TWOMASS.items():
        f = library[name]
        lam, tr = np.asarray(f.wavelength.to("AA").value), np.asarray(f.transmit)
        s = np.interp(lam, wavelength, flam)
        ref = np.interp(lam, *vega)
        out[band] = -2.5 * np.log10(np.trapezoid(s * tr * lam, lam) / np.trapezoid(ref * tr * lam, lam))
    return out


def main():
    library = get_library()
    vega = read_spectrum("alpha_lyr_stis_011.fits")
    sun = read_spectrum("sun_reference_stis_001.fits")
    johnson_v = library["GROUND_JOHNSON_V"]
    lam_v, tr_v = np.asarray(johnson_v.wavelength.to("AA").value), np.asarray(johnson_v.transmit)
    rows = []
    # A0V: Vega's spectrum scaled so that its Johnson V (Vega = 0.03) is M_V = 1.11
    a0v = magnitudes(*vega, library, vega)
    rows.append(("A0V", "main_sequence", 1.11 - 0.03, a0v))
    # G2V: the Sun at 10 pc (1 AU / 10 pc)^2
    scale = (1.495979e13 / 3.085678e19) ** 2
    g2v = magnitudes(sun[0], sun[1] * scale, library, vega)
    s_v = np.trapezoid(np.interp(lam_v, sun[0], sun[1] * scale) * tr_v * lam_v, lam_v)
    v_v = np.trapezoid(np.interp(lam_v, *vega) * tr_v * lam_v, lam_v)
    m_v_sun = -2.5 * np.log10(s_v / v_v) + 0.03
    rows.append(("G2V", "main_sequence", m_v_sun, g2v))
    grid = np.linspace(1000.0, 30000.0, 29001)
    for te in (10000, 20000, 40000):
        mags = magnitudes(grid, nebular_flam(grid, te), library, vega)
        rows.append((f"nebula_{te // 1000}kK", "nebula", np.nan, {k: v - mags["g"] for k, v in mags.items()}))
    mags = magnitudes(grid, blackbody_flam(grid, 1e5), library, vega)
    rows.append(("wd_100kK", "hot_dwarf", np.nan, {k: v - mags["g"] for k, v in mags.items()}))
    out = Path(__file__).with_name("skymapper_templates.csv")
    with out.open("w") as handle:
        handle.write(f"# made by make_templates.py with pyphot {importlib.metadata.version('pyphot')}; see PROVENANCE.md\n")
        handle.write("template,kind,abs_v," + ",".join(SKYMAPPER + list(TWOMASS)) + "\n")
        for name, kind, abs_v, mags in rows:
            values = [mags[b] for b in SKYMAPPER + list(TWOMASS)]
            if kind == "main_sequence" and name == "A0V":  # Vega's spectrum as observed: shift to M_V
                values = [v + abs_v for v in values]
            handle.write(f"{name},{kind},{'' if np.isnan(abs_v) else f'{abs_v:.3f}'}," + ",".join(f"{v:.4f}" for v in values) + "\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
