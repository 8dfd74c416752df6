"""The semi-supervised ranking: hidden labels never reach training, and it finds what it is shown."""

import numpy as np
import pandas as pd
import pytest

from symfind.rank import ranking
from symfind.io import InputError
from symfind.products import PRODUCTS
from symfind.rank.evaluation import top_hits
from symfind.detect.features import FEATURE_SETS
from symfind.rank.ranking import evaluate_ranking, nearest_known_star, pu_bagging_scores, split_labels

PARAMS = {"method": "pu_bagging", "features": "colors_ir", "n_bags": 5, "label_fraction": 0.3, "n_splits": 3,
          "top_fractions": [0.02, 0.01], "seed": 3}


def _toy(n=600, n_pos=40, seed=0):
    """A toy sky: positives are blue in one feature and red in another; the rest are noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    labels = np.zeros(n, dtype=bool)
    labels[:n_pos] = True
    X[labels, 0] -= 3.0
    X[labels, 1] += 3.0
    X[rng.random((n, 5)) < 0.05] = np.nan  # missing values stay missing
    return X, labels


def test_split_known_and_hidden_partition_the_labels():
    labels = np.zeros(100, dtype=bool)
    labels[::7] = True
    for known, hidden in split_labels(labels, 0.3, 5, seed=1):
        assert not (known & hidden).any() and ((known | hidden) == labels).all()
        assert known.sum() == round(0.3 * labels.sum())


def test_hidden_labels_never_reach_the_ranker(monkeypatch):
    X, labels = _toy()
    table = pd.DataFrame({"anomaly_score": np.abs(np.random.default_rng(1).normal(size=len(X)))})
    seen = []
    real = ranking.rank_scores

    def spy(method, X_, known, anomaly, params, seed, prior=None, negatives=None, threads=1):
        seen.append(known.copy())
        return real(method, X_, known, anomaly, params, seed, prior, negatives, threads)

    monkeypatch.setattr(ranking, "rank_scores", spy)
    evaluate_ranking(table, X, labels, PARAMS, baselines={})
    splits = list(split_labels(labels, PARAMS["label_fraction"], PARAMS["n_splits"], PARAMS["seed"]))
    assert len(seen) == len(splits) * len(ranking.RANK_METHODS)  # the ranker was called on every split
    per_split = len(seen) // len(splits)
    for k, (known, hidden) in enumerate(splits):
        for mask in seen[k * per_split:(k + 1) * per_split]:
            assert (mask == known).all() and not (mask & hidden).any()


def test_the_bagging_left_unset_uses_the_shipped_rank_settings():
    """One source for the bagging's sizes: a call that leaves them out draws and fits exactly as
    one given config.yaml's ``rank.n_bags``, ``draw_factor`` and ``n_trees``, and not as one given
    other sizes."""
    from symfind.config import defaults

    X, _ = _toy()
    known = np.zeros(len(X), dtype=bool)
    known[:5] = True
    shipped = defaults("rank")
    unset, _ = pu_bagging_scores(X, known, seed=3)
    given, _ = pu_bagging_scores(X, known, seed=3, n_bags=shipped["n_bags"], draw_factor=shipped["draw_factor"],
                                 n_trees=shipped["n_trees"])
    np.testing.assert_array_equal(unset, given)
    other, _ = pu_bagging_scores(X, known, seed=3, draw_factor=2)
    assert not np.array_equal(unset, other)


def test_scores_do_not_depend_on_which_unlabelled_objects_are_positive():
    X, labels = _toy()
    known = np.zeros(len(X), dtype=bool)
    known[:12] = True
    a, _ = pu_bagging_scores(X, known, seed=5, n_bags=4)
    b, _ = pu_bagging_scores(X.copy(), known.copy(), seed=5, n_bags=4)
    np.testing.assert_array_equal(a, b)  # same seed, same known mask: same scores (repeatable)


def test_scores_do_not_depend_on_the_number_of_threads(monkeypatch):
    import symfind.rank.ranking as ranking

    monkeypatch.setattr(ranking, "PARALLEL_BAGS_MIN_ROWS", 0)  # the toy sky is small: take the threaded path anyway
    X, labels = _toy()
    known = np.zeros(len(X), dtype=bool)
    known[:12] = True
    one, importance_one = pu_bagging_scores(X, known, seed=5, n_bags=5)
    three, importance_three = pu_bagging_scores(X, known, seed=5, n_bags=5, threads=3)
    np.testing.assert_array_equal(one, three)
    np.testing.assert_array_equal(importance_one, importance_three)


def test_rank_n_trees_sets_the_trees_of_every_bag(monkeypatch):
    from sklearn.ensemble import RandomForestClassifier

    grown = []

    class Counting(RandomForestClassifier):
        def fit(self, X, y, sample_weight=None):
            grown.append(self.n_estimators)
            return super().fit(X, y, sample_weight)

    monkeypatch.setattr("sklearn.ensemble.RandomForestClassifier", Counting)
    X, labels = _toy()
    known = np.zeros(len(X), dtype=bool)
    known[:12] = True
    few, _ = ranking.rank_scores("pu_bagging", X, known, np.zeros(len(X)), {**PARAMS, "n_bags": 3, "n_trees": 2}, seed=5)
    assert grown == [2, 2, 2]
    many, _ = ranking.rank_scores("pu_bagging", X, known, np.zeros(len(X)), {**PARAMS, "n_bags": 3, "n_trees": 40}, seed=5)
    assert grown[3:] == [40, 40, 40]
    assert len(np.unique(many)) > len(np.unique(few))  # more trees: finer scores


def test_pu_bagging_finds_hidden_positives_and_names_the_features():
    X, labels = _toy()
    known = np.zeros(len(X), dtype=bool)
    known[:12] = True
    hidden = labels & ~known
    scores, importances = pu_bagging_scores(X, known, seed=5, n_bags=10)
    n_flag = int(hidden.sum())
    assert top_hits(scores, hidden, known, n_flag) >= 0.7 * n_flag  # random ranking finds ~5%
    assert set(np.argsort(-importances)[:2]) == {0, 1}  # the two features that make a positive


def test_a_sky_with_many_known_stars_still_scores_every_unlabelled_object_out_of_bag():
    """30 known stars x draw_factor 40 asks for 1,200 negatives of the 570 unlabelled objects: a
    bag draws at most half of them, so each is out of bag in some bags and the hidden positives
    are found (drawing all of them into every bag would leave every score at 0)."""
    X, labels = _toy()
    known = labels.copy()
    known[30:40] = False  # ten positives hidden among the unlabelled
    fit = ranking.pu_bagging_fit(X, known, seed=5, n_bags=30, draw_factor=40)
    assert np.isfinite(fit.disagreement[~known]).all()  # every row scored out of bag, in two bags or more
    hidden = labels & ~known
    assert top_hits(fit.scores, hidden, known, 10) >= 7


def test_no_known_star_is_said_clearly():
    from symfind.status import Skipped

    X, _ = _toy()
    with pytest.raises(Skipped, match="at least 1 known symbiotic star"):
        pu_bagging_scores(X, np.zeros(len(X), dtype=bool), seed=0)


def test_nearest_known_star_is_never_itself():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [0.02, 0.0]])
    known = np.array([True, True, False, False])
    names, distance = nearest_known_star(X, known, np.array(["A", "B", "", ""], dtype=object))
    assert list(names) == ["B", "A", "B", "A"]  # a known star's nearest is the other one, never itself
    assert (distance > 0).all() and distance[3] < distance[2]


def test_ranking_products(finished_run):
    results = finished_run[0] / "results"
    ranked = pd.read_csv(results / PRODUCTS["candidates_ranked"])
    losses = pd.read_parquet(results / PRODUCTS["vae_scores"])
    matches = pd.read_csv(results / PRODUCTS["known_matches"])
    assert sorted(ranked["object_id"]) == sorted(losses["object_id"])
    assert set(ranked.loc[ranked["is_known_symbiotic"], "object_id"]) == set(matches["object_id"])
    new = ranked[~ranked["is_known_symbiotic"]]
    assert new["rank"].tolist() == list(range(1, len(new) + 1)) and new["rank_score"].is_monotonic_decreasing
    assert ranked.loc[ranked["is_known_symbiotic"], "rank"].isna().all()
    evaluation = pd.read_csv(results / PRODUCTS["ranking_evaluation"])
    methods = set(evaluation["method"])
    assert {"rank:pu_bagging", "rank:nearest_known", "vae", "isolation_forest", "colour_rule"} <= methods
    mean = evaluation[evaluation["split"] == "mean"]
    assert set(mean["top_fraction"]) == {0.02, 0.01} and (mean["n_hidden"] > 0).all()


def test_ranking_inputs_add_what_they_name():
    rng = np.random.default_rng(0)
    n = 40
    colours = [name for name, _, _ in FEATURE_SETS["colors_ir"]]
    merged = pd.DataFrame({"object_id": np.arange(n), **{c: rng.normal(0, 1, n) for c in colours if "_" in c},
                           **{c: rng.normal(10, 1, n) for c in ("j_m", "h_m", "k_m", "w1mpro", "w2mpro", "w3mpro", "w4mpro")},
                           "chi2r_u": rng.random(n), "amp_u": rng.random(n), "chi2r_r": rng.random(n), "amp_r": rng.random(n)})
    losses = pd.DataFrame({"object_id": np.arange(n), "anomaly_score": rng.random(n), "score_any": rng.random(n),
                           "score_hot_excess": rng.random(n), "latent_1": rng.random(n), "latent_2": rng.random(n),
                           "excess_z_u_g": rng.random(n), "excess_z_g_r": rng.random(n)})
    n_colours = len(FEATURE_SETS["colors_ir"])
    rows = merged.merge(losses, on="object_id")
    X, names = ranking.ranking_features(rows, "colors_ir", [])
    assert X.shape == (n, n_colours) and names == colours
    X, names = ranking.ranking_features(rows, "colors_ir", ["latent", "scores"])
    assert names[n_colours:] == ["latent_1", "latent_2", "vae_score", "score_any", "score_hot_excess"]
    np.testing.assert_array_equal(X[:, names.index("score_hot_excess")], losses["score_hot_excess"])
    X, names = ranking.ranking_features(rows, "colors_ir", ["variability", "residuals"])  # order fixed
    assert names[n_colours:] == ["excess_z_u_g", "excess_z_g_r", "chi2r_u", "amp_u", "chi2r_r", "amp_r"]
    with pytest.raises(InputError, match="rank.inputs"):
        ranking.ranking_features(rows, "colors_ir", ["latent", "colour"])


def test_truth_precision_counts_uncatalogued_finds():
    n = 100
    labels = np.zeros(n, dtype=bool)
    labels[:10] = True  # catalogued
    truth = labels.copy()
    truth[10:15] = True  # symbiotic, not in any catalogue
    table = pd.DataFrame({"anomaly_score": np.zeros(n)})
    params = {"label_fraction": 0.5, "n_splits": 2, "seed": 1, "top_fractions": [0.1], "n_bags": 2, "method": "pu_bagging"}
    perfect = np.where(truth, 2.0, 0.0) + np.linspace(0, 1, n)  # every symbiotic star first
    evaluation = evaluate_ranking(table, np.zeros((n, 1)), labels, params, {"perfect": perfect}, truth=truth)
    row = evaluation[(evaluation["method"] == "perfect") & (evaluation["split"] == "mean")].iloc[0]
    # 10 flagged among the 95 not known: the 5 hidden and the 5 uncatalogued ones
    assert row["n_flagged"] == 10 and row["recall"] == 1.0 and row["precision"] == 0.5 and row["precision_truth"] == 1.0


def test_the_giant_prior_puts_a_star_too_faint_for_a_giant_below_the_giants():
    """The ranking's score is the PU score times the scored table's giant_weight (rank.giant_prior):
    a young star that looks like the known stars in every feature ranks below the giants like it;
    with the prior off, or a table without the column, the scores are the forests' own."""
    X, labels = _toy()
    faint = np.flatnonzero(~labels)[:3]
    X[faint] = X[labels].mean(axis=0)  # colours like the known stars'
    weight = np.ones(len(X))
    weight[faint] = 0.01
    table = pd.DataFrame({"giant_weight": weight})
    prior = ranking.giant_prior(table, PARAMS)
    np.testing.assert_array_equal(prior, weight)
    own, _ = ranking.rank_scores("pu_bagging", X, labels, np.zeros(len(X)), PARAMS, 1)
    scores, _ = ranking.rank_scores("pu_bagging", X, labels, np.zeros(len(X)), PARAMS, 1, prior)
    np.testing.assert_allclose(scores, own * weight)
    others = np.setdiff1d(np.flatnonzero(~labels), faint)
    # the forests alone rank them above most of the sky; with the prior more objects rank above
    # the best of them than ranked above the worst of them before
    above_worst_before = int((own[others] > own[faint].min()).sum())
    above_best_after = int((scores[others] > scores[faint].max()).sum())
    assert above_worst_before < 0.2 * len(others) and above_best_after > 5 * above_worst_before
    assert ranking.giant_prior(table, {**PARAMS, "giant_prior": False}) is None
    assert ranking.giant_prior(pd.DataFrame({"x": np.ones(3)}), PARAMS) is None


def test_weighted_top_takes_rows_until_they_stand_for_the_places():
    scores = np.array([9.0, 8.0, 7.0, 6.0, 5.0])
    positives = np.array([False, True, False, True, True])
    weights = np.array([1.0, 10.0, 10.0, 1.0, 10.0])
    # 12 places: rows 0 (1), 1 (10) and 2 (10; it starts at place 12) stand for them; row 3 starts beyond
    assert top_hits(scores, positives, None, 12, weights) == 10.0
    assert top_hits(scores, positives, None, 11, weights) == 10.0
    assert top_hits(scores, positives, None, 1, weights) == 0.0
    assert top_hits(scores, positives, None, 22, weights) == 11.0
    # weights of one are the unweighted count
    assert top_hits(scores, positives, None, 2, np.ones(5)) == top_hits(scores, positives, None, 2) == 1


def test_evaluation_rows_keep_every_label_and_stand_for_the_whole_sky():
    keep = np.zeros(10_000, dtype=bool)
    keep[[3, 500, 9_999]] = True
    rows, weights = ranking.evaluation_rows(keep, 1_000, seed=4)
    assert len(rows) == 1_003 and np.all(np.diff(rows) > 0) and keep[rows].sum() == 3
    assert np.all(weights[keep[rows]] == 1.0) and np.allclose(weights[~keep[rows]], 9_997 / 1_000)
    assert np.isclose(weights.sum(), 10_000)
    assert ranking.evaluation_rows(keep, 9_997, seed=4) == (None, None)  # no more than the cap: every row
    assert ranking.evaluation_rows(keep, None, seed=4) == (None, None)


def test_evaluation_on_a_subsample_counts_the_places_of_the_whole_sky(monkeypatch):
    """With rank.evaluation_max_objects below the sky, every known star is still hidden and given in
    the splits, and the top 2% has the places of the whole sky; the ranking still finds the
    hidden stars (30 'symbiotic' among 4,000, their colours apart)."""
    from symfind.detect import scored

    rng = np.random.default_rng(8)
    n = 4_000
    colours = rng.normal(0, 1, (n, 3))
    colours[:30, :2] -= 4.0
    table = pd.DataFrame({"object_id": np.arange(1, n + 1), "anomaly_score": rng.random(n), "rank": np.arange(1, n + 1),
                          "score_colour_rule": rng.random(n), "raj2000": 0.0, "dej2000": 0.0,
                          **{f"c{k}": colours[:, k] for k in range(3)}})
    matches = pd.DataFrame({"object_id": table["object_id"].iloc[:30], "name": [f"SySt {k}" for k in range(30)],
                            "catalogue": "test", "separation_arcsec": 0.1})
    monkeypatch.setattr(scored, "scored_rows", lambda frame: frame)
    monkeypatch.setattr(ranking, "ranking_features", lambda rows, feature_set, inputs=(): (
        rows[["c0", "c1", "c2"]].to_numpy(dtype=float), ["c0", "c1", "c2"]))
    params = {**PARAMS, "giant_prior": False}
    whole, _ = ranking.evaluate_objects(table, matches, {**params, "evaluation_max_objects": None})
    part, problem = ranking.evaluate_objects(table, matches, {**params, "evaluation_max_objects": 500})
    assert problem is None
    mean = part[(part["split"] == "mean") & (part["method"] == "rank:pu_bagging")].set_index("top_fraction")
    mean_whole = whole[(whole["split"] == "mean") & (whole["method"] == "rank:pu_bagging")].set_index("top_fraction")
    assert mean.loc[0.02, "n_flagged"] == mean_whole.loc[0.02, "n_flagged"] == 80
    assert (mean["n_hidden"] == mean_whole["n_hidden"]).all() and (mean["n_known"] == mean_whole["n_known"]).all()
    assert mean.loc[0.02, "recall"] > 0.9 and mean_whole.loc[0.02, "recall"] > 0.9
