"""Stage 6: anomaly detection with a variational autoencoder (PyTorch).

Architecture (defaults from config): input -> ``hidden`` (ReLU) -> ``latent``-D mean and
log-variance -> ``hidden`` (ReLU) -> output. Loss per object: mean squared reconstruction error
over its observed features plus ``beta`` x the KL divergence of the approximate posterior from
N(0, 1). Adam, ``lr``, ``epochs``, ``batch_size`` (grown on a large sky so that an epoch takes at
most ``max_steps_per_epoch`` steps: :func:`effective_batch_size`), ``seed``.

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
  entry (the measurement error of each feature, :func:`symfind.detect.features.feature_errors`, and the
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import with_defaults
from .detectors import subsample_rows
from .companion import COMPANION_COLUMNS, FIT_BANDS, fit_companions
from .features import HOT_BANDS, Standardiser, feature_errors, feature_matrix, hot_feature_mask, optical_sed, unobserved_features
from ..io import InputError
from .symbiotic import (NEIGHBOUR_TESTED, hot_share_bound, hot_share_bound_name, least_of_columns, score_fit,
                        symbiotic_input_columns)

log = logging.getLogger(__name__)


def resolve_device(device: str) -> str:
    """``auto`` -> ``cuda`` when a GPU is available, else ``cpu``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("vae.device is 'cuda' but no CUDA device is available")
    return device


def _build_model(n_inputs: int, hidden: int, latent: int, n_features: int, n_condition: int = 0):
    """The VAE; with ``n_condition`` > 0 a conditional VAE (Sohn et al. 2015): the condition's
    columns are appended to the encoder's input and to the decoder's latent input."""
    import torch
    from torch import nn

    class VAE(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(n_inputs + n_condition, hidden), nn.ReLU())
            self.mu = nn.Linear(hidden, latent)
            self.logvar = nn.Linear(hidden, latent)
            self.decoder_net = nn.Sequential(nn.Linear(latent + n_condition, hidden), nn.ReLU(), nn.Linear(hidden, n_features))

        def encode(self, x, c):
            return self.encode_joined(torch.cat([x, c], dim=1) if c.shape[1] else x)

        def encode_joined(self, xc):
            """Encode the input and the condition already side by side (one tensor)."""
            h = self.encoder(xc)
            return self.mu(h), self.logvar(h)

        def decoder(self, z, c):
            return self.decoder_net(torch.cat([z, c], dim=1) if c.shape[1] else z)

        def forward(self, xc, c):
            """A training pass: ``xc`` the encoder's input (the input and the condition side by side,
            one tensor), ``c`` the condition; returns reconstruction, mean, log-variance."""
            mu, logvar = self.encode_joined(xc)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            return self.decoder(z, c), mu, logvar

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
    k = np.maximum(np.asarray(n_observed, dtype=np.float64), 1.0)
    score = -chi2_logsf(np.asarray(chi2, dtype=np.float64), k) / np.log(10.0)
    return np.where(np.asarray(n_observed) > 0, score, 0.0)


def chi2_logsf(t: np.ndarray, k: np.ndarray) -> np.ndarray:
    """``log P(chi2_k > t)``, finite far into the tail: where scipy's value underflows, the leading
    term of the asymptotic series of the upper incomplete gamma function,
    ``log Q(a, x) ~ (a - 1) log x - x - log Gamma(a)`` with ``a = k/2``, ``x = t/2``."""
    from scipy.special import gammaln
    from scipy.stats import chi2 as chi2_distribution

    t, k = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(k, dtype=np.float64))
    exact = chi2_distribution.logsf(t, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        asymptotic = (k / 2 - 1) * np.log(t / 2) - t / 2 - gammaln(k / 2)
    return np.where(np.isfinite(exact), exact, asymptotic)


def chibar_score(statistic: np.ndarray, n_terms: np.ndarray) -> np.ndarray:
    """``-log10 P(T > t)`` for a sum ``T`` of ``k = n_terms`` one-sided squared normal deviates
    ``max(0, z)^2`` (a chi-bar-squared variable: P(T > t) = sum_j C(k, j) 2^-k P(chi2_j > t)),
    0 where ``t`` = 0 or ``k`` = 0.

    This is the tail probability of a hot excess as large as the observed one if the object were a
    giant as the model predicts, with independent Gaussian errors.
    """
    from scipy.special import gammaln, logsumexp

    t = np.asarray(statistic, dtype=np.float64)
    k = np.asarray(n_terms, dtype=np.int64)
    k_max = int(k.max()) if k.size else 0
    if k_max == 0:
        return np.zeros(t.shape)
    j = np.arange(1, k_max + 1)
    log_binom = gammaln(k[:, None] + 1) - gammaln(j[None, :] + 1) - gammaln(np.maximum(k[:, None] - j[None, :], 0) + 1)
    terms = log_binom - k[:, None] * np.log(2.0) + chi2_logsf(np.maximum(t, 0.0)[:, None], j[None, :])
    terms = np.where(j[None, :] <= k[:, None], terms, -np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = logsumexp(terms, axis=1)
    return np.where((t > 0) & (k > 0), -log_p / np.log(10.0), 0.0)


def hot_excess(observed: np.ndarray, predicted: np.ndarray, sigma: np.ndarray, hot: np.ndarray) -> dict[str, np.ndarray]:
    """The direction-aware score: only where an object is *bluer* (smaller colour, or brighter
    magnitude) than the model predicts, in the features that involve a hot band (``hot``).

    ``observed``, ``predicted``, ``sigma`` (1-sigma, the measurement error and the model's scatter
    in quadrature): ``(n, n_features)``, mag, NaN where missing. Returns per object
    ``statistic`` = sum over hot features of ``max(0, (predicted - observed) / sigma)^2``,
    ``n_terms`` (hot features observed), ``score`` = :func:`chibar_score`, and ``z`` (the signed
    deviation ``(predicted - observed) / sigma`` of every feature, positive = bluer). A red excess
    (fainter or redder than predicted) adds nothing.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (predicted - observed) / sigma
    usable = np.isfinite(z) & np.asarray(hot, dtype=bool)[None, :]
    terms = np.where(usable, np.clip(z, 0.0, None), 0.0) ** 2
    statistic = terms.sum(axis=1)
    n_terms = usable.sum(axis=1)
    return {"statistic": statistic, "n_terms": n_terms, "score": chibar_score(statistic, n_terms), "z": z}


#: The fewest objects with a value and an error that a feature's :func:`prediction_scatter` needs
#: (fewer: no calibration of that feature).
MIN_CALIBRATION_OBJECTS = 20


def _scatter_beyond_errors(residual: np.ndarray, sigma: np.ndarray, min_objects: int) -> np.ndarray:
    """Per column of ``residual`` (n, k; NaN where missing), ``sqrt(max(s^2 - median(sigma^2),
    0))`` with ``s = 1.4826 MAD``; NaN for a column with fewer than ``min_objects`` values."""
    counts = np.isfinite(residual).sum(axis=0)
    extra = np.full(residual.shape[1], np.nan)
    enough = counts >= max(int(min_objects), 1)
    if enough.any():
        kept = residual[:, enough]
        centre = np.nanmedian(kept, axis=0)
        spread = 1.4826 * np.nanmedian(np.abs(kept - centre), axis=0)
        given = np.nanmedian(np.where(np.isfinite(kept), sigma[:, enough], np.nan) ** 2, axis=0)
        extra[enough] = np.sqrt(np.maximum(spread**2 - given, 0.0))
    return extra


def prediction_scatter(observed: np.ndarray, predicted: np.ndarray, sigma: np.ndarray, groups: np.ndarray | None = None,
                       min_objects: int = MIN_CALIBRATION_OBJECTS) -> np.ndarray:
    """Per object and feature, the scatter of the prediction's residuals beyond the errors it was
    given, among the objects of its group (mag, ``(n, n_features)``): ``sqrt(max(s^2 -
    median(sigma^2), 0))``, with ``s = 1.4826 MAD`` of ``observed - predicted`` (robust: the few
    objects with a real excess do not widen it).

    ``observed``, ``predicted``, ``sigma`` ``(n, n_features)`` in mag (NaN where missing);
    ``groups`` (n,) integer labels, negative for an object of no group (None: one group). What the
    giant's infrared and red optical colours predict for its u and v is not as good as the
    measurement errors and ``vae.sigma_int``: at given colours a giant's v still moves with its
    metallicity by tenths of a magnitude (v holds H8-H10 and Ca II K; Casagrande et al. 2019,
    MNRAS 482, 2770), its u and v with the DR2 zero points' drift with reddening (Huang et al.
    2021, ApJ 907, 68), and a pulsating giant's colours with its phase on the nights it was seen
    (Lucy et al. 2024, arXiv:2412.00855, correct the colours of pulsating giants for it). Measured
    on the sky's own objects, nearly all of them giants without a companion, that scatter is added
    to each object's uncertainty in quadrature, so that a hot excess is counted in units of what
    giants like it do. An object of no group, or of a group with fewer than ``min_objects`` values
    of a feature, gets the whole sky's; a feature the whole sky has fewer values of gets 0."""
    with np.errstate(invalid="ignore"):
        residual = np.where(np.isfinite(sigma), observed - predicted, np.nan)
    whole = np.nan_to_num(_scatter_beyond_errors(residual, sigma, min_objects), nan=0.0)
    extra = np.tile(whole, (len(residual), 1))
    if groups is not None:
        groups = np.asarray(groups)
        for label in np.unique(groups[groups >= 0]):
            members = groups == label
            own = _scatter_beyond_errors(residual[members], sigma[members], min_objects)
            extra[members] = np.where(np.isfinite(own), own, whole)[None, :]
    return extra


def amplitude_groups(amplitude: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """The group of each object by its variability amplitude (``amp_g``, mag) between ``edges``
    (ascending, mag): 0 below the first edge, ..., ``len(edges)`` above the last; -1 where the
    amplitude is unknown (one night)."""
    amplitude = np.asarray(amplitude, dtype=np.float64)
    return np.where(np.isfinite(amplitude), np.digitize(amplitude, np.asarray(sorted(edges), dtype=np.float64)), -1)


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
    reconstruction: np.ndarray | None = None  # (n, n_features) decoder at the encoder mean, units of X
    giant_prediction: np.ndarray | None = None  # (n, n_features) predicted without the hidden features, units of X
    giant_spread: np.ndarray | None = None  # (n, n_features) its spread over the posterior, units of X


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


def condition_input(condition: np.ndarray, scaler: Standardiser) -> np.ndarray:
    """What a conditional VAE sees of its condition: the scaled values, 0 where missing, then the
    missingness mask (1 = observed). A missing entry's value cannot reach the network."""
    scaled = scaler.transform(condition)
    observed = np.isfinite(scaled)
    return np.hstack([np.where(observed, scaled, 0.0), observed.astype(np.float64)])


def effective_batch_size(n_train: int, batch_size: int, max_steps_per_epoch: int | None) -> int:
    """The batch of a training step: ``batch_size``, grown where needed so that one epoch over
    ``n_train`` objects takes at most ``max_steps_per_epoch`` optimiser steps (None: never grown).

    The cost of an epoch on a CPU is mostly per-step overhead (Python, kernel launches, the
    optimiser), not arithmetic: a sky of 150,000 objects at batch 64 is 2,344 steps per epoch. A
    small sky (up to ``batch_size x max_steps_per_epoch`` objects) trains exactly as with a fixed
    batch.
    """
    if not max_steps_per_epoch:
        return int(batch_size)
    return max(int(batch_size), math.ceil(int(n_train) / int(max_steps_per_epoch)))


#: Draws from the posterior that estimate the spread of the prediction without the hidden features.
N_POSTERIOR_DRAWS = 32
#: Share of the training rows per step whose hidden features (``hide``) the encoder does not see.
HIDE_FRACTION = 0.5


def train_and_score(X: np.ndarray, params: Mapping[str, Any], threads: int = 1, errors: np.ndarray | None = None,
                    condition: np.ndarray | None = None, hide: np.ndarray | None = None,
                    names: list[str] | None = None) -> VAEResult:
    """Fit the VAE on ``X`` (NaN = missing) and score every row; ``names``: the features' names
    (columns of ``X``), for the errors that name a feature; ``errors``: the 1-sigma measurement
    error of each entry, same units as ``X`` (needed by ``loss: chi2``). ``condition`` (optional,
    NaN = missing): what a conditional VAE is given, to encoder and decoder, and does not model.

    ``hide`` (optional, one flag per feature): features the model must also predict without seeing
    them. In training, in a random half of each batch the encoder sees them as missing (the loss
    still counts them); after training every object is encoded once more without them and decoded
    (``giant_prediction``; its spread over draws from that posterior, ``giant_spread``). For the
    giant-conditioned VAE these are the colours with u or v: what the giant's infrared properties
    and its own red optical colours predict there, which a hot companion's light cannot have moved.

    ``train_max_objects`` (optional): train on a random (seeded) subsample of at most that many of
    the training rows; every row is still scored.

    With ``validation_fraction`` > 0, that share of the rows (random, seeded) is held out: the
    scaling is fitted on the training rows only, and training stops when the validation loss has
    not improved for ``patience`` epochs (the best weights are kept). Every row is scored.
    """
    import torch

    if X.ndim != 2 or len(X) == 0:
        raise InputError("VAE input has no rows")
    params = with_defaults("vae", params)
    seed = int(params["seed"])
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, int(threads)))
    device = resolve_device(params["device"])
    n, n_features = X.shape
    val_fraction = float(params.get("validation_fraction") or 0.0)
    order = np.random.default_rng(seed).permutation(n)
    n_val = int(round(val_fraction * n)) if val_fraction > 0 else 0
    train_rows, val_rows = np.sort(order[n_val:]), np.sort(order[:n_val])
    subsample = subsample_rows(len(train_rows), params.get("train_max_objects"), seed + 1)
    if subsample is not None:
        train_rows = train_rows[subsample]
        log.info("training on a random subsample of %d of %d objects; every object is scored", len(train_rows), n)
    scaler = Standardiser.fit(X[train_rows], names=names)
    scaled = scaler.transform(X)
    if condition is None:
        condition_in = np.zeros((n, 0))
    else:
        condition_in = condition_input(condition, Standardiser.fit(condition[train_rows], allow_empty=True))
    loss_name = params["loss"]
    if loss_name == "chi2" and params["missing"] != "mask":
        raise InputError("vae.loss 'chi2' needs vae.missing 'mask' (an imputed value has no measurement error)")
    inputs, loss_mask = _model_input(scaled, params["missing"])
    weights = loss_weights(scaled, errors, scaler.scale, loss_name, float(params["sigma_int"]), loss_mask)
    target = torch.tensor(np.where(np.isfinite(scaled), scaled, 0.0), dtype=torch.float32, device=device)
    if loss_name == "chi2":
        # The encoder sees each value shrunk towards the feature's centre by its reliability
        # 1 / (1 + sigma^2 / scale^2) (the posterior mean for a unit-variance population), and the
        # reliability as the mask input: a value its own error calls meaningless cannot steer the
        # reconstruction of the others.
        variance = scaled_variance(errors, scaler.scale, float(params["sigma_int"]))
        reliability = np.where(weights > 0, 1.0 / (1.0 + variance), 0.0)  # variance is NaN only where weight is 0
        inputs = np.hstack([inputs[:, :n_features] * reliability, reliability])
    x_all = torch.tensor(inputs, dtype=torch.float32, device=device)
    # the encoder's input columns of the hidden features: their values and their mask/reliability
    hidden_columns = None
    if hide is not None and np.any(hide):
        hide = np.asarray(hide, dtype=bool)
        columns = np.concatenate([hide, hide if inputs.shape[1] == 2 * n_features else np.zeros(0, dtype=bool)])
        hidden_columns = torch.tensor(np.flatnonzero(columns), device=device)
    c_all = torch.tensor(condition_in, dtype=torch.float32, device=device)
    m_all = torch.tensor(weights, dtype=torch.float32, device=device)
    reconstruction = masked_mse if loss_name == "mse" else masked_chi2
    model = _build_model(inputs.shape[1], int(params["hidden"]), int(params["latent"]), n_features,
                         condition_in.shape[1]).to(device)
    # foreach: one kernel per update over all parameters (the same arithmetic as the per-tensor loop,
    # bit for bit, a test checks; a third less Python per step)
    optimiser = torch.optim.Adam(model.parameters(), lr=float(params["lr"]), foreach=True)
    beta = float(params["beta"])
    batch = effective_batch_size(len(train_rows), int(params["batch_size"]), params.get("max_steps_per_epoch"))
    if batch != int(params["batch_size"]):
        log.info("batch size %d (vae.batch_size %d): %d training objects in at most %d steps per epoch",
                 batch, int(params["batch_size"]), len(train_rows), int(params["max_steps_per_epoch"]))
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
        # one gather per epoch (the steps take contiguous slices of it) and one draw of the rows
        # whose hidden features the encoder does not see (the same random stream as a draw per step)
        x_epoch, c_epoch, target_epoch, m_epoch = x_all[perm], c_all[perm], target[perm], m_all[perm]
        if hidden_columns is not None:
            unseen = torch.rand(len(perm), generator=generator).to(device) < HIDE_FRACTION
            x_epoch[:, hidden_columns] = torch.where(unseen[:, None], 0.0, x_epoch[:, hidden_columns])
        xc_epoch = torch.cat([x_epoch, c_epoch], dim=1) if c_epoch.shape[1] else x_epoch
        # sums stay on the device: one host sync per epoch, not per step
        total_rec = torch.zeros((), device=device)
        total_kl = torch.zeros((), device=device)
        for start in range(0, len(perm), batch):
            step = slice(start, start + batch)
            recon, mu, logvar = model(xc_epoch[step], c_epoch[step])
            rec = reconstruction(recon, target_epoch[step], m_epoch[step])
            kl = kl_divergence(mu, logvar)
            objective = (rec + beta * kl).mean()
            optimiser.zero_grad()
            objective.backward()
            optimiser.step()
            total_rec += rec.detach().sum()
            total_kl += kl.detach().sum()
        row = {"epoch": epoch + 1, "reconstruction_loss": float(total_rec) / len(perm), "kl": float(total_kl) / len(perm)}
        if len(val_idx):
            model.eval()
            with torch.no_grad():
                mu, logvar = model.encode(x_all[val_idx], c_all[val_idx])
                val = (reconstruction(model.decoder(mu, c_all[val_idx]), target[val_idx], m_all[val_idx])
                       + beta * kl_divergence(mu, logvar))
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
        mu, logvar = model.encode(x_all, c_all)
        recon = model.decoder(mu, c_all)
        sq = ((recon - target) ** 2 * m_all).cpu().numpy().astype(np.float64)
        kl = kl_divergence(mu, logvar).cpu().numpy().astype(np.float64)
        latent = mu.cpu().numpy().astype(np.float64)
        reconstruction_units = recon.cpu().numpy().astype(np.float64) * scaler.scale + scaler.center
        giant_prediction = giant_spread = None
        if hidden_columns is not None:
            x_unseen = x_all.clone()
            x_unseen[:, hidden_columns] = 0.0
            mu_unseen, logvar_unseen = model.encode(x_unseen, c_all)
            draws = torch.randn((N_POSTERIOR_DRAWS, *mu_unseen.shape), generator=torch.Generator().manual_seed(seed)).to(device)
            running = torch.zeros_like(recon)
            running_sq = torch.zeros_like(recon)
            for eps in draws:
                predicted = model.decoder(mu_unseen + torch.exp(0.5 * logvar_unseen) * eps, c_all)
                running += predicted
                running_sq += predicted**2
            mean = running / N_POSTERIOR_DRAWS
            spread = (running_sq / N_POSTERIOR_DRAWS - mean**2).clamp(min=0.0).sqrt()
            giant_prediction = mean.cpu().numpy().astype(np.float64) * scaler.scale + scaler.center
            giant_spread = spread.cpu().numpy().astype(np.float64) * scaler.scale
    if loss_name == "chi2":
        n_counted = (weights > 0).sum(axis=1)
        rec_loss = sq.sum(axis=1)
        score = chi2_score(rec_loss, n_counted)
    else:
        n_counted = loss_mask.sum(axis=1)
        rec_loss = sq.sum(axis=1) / np.maximum(n_counted, 1)
        score = rec_loss
    total = sq.sum(axis=1, keepdims=True)
    contributions = np.divide(sq, total, out=np.zeros_like(sq), where=total > 0)
    return VAEResult(rec_loss, kl, score, n_counted, latent, contributions, pd.DataFrame(history), reconstruction_units,
                     giant_prediction, giant_spread)


#: What the VAE models (``vae.model``): ``plain`` (the feature set of ``vae.features``) or
#: ``conditional`` (the dereddened optical SED, given the giant's infrared properties).
VAE_MODELS = ("plain", "conditional")


def vae_input_columns(names: Sequence[str]) -> list[str]:
    """Of the analysed table's columns ``names``, those a VAE of any configuration reads
    (:func:`score_table`: every feature set and its errors, the giant's condition, the SED of the
    companion test, the symbiotic score's flickering (its significance and rms), detection, blend, Gaia DR3 and distance
    inputs, the amplitude its calibration groups by), in table order: the stages that hold every
    analysed object read only these (a test spies on what each configuration reads)."""
    from ..columns import DETECTION_COLUMNS, FLICKER_BEYOND_U, GAIA_DR3_EVIDENCE_COLUMNS, SKYMAPPER_BANDS
    from .sed import SED_BANDS
    from .features import FEATURE_SETS, MAGNITUDE_ERRORS

    wanted = {"object_id", "ebv", "jk0", "abs_j", "r_est", "r_lo", "r_hi", "gaia_dr2_dist2", "amp_g", *DETECTION_COLUMNS,
              *GAIA_DR3_EVIDENCE_COLUMNS, *(c for b in SED_BANDS for c in (b.column, b.error)), *MAGNITUDE_ERRORS.values()}
    for spec in FEATURE_SETS.values():
        for _, blue, red in spec:
            wanted.update(c for c in (blue, red) if c)
            if red is None and blue.count("_") == 1 and blue.split("_")[0] in SKYMAPPER_BANDS:
                wanted.add(f"e_{blue}")  # a SkyMapper colour's error
    wanted.update(f"flicker_{kind}_{band}" for kind in ("sig", "robust_sig", "rms") for band in SKYMAPPER_BANDS)
    wanted.add(FLICKER_BEYOND_U)
    return [name for name in names if name in wanted]


def model_data(merged: pd.DataFrame, params: Mapping[str, Any], a_per_ebv: Mapping[str, float] | None = None):
    """What a VAE of ``params`` models: ``(X, errors, names, condition)`` (mag; ``condition`` None
    for the plain VAE). The conditional VAE models the dereddened optical colours
    (:func:`symfind.detect.features.optical_sed`) given the giant's properties
    (:data:`symfind.detect.features.CONDITION_FEATURES`)."""
    model = params["model"]
    if model == "conditional":
        if a_per_ebv is None:
            raise InputError("vae.model 'conditional' needs the extinction coefficients (dereddening.a_per_ebv)")
        X, errors, names = optical_sed(merged, a_per_ebv)
        condition, _ = feature_matrix(merged, "giant_condition")
        return X, errors, names, condition
    if model != "plain":
        raise InputError(f"vae.model must be one of {', '.join(VAE_MODELS)}, got {model!r}")
    X, names = feature_matrix(merged, params["features"])
    return X, feature_errors(merged, params["features"]), names, None


def fit_table(merged: pd.DataFrame, params: Mapping[str, Any], threads: int = 1,
              a_per_ebv: Mapping[str, float] | None = None,
              aj_per_ebv: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train the VAE on the analysed objects; what the fit says of each object, and the training
    history. Everything here depends on the fit's settings only
    (:func:`symfind.config.vae_fit_settings`); the score that
    ranks, its symbiotic weights and the candidates are :func:`symfind.detect.symbiotic.score_fit`'s.

    One row per object with an observed feature, in ``merged``'s order: ``score_any`` (the
    undirected reconstruction score: -log10 P(chi2) or MSE) and ``score_hot_excess``
    (:func:`hot_excess`: bluer than predicted in the features with u or v; for the conditional VAE,
    predicted = what the giant's properties alone give, the decoder averaged over the prior, with
    its spread added to the errors), the two-component test of the excess, the bound on the light
    beyond the giant (:func:`symfind.detect.symbiotic.hot_share_bound_name`), the losses, latent means, shares and
    ``excess_z_*``.
    """
    params = with_defaults("vae", params)
    X, errors, names, condition = model_data(merged, params, a_per_ebv)
    observed = np.isfinite(X).any(axis=1)
    if not observed.all():
        log.warning("%d objects have no observed feature; they get no score", int((~observed).sum()))
    model = params["model"]
    log.info("VAE (%s) on %d objects x %d features (%s, loss %s), device %s", model, int(observed.sum()), X.shape[1],
             "dereddened optical colours" if model == "conditional" else params["features"], params["loss"],
             resolve_device(params["device"]))
    all_names = list(names)
    unformed = unobserved_features(X, all_names)
    if unformed:  # a sky without epochs in a band: the model learns and scores the colours that exist
        log.warning("no analysed object has feature(s) %s: the VAE models the other %d", ", ".join(unformed),
                    len(all_names) - len(unformed))
        used = np.array([name not in unformed for name in all_names])
        X, errors, names = X[:, used], errors[:, used], [name for name in all_names if name not in unformed]
    loss = params["loss"]
    hot_mask = hot_feature_mask(names)
    result = train_and_score(X[observed], params, threads, errors[observed] if loss == "chi2" else None,
                             None if condition is None else condition[observed], hot_mask if condition is not None else None,
                             names=names)
    X, errors = X[observed], errors[observed]
    sigma_int = float(params["sigma_int"])
    if result.giant_prediction is not None:
        predicted, spread = result.giant_prediction, result.giant_spread
    else:
        predicted, spread = result.reconstruction, np.zeros_like(X)
    sigma = np.sqrt(errors**2 + sigma_int**2 + spread**2)
    rows = merged if observed.all() else merged[observed]  # no copy of a wide table where every object is scored
    if params["calibrate_scatter"]:
        edges = list(params["scatter_amplitude_edges"])
        groups = amplitude_groups(least_of_columns(rows, ("amp_g",), np.nan), edges) if edges else np.full(len(X), -1)
        scatter = prediction_scatter(X, predicted, sigma, groups)
        labels, first, counts = np.unique(groups, return_index=True, return_counts=True)
        for label, row, count in zip(labels, first, counts):
            where = "the whole sky's (amp_g unknown or not grouped)" if label < 0 else f"amp_g group {label}"
            log.info("the prediction's scatter beyond its errors (mag), %s, %d objects: %s", where, count,
                     ", ".join(f"{name} {value:.3f}" for name, value in zip(names, scatter[row])))
        sigma = np.sqrt(sigma**2 + scatter**2)
    excess = hot_excess(X, predicted, sigma, hot_mask)
    # a giant predicted from the object's own g r i z has taken a companion's g light for its own:
    # the test of the excess then reads the bands it did not see, u and v (symfind.detect.companion)
    companions = fit_companions(X, predicted, sigma, names, HOT_BANDS if result.giant_prediction is not None else FIT_BANDS)
    neighbour_llr = None
    from .sed import SED_BANDS, neighbour_colours

    sed_columns = [c for band in SED_BANDS for c in (band.column, band.error)]
    if model == "conditional" and a_per_ebv is not None and all(c in rows.columns for c in (*sed_columns, "ebv")):
        # the same test against the giants most like it in the red and infrared
        aj = float(with_defaults("cuts", {})["aj_per_ebv"] if aj_per_ebv is None else aj_per_ebv)
        observed_colours, giant_colours, colour_sigma, colour_names = neighbour_colours(rows, a_per_ebv, aj, sigma_int)
        neighbour_llr = fit_companions(observed_colours, giant_colours, colour_sigma, colour_names)["companion_llr"].to_numpy()
    share_bound = hot_share_bound(X, predicted, sigma, names)
    ids = merged["object_id"].to_numpy(dtype=np.int64)[observed]
    hot_names = np.asarray(names)[hot_mask]
    hot_z = np.where(np.isfinite(excess["z"][:, hot_mask]), excess["z"][:, hot_mask], -np.inf)
    order = np.argsort(-hot_z, axis=1, kind="stable")[:, :3]
    excess_features = [",".join(hot_names[j] for j in row if hot_z[i, j] > 2.0) for i, row in enumerate(order)]
    fit = pd.DataFrame(
        {
            "object_id": ids,
            "score_any": result.anomaly_score,
            "score_hot_excess": excess["score"],
            **{column: companions[column].to_numpy() for column in COMPANION_COLUMNS},
            "neighbour_companion_llr": np.zeros(len(ids)) if neighbour_llr is None else neighbour_llr,
            **{hot_share_bound_name(band): share_bound[band] for band in HOT_BANDS},
            "reconstruction_loss": result.reconstruction_loss,
            "kl": result.kl,
            "hot_excess_chi2": excess["statistic"],
            "n_hot_features": excess["n_terms"].astype(np.int64),
            "n_features_observed": np.isfinite(X).sum(axis=1),
            "n_features_scored": result.n_counted.astype(np.int64),
            "top_feature": np.asarray(names)[np.argmax(result.contributions, axis=1)],
            "excess_features": excess_features,
            **{f"latent_{k + 1}": result.latent[:, k] for k in range(result.latent.shape[1])},
            **{f"share_{name}": result.contributions[:, k] for k, name in enumerate(names)},
            **{f"excess_z_{name}": excess["z"][:, k] for k, name in enumerate(names)},
        }
    )
    # the features no object has keep their columns, empty, in the order of the full feature list
    prefixes = ("share_", "excess_z_")
    fit = fit.assign(**{f"{prefix}{name}": np.nan for prefix in prefixes for name in unformed})
    leading = [c for c in fit.columns if not c.startswith(prefixes)]
    fit = fit[leading + [f"{prefix}{name}" for prefix in prefixes for name in all_names]]
    fit[NEIGHBOUR_TESTED] = neighbour_llr is not None
    return fit, result.history


def score_table(merged: pd.DataFrame, params: Mapping[str, Any], threads: int = 1,
                a_per_ebv: Mapping[str, float] | None = None,
                aj_per_ebv: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train the VAE on the analysed objects and score them: the per-object score table
    (:func:`symfind.detect.symbiotic.score_fit` of :func:`fit_table`) and the training history.

    Both scores are written for every object: ``score_any`` and ``score_hot_excess``, with
    ``score_symbiotic``; ``anomaly_score`` is the one of ``vae.score`` and ranks the candidates.
    """
    fit, history = fit_table(merged, params, threads, a_per_ebv, aj_per_ebv)
    return score_fit(fit, merged[symbiotic_input_columns(merged.columns)], params), history
