"""Benchmark: train and score the VAE on N objects x F features on this machine's CPU cores.

    .venv/bin/python benchmarks/bench_vae.py --objects 100000 --features 20 --batch-size 64 --epochs 100
    .venv/bin/python benchmarks/bench_vae.py --objects 1000000 --features 20 --batch-size 1024 --epochs 100

Synthetic features: a 3-parameter locus plus noise, 10% missing entries, 1% outliers; reports the
wall time of training + scoring, the time per epoch, and how many of the planted outliers land in
the top 2% (a sanity check that a faster setting still finds them).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch  # noqa: F401  (imported before the clock starts: the import alone takes seconds)

from symfind.vae import flag_anomalies, train_and_score


def make_features(n: int, f: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    latent = rng.normal(0, 1, (n, 3))
    X = latent @ rng.normal(0, 1, (3, f)) + rng.normal(0, 0.1, (n, f))
    outliers = rng.random(n) < 0.01
    X[outliers] += rng.normal(0, 3, (int(outliers.sum()), f))
    X[rng.random((n, f)) < 0.1] = np.nan
    return X, outliers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    X, outliers = make_features(args.objects, args.features)
    params = {"hidden": 16, "latent": 3, "epochs": args.epochs, "batch_size": args.batch_size, "lr": 1e-3, "beta": 1.0,
              "seed": 42, "device": "cpu", "missing": "mask", "validation_fraction": 0.0, "patience": 10}
    start = time.perf_counter()
    result = train_and_score(X, params, threads=args.threads)
    wall = time.perf_counter() - start
    _, flagged = flag_anomalies(np.arange(len(X)), result.reconstruction_loss, 0.02)
    recall = (flagged & outliers).sum() / outliers.sum()
    print(f"objects {args.objects:,d} x {args.features} features, batch {args.batch_size}, {args.epochs} epochs, "
          f"{args.threads} threads: {wall:.1f} s ({wall / args.epochs:.2f} s/epoch); planted outliers in top 2%: {recall:.1%}")


if __name__ == "__main__":
    main()
