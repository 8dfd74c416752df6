"""Benchmark: train and score the VAE on N objects x F features on this machine's CPU cores.

    .venv/bin/python benchmarks/bench_vae.py --objects 100000 --features 20 --batch-size 64 --epochs 100
    .venv/bin/python benchmarks/bench_vae.py --objects 1000000 --features 20 --batch-size 1024 --epochs 100
    .venv/bin/python benchmarks/bench_vae.py --objects 100000 --compare-models --epochs 20
    .venv/bin/python benchmarks/bench_vae.py --objects 150000 --defaults

``--defaults``: the VAE exactly as the workflow runs it by default (every ``vae:`` setting from
``config.yaml``, validated: the giant-conditioned model, chi2, hot-excess score, 100 epochs, the
batch rule), on the synthetic conditional sky of ``--compare-models``; prints the wall time of
training + scoring, the batch used and the share of the planted hot excesses in the top 2%.
``--batch-size`` and ``--max-steps-per-epoch`` override the configured ones (e.g. ``--batch-size 64
--max-steps-per-epoch 0`` is the fixed batch of 64).

``--compare-models``: today's default plain VAE (9 magnitudes, chi2) against the giant-conditioned
VAE (15 optical colours given 7 giant properties, with the u/v colours also predicted unseen), on
the same number of objects, with planted hot excesses; prints the time per object of each.

Synthetic features: a 3-parameter locus plus noise, 10% missing entries, 1% outliers; reports the
wall time of training + scoring, the time per epoch, and how many of the planted outliers land in
the top 2% (a sanity check that a faster setting still finds them).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch  # noqa: F401  (imported before the clock starts: the import alone takes seconds)

from symfind.detect.features import hot_feature_mask
from symfind.detect.symbiotic import flag_anomalies
from symfind.detect.vae import train_and_score

COLOUR_NAMES = [f"{a}_{b}" for k, a in enumerate("uvgriz") for b in "uvgriz"[k + 1 :]]


def make_features(n: int, f: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    latent = rng.normal(0, 1, (n, 3))
    X = latent @ rng.normal(0, 1, (3, f)) + rng.normal(0, 0.1, (n, f))
    outliers = rng.random(n) < 0.01
    X[outliers] += rng.normal(0, 3, (int(outliers.sum()), f))
    X[rng.random((n, f)) < 0.1] = np.nan
    return X, outliers


def make_conditional(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """15 colours that follow 7 condition columns (through a 3-parameter locus), errors of 0.03 mag,
    5% missing; 1% of the objects get a hot excess (u and v brighter by 0.5-1.5 mag)."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(0, 1, (n, 3))
    condition = latent @ rng.normal(0, 1, (3, 7)) + rng.normal(0, 0.05, (n, 7))
    mags = latent @ rng.normal(0, 0.5, (3, 6)) + rng.normal(0, 0.03, (n, 6))
    hot = rng.random(n) < 0.01
    mags[hot, 0] -= rng.uniform(0.5, 1.5, int(hot.sum()))
    mags[hot, 1] -= rng.uniform(0.3, 1.0, int(hot.sum()))
    X = np.column_stack([mags[:, a] - mags[:, b] for a in range(6) for b in range(a + 1, 6)])
    X[rng.random(X.shape) < 0.05] = np.nan
    return X, np.full(X.shape, 0.03), condition, hot


def compare_models(n: int, epochs: int, batch: int, threads: int) -> None:
    """Time per object of the plain chi2 VAE (9 features) and the giant-conditioned VAE."""
    base = {"hidden": 16, "latent": 3, "epochs": epochs, "batch_size": batch, "lr": 1e-3, "beta": 1.0, "seed": 42,
            "device": "cpu", "missing": "mask", "validation_fraction": 0.0, "patience": 10, "loss": "chi2", "sigma_int": 0.02}
    X, _ = make_features(n, 9)
    start = time.perf_counter()
    train_and_score(X, base, threads, np.full(X.shape, 0.03))
    plain = time.perf_counter() - start
    X, E, condition, hot = make_conditional(n)
    hide = hot_feature_mask(COLOUR_NAMES)
    start = time.perf_counter()
    result = train_and_score(X, base, threads, E, condition, hide)
    conditional = time.perf_counter() - start
    from symfind.detect.vae import hot_excess

    sigma = np.sqrt(E**2 + 0.02**2 + result.giant_spread**2)
    score = hot_excess(X, result.giant_prediction, sigma, hide)["score"]
    _, flagged = flag_anomalies(np.arange(n), score, 0.02)
    print(f"{n:,d} objects, {epochs} epochs, batch {batch}, {threads} threads:")
    print(f"  plain VAE (9 magnitudes, chi2):           {plain:7.1f} s  {1e6 * plain / (n * epochs):6.2f} us per object-epoch")
    print(f"  giant-conditioned VAE (15 | 7, hot_excess): {conditional:5.1f} s  {1e6 * conditional / (n * epochs):6.2f} us per object-epoch; "
          f"planted hot excesses in the top 2%: {(flagged & hot).sum() / hot.sum():.1%}")


def run_defaults(n: int, threads: int, epochs: int | None, batch: int | None, max_steps: int | None) -> None:
    """The default VAE of config.yaml on ``n`` synthetic giants with planted hot excesses."""
    from pathlib import Path

    import yaml

    from symfind.validate import validate_config
    from symfind.detect.vae import effective_batch_size, hot_excess

    repo = Path(__file__).resolve().parents[1]
    params = dict(validate_config(yaml.safe_load((repo / "config.yaml").read_text()))["vae"])
    params["device"] = "cpu"
    if epochs is not None:
        params["epochs"] = epochs
    if batch is not None:
        params["batch_size"] = batch
    if max_steps is not None:
        params["max_steps_per_epoch"] = max_steps or None
    X, E, condition, hot = make_conditional(n)
    hide = hot_feature_mask(COLOUR_NAMES)
    start = time.perf_counter()
    result = train_and_score(X, params, threads, E, condition, hide)
    wall = time.perf_counter() - start
    sigma = np.sqrt(E**2 + float(params["sigma_int"]) ** 2 + result.giant_spread**2)
    score = hot_excess(X, result.giant_prediction, sigma, hide)["score"]
    _, flagged = flag_anomalies(np.arange(n), score, float(params["anomaly_fraction"]))
    used = effective_batch_size(n, int(params["batch_size"]), params["max_steps_per_epoch"])
    print(f"default VAE ({params['model']}, {params['loss']}, {params['score']}): {n:,d} objects x {params['epochs']} epochs, "
          f"batch {used} (vae.batch_size {params['batch_size']}, max_steps_per_epoch {params['max_steps_per_epoch']}), "
          f"{threads} threads: {wall:.1f} s ({wall / params['epochs']:.2f} s/epoch); "
          f"planted hot excesses in the top 2%: {(flagged & hot).sum() / hot.sum():.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=None, help="default 64 (with --defaults: the configured one)")
    parser.add_argument("--epochs", type=int, default=None, help="default 100 (with --defaults: the configured number)")
    parser.add_argument("--max-steps-per-epoch", type=int, default=None, help="--defaults only; 0: fixed batch")
    parser.add_argument("--defaults", action="store_true", help="the default VAE of config.yaml (see above)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compare-models", action="store_true", help="plain chi2 VAE vs the giant-conditioned VAE")
    args = parser.parse_args()
    if args.defaults:
        run_defaults(args.objects, args.threads, args.epochs, args.batch_size, args.max_steps_per_epoch)
        return
    args.epochs = args.epochs or 100
    args.batch_size = args.batch_size or 64
    if args.compare_models:
        compare_models(args.objects, args.epochs, args.batch_size, args.threads)
        return
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
