"""Benchmark: generate a mock sky of N objects (streamed to Parquet) and report time and peak memory.

    .venv/bin/python benchmarks/bench_sample.py --n-objects 1000000 --nights-per-object 7 --out /tmp/sky1e6
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-objects", type=int, default=1_000_000)
    parser.add_argument("--nights-per-object", type=float, default=7.0)
    parser.add_argument("--out", default="/tmp/symfind_sky")
    args = parser.parse_args()
    wall, peak = measure([sys.executable, "-m", "symfind.mock", "--out", args.out, "--n-objects", str(args.n_objects),
                          "--nights-per-object", str(args.nights_per_object)])
    epochs = pq.ParquetFile(Path(args.out) / "dr2_photometry.parquet").metadata.num_rows
    print(f"objects {args.n_objects:,d}  epochs {epochs:,d}  wall {wall:.1f} s  peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
