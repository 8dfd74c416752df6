import numpy as np
import pandas as pd
import pytest

from symfind.rank.comparison import compare_detectors, label_sets
from symfind.detect.detectors import colour_rule_scores, ml_scores, subsample_rows
from symfind.rank.evaluation import evaluate
from symfind.detect.features import FEATURE_SETS
from symfind.detect.scored import scored_table


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


def test_comparison_has_every_detector_label_set_and_fraction():
    rng = np.random.default_rng(2)
    n = 300
    names = [name for name, _, _ in FEATURE_SETS["colors"]]
    merged = pd.DataFrame({"object_id": np.arange(n), **{c: rng.normal(0, 1, n) for c in names},
                           **{"e_" + c: rng.uniform(0.01, 0.3, n) for c in names},
                           **{c: rng.normal(10, 0.3, n) for c in ("j_m", "h_m", "k_m", "w1mpro", "w3mpro", "w4mpro")}})
    planted = np.arange(n) < 10  # the hot-excess score finds the planted stars, the other scores do not
    losses = pd.DataFrame({"object_id": np.arange(n), "score_hot_excess": rng.random(n) + 2 * planted,
                           "score_symbiotic": rng.random(n) + 2 * planted,
                           "score_any": rng.random(n), "rank": np.arange(1, n + 1), "is_candidate": np.arange(n) < 6})
    losses["anomaly_score"] = losses["score_symbiotic"]
    others = pd.DataFrame({"object_id": np.arange(n), "score_vae_plain_chi2": rng.random(n), "score_vae_seed": rng.random(n)})
    matches = pd.DataFrame({"object_id": [1, 2, 3]})
    truth = pd.DataFrame({"object_id": np.arange(n), "population": ["symbiotic_s" if k < 10 else "k_giant" for k in range(n)]})
    params = {"model": "conditional", "features": "colors", "anomaly_fraction": 0.02, "seed": 1, "loss": "chi2", "sigma_int": 0.02}
    table = compare_detectors(scored_table(merged, losses, others, params, "colors"), matches, truth, params)
    assert set(table["detector"]) == {"vae_conditional_symbiotic", "vae_conditional_hot_excess", "vae_conditional_any", "vae_plain_chi2", "vae_seed",
                                      "isolation_forest", "pca", "lof", "colour_rule"}
    baselines = table[table["detector"].isin(["isolation_forest", "pca", "lof"])]
    assert (baselines.groupby(["detector", "labels", "top_fraction"])["errors"].apply(set) == {"ignored", "used"}).all()
    assert set(table["labels"]) == {"catalogue", "truth"}
    assert set(table["top_fraction"]) == {0.02, 0.01}
    assert (table.loc[table["labels"] == "truth", "n_known"] == 10).all()
    hot = table[(table["detector"] == "vae_conditional_hot_excess") & (table["labels"] == "truth")].set_index("top_fraction")
    assert hot.loc[0.02, "n_flagged"] == 6 and hot.loc[0.02, "recall"] == 0.6  # all 6 flagged are planted stars
    assert hot.loc[0.01, "n_flagged"] == 3 and hot.loc[0.01, "precision"] == 1.0
    assert label_sets(np.arange(5), matches, None).keys() == {"catalogue"}


def test_comparison_trains_the_other_variants_unless_told_not_to(tmp_path):
    """The variants are trained by their own rule (beside the configured VAE); the comparison shows
    every VAE variant, or only the configured one with vae.compare_losses false."""
    pytest.importorskip("torch")
    from symfind.detect.detectors import other_variants
    from symfind.stages.anomaly import score_objects, train_vae_variants
    from symfind.stages.known import compare_detectors as run_compare

    rng = np.random.default_rng(4)
    n = 200
    names = [name for name, _, _ in FEATURE_SETS["magnitudes"]]
    colours = [name for name, _, _ in FEATURE_SETS["colors"]]
    merged = pd.DataFrame({"object_id": np.arange(n), **{c: rng.normal(12, 1, n) for c in names},
                           **{"e_" + c: rng.uniform(0.01, 0.1, n) for c in names if c.endswith("_psf")},
                           **{f"{b}_msigcom": rng.uniform(0.02, 0.05, n) for b in "jhk"},
                           **{c: rng.normal(10, 0.3, n) for c in ("w1mpro", "w2mpro", "w3mpro", "w4mpro")},
                           **{c: rng.normal(1, 0.3, n) for c in colours}, **{"e_" + c: rng.uniform(0.01, 0.05, n) for c in colours},
                           "ebv": rng.uniform(0, 0.2, n), "jk0": rng.normal(1.1, 0.1, n), "abs_j": rng.normal(-4, 1, n)})
    merged.to_parquet(tmp_path / "analysed.parquet")
    pd.DataFrame({"object_id": np.arange(n), "anomaly_score": rng.random(n), "score_any": rng.random(n),
                  "score_hot_excess": rng.random(n), "score_symbiotic": rng.random(n), "rank": np.arange(1, n + 1),
                  "is_candidate": np.arange(n) < 4}).to_parquet(tmp_path / "vae_scores.parquet")
    pd.DataFrame({"object_id": [1, 2]}).to_csv(tmp_path / "matches.csv", index=False)
    params = {"model": "conditional", "score": "hot_excess", "features": "magnitudes", "loss": "chi2", "sigma_int": 0.02,
              "hidden": 8, "latent": 2, "epochs": 2, "batch_size": 64, "lr": 1e-3, "beta": 1.0, "anomaly_fraction": 0.02,
              "missing": "mask", "validation_fraction": 0.0, "patience": 5, "seed": 1, "device": "cpu", "compare_losses": True}
    a_per_ebv = {"u": 4.294, "v": 4.026, "g": 2.986, "r": 2.288, "i": 1.588, "z": 1.206}
    assert set(other_variants(params)) == {"vae_plain_chi2", "vae_seed"}
    assert set(other_variants({**params, "model": "plain"})) == {"vae_conditional_symbiotic", "vae_seed"}
    conditional = {"vae_conditional_symbiotic", "vae_conditional_hot_excess", "vae_conditional_any"}
    every_vae = conditional | {"vae_plain_chi2", "vae_seed"}
    for compare, expected in ((True, every_vae), (False, conditional)):
        variants = train_vae_variants(tmp_path / "analysed.parquet", {**params, "compare_losses": compare}, tmp_path / "variants.parquet",
                                      a_per_ebv=a_per_ebv)
        assert len(variants) == n and set(variants.columns) == {"object_id"} | {f"score_{v}" for v in expected - conditional}
        score_objects(tmp_path / "analysed.parquet", tmp_path / "vae_scores.parquet", tmp_path / "variants.parquet", params,
                      "colors", tmp_path / "scored.parquet")
        table = run_compare(tmp_path / "scored.parquet", tmp_path / "matches.csv", None, {**params, "compare_losses": compare},
                            tmp_path / "t.csv", tmp_path / "t.png", tmp_path / "m.png")
        assert set(table.loc[table["detector"].str.startswith("vae"), "detector"]) == expected
        assert (tmp_path / "m.png").stat().st_size > 0


@pytest.mark.parametrize("method", ["isolation_forest", "pca", "lof"])
def test_baselines_fitted_on_a_subsample_score_every_object(method):
    """Above max_fit_objects a baseline learns from a random subsample and still scores every row,
    a planted outlier outside the subsample first; at or below it, exactly as without the cap."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3_000, 4))
    fitted = subsample_rows(len(X), 500, seed=1)
    outlier = int(np.setdiff1d(np.arange(len(X)), fitted)[7])
    X[outlier] = 8.0
    capped = ml_scores(X, method, seed=1, max_fit_objects=500)
    assert capped.shape == (3_000,) and np.isfinite(capped).all() and int(np.argmax(capped)) == outlier
    np.testing.assert_array_equal(ml_scores(X, method, seed=1, max_fit_objects=3_000), ml_scores(X, method, seed=1))
    assert subsample_rows(3_000, 3_000, seed=1) is None and subsample_rows(3_000, None, seed=1) is None


@pytest.mark.parametrize("model", ["conditional", "plain"])
def test_the_variants_are_given_the_symbiotic_weights_exactly_when_one_of_them_scores_by_them(model):
    """Rule ``train_vae_variants`` is given ``vae.symbiotic`` only where a variant it trains scores
    by it, so a changed weight does not retrain the default comparison's VAEs; the training job
    (``train_vae``) is never given the scoring's or the comparison's settings."""
    from symfind.config import VAE_COMPARISON_KEYS, VAE_SCORING_KEYS, defaults, vae_fit_settings, vae_variant_settings
    from symfind.detect.detectors import VAE_VARIANTS, other_variants

    vae = {**defaults("vae"), "model": model}
    scores_by_weights = any(VAE_VARIANTS[name][1] == "score_symbiotic" for name in other_variants(vae))
    assert ("symbiotic" in vae_variant_settings(vae)) == scores_by_weights
    assert scores_by_weights == (model == "plain")
    assert not set(vae_fit_settings(vae)) & {*VAE_SCORING_KEYS, *VAE_COMPARISON_KEYS}
    assert set(vae_fit_settings(vae)) | {*VAE_SCORING_KEYS, *VAE_COMPARISON_KEYS} == set(vae)
