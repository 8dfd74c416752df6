import numpy as np
import pandas as pd
import pytest

try:
    import torch
except ImportError:  # the numpy-only tests below still run
    torch = None

from symfind.detect.symbiotic import flag_anomalies  # noqa: E402
from symfind.detect.vae import (  # noqa: E402
    chi2_score, kl_divergence, loss_weights, masked_chi2, masked_mse, train_and_score,
)

#: The tests that need no PyTorch (the scaler, the flagging, the batch rule): they run without it.
NUMPY_ONLY = {"test_scaler_is_fitted_on_training_data", "test_flag_anomalies_fraction_and_ties",
              "test_batch_grows_only_above_the_step_limit"}


@pytest.fixture(autouse=True)
def _skip_without_torch(request):
    if torch is None and request.node.originalname not in NUMPY_ONLY:
        pytest.skip("needs PyTorch (make install puts the pinned CPU wheel in .venv)")


PARAMS = {"loss": "mse", "hidden": 16, "latent": 3, "epochs": 15, "batch_size": 64, "lr": 1e-3, "beta": 1.0, "seed": 42, "device": "cpu",
          "missing": "mask", "validation_fraction": 0.0, "patience": 10}


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.normal(0, 1, (n, 1))
    X = np.hstack([base + rng.normal(0, 0.05, (n, 1)) * k for k in range(1, 7)])
    X[:5] += rng.normal(0, 4, (5, 6))  # five outliers
    X[10:20, 2] = np.nan  # missing entries
    return X


def test_scores_are_deterministic_and_complete():
    X = _data()
    a = train_and_score(X, PARAMS)
    b = train_and_score(X, PARAMS)
    assert np.array_equal(a.reconstruction_loss, b.reconstruction_loss)
    assert len(a.reconstruction_loss) == len(X) and np.isfinite(a.reconstruction_loss).all()


def test_outliers_score_high():
    X = _data()
    result = train_and_score(X, {**PARAMS, "epochs": 40})
    top = np.argsort(-result.reconstruction_loss)[:15]
    assert len(set(top) & set(range(5))) >= 4


def test_kl_is_active_and_decreases():
    result = train_and_score(_data(), PARAMS)
    kl = result.history["kl"].to_numpy()
    assert (kl > 0).all()
    assert kl[-1] < kl[0]


def test_masked_mse_ignores_masked_entries_exactly():
    x = torch.tensor([[1.0, 2.0, 3.0]])
    recon = torch.tensor([[1.5, 100.0, 3.0]])
    mask = torch.tensor([[1.0, 0.0, 1.0]])
    assert float(masked_mse(recon, x, mask)[0]) == pytest.approx(0.25 / 2)


def test_kl_of_standard_normal_is_zero():
    assert float(kl_divergence(torch.zeros(1, 3), torch.zeros(1, 3))[0]) == 0.0


def test_input_is_not_modified_and_missing_is_not_imputed_into_the_score():
    X = _data()
    before = X.copy()
    result = train_and_score(X, PARAMS)
    assert np.array_equal(X, before, equal_nan=True)
    assert (result.contributions[10:20, 2] == 0).all()


def test_scaler_is_fitted_on_training_data():
    from symfind.detect.features import Standardiser

    X = np.array([[1.0, 10.0], [3.0, np.nan], [5.0, 30.0]])
    scaler = Standardiser.fit(X)
    assert scaler.center.tolist() == [3.0, 20.0]
    assert scaler.scale[0] == pytest.approx(np.std([1, 3, 5]))


def test_flag_anomalies_fraction_and_ties():
    ids = np.array([5, 3, 9, 1])
    scores = np.array([1.0, 2.0, 2.0, 0.5])
    rank, flagged = flag_anomalies(ids, scores, 0.5)
    assert rank.tolist() == [3, 1, 2, 4]
    assert flagged.tolist() == [False, True, True, False]


def test_median_mode_counts_every_entry():
    X = _data()
    result = train_and_score(X, {**PARAMS, "missing": "median"})
    assert (result.contributions[10:20, 2] > 0).any()  # the imputed entry is in the loss (original recipe)
    assert np.isnan(X[10:20, 2]).all()  # and still missing in the data


def test_validation_split_and_early_stopping():
    X = _data()
    result = train_and_score(X, {**PARAMS, "epochs": 200, "validation_fraction": 0.2, "patience": 3, "lr": 5e-2})
    history = result.history
    assert "validation_loss" in history and len(history) < 200  # stopped early
    assert len(result.reconstruction_loss) == len(X)  # held-out rows are scored too


def test_unknown_missing_mode():
    with pytest.raises(ValueError, match="vae.missing"):
        train_and_score(_data(), {**PARAMS, "missing": "zero"})


# -- the chi2 loss (measurement errors in the loss and the score) ------------------------------------

def test_chi2_loss_equals_a_hand_computation():
    x = np.array([[1.0, 2.0, 3.0], [0.5, np.nan, -1.0]])
    errors = np.array([[0.1, 0.2, 0.5], [0.05, 0.1, np.nan]])  # the last entry has no error: masked
    scale = np.array([2.0, 1.0, 4.0])
    recon = np.array([[1.3, 1.0, 2.0], [0.4, 7.0, 9.0]])
    sigma_int = 0.1
    mask = np.isfinite(x).astype(float)
    weights = loss_weights(x, errors, scale, "chi2", sigma_int, mask)
    got = masked_chi2(torch.tensor(recon), torch.tensor(np.nan_to_num(x)), torch.tensor(weights)).numpy()
    by_hand = [
        (0.3**2) / ((0.1**2 + 0.1**2) / 4.0) + (1.0**2) / ((0.2**2 + 0.1**2) / 1.0) + (1.0**2) / ((0.5**2 + 0.1**2) / 16.0),
        (0.1**2) / ((0.05**2 + 0.1**2) / 4.0),  # the NaN value and the entry without an error add nothing
    ]
    np.testing.assert_allclose(got, by_hand, rtol=1e-12)


def test_masked_entries_contribute_nothing_to_chi2():
    x = torch.tensor([[1.0, 2.0, 3.0]])
    weight = torch.tensor([[4.0, 0.0, 1.0]])
    a = masked_chi2(torch.tensor([[1.5, 2.0, 3.0]]), x, weight)
    b = masked_chi2(torch.tensor([[1.5, 1e6, 3.0]]), x, weight)
    assert float(a) == float(b) == 1.0


def test_chi2_score_is_the_tail_probability():
    from scipy.stats import chi2

    score = chi2_score(np.array([3.0, 30.0, 0.0]), np.array([3, 3, 0]))
    np.testing.assert_allclose(score[:2], -np.log10(chi2.sf([3.0, 30.0], 3)))
    assert score[2] == 0.0  # nothing observed, nothing anomalous


def _errors_data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.normal(0, 1, (n, 1))
    X = np.hstack([base + rng.normal(0, 0.05, (n, 1)) * k for k in range(1, 7)])
    E = np.full_like(X, 0.05)
    return X, E


def test_a_feature_with_a_huge_error_cannot_make_an_object_anomalous():
    X, E = _errors_data()
    X[7, 4] += 6.0  # a wild value in one feature of object 7 ...
    params = {**PARAMS, "epochs": 40, "loss": "chi2", "sigma_int": 0.02}
    noisy = E.copy()
    noisy[7, 4] = 50.0  # ... that its own error says is meaningless
    quiet = train_and_score(X, params, errors=noisy)
    assert np.argsort(-quiet.anomaly_score).tolist().index(7) > 0.1 * len(X)  # not near the top
    precise = train_and_score(X, params, errors=E)  # the same value with an ordinary error is anomalous
    assert np.argsort(-precise.anomaly_score).tolist().index(7) < 5
    assert precise.contributions[7].argmax() == 4  # and the explanation points at the feature


def test_chi2_needs_errors_and_the_mask():
    X, _ = _errors_data(100)
    from symfind.io import InputError

    with pytest.raises(InputError, match="needs the measurement errors"):
        train_and_score(X, {**PARAMS, "loss": "chi2", "sigma_int": 0.02})
    with pytest.raises(InputError, match="vae.missing 'mask'"):
        train_and_score(X, {**PARAMS, "loss": "chi2", "sigma_int": 0.02, "missing": "median"}, errors=np.ones_like(X))


def test_batch_grows_only_above_the_step_limit():
    from symfind.detect.vae import effective_batch_size

    assert effective_batch_size(2958, 64, 400) == 64  # the sample sky: the configured batch
    assert effective_batch_size(64 * 400, 64, 400) == 64
    assert effective_batch_size(64 * 400 + 1, 64, 400) == 65
    assert effective_batch_size(150_000, 64, 400) == 375  # 400 steps per epoch
    assert effective_batch_size(150_000, 64, None) == 64  # seed preset: never grown


def test_a_step_limit_that_is_not_reached_changes_nothing():
    X = _data()
    fixed = train_and_score(X, {**PARAMS, "max_steps_per_epoch": None})
    limited = train_and_score(X, {**PARAMS, "max_steps_per_epoch": 10})  # 600 rows / 64 = 10 steps
    assert np.array_equal(fixed.reconstruction_loss, limited.reconstruction_loss)
    grown = train_and_score(X, {**PARAMS, "max_steps_per_epoch": 2})  # batch 300: another fit
    assert not np.array_equal(fixed.reconstruction_loss, grown.reconstruction_loss)


def test_grown_batch_still_finds_the_outliers():
    X = _data(n=3000)
    result = train_and_score(X, {**PARAMS, "epochs": 40, "max_steps_per_epoch": 5})  # batch 600
    top = np.argsort(-result.reconstruction_loss)[:15]
    assert len(set(top) & set(range(5))) >= 4


def test_training_on_a_subsample_scores_every_object(caplog):
    X = _data(n=2000)
    with caplog.at_level("INFO", logger="symfind.detect.vae"):
        result = train_and_score(X, {**PARAMS, "train_max_objects": 500})
    assert "training on a random subsample of 500 of 2000 objects" in caplog.text
    assert len(result.reconstruction_loss) == len(X) and np.isfinite(result.reconstruction_loss).all()
    full = train_and_score(X, PARAMS)
    assert not np.array_equal(full.reconstruction_loss, result.reconstruction_loss)
    top = np.argsort(-result.reconstruction_loss)[:15]
    assert len(set(top) & set(range(5))) >= 4  # the outliers, scored though most were not trained on


def test_foreach_adam_is_the_per_tensor_loop_bit_for_bit():
    """The training loop uses Adam's foreach implementation for speed; the sample sky's products
    stay byte-identical only if it is the same arithmetic as the per-tensor loop."""
    from symfind.detect.vae import _build_model, masked_chi2

    finals = []
    for foreach in (False, True):
        torch.manual_seed(3)
        model = _build_model(12, 16, 3, 6, 4)
        optimiser = torch.optim.Adam(model.parameters(), lr=1e-2, foreach=foreach)
        data = torch.randn(256, 12, generator=torch.Generator().manual_seed(1))
        condition = torch.randn(256, 4, generator=torch.Generator().manual_seed(2))
        for step in range(20):
            rows = slice(32 * (step % 8), 32 * (step % 8) + 32)
            recon, mu, logvar = model(torch.cat([data[rows], condition[rows]], dim=1), condition[rows])
            loss = masked_chi2(recon, data[rows, :6], torch.ones(32, 6)).mean() + (mu**2).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        finals.append([p.detach().clone() for p in model.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*finals))


def test_trained_chi2_score_is_the_tail_probability_of_its_reconstruction_loss():
    """After training (the loop's own objective must not shadow the configured loss name), the
    chi2 model's score is -log10 P(chi2_k > reconstruction loss) with k its counted features, not
    the loss itself; an MSE model's score is its loss."""
    from scipy.stats import chi2

    X, E = _errors_data(300)
    E *= 10  # errors of 0.5 mag: chi2 values inside scipy's range after a short training
    E[5, 2] = np.nan  # an entry without an error is not counted
    result = train_and_score(X, {**PARAMS, "epochs": 3, "loss": "chi2", "sigma_int": 0.02}, errors=E)
    assert result.n_counted[5] == X.shape[1] - 1 and (np.delete(result.n_counted, 5) == X.shape[1]).all()
    tail = chi2.sf(result.reconstruction_loss, result.n_counted)
    usable = tail > 1e-300
    assert usable.sum() > 0.9 * len(X)
    np.testing.assert_allclose(result.anomaly_score[usable], -np.log10(tail[usable]), rtol=1e-9)
    assert not np.allclose(result.anomaly_score, result.reconstruction_loss)
    mse = train_and_score(X, {**PARAMS, "epochs": 3})
    np.testing.assert_array_equal(mse.anomaly_score, mse.reconstruction_loss)


def test_the_vae_reads_only_its_declared_columns(finished_run):
    """The VAE stages read only vae_input_columns of the analysed table: every column any
    configuration reads (spied on) is declared, and the pruned table scores as the whole one."""
    import yaml

    from symfind.detect.detectors import other_variants
    from symfind.detect.vae import score_table, vae_input_columns

    workdir, _ = finished_run
    results = workdir / "results"
    config = yaml.safe_load((results / "config_used.yaml").read_text())
    analysed = pd.read_parquet(results / "analysed.parquet")
    declared = set(vae_input_columns(list(analysed.columns)))
    a_per_ebv, aj_per_ebv = config["dereddening"]["a_per_ebv"], config["cuts"]["aj_per_ebv"]
    configured = {**config["vae"], "epochs": 2}
    configurations = {"configured": configured, **other_variants(configured),
                      **{f"plain {features}": {**configured, "model": "plain", "features": features, "score": "any"}
                         for features in ("magnitudes", "colors", "colors_ir")}}
    real_getitem = pd.DataFrame.__getitem__
    for name, params in configurations.items():
        read: set[str] = set()

        def spy(frame, key, read=read):
            keys = [key] if isinstance(key, str) else list(key) if isinstance(key, list | tuple) else []
            read.update(k for k in keys if isinstance(k, str) and k in analysed.columns)
            return real_getitem(frame, key)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pd.DataFrame, "__getitem__", spy)
            whole, _ = score_table(analysed, params, 1, a_per_ebv, aj_per_ebv)
        assert read and read <= declared, f"{name} reads undeclared column(s) {sorted(read - declared)}"
        if name == "configured":
            pruned, _ = score_table(analysed[sorted(declared)], params, 1, a_per_ebv, aj_per_ebv)
            pd.testing.assert_frame_equal(pruned, whole)
    assert len(declared) < len(analysed.columns) / 2  # what the stage leaves unread is most of the table


def test_the_saved_fit_rescored_with_other_weights_is_a_fresh_training_with_them(finished_run):
    """``score_vae`` rescores the saved fit (``vae_fit.parquet``) when ``vae.symbiotic``,
    ``vae.score`` or ``vae.anomaly_fraction`` change: on the workflow's analysed objects, the fit
    rescored with changed weights equals a VAE trained afresh with them, and differs from the
    default's score (the weights reach the score); the scoring reads only its declared columns."""
    from symfind.config import defaults, vae_fit_settings
    from symfind.detect.symbiotic import score_fit, symbiotic_input_columns
    from symfind.detect.vae import fit_table, score_table

    import yaml

    results = finished_run[0] / "results"
    config = yaml.safe_load((results / "config_used.yaml").read_text())
    analysed = pd.read_parquet(results / "analysed.parquet")
    a_per_ebv, aj_per_ebv = config["dereddening"]["a_per_ebv"], config["cuts"]["aj_per_ebv"]
    configured = {**config["vae"], "epochs": 2}
    fit, _ = fit_table(analysed, vae_fit_settings(configured), 1, a_per_ebv, aj_per_ebv)
    default_scores = score_fit(fit, analysed, configured)
    weights = {**defaults("vae")["symbiotic"], "flicker_weight": 6.0, "blend_factor": 0.1, "flicker_hot_rms_max": 0.2,
               "giant_abs_j": -3.0}
    changed = {**configured, "symbiotic": weights, "anomaly_fraction": 0.1}
    declared = analysed[symbiotic_input_columns(list(analysed.columns))]
    rescored = score_fit(fit, declared, changed)
    fresh, _ = score_table(analysed, changed, 1, a_per_ebv, aj_per_ebv)
    pd.testing.assert_frame_equal(rescored, fresh)
    assert not np.allclose(rescored.sort_values("object_id")["score_symbiotic"],
                           default_scores.sort_values("object_id")["score_symbiotic"])
    assert rescored["is_candidate"].sum() > default_scores["is_candidate"].sum()
    assert "hot_share_hi_u" in fit.columns and "hot_share_hi_u" not in rescored.columns
    by_any = score_fit(fit, declared, {**configured, "score": "any"})
    np.testing.assert_array_equal(by_any["anomaly_score"], by_any["score_any"])
