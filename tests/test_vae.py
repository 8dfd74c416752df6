import numpy as np
import pytest

torch = pytest.importorskip("torch")

from symfind.vae import Scaler, flag_anomalies, kl_divergence, masked_mse, train_and_score  # noqa: E402

PARAMS = {"hidden": 16, "latent": 3, "epochs": 15, "batch_size": 64, "lr": 1e-3, "beta": 1.0, "seed": 42, "device": "cpu",
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
    X = np.array([[1.0, 10.0], [3.0, np.nan], [5.0, 30.0]])
    scaler = Scaler.fit(X)
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
