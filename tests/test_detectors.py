import numpy as np
import pandas as pd
import pytest

from symfind.detectors import colour_rule_scores, compare_detectors, evaluate, label_sets, ml_scores
from symfind.features import FEATURE_SETS


def test_evaluate_by_hand():
    scores = np.array([0.9, 0.8, 0.1, 0.2, 0.7])
    labels = np.array([True, False, False, False, True])
    result = evaluate(scores, labels, 0.4)  # top 2: objects 0 and 1
    assert result["n_flagged"] == 2 and result["n_known_flagged"] == 1
    assert result["recall"] == 0.5 and result["precision"] == 0.5
    assert result["roc_auc"] == pytest.approx(5 / 6)


@pytest.mark.parametrize("method", ["isolation_forest", "pca", "lof"])
def test_ml_baselines_find_planted_outliers(method):
    rng = np.random.default_rng(0)
    base = rng.normal(0, 1, (800, 1))
    X = np.hstack([base * k + rng.normal(0, 0.05, (800, 1)) for k in (1, 2, -1, 0.5)])
    X[:8] += rng.choice([-6, 6], (8, 4))
    X[20:30, 1] = np.nan
    scores = ml_scores(X, method, seed=1)
    assert np.isfinite(scores).all() and len(scores) == 800
    assert len(set(np.argsort(-scores)[:16]) & set(range(8))) >= 6


def test_colour_rule_ranks_infrared_excess_first():
    table = pd.DataFrame({"j_m": [10.0, 10.0, 10.0], "h_m": [9.2, 9.2, 9.0], "k_m": [9.0, 9.0, 8.6],
                          "w1mpro": [8.9, 8.9, 8.0], "w3mpro": [8.8, 8.8, 6.0], "w4mpro": [8.7, np.nan, 4.5]})
    scores = colour_rule_scores(table)
    assert np.argmax(scores) == 2


def test_comparison_has_every_detector_and_label_set():
    rng = np.random.default_rng(2)
    n = 300
    names = [name for name, _, _ in FEATURE_SETS["colors"]]
    merged = pd.DataFrame({"object_id": np.arange(n), **{c: rng.normal(0, 1, n) for c in names},
                           **{"e_" + c: rng.uniform(0.01, 0.3, n) for c in names},
                           **{c: rng.normal(10, 0.3, n) for c in ("j_m", "h_m", "k_m", "w1mpro", "w3mpro", "w4mpro")}})
    losses = pd.DataFrame({"object_id": np.arange(n), "anomaly_score": rng.random(n)})
    other = pd.DataFrame({"object_id": np.arange(n), "anomaly_score": rng.random(n)})
    matches = pd.DataFrame({"object_id": [1, 2, 3]})
    truth = pd.DataFrame({"object_id": np.arange(n), "population": ["symbiotic_s" if k < 10 else "k_giant" for k in range(n)]})
    params = {"features": "colors", "anomaly_fraction": 0.02, "seed": 1, "loss": "chi2", "sigma_int": 0.02}
    table = compare_detectors(merged, losses, matches, truth, params, other)
    assert set(table["detector"]) == {"vae", "isolation_forest", "pca", "lof", "colour_rule"}
    both = table[table["detector"] != "colour_rule"].groupby(["detector", "labels"])["errors"].apply(set)
    assert (both == {"ignored", "used"}).all()  # every detector with and without the errors
    assert set(table["labels"]) == {"catalogue", "truth"}
    assert (table.loc[table["labels"] == "truth", "n_known"] == 10).all()
    assert label_sets(np.arange(5), matches, None).keys() == {"catalogue"}


def test_comparison_trains_the_other_loss_unless_told_not_to(tmp_path):
    pytest.importorskip("torch")
    from symfind.comparison import run_compare

    rng = np.random.default_rng(4)
    n = 200
    names = [name for name, _, _ in FEATURE_SETS["magnitudes"]]
    merged = pd.DataFrame({"object_id": np.arange(n), **{c: rng.normal(12, 1, n) for c in names},
                           **{"e_" + c: rng.uniform(0.01, 0.1, n) for c in names if c.endswith("_psf")},
                           **{f"{b}_msigcom": rng.uniform(0.02, 0.05, n) for b in "jhk"},
                           **{c: rng.normal(10, 0.3, n) for c in ("w1mpro", "w2mpro", "w3mpro", "w4mpro")}})
    merged.to_parquet(tmp_path / "merged.parquet")
    pd.DataFrame({"object_id": np.arange(n), "anomaly_score": rng.random(n), "is_candidate": np.arange(n) < 4}).to_csv(
        tmp_path / "losses.csv", index=False)
    pd.DataFrame({"object_id": [1, 2]}).to_csv(tmp_path / "matches.csv", index=False)
    params = {"features": "magnitudes", "loss": "chi2", "sigma_int": 0.02, "hidden": 8, "latent": 2, "epochs": 2, "batch_size": 64,
              "lr": 1e-3, "beta": 1.0, "anomaly_fraction": 0.02, "missing": "mask", "validation_fraction": 0.0, "patience": 5,
              "seed": 1, "device": "cpu", "compare_losses": True}
    for compare, expected in ((True, {"used", "ignored"}), (False, {"used"})):
        table = run_compare(tmp_path / "merged.parquet", tmp_path / "losses.csv", tmp_path / "matches.csv", None,
                            {**params, "compare_losses": compare}, tmp_path / "t.csv", tmp_path / "t.png", tmp_path / "m.png")
        assert set(table.loc[table["detector"] == "vae", "errors"]) == expected
        assert (tmp_path / "m.png").stat().st_size > 0
