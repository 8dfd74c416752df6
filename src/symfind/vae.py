"""Stage 6: anomaly detection with a variational autoencoder (PyTorch).

Architecture (defaults from config): input -> ``hidden`` (ReLU) -> ``latent``-D mean and
log-variance -> ``hidden`` (ReLU) -> output. Loss per object: mean squared reconstruction error
over its observed features plus ``beta`` x the KL divergence of the approximate posterior from
N(0, 1). Adam, ``lr``, ``epochs``, ``batch_size``, ``seed``.

- Scaling (centre and scale per feature) is fitted once, on the training data, ignoring NaN.
- Missing features (``missing``): ``mask`` (default) gives the network the values with 0 where
  missing plus the missingness mask as extra inputs, and the loss and the score count observed
  entries only; ``median`` is the original recipe (training median in, every entry in the loss).
  Either way this happens in the model's own copy; nothing is written back into the data.
- Optional held-out validation (``validation_fraction``) with early stopping (``patience``).
- Scores come from the encoder's mean (no sampling), so the same data and seed give the same
  scores; the top ``anomaly_fraction`` by score are candidates.
- ``loss: mse``: the reconstruction term is the mean squared error over the observed (scaled)
  features, and the score is that error. ``loss: chi2``: the reconstruction term is the Gaussian
  likelihood of the input given the reconstruction, with variance sigma_meas^2 + sigma_int^2 per
  entry (the measurement error of each feature, :func:`symfind.features.feature_errors`, and the
  intrinsic floor ``sigma_int`` in mag), i.e. chi2 = sum over observed entries of
  (x - x_rec)^2 / (sigma_meas^2 + sigma_int^2), up to a constant; entries without a value or an
  error are masked. The score is the tail probability of that chi2 for the number of observed
  features, as ``-log10 P(chi2_k > chi2)``; each feature's share of chi2 explains it. A noisy
  feature cannot make an object anomalous by itself: its large sigma divides its residual down, and
  the encoder sees it shrunk towards the feature's centre by its reliability 1 / (1 + sigma^2/s^2).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .features import feature_errors, feature_matrix
from .io import InputError, write_table, write_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scaler:
    """Per-feature centre (median) and scale (standard deviation), fitted ignoring NaN."""

    center: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> Scaler:
        observed = np.isfinite(X).sum(axis=0)
        if np.any(observed == 0):
            raise InputError(f"feature column(s) {np.flatnonzero(observed == 0).tolist()} have no observed values")
        center = np.nanmedian(X, axis=0)
        scale = np.nanstd(X, axis=0)
        return cls(center, np.where(scale > 0, scale, 1.0))

    def transform(self, X: np.ndarray) -> np.ndarray:
        return (X - self.center) / self.scale


def resolve_device(device: str) -> str:
    """``auto`` -> ``cuda`` when a GPU is available, else ``cpu``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("vae.device is 'cuda' but no CUDA device is available")
    return device


def _build_model(n_inputs: int, hidden: int, latent: int, n_features: int):
    import torch
    from torch import nn

    class VAE(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(n_inputs, hidden), nn.ReLU())
            self.mu = nn.Linear(hidden, latent)
            self.logvar = nn.Linear(hidden, latent)
            self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, n_features))

        def encode(self, x):
            h = self.encoder(x)
            return self.mu(h), self.logvar(h)

        def forward(self, x):
            mu, logvar = self.encode(x)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            return self.decoder(z), mu, logvar

    return VAE()


def masked_mse(recon, x, mask):
    """Per-object mean squared error over observed entries (``mask`` = 1 where observed)."""
    sq = (recon - x) ** 2 * mask
    return sq.sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


def masked_chi2(recon, x, weight):
    """Per-object chi-square: sum of ``weight * (recon - x)^2``, ``weight`` = 1 / variance where
    observed (same units as ``x``), 0 where masked."""
    return ((recon - x) ** 2 * weight).sum(dim=1)


def chi2_score(chi2: np.ndarray, n_observed: np.ndarray) -> np.ndarray:
    """``-log10 P(chi2_k > chi2)`` for ``k = n_observed`` degrees of freedom (0 where k = 0)."""
    from scipy.stats import chi2 as chi2_distribution

    k = np.maximum(np.asarray(n_observed, dtype=np.float64), 1.0)
    score = -chi2_distribution.logsf(np.asarray(chi2, dtype=np.float64), k) / np.log(10.0)
    return np.where(np.asarray(n_observed) > 0, score, 0.0)


def scaled_variance(errors: np.ndarray, scale: np.ndarray, sigma_int: float) -> np.ndarray:
    """Measurement variance in the model's scaled units: ``(sigma_meas^2 + sigma_int^2) / scale^2``
    (NaN where the error is missing)."""
    return (errors**2 + float(sigma_int) ** 2) / scale**2


def loss_weights(scaled: np.ndarray, errors: np.ndarray | None, scale: np.ndarray, loss: str, sigma_int: float,
                 mask: np.ndarray) -> np.ndarray:
    """Per-entry weight of the reconstruction term: ``mask`` for MSE; for chi2, ``mask`` /
    ((sigma_meas^2 + sigma_int^2) / scale^2), 0 where the error is missing."""
    if loss == "mse":
        return mask
    if loss != "chi2":
        raise InputError(f"vae.loss must be 'mse' or 'chi2', got {loss!r}")
    if errors is None:
        raise InputError("vae.loss 'chi2' needs the measurement errors of the features")
    variance = scaled_variance(errors, scale, sigma_int)
    usable = np.isfinite(scaled) & np.isfinite(variance) & (variance > 0)
    return np.where(usable, mask / np.where(usable, variance, 1.0), 0.0)


def kl_divergence(mu, logvar):
    """Per-object KL(q(z|x) || N(0, I))."""
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)


@dataclass
class VAEResult:
    """Scores and training history of one VAE fit."""

    reconstruction_loss: np.ndarray  # per object: MSE over observed scaled features (mse), or chi2 (chi2)
    kl: np.ndarray  # per object, KL divergence at the encoder mean
    anomaly_score: np.ndarray  # the score candidates are ranked by: MSE, or -log10 P(chi2)
    n_counted: np.ndarray  # entries in each object's reconstruction term
    latent: np.ndarray  # (n, latent) encoder means
    contributions: np.ndarray  # (n, n_features) share of each feature in the reconstruction error
    history: pd.DataFrame  # per epoch: mean reconstruction loss and mean KL


def _model_input(scaled: np.ndarray, missing: str) -> tuple[np.ndarray, np.ndarray]:
    """What the network sees and which entries its loss counts.

    ``mask``: the scaled values with 0 where missing, plus the missingness mask as extra input
    columns; the loss counts observed entries only. ``median``: the original recipe, a missing
    value replaced by the training median (0 after scaling), every entry in the loss.
    """
    observed = np.isfinite(scaled)
    filled = np.where(observed, scaled, 0.0)
    if missing == "mask":
        return np.hstack([filled, observed.astype(np.float64)]), observed.astype(np.float64)
    if missing == "median":
        return filled, np.ones_like(filled)
    raise InputError(f"vae.missing must be 'mask' or 'median', got {missing!r}")


def train_and_score(X: np.ndarray, params: Mapping[str, Any], threads: int = 1, errors: np.ndarray | None = None) -> VAEResult:
    """Fit the VAE on ``X`` (NaN = missing) and score every row; ``errors``: the 1-sigma measurement
    error of each entry, same units as ``X`` (needed by ``loss: chi2``).

    With ``validation_fraction`` > 0, that share of the rows (random, seeded) is held out: the
    scaling is fitted on the training rows only, and training stops when the validation loss has
    not improved for ``patience`` epochs (the best weights are kept). Every row is scored.
    """
    import torch

    if X.ndim != 2 or len(X) == 0:
        raise InputError("VAE input has no rows")
    seed = int(params["seed"])
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, int(threads)))
    device = resolve_device(params["device"])
    n, n_features = X.shape
    val_fraction = float(params.get("validation_fraction") or 0.0)
    order = np.random.default_rng(seed).permutation(n)
    n_val = int(round(val_fraction * n)) if val_fraction > 0 else 0
    train_rows, val_rows = np.sort(order[n_val:]), np.sort(order[:n_val])
    scaler = Scaler.fit(X[train_rows])
    scaled = scaler.transform(X)
    loss = params.get("loss", "mse")
    if loss == "chi2" and params.get("missing", "mask") != "mask":
        raise InputError("vae.loss 'chi2' needs vae.missing 'mask' (an imputed value has no measurement error)")
    inputs, loss_mask = _model_input(scaled, params.get("missing", "mask"))
    weights = loss_weights(scaled, errors, scaler.scale, loss, float(params.get("sigma_int", 0.0)), loss_mask)
    target = torch.tensor(np.where(np.isfinite(scaled), scaled, 0.0), dtype=torch.float32, device=device)
    if loss == "chi2":
        # The encoder sees each value shrunk towards the feature's centre by its reliability
        # 1 / (1 + sigma^2 / scale^2) (the posterior mean for a unit-variance population), and the
        # reliability as the mask input: a value its own error calls meaningless cannot steer the
        # reconstruction of the others.
        variance = scaled_variance(errors, scaler.scale, float(params.get("sigma_int", 0.0)))
        reliability = np.where(weights > 0, 1.0 / (1.0 + variance), 0.0)  # variance is NaN only where weight is 0
        inputs = np.hstack([inputs[:, :n_features] * reliability, reliability])
    x_all = torch.tensor(inputs, dtype=torch.float32, device=device)
    m_all = torch.tensor(weights, dtype=torch.float32, device=device)
    reconstruction = masked_mse if loss == "mse" else masked_chi2
    model = _build_model(inputs.shape[1], int(params["hidden"]), int(params["latent"]), n_features).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=float(params["lr"]))
    beta = float(params["beta"])
    batch = int(params["batch_size"])
    patience = int(params.get("patience") or 0)
    generator = torch.Generator().manual_seed(seed)
    train_idx = torch.tensor(train_rows, device=device)
    val_idx = torch.tensor(val_rows, device=device)
    history, best, best_state, stale = [], np.inf, None, 0
    from tqdm import tqdm

    n_epochs = int(params["epochs"])
    report_every = max(1, n_epochs // 10)
    bar = tqdm(total=n_epochs, desc="VAE training", unit="epoch", disable=None)
    for epoch in range(n_epochs):
        model.train()
        perm = train_idx[torch.randperm(len(train_idx), generator=generator).to(device)]
        total_rec = total_kl = 0.0
        for start in range(0, len(perm), batch):
            idx = perm[start : start + batch]
            recon, mu, logvar = model(x_all[idx])
            rec = reconstruction(recon, target[idx], m_all[idx])
            kl = kl_divergence(mu, logvar)
            loss = (rec + beta * kl).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total_rec += float(rec.detach().sum())
            total_kl += float(kl.detach().sum())
        row = {"epoch": epoch + 1, "reconstruction_loss": total_rec / len(perm), "kl": total_kl / len(perm)}
        if len(val_idx):
            model.eval()
            with torch.no_grad():
                mu, logvar = model.encode(x_all[val_idx])
                val = reconstruction(model.decoder(mu), target[val_idx], m_all[val_idx]) + beta * kl_divergence(mu, logvar)
            row["validation_loss"] = float(val.mean())
            if row["validation_loss"] < best:
                best, stale = row["validation_loss"], 0
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                stale += 1
        history.append(row)
        bar.update(1)
        bar.set_postfix({k: f"{v:.4f}" for k, v in row.items() if k != "epoch"}, refresh=False)
        if (epoch + 1) % report_every == 0:
            log.info("epoch %d/%d: %s", epoch + 1, n_epochs, ", ".join(f"{k} {v:.4f}" for k, v in row.items() if k != "epoch"))
        if len(val_idx) and patience and stale >= patience:
            log.info("early stop after epoch %d (validation loss %.4f, best %.4f)", epoch + 1, row["validation_loss"], best)
            break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        mu, logvar = model.encode(x_all)
        recon = model.decoder(mu)
        sq = ((recon - target) ** 2 * m_all).cpu().numpy().astype(np.float64)
        kl = kl_divergence(mu, logvar).cpu().numpy().astype(np.float64)
        latent = mu.cpu().numpy().astype(np.float64)
    if loss == "chi2":
        n_counted = (weights > 0).sum(axis=1)
        rec_loss = sq.sum(axis=1)
        score = chi2_score(rec_loss, n_counted)
    else:
        n_counted = loss_mask.sum(axis=1)
        rec_loss = sq.sum(axis=1) / np.maximum(n_counted, 1)
        score = rec_loss
    total = sq.sum(axis=1, keepdims=True)
    contributions = np.divide(sq, total, out=np.zeros_like(sq), where=total > 0)
    return VAEResult(rec_loss, kl, score, n_counted, latent, contributions, pd.DataFrame(history))


def flag_anomalies(object_ids: np.ndarray, scores: np.ndarray, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Rank objects by score (1 = most anomalous; ties by object_id) and flag the top ``fraction``.

    Returns ``(rank, is_candidate)``; at least one object is flagged when there are any.
    """
    if not 0 < fraction < 1:
        raise InputError(f"vae.anomaly_fraction must be between 0 and 1, got {fraction}")
    order = np.lexsort((object_ids, -scores))
    rank = np.empty(len(scores), dtype=np.int64)
    rank[order] = np.arange(1, len(scores) + 1)
    n_flag = max(1, math.ceil(fraction * len(scores))) if len(scores) else 0
    return rank, rank <= n_flag


def score_table(merged: pd.DataFrame, params: Mapping[str, Any], threads: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train the VAE on the merged table; the per-object score table and the training history."""
    X, names = feature_matrix(merged, params["features"])
    errors = feature_errors(merged, params["features"]) if params.get("loss", "mse") == "chi2" else None
    observed = np.isfinite(X).any(axis=1)
    if not observed.all():
        log.warning("%d objects have no observed feature; they get no score", int((~observed).sum()))
    log.info("VAE on %d objects x %d features (%s, loss %s), device %s", int(observed.sum()), X.shape[1], params["features"],
             params.get("loss", "mse"), resolve_device(params["device"]))
    result = train_and_score(X[observed], params, threads, None if errors is None else errors[observed])
    ids = merged["object_id"].to_numpy(dtype=np.int64)[observed]
    rank, is_candidate = flag_anomalies(ids, result.anomaly_score, float(params["anomaly_fraction"]))
    losses = pd.DataFrame(
        {
            "object_id": ids,
            "anomaly_score": result.anomaly_score,
            "reconstruction_loss": result.reconstruction_loss,
            "kl": result.kl,
            "rank": rank,
            "is_candidate": is_candidate,
            "n_features_observed": np.isfinite(X[observed]).sum(axis=1),
            "n_features_scored": result.n_counted.astype(np.int64),
            "top_feature": np.asarray(names)[np.argmax(result.contributions, axis=1)],
            **{f"latent_{k + 1}": result.latent[:, k] for k in range(result.latent.shape[1])},
            **{f"share_{name}": result.contributions[:, k] for k, name in enumerate(names)},
        }
    ).sort_values("rank", ignore_index=True)
    return losses, result.history


def run_vae(merged_parquet: str | Path, params: Mapping[str, Any], out_losses: str | Path, out_ids: str | Path, out_history: str | Path, threads: int = 1) -> pd.DataFrame:
    """Stage 6: train the VAE on the merged table, write per-object scores and the candidate ids."""
    merged = pd.read_parquet(merged_parquet)
    losses, history = score_table(merged, params, threads)
    is_candidate = losses["is_candidate"].to_numpy()
    last = history.iloc[-1]
    log.info("final epoch: reconstruction %.4f, KL %.4f", last["reconstruction_loss"], last["kl"])
    log.info("%d candidates (top %.2f%%)", int(is_candidate.sum()), 100 * float(params["anomaly_fraction"]))
    write_table(losses, out_losses)
    write_table(history, out_history)
    candidates = losses.loc[losses["is_candidate"], "object_id"]
    write_text("".join(f"{i}\n" for i in candidates), out_ids)
    return losses
