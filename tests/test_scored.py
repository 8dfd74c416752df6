"""The analysis core: one scored table that every later stage reads."""

import numpy as np
import pandas as pd
import pytest

from symfind.detect.detectors import ml_scores
from symfind.detect.features import FEATURE_SETS, Standardiser, feature_errors, feature_matrix, standardised_filled
from symfind.detect.scored import COLOUR_RULE_COLUMN, baseline_column, scored_rows, scored_table, vae_view

PARAMS = {"features": "colors", "seed": 3, "sigma_int": 0.02}


def _frames(n=120, unscored=(7, 50)):
    rng = np.random.default_rng(5)
    colours = [name for name, _, _ in FEATURE_SETS["colors_ir"] if name.count("_") == 1 and name[0] in "uvgriz"]
    analysed = pd.DataFrame({"object_id": np.arange(1000, 1000 + n), **{c: rng.normal(0, 1, n) for c in colours},
                             **{"e_" + c: rng.uniform(0.01, 0.2, n) for c in colours},
                             **{c: rng.normal(10, 0.5, n) for c in ("j_m", "h_m", "k_m", "w1mpro", "w2mpro", "w3mpro", "w4mpro")}})
    scored_ids = np.setdiff1d(analysed["object_id"], analysed["object_id"].to_numpy()[list(unscored)])
    score = rng.random(len(scored_ids))
    order = np.argsort(-score, kind="stable")
    rank = np.empty(len(score), dtype=np.int64)
    rank[order] = np.arange(1, len(score) + 1)
    vae = pd.DataFrame({"object_id": scored_ids, "anomaly_score": score, "score_any": score, "score_hot_excess": score / 2,
                        "rank": rank, "is_candidate": rank <= 3, "n_features_observed": np.full(len(score), 15),
                        "excess_features": ["u_g" if r <= 3 else "" for r in rank], "latent_1": rng.normal(size=len(score))})
    return analysed, vae.sort_values("rank", ignore_index=True)


def test_one_row_per_analysed_object_with_every_score():
    analysed, vae = _frames()
    variants = pd.DataFrame({"object_id": analysed["object_id"], "score_vae_seed": np.arange(len(analysed), dtype=float)})
    scored = scored_table(analysed, vae, variants, PARAMS, "colors_ir")
    assert scored["object_id"].tolist() == analysed["object_id"].tolist()  # the analysed objects, in their order
    pd.testing.assert_frame_equal(scored[analysed.columns], analysed)  # their columns untouched
    unscored = scored["rank"].isna()
    assert unscored.sum() == 2 and not scored.loc[unscored, "is_candidate"].any()  # no VAE score: no candidate
    assert scored["rank"].dtype == "Int64" and scored["is_candidate"].dtype == bool
    assert scored["score_vae_seed"].tolist() == list(range(len(analysed)))
    # the baselines: computed once, on the objects the VAE scored, as the detectors compute them
    rows = scored_rows(scored)
    X, _ = feature_matrix(rows, "colors")
    np.testing.assert_array_equal(rows[baseline_column("isolation_forest", "colors")], ml_scores(X, "isolation_forest", 3))
    np.testing.assert_array_equal(rows[baseline_column("lof", "colors", True)],
                                  ml_scores(X, "lof", 3, feature_errors(rows, "colors"), 0.02))
    X_rank, _ = feature_matrix(rows, "colors_ir")
    np.testing.assert_array_equal(rows[baseline_column("isolation_forest", "colors_ir")], ml_scores(X_rank, "isolation_forest", 3))
    assert scored.loc[unscored, [baseline_column("pca", "colors"), COLOUR_RULE_COLUMN]].isna().all().all()


def test_vae_view_is_the_vae_table_as_written():
    analysed, vae = _frames()
    view = vae_view(scored_table(analysed, vae, None, PARAMS, "colors"))
    pd.testing.assert_frame_equal(view[vae.columns], vae)


def test_too_few_objects_leave_the_baseline_out():
    analysed, vae = _frames(n=4, unscored=(0, 1))
    scored = scored_table(analysed, vae, None, PARAMS, "colors")
    assert baseline_column("lof", "colors") not in scored.columns  # LOF needs 3 objects, 2 were scored
    assert baseline_column("isolation_forest", "colors") in scored.columns


def test_a_clash_of_columns_is_refused():
    analysed, vae = _frames()
    with pytest.raises(ValueError, match="latent_1"):
        scored_table(analysed.assign(latent_1=0.0), vae, None, PARAMS, "colors")


def test_one_standardiser():
    X = np.array([[1.0, 10.0, np.nan], [3.0, np.nan, np.nan], [5.0, 30.0, np.nan], [7.0, 20.0, np.nan]])
    fitted = Standardiser.fit(X, allow_empty=True)
    assert fitted.center.tolist() == [4.0, 20.0, 0.0] and fitted.scale[2] == 1.0
    assert fitted.scale[0] == pytest.approx(np.std([1, 3, 5, 7]))
    Z = standardised_filled(X)
    assert np.isfinite(Z).all() and Z[1, 1] == 0.0 and (Z[:, 2] == 0).all()  # missing at the centre
    mean = Standardiser.fit(X[:, :1], centre="mean")
    assert mean.center[0] == 4.0
    with pytest.raises(ValueError, match="feature.s. u_v have no observed value"):
        Standardiser.fit(X, names=["g_r", "r_i", "u_v"])  # named by its column, not its index
