"""Stage 6: anomaly detection with a variational autoencoder (PyTorch).

Architecture (defaults from config): input -> ``hidden`` (ReLU) -> ``latent``-D mean and
log-variance -> ``hidden`` (ReLU) -> output. Loss per object: mean squared reconstruction error
over its observed features plus ``beta`` x the KL divergence of the approximate posterior from
N(0, 1). Adam, ``lr``, ``epochs``, ``batch_size``, ``seed``.

- Scaling (centre and scale per feature) is fitted once, on the training data, ignoring NaN.
- Missing features: the model sees a copy in which a missing entry is replaced by the training
  median (``missing: median``); the loss and the score use only the observed entries, and the
  imputed values are never written anywhere.
- Scores come from the encoder's mean (no sampling), so the same data and seed give the same
  scores. The score is the reconstruction error; the top ``anomaly_fraction`` are candidates.
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

from .features import feature_matrix
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


def _build_model(n_features: int, hidden: int, latent: int):
    import torch
    from torch import nn

    class VAE(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU())
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


def kl_divergence(mu, logvar):
    """Per-object KL(q(z|x) || N(0, I))."""
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)


@dataclass
class VAEResult:
    """Scores and training history of one VAE fit."""

    reconstruction_loss: np.ndarray  # per object, mean squared error over observed (scaled) features
    kl: np.ndarray  # per object, KL divergence at the encoder mean
    latent: np.ndarray  # (n, latent) encoder means
    contributions: np.ndarray  # (n, n_features) share of each feature in the reconstruction error
    history: pd.DataFrame  # per epoch: mean reconstruction loss and mean KL


def train_and_score(X: np.ndarray, params: Mapping[str, Any], threads: int = 1) -> VAEResult:
    """Fit the VAE on ``X`` (NaN = missing) and score every row."""
    import torch

    if X.ndim != 2 or len(X) == 0:
        raise InputError("VAE input has no rows")
    torch.manual_seed(int(params["seed"]))
    torch.set_num_threads(max(1, int(threads)))
    device = resolve_device(params["device"])
    scaler = Scaler.fit(X)
    scaled = scaler.transform(X)
    mask = np.isfinite(scaled)
    model_input = np.where(mask, scaled, 0.0)  # 0 = the training median after scaling; a copy only
    x_all = torch.tensor(model_input, dtype=torch.float32, device=device)
    m_all = torch.tensor(mask, dtype=torch.float32, device=device)
    model = _build_model(X.shape[1], int(params["hidden"]), int(params["latent"])).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=float(params["lr"]))
    beta = float(params["beta"])
    batch = int(params["batch_size"])
    generator = torch.Generator().manual_seed(int(params["seed"]))
    history = []
    n = len(x_all)
    for epoch in range(int(params["epochs"])):
        model.train()
        order = torch.randperm(n, generator=generator).to(device)
        total_rec = total_kl = 0.0
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            x, m = x_all[idx], m_all[idx]
            recon, mu, logvar = model(x)
            rec = masked_mse(recon, x, m)
            kl = kl_divergence(mu, logvar)
            loss = (rec + beta * kl).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total_rec += float(rec.detach().sum())
            total_kl += float(kl.detach().sum())
        history.append({"epoch": epoch + 1, "reconstruction_loss": total_rec / n, "kl": total_kl / n})
    model.eval()
    with torch.no_grad():
        mu, logvar = model.encode(x_all)
        recon = model.decoder(mu)
        sq = ((recon - x_all) ** 2 * m_all).cpu().numpy().astype(np.float64)
        kl = kl_divergence(mu, logvar).cpu().numpy().astype(np.float64)
        latent = mu.cpu().numpy().astype(np.float64)
    n_obs = mask.sum(axis=1)
    rec_loss = sq.sum(axis=1) / np.maximum(n_obs, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        contributions = np.where(sq.sum(axis=1, keepdims=True) > 0, sq / sq.sum(axis=1, keepdims=True), 0.0)
    return VAEResult(rec_loss, kl, latent, contributions, pd.DataFrame(history))


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


def run_vae(merged_parquet: str | Path, params: Mapping[str, Any], out_losses: str | Path, out_ids: str | Path, out_history: str | Path, threads: int = 1) -> pd.DataFrame:
    """Stage 6: train the VAE on the merged table, write per-object losses and the candidate ids."""
    merged = pd.read_parquet(merged_parquet)
    X, names = feature_matrix(merged, params["features"])
    observed = np.isfinite(X).any(axis=1)
    if not observed.all():
        log.warning("%d objects have no observed feature; they get no score", int((~observed).sum()))
    log.info("VAE on %d objects x %d features (%s), device %s", int(observed.sum()), X.shape[1], params["features"], resolve_device(params["device"]))
    result = train_and_score(X[observed], params, threads)
    ids = merged["object_id"].to_numpy(dtype=np.int64)[observed]
    rank, is_candidate = flag_anomalies(ids, result.reconstruction_loss, float(params["anomaly_fraction"]))
    losses = pd.DataFrame(
        {
            "object_id": ids,
            "reconstruction_loss": result.reconstruction_loss,
            "kl": result.kl,
            "rank": rank,
            "is_candidate": is_candidate,
            "n_features_observed": np.isfinite(X[observed]).sum(axis=1),
            "top_feature": np.asarray(names)[np.argmax(result.contributions, axis=1)],
            **{f"latent_{k + 1}": result.latent[:, k] for k in range(result.latent.shape[1])},
            **{f"share_{name}": result.contributions[:, k] for k, name in enumerate(names)},
        }
    ).sort_values("rank", ignore_index=True)
    last = result.history.iloc[-1]
    log.info("final epoch: reconstruction %.4f, KL %.4f", last["reconstruction_loss"], last["kl"])
    log.info("%d candidates (top %.2f%%)", int(is_candidate.sum()), 100 * float(params["anomaly_fraction"]))
    write_table(losses, out_losses)
    write_table(result.history, out_history)
    candidates = losses.loc[losses["is_candidate"], "object_id"]
    write_text("".join(f"{i}\n" for i in candidates), out_ids)
    return losses
