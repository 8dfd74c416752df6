"""Benchmark the colour stage: N epoch rows through the vectorised code, and a plain pandas
``groupby(...).apply`` implementation of the same maths for the speed ratio.

    .venv/bin/python benchmarks/bench_colors.py --objects 200000 --epochs-per-object 50 --apply-objects 4000

The vectorised run is timed (wall, peak RSS of a child process) on the full N; the groupby.apply
version is timed on the first ``--apply-objects`` objects and the vectorised code is timed on the
same subset, so the ratio compares equal work.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from symfind import columns as C
from symfind.photometry.colours import colors_from_epochs


def make_epochs(n_objects: int, per_object: int, seed: int = 1) -> pd.DataFrame:
    """Synthetic epochs: ~``per_object`` rows per object over 8 nights and 6 filters (AB mag)."""
    rng = np.random.default_rng(seed)
    n = n_objects * per_object
    obj = np.repeat(np.arange(1, n_objects + 1, dtype=np.int64) * 7 + 100_000_000, per_object)
    band = rng.integers(0, 6, n)
    night = 57000 + rng.integers(0, 8, n)
    mag = 14 + rng.normal(0, 1, n_objects).repeat(per_object) + 0.5 * band + rng.normal(0, 0.03, n)
    return pd.DataFrame({
        "object_id": obj,
        "image_id": np.arange(n, dtype=np.int64),
        "filter": pd.Categorical.from_codes(band, C.SKYMAPPER_BANDS).astype(str),
        "mag_psf": mag.astype(np.float32),
        "e_mag_psf": rng.uniform(0.01, 0.1, n).astype(np.float32),
        "flags": np.where(rng.random(n) < 0.02, 4, 0).astype(np.int32),
        "night_mjd": night + 0.4 + 0.3 * rng.random(n),
    })


def apply_colors(epochs: pd.DataFrame, floor: float, bad_flags: int, clip: float) -> pd.DataFrame:
    """The same maths written the plain way: groupby(...).apply with Python per group."""
    good = epochs[(epochs["flags"] & bad_flags) == 0].copy()
    good["night"] = np.floor(good["night_mjd"])

    def nightly(group: pd.DataFrame) -> pd.Series:
        var = group["e_mag_psf"].astype(float) ** 2 + floor**2
        mag = group["mag_psf"].astype(float)
        if len(group) >= 3:
            keep = (mag - mag.median()).abs() <= clip * np.sqrt(var)
            mag, var = mag[keep], var[keep]
        w = 1 / var
        return pd.Series({"mag": (w * mag).sum() / w.sum(), "var": 1 / w.sum()})

    per_night = good.groupby(["object_id", "night", "filter"]).apply(nightly).reset_index()

    def per_object(group: pd.DataFrame) -> pd.Series:
        wide = group.pivot(index="night", columns="filter", values=["mag", "var"])
        out = {}
        for blue, red in C.INDEPENDENT_COLOR_PAIRS:
            if ("mag", blue) in wide and ("mag", red) in wide:
                c = wide[("mag", blue)] - wide[("mag", red)]
                v = wide[("var", blue)] + wide[("var", red)]
                ok = c.notna()
                w = 1 / v[ok]
                out[f"{blue}_{red}"] = (w * c[ok]).sum() / w.sum() if ok.any() else math.nan
            else:
                out[f"{blue}_{red}"] = math.nan
        return pd.Series(out)

    return per_night.groupby("object_id").apply(per_object)


def child(n_objects: int, per_object: int) -> None:
    epochs = make_epochs(n_objects, per_object)
    start = time.perf_counter()
    colors, counts = colors_from_epochs(epochs, 0.01, 255, 5.0)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": len(epochs), "objects": len(colors), "wall_s": wall, "peak_mib": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=200_000)
    parser.add_argument("--epochs-per-object", type=int, default=50)
    parser.add_argument("--apply-objects", type=int, default=4_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.objects, args.epochs_per_object)
        return
    out = subprocess.run([sys.executable, __file__, "--child", "--objects", str(args.objects),
                          "--epochs-per-object", str(args.epochs_per_object)], check=True, capture_output=True, text=True)
    full = json.loads(out.stdout)
    print(f"vectorised: {full['rows']:,d} epoch rows, {full['objects']:,d} objects: {full['wall_s']:.2f} s, "
          f"peak RSS {full['peak_mib']:,.0f} MiB (whole process, data generation included)")
    subset = make_epochs(args.apply_objects, args.epochs_per_object)
    start = time.perf_counter()
    fast, _ = colors_from_epochs(subset, 0.01, 255, 5.0)
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    slow = apply_colors(subset, 0.01, 255, 5.0)
    t_slow = time.perf_counter() - start
    diff = np.nanmax(np.abs(fast.set_index("object_id")["u_g"] - slow["u_g"]))
    print(f"subset of {len(subset):,d} rows: vectorised {t_fast:.3f} s, groupby.apply {t_slow:.2f} s, "
          f"ratio {t_slow / t_fast:.0f}x (max |u-g| difference {diff:.1e} mag)")


if __name__ == "__main__":
    main()
