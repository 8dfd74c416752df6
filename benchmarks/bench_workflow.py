"""Benchmark the whole workflow on generated skies: wall time and peak memory per rule and in total.

    .venv/bin/python benchmarks/bench_workflow.py --objects 10000 100000 --nights-per-object 7 --cores 2

For each size: generate the sky (not timed as part of the workflow), run `snakemake --cores N` in a
fresh folder, read every job's `benchmark:` file (wall s, max RSS MiB; per-tile rules summed over
their tiles, with the slowest tile), time a no-op rerun (`snakemake -n`), and print one table. ~7 nights per object give about 50 epochs per object.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import measure  # noqa: E402


def snakemake(workdir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
            "--workflow-profile", "none", *args]


def rule_benchmarks(results: Path) -> dict[str, tuple[float, float]]:
    out = {}
    for tsv in sorted((results / "benchmarks").rglob("*.tsv")):
        with open(tsv) as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        out[str(tsv.relative_to(results / "benchmarks"))[:-4]] = (float(row["s"]), float(row["max_rss"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--nights-per-object", type=float, default=7.0)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", help="folder to keep the runs in (default: a temporary one)")
    args = parser.parse_args()
    base = Path(args.keep or tempfile.mkdtemp(prefix="symfind_bench_"))
    for n in args.objects:
        run = base / f"n{n}"
        sky = run / "sky"
        run.mkdir(parents=True, exist_ok=True)
        gen_wall, _ = measure([sys.executable, "-m", "symfind.sample", "--out", str(sky), "--n-objects", str(n),
                               "--nights-per-object", str(args.nights_per_object)])
        (run / "bench.yaml").write_text(f"sample:\n  dir: {sky}\n")
        wall, peak = measure(snakemake(run, "--cores", str(args.cores), "--configfile", str(run / "bench.yaml"), "--quiet"))
        start = time.perf_counter()
        noop = subprocess.run(snakemake(run, "--cores", str(args.cores), "--configfile", str(run / "bench.yaml"), "-n"),
                              capture_output=True, text=True, check=True)
        noop_s = time.perf_counter() - start
        assert "Nothing to be done" in noop.stdout + noop.stderr
        print(f"\n== {n:,d} objects (sky generated in {gen_wall:.0f} s) ==")
        print(f"{'rule':28s} {'jobs':>5s} {'sum wall s':>10s} {'max job s':>10s} {'max RSS MiB':>12s}")
        per_rule: dict[str, list[tuple[float, float]]] = {}
        for job, figures in rule_benchmarks(run / "results").items():
            per_rule.setdefault(job.split("/")[0], []).append(figures)  # per-tile jobs: "<rule>/<tile>"
        for rule, jobs in per_rule.items():
            print(f"{rule:28s} {len(jobs):5d} {sum(s for s, _ in jobs):10.1f} {max(s for s, _ in jobs):10.1f} "
                  f"{max(r for _, r in jobs):12.0f}")
        print(f"{'whole workflow':28s} {wall:8.1f} {peak:12.0f}  (peak: largest single job)")
        print(f"{'no-op rerun (snakemake -n)':28s} {noop_s:8.1f}")


if __name__ == "__main__":
    main()
