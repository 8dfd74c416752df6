"""Stage 8: rank the analysed objects with help from the known symbiotic stars (semi-supervised).

Unsupervised detectors flag whatever is rare (Miras, carbon stars, dusty young stars as much as
symbiotic stars). This stage uses the known symbiotic stars the cross-match found in the data as
positive labels; every other object is *unlabelled* (not negative: the unknown symbiotic stars are
among them). Methods (``rank.method``):

- ``pu_bagging`` (default): positive-unlabelled bagging (Mordelet & Vert 2014, Pattern Recognit.
  Lett. 37, 201): many random forests, each trained on the labelled stars against a random draw of
  unlabelled objects, each scoring the unlabelled objects it did not train on; the score is the
  mean. Features: the colours of ``rank.features`` and what ``rank.inputs`` adds
  (:data:`RANK_INPUTS`: the VAE's latent means, its scores, its per-feature deviations from what
  the giant alone predicts, each band's variability): a high score means "looks like the known
  symbiotic stars, in colour and in the VAE's view". The evaluation also ranks with every input,
  so the value of the residuals and the variability is measured on each sky.
  Missing values stay missing (the trees route them; nothing is imputed).
- ``nearest_known``: the VAE anomaly percentile weighted by the distance to the nearest labelled
  star in standardised feature space (in the spirit of Astronomaly, Lochner & Bassett 2021).

Evaluation (``ranking_evaluation.csv``): ``rank.n_splits`` random splits of the labelled stars;
``rank.label_fraction`` of them are given as known, the rest hidden (they stay unlabelled, and the
methods only ever see the known mask); recall and precision of the hidden stars among the top
fractions of the objects that are not known, for the ranking methods, the VAE alone,
IsolationForest and the colour rule.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..config import with_defaults
from ..detect.detectors import min_objects_problem, subsample_rows
from .evaluation import n_flagged, top_hits
from ..detect.features import standardised_filled
from ..detect.features import feature_matrix
from ..io import InputError
from ..status import Skipped

log = logging.getLogger(__name__)

RANK_METHODS = ("pu_bagging", "nearest_known")


def variability_columns(table: pd.DataFrame) -> list[str]:
    """The colour stage's variability columns present in ``table``: reduced chi2 and amplitude per
    band, and the shares of the g-and-r nights with u and with v (a pulsator's u and v are seen on
    its bright nights only)."""
    from .. import columns as C

    names = [name for band in C.SKYMAPPER_BANDS for name in C.variability_names(band)[1:]] + list(C.DETECTION_COLUMNS[1:])
    return [name for name in names if name in table.columns]


def flicker_columns(table: pd.DataFrame) -> list[str]:
    """The colour stage's flickering columns present in ``table``: the excess rms and its
    significance in the bands a hot accreting component flickers in (u, v) and in g."""
    from .. import columns as C

    return [name for band in ("u", "v", "g") for name in C.flicker_names(band)[2:] if name in table.columns]


#: What the ranking can take beside the colours (``rank.inputs``): the VAE's latent means, its
#: scores (``score_any``, ``score_hot_excess``, ``score_symbiotic``; and ``vae_score``, the
#: configured one), each feature's deviation from what the giant alone predicts (``excess_z_*``),
#: each band's variability from the epochs (``chi2r_*``, ``amp_*``), the flickering within a night
#: in u, v and g (``flicker_rms_*``, ``flicker_sig_*``) and the two-component test of the excess
#: against the VAE's giant and against the red-and-infrared neighbours, with the blend's neighbour
#: (``companion_llr``, ``neighbour_companion_llr``, ``companion_a0v_share``, ``companion_excess_g``,
#: ``gaia_dr2_dist2``).
#: ``gaia_dr3``: Gaia DR3's Halpha (``halpha_emission_z``, ``ew_espels_halpha``) and long-period
#: variability (``gaia_lpv``, the LPV ``amplitude`` and ``frequency``), missing where not measured.
RANK_INPUTS = ("latent", "scores", "residuals", "variability", "flicker", "companion", "gaia_dr3")
#: The columns of the ``companion`` input.
COMPANION_INPUTS = ("companion_llr", "neighbour_companion_llr", "companion_a0v_share", "companion_excess_g", "gaia_dr2_dist2")
#: The columns of the ``gaia_dr3`` input.
GAIA_DR3_INPUTS = ("halpha_emission_z", "ew_espels_halpha", "gaia_lpv", "amplitude", "frequency")


def ranking_features(rows: pd.DataFrame, feature_set: str,
                     inputs: tuple[str, ...] | list[str] = ("latent", "scores")) -> tuple[np.ndarray, list[str]]:
    """The ranking features of ``rows`` (the objects the VAE scored, from the scored table): the
    feature set's columns, then those of each of ``inputs`` (:data:`RANK_INPUTS`) that the table
    holds."""
    unknown = sorted(set(inputs) - set(RANK_INPUTS))
    if unknown:
        raise InputError(f"rank.inputs {unknown} unknown; expected some of {', '.join(RANK_INPUTS)}")
    latent = [c for c in rows.columns if c.startswith("latent_")]
    excess = [c for c in rows.columns if c.startswith("excess_z_")]
    scores = [c for c in ("score_any", "score_hot_excess", "score_symbiotic") if c in rows.columns]
    X, names = feature_matrix(rows, feature_set)
    columns = {"latent": latent, "scores": ["anomaly_score", *scores], "residuals": excess,
               "variability": variability_columns(rows), "flicker": flicker_columns(rows),
               "companion": [c for c in COMPANION_INPUTS if c in rows.columns],
               "gaia_dr3": [c for c in GAIA_DR3_INPUTS if c in rows.columns and rows[c].notna().any()]}
    extra = [c for name in RANK_INPUTS if name in inputs for c in columns[name]]
    values = (rows[extra].astype({c: "Float64" for c in extra if pd.api.types.is_bool_dtype(rows[c])})
              .to_numpy(dtype=np.float64, na_value=np.nan) if extra else np.zeros((len(rows), 0)))
    values = np.where(np.isfinite(values), values, np.nan)
    renamed = ["vae_score" if c == "anomaly_score" else c for c in extra]
    return np.hstack([X, values]), names + renamed


#: Rows from which bags are fitted on threads: below it the trees are so small that Python's
#: per-tree work (which holds the GIL) dominates and threads only add overhead (measured: the sample
#: sky's ranking takes 53 s on one thread, 66 s on two; a 150,000-object sky's PU run 1.7x faster).
PARALLEL_BAGS_MIN_ROWS = 20_000


class BaggedScores(NamedTuple):
    """What :func:`pu_bagging_fit` returns: per row the mean probability over the bags that scored
    it (``scores``, 0-1) and their standard deviation (``disagreement``: how unsure the ranking is
    of the row), and the forests' mean feature importances."""

    scores: np.ndarray
    disagreement: np.ndarray
    importances: np.ndarray


def pu_bagging_fit(X: np.ndarray, known: np.ndarray, seed: int, n_bags: int | None = None, draw_factor: int | None = None,
                   n_trees: int | None = None, threads: int = 1, negatives: np.ndarray | None = None) -> BaggedScores:
    """PU bagging (Mordelet & Vert 2014, Pattern Recognit. Lett. 37, 201), with labelled negatives
    where an astronomer gave them.

    ``known``: boolean mask of the labelled positives. Each bag draws ``draw_factor`` x (number
    known) unlabelled rows (at least 50, at most half of them) as provisional negatives
    (``rank.draw_factor``; Mordelet & Vert draw as many as there are positives, but with a few tens
    of known stars a bag that small rarely holds a Mira or a young star, a few per cent of the sky
    each, and the forests cannot learn them as negatives). At most half, so that every unlabelled
    row is out of bag, and scored, in about half of the bags: a sky whose known stars are many
    against its size would otherwise draw every row into every bag and score none.
    ``negatives``: boolean mask of rows vetted as not symbiotic; they join every bag as negatives
    and are never drawn (PU learning with some labelled negatives, the positive-negative-unlabelled
    setting of Sakai et al. 2017, ICML, PMLR 70, 2998, here by bagging). A row's score is the mean out-of-bag probability; a labelled row's (positive or
    negative), the mean in-bag one. ``threads``: bags fitted and scored at once (the trees release
    the GIL). The scores do not depend on it: every bag's draws are made first, in order, and the
    bags' votes are summed in bag order. ``n_bags``, ``draw_factor``, ``n_trees``: None takes the
    shipped ``rank`` setting.
    """
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.ensemble import RandomForestClassifier

    shipped = with_defaults("rank", {})
    n_bags, draw_factor, n_trees = (int(shipped[key] if value is None else value) for key, value in
                                    (("n_bags", n_bags), ("draw_factor", draw_factor), ("n_trees", n_trees)))
    known = np.asarray(known, dtype=bool)
    negative = np.zeros(len(known), dtype=bool) if negatives is None else np.asarray(negatives, dtype=bool) & ~known
    n_known = int(known.sum())
    learnable(known)
    unlabelled = np.flatnonzero(~known & ~negative)
    rng = np.random.default_rng(seed)
    draw = min(max(draw_factor * n_known, 50), max(len(unlabelled) // 2, 1), len(unlabelled))
    plans = []
    for _ in range(n_bags):  # the draws of each bag, in the order of a sequential loop
        drawn = rng.choice(unlabelled, size=draw, replace=False)
        plans.append((drawn, int(rng.integers(2**31))))
    negative_rows = np.flatnonzero(negative)
    y = np.concatenate([np.ones(n_known), np.zeros(len(negative_rows) + draw)])
    # the trees work in float32 (scikit-learn's DTYPE) and would convert X on every call: once here,
    # the same numbers
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    known_rows = np.flatnonzero(known)

    def one_bag(plan: tuple[np.ndarray, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        drawn, random_state = plan
        forest = RandomForestClassifier(n_estimators=n_trees, min_samples_leaf=2, class_weight="balanced", n_jobs=1,
                                        random_state=random_state)
        forest.fit(X32[np.concatenate([known_rows, negative_rows, drawn])], y)
        scored_rows = np.ones(len(X), dtype=bool)  # out of bag, and the labelled rows (in bag)
        scored_rows[drawn] = False
        # every row predicted (a row's probability does not depend on the others), none copied out
        return scored_rows, forest.predict_proba(X32)[:, 1], forest.feature_importances_

    total, total_squares, counts = np.zeros(len(X)), np.zeros(len(X)), np.zeros(len(X))
    importances = np.zeros(X.shape[1])
    if threads > 1 and len(X) >= PARALLEL_BAGS_MIN_ROWS:
        with ThreadPoolExecutor(max_workers=int(threads)) as pool:
            bags = list(pool.map(one_bag, plans))
    else:
        bags = map(one_bag, plans)
    for scored_rows, probability, importance in bags:  # in bag order, whatever finished first
        total += np.where(scored_rows, probability, 0.0)
        total_squares += np.where(scored_rows, probability**2, 0.0)
        counts += scored_rows
        importances += importance
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(counts > 0, total / np.maximum(counts, 1), 0.0)
        variance = np.where(counts > 1, total_squares / np.maximum(counts, 1) - scores**2, np.nan)
    return BaggedScores(scores, np.sqrt(np.clip(variance, 0.0, None)), importances / n_bags)


def pu_bagging_scores(X: np.ndarray, known: np.ndarray, seed: int, n_bags: int | None = None,
                      draw_factor: int | None = None, n_trees: int | None = None, threads: int = 1, negatives: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """PU-bagging scores (0-1) of every row and the forests' mean feature importances
    (:func:`pu_bagging_fit`, whose arguments these are)."""
    fit = pu_bagging_fit(X, known, seed, n_bags, draw_factor, n_trees, threads, negatives)
    return fit.scores, fit.importances


def nearest_known_scores(X: np.ndarray, known: np.ndarray, anomaly: np.ndarray) -> np.ndarray:
    """Anomaly percentile x exp(-d / median d), d = distance to the nearest known star (standardised)."""
    from scipy.stats import rankdata
    from sklearn.neighbors import NearestNeighbors

    Z = standardised_filled(X)
    nn = NearestNeighbors(n_neighbors=1).fit(Z[np.asarray(known, dtype=bool)])
    distance = nn.kneighbors(Z)[0][:, 0]
    scale = np.median(distance[~known]) if (~known).any() else 1.0
    percentile = rankdata(anomaly) / len(anomaly)
    return percentile * np.exp(-distance / max(scale, 1e-12))


def giant_prior(table: pd.DataFrame, params: Mapping[str, Any]) -> np.ndarray | None:
    """What the ranking's score is multiplied by (``rank.giant_prior``): the scored table's
    ``giant_weight`` (:func:`symfind.detect.symbiotic.giant_weight`, 1 where unknown), or None where the prior is
    off or the table lacks it.

    A symbiotic star holds a giant, and the labels cannot teach it: the bags' negatives are drawn
    at random from the sky, so a young star or a dwarf that the absolute-magnitude cut lets through
    is rare among them, and where its colours resemble a known star's (a young star's accretion has
    a Balmer jump in emission too) the forests rank it with them."""
    if not bool(with_defaults("rank", params)["giant_prior"]) or "giant_weight" not in table.columns:
        return None
    return np.nan_to_num(table["giant_weight"].to_numpy(dtype=np.float64, na_value=np.nan), nan=1.0)


def rank_scores(method: str, X: np.ndarray, known: np.ndarray, anomaly: np.ndarray, params: Mapping[str, Any],
                seed: int, prior: np.ndarray | None = None, negatives: np.ndarray | None = None, threads: int = 1
                ) -> tuple[np.ndarray, np.ndarray | None]:
    """Scores of one ranking method (higher = more like the known symbiotic stars), multiplied by
    ``prior`` where given (:func:`giant_prior`), and, where the method has them, feature
    importances. ``known`` (and ``negatives``, the objects vetted as not symbiotic, which
    ``nearest_known`` does not use) is the only label information passed. ``params``: the ``rank``
    section (settings it leaves out from the shipped config); ``threads``: bags fitted at once (the
    scores do not depend on it)."""
    params = with_defaults("rank", params)
    if method == "pu_bagging":
        scores, importances = pu_bagging_scores(X, known, seed, n_bags=int(params["n_bags"]), draw_factor=int(params["draw_factor"]),
                                                n_trees=int(params["n_trees"]), threads=max(1, int(threads)),
                                                negatives=negatives)
    elif method == "nearest_known":
        scores, importances = nearest_known_scores(X, known, anomaly), None
    else:
        raise InputError(f"rank.method {method!r} is unknown; expected one of {', '.join(RANK_METHODS)}")
    return (scores if prior is None else scores * prior), importances


def split_labels(labels: np.ndarray, fraction: float, n_splits: int, seed: int):
    """Yield ``(known, hidden)`` masks: per split, a random ``fraction`` of the labelled rows is known."""
    positives = np.flatnonzero(labels)
    n_known = max(1, int(round(fraction * len(positives))))
    rng = np.random.default_rng(seed)
    for _ in range(n_splits):
        known = np.zeros(len(labels), dtype=bool)
        known[rng.choice(positives, size=n_known, replace=False)] = True
        yield known, np.asarray(labels, dtype=bool) & ~known


def evaluate_ranking(table: pd.DataFrame, X: np.ndarray, labels: np.ndarray, params: Mapping[str, Any],
                     baselines: Mapping[str, np.ndarray], alternatives: Mapping[str, np.ndarray] | None = None,
                     truth: np.ndarray | None = None, vetted_symbiotic: np.ndarray | None = None,
                     vetted_not_symbiotic: np.ndarray | None = None, threads: int = 1,
                     weights: np.ndarray | None = None, n_objects: int | None = None) -> pd.DataFrame:
    """Per split and top fraction: recall and precision of the hidden labels, per method; then the
    mean and standard deviation over splits (``split = 'mean'``, ``'std'``). ``alternatives``: other
    feature matrices, name -> matrix, ranked by ``pu_bagging`` on the same splits (e.g. without the
    variability features). ``truth`` (a mock sky's injected symbiotic stars, optional) adds
    ``precision_truth``: the share of the flagged objects that are symbiotic, catalogued or not
    (an uncatalogued symbiotic star in the top counts against ``recall`` but is a find).

    ``vetted_symbiotic``, ``vetted_not_symbiotic``: the astronomer's verdicts (``vetting.labels``),
    given to the ranking in every split, except a vetted symbiotic star that the split hides (its
    verdict would leak the answer); the vetted objects, like the given ones, are not counted in
    the top (they are labels, not finds).

    ``weights``, ``n_objects``: where ``table`` is a random subsample of a sky of ``n_objects``
    (:func:`evaluation_rows`), the objects each row stands for; the top fractions are of
    ``n_objects`` (:func:`symfind.rank.evaluation.top_hits`)."""
    anomaly = table["anomaly_score"].to_numpy(dtype=np.float64)
    prior = giant_prior(table, params)
    n = len(table)
    vetted_yes = np.zeros(n, dtype=bool) if vetted_symbiotic is None else np.asarray(vetted_symbiotic, dtype=bool)
    vetted_no = np.zeros(n, dtype=bool) if vetted_not_symbiotic is None else np.asarray(vetted_not_symbiotic, dtype=bool)
    rows = []
    for split, (given, hidden) in enumerate(split_labels(labels, float(params["label_fraction"]), int(params["n_splits"]),
                                                         int(params["seed"]))):
        seed = int(params["seed"]) + split
        known = given | (vetted_yes & ~hidden)
        labelled = known | vetted_no
        scores = {f"rank:{m}": rank_scores(m, X, known, anomaly, params, seed, prior, vetted_no, threads)[0] for m in RANK_METHODS}
        for name, X_other in (alternatives or {}).items():
            scores[f"rank:pu_bagging {name}"] = rank_scores("pu_bagging", X_other, known, anomaly, params, seed, prior, vetted_no,
                                                            threads)[0]
        scores.update(baselines)
        for fraction in params["top_fractions"]:
            n_flag = n_flagged(len(table) if n_objects is None else int(n_objects), fraction)
            for method, score in scores.items():
                found = top_hits(score, hidden, labelled, n_flag, weights)
                row = {"method": method, "top_fraction": float(fraction), "split": str(split), "n_known": int(known.sum()),
                       "n_hidden": int(hidden.sum()), "n_flagged": n_flag, "n_hidden_found": found,
                       "recall": found / max(int(hidden.sum()), 1), "precision": found / n_flag}
                if truth is not None:
                    row["precision_truth"] = top_hits(score, truth & ~labelled, labelled, n_flag, weights) / n_flag
                rows.append(row)
    per_split = pd.DataFrame(rows)
    keys = ["method", "top_fraction"]
    numeric = ["n_known", "n_hidden", "n_flagged", "n_hidden_found", "recall", "precision"]
    numeric += ["precision_truth"] if truth is not None else []
    mean = per_split.groupby(keys, sort=False, as_index=False)[numeric].mean().assign(split="mean")
    std = per_split.groupby(keys, sort=False, as_index=False)[numeric].std(ddof=0).assign(split="std")
    return pd.concat([per_split, mean, std], ignore_index=True)[keys + ["split"] + numeric]


def nearest_known_star(X: np.ndarray, known: np.ndarray, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every row: the name of the nearest known star in standardised feature space (not itself)
    and the distance (standard deviations)."""
    from sklearn.neighbors import NearestNeighbors

    Z = standardised_filled(X)
    known_rows = np.flatnonzero(known)
    k = min(2, len(known_rows))
    distance, index = NearestNeighbors(n_neighbors=k).fit(Z[known_rows]).kneighbors(Z)
    self_match = known[:, None] & (known_rows[index] == np.arange(len(Z))[:, None])
    pick = np.where(self_match[:, 0] & (k > 1), 1, 0)
    rows = np.arange(len(Z))
    return names[known_rows[index[rows, pick]]], distance[rows, pick]


def read_ranked_list(path) -> pd.DataFrame:
    """The ranked list as written by :func:`rank_objects` (CSV): ``rank`` as a nullable integer
    (empty for the known stars), the names as text (empty, not NaN, where there is none), whatever
    a sky's first rows hold."""
    text_columns = ("known_name", "nearest_known", "vetted_verdict", "vetted_class", "vetted_file")
    ranked = pd.read_csv(path, dtype={**{c: str for c in text_columns}, "rank": "Int64", "vet_order": "Int64"}, low_memory=False)
    for text in text_columns:
        ranked[text] = ranked[text].fillna("").astype(str)
    return ranked


#: Columns of the evaluation table (``precision_truth`` only on a mock sky with a truth table).
EVALUATION_COLUMNS = ("method", "top_fraction", "split", "n_known", "n_hidden", "n_flagged", "n_hidden_found", "recall", "precision")


def learnable(labels: np.ndarray) -> None:
    """Raise :class:`symfind.status.Skipped` unless the labels allow a ranking: at least one known
    symbiotic star and one object that is not known."""
    n_known = int(np.sum(labels))
    if n_known == 0:
        raise Skipped("the ranking needs at least 1 known symbiotic star among the analysed objects, found 0 "
                      "(the list is ordered by the VAE score instead)")
    if n_known == len(labels):
        raise Skipped(f"the ranking needs at least 1 analysed object that is not a known symbiotic star, all {n_known} are known")


def evaluable(labels: np.ndarray) -> None:
    """Raise :class:`symfind.status.Skipped` unless the hidden-label evaluation can run: at least
    2 known stars (one to give, one to hide)."""
    n_known = int(np.sum(labels))
    if n_known < 2:
        raise Skipped(f"the evaluation needs at least 2 known symbiotic stars (one to give, one to hide), found {n_known}")


def ranking_inputs(scored: pd.DataFrame, matches: pd.DataFrame, params: Mapping[str, Any]
                   ) -> tuple[pd.DataFrame, np.ndarray, list[str], np.ndarray, np.ndarray]:
    """What the ranking and its evaluation learn from: the scored rows, their ranking features and
    names, the labels (known symbiotic star or not) and each row's name of the known star it is
    (empty if none): ``(table, X, names, labels, known_names)``. ``params``: the ``rank`` section."""
    from ..detect.scored import scored_rows

    table = scored_rows(scored)
    X, names = ranking_features(table, params["features"], tuple(params["inputs"]))
    ids = table["object_id"].to_numpy()
    labels = np.isin(ids, matches["object_id"].to_numpy())
    first_name = matches.drop_duplicates("object_id").set_index("object_id")["name"]
    known_names = np.array([first_name.get(i, "") for i in ids], dtype=object)
    return table, X, names, labels, known_names


def next_to_vet(candidates: np.ndarray, scores: np.ndarray, disagreement: np.ndarray) -> np.ndarray:
    """The row numbers ``candidates`` (the objects nobody has vetted) in the order to vet them: the
    bags' disagreement first, most first, then the higher score (NaN last in both)."""
    candidates = np.asarray(candidates, dtype=np.int64)
    spread = np.nan_to_num(np.asarray(disagreement, dtype=np.float64)[candidates], nan=-np.inf)
    score = np.nan_to_num(np.asarray(scores, dtype=np.float64)[candidates], nan=-np.inf)
    return candidates[np.lexsort((-score, -spread))]


def rank_objects(scored: pd.DataFrame, matches: pd.DataFrame, params: Mapping[str, Any],
                 threads: int = 1, verdicts: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame, Skipped | None]:
    """The objects the VAE scored (``scored``: the scored table), ranked with every known symbiotic
    star as a label: ``(ranked, importances, problem)``, the ranked candidate list, the features
    that drive the score, and why the ranking could not learn (``None`` if it did).

    ``verdicts`` (:func:`symfind.rank.vetting.read_labels`, the astronomer's labels files): a vetted
    symbiotic star is a positive like a catalogued one, an object vetted as not symbiotic a
    labelled negative of every bag (:func:`pu_bagging_fit`; a catalogued star vetted so is no
    longer a positive); the labelled objects get no rank. ``rank_disagreement`` is the bags'
    spread of an object's probability and ``vet_order`` puts first the objects that nobody has
    vetted where the bags disagree most, so that each verdict teaches the ranking most.

    On a sky without a known symbiotic star (or with nothing else) the ranking cannot learn: the
    list is written ordered by the VAE's score (``rank_score`` empty), the importances are empty,
    and ``problem`` says why. The evaluation on hidden labels is :func:`evaluate_objects`.
    """
    from .vetting import vetted_masks

    params = with_defaults("rank", params)
    threads = max(1, int(threads))  # bags fitted at once (the scores do not depend on it)
    table, X, names, catalogued, known_names = ranking_inputs(scored, matches, params)
    ids = table["object_id"].to_numpy()
    vetted_yes, vetted_no = vetted_masks(ids, verdicts)
    labels = (catalogued & ~vetted_no) | vetted_yes
    labelled = labels | vetted_no
    log.info("ranking %d objects with %d known symbiotic stars as labels (%d of them vetted) and %d vetted as not "
             "symbiotic (method %s)", len(ids), int(labels.sum()), int((vetted_yes & ~catalogued).sum()),
             int(vetted_no.sum()), params["method"])
    anomaly = table["anomaly_score"].to_numpy(dtype=np.float64)
    disagreement = np.full(len(ids), np.nan)
    try:
        learnable(labels)
    except Skipped as skipped:
        scores, importances = np.full(len(ids), np.nan), None
        nearest, distance = np.full(len(ids), "", dtype=object), np.full(len(ids), np.nan)
        order = np.argsort(-np.where(labelled, -np.inf, anomaly), kind="stable")  # the VAE's order
        problem = skipped
    else:
        prior = giant_prior(table, params)
        # the PU forests: the scores of pu_bagging, and for either method the features' importances
        # and the bags' spread
        fit = pu_bagging_fit(X, labels, int(params["seed"]), n_bags=int(params["n_bags"]), draw_factor=int(params["draw_factor"]),
                             n_trees=int(params["n_trees"]), threads=threads, negatives=vetted_no)
        importances, disagreement = fit.importances, fit.disagreement
        if params["method"] == "pu_bagging":
            scores = fit.scores if prior is None else fit.scores * prior
        else:
            scores, _ = rank_scores(params["method"], X, labels, anomaly, params, int(params["seed"]), prior, threads=threads)
        nearest, distance = nearest_known_star(X, labels, np.where(labels & (known_names == ""), "(vetted)", known_names))
        order = np.argsort(-np.where(labelled, -np.inf, scores), kind="stable")
        problem = None
    rank = np.full(len(ids), np.nan)
    new = order[~labelled[order]]
    rank[new] = np.arange(1, len(new) + 1)
    verdict = {c: np.full(len(ids), "", dtype=object) for c in ("verdict", "class", "labels_file")}
    if verdicts is not None and not verdicts.empty:
        by_id = verdicts.set_index("object_id")
        for column in verdict:
            verdict[column] = by_id[column].reindex(ids).fillna("").to_numpy(dtype=object)
    unvetted = np.flatnonzero(~labelled & (verdict["verdict"] == ""))
    vet_order = np.full(len(ids), np.nan)
    vet_order[next_to_vet(unvetted, scores, disagreement)] = np.arange(1, len(unvetted) + 1)
    ranked = pd.DataFrame({
        "object_id": ids, "raj2000": table["raj2000"], "dej2000": table["dej2000"], "rank_score": scores,
        "rank": pd.array(rank, dtype="Int64"), "is_known_symbiotic": catalogued, "known_name": known_names,
        "nearest_known": nearest, "nearest_known_distance": distance,
        "vae_score": anomaly, "vae_rank": table["rank"].to_numpy(),
        "rank_disagreement": disagreement, "vet_order": pd.array(vet_order, dtype="Int64"),
        "vetted_verdict": verdict["verdict"], "vetted_class": verdict["class"], "vetted_file": verdict["labels_file"],
    }).sort_values(["rank", "rank_score"], ascending=[True, False], na_position="last", kind="stable", ignore_index=True)
    importance = pd.DataFrame({"feature": names, "importance": np.nan if importances is None else importances})
    if importances is None:
        importance = importance.iloc[:0]
    else:
        importance = importance.sort_values("importance", ascending=False, ignore_index=True)
        log.info("features that drive the ranking: %s", ", ".join(f"{r.feature} {r.importance:.3f}" for r in importance.head(6).itertuples()))
    return ranked, importance, problem


def evaluation_rows(keep: np.ndarray, max_objects: int | None, seed: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The rows the evaluation ranks, and the objects each stands for: every ``keep`` row (the
    known and vetted objects, weight 1) and, where the other rows are more than ``max_objects``, a
    random (seeded) ``max_objects`` of them, each standing for ``n_other / max_objects`` objects
    (``rank.evaluation_max_objects``), in table order. ``(None, None)``: every row, unweighted.

    The ranking in each split then learns from every label on a sky of the same make-up, and a
    top fraction of the subsample stands for the same top fraction of the sky, so its cost stops
    growing with the sky but for the scoring of the subsample."""
    keep = np.asarray(keep, dtype=bool)
    others = np.flatnonzero(~keep)
    drawn = subsample_rows(len(others), max_objects, seed)
    if drawn is None:
        return None, None
    rows = np.sort(np.concatenate([np.flatnonzero(keep), others[drawn]]))
    weights = np.where(keep[rows], 1.0, len(others) / int(max_objects))
    return rows, weights


def evaluate_objects(scored: pd.DataFrame, matches: pd.DataFrame, params: Mapping[str, Any], truth: pd.DataFrame | None = None,
                     threads: int = 1, verdicts: pd.DataFrame | None = None) -> tuple[pd.DataFrame, Skipped | None]:
    """The ranking evaluated on labels it never saw (:func:`evaluate_with_baselines`, on the same
    inputs as :func:`rank_objects`): ``(evaluation, problem)``. ``truth``: a mock sky's truth table
    (optional; adds ``precision_truth``). Where the ranking cannot learn, or the sky has fewer than
    2 known symbiotic stars (one to give, one to hide), the evaluation is empty and ``problem`` says why.
    ``verdicts``: the astronomer's (:func:`rank_objects`), held out of the splits where they would
    leak (:func:`evaluate_ranking`); the hidden stars are catalogued ones, minus those vetted as not
    symbiotic."""
    from .vetting import vetted_masks

    params = with_defaults("rank", params)
    table, X, _, catalogued, _ = ranking_inputs(scored, matches, params)
    vetted_yes, vetted_no = vetted_masks(table["object_id"].to_numpy(), verdicts)
    labels = catalogued & ~vetted_no
    try:
        learnable(labels)
        evaluable(labels)
    except Skipped as skipped:
        empty = pd.DataFrame({c: pd.Series(dtype="float64" if c not in ("method", "split") else "object") for c in EVALUATION_COLUMNS})
        return empty, skipped
    n_all = len(table)
    rows, weights = evaluation_rows(labels | vetted_yes | vetted_no, params.get("evaluation_max_objects"), int(params["seed"]))
    if rows is not None:
        log.info("evaluation on the %d known or vetted objects and a random %d of the other %d, each standing for %.2f",
                 int((weights == 1).sum()), int((weights != 1).sum()), n_all - int((weights == 1).sum()),
                 float(weights.max()))
        table, X, labels = table.iloc[rows].reset_index(drop=True), X[rows], labels[rows]
        vetted_yes, vetted_no = vetted_yes[rows], vetted_no[rows]
    evaluation = evaluate_with_baselines(table, X, labels, params, truth, vetted_yes & ~labels, vetted_no, max(1, int(threads)),
                                         weights, n_all)
    for row in evaluation[evaluation["split"] == "mean"].itertuples():
        log.info("%-18s top %4.1f%%: recall of hidden %.3f, precision %.3f", row.method, 100 * row.top_fraction,
                 row.recall, row.precision)
    return evaluation, None


def evaluate_with_baselines(table: pd.DataFrame, X: np.ndarray, labels: np.ndarray, params: Mapping[str, Any],
                            truth: pd.DataFrame | None, vetted_symbiotic: np.ndarray | None = None,
                            vetted_not_symbiotic: np.ndarray | None = None, threads: int = 1,
                            weights: np.ndarray | None = None, n_objects: int | None = None) -> pd.DataFrame:
    """The hidden-label evaluation of the ranking against the VAE's scores, IsolationForest and the
    colour rule (their scores from the scored table), and of the ranking with every input;
    ``weights``, ``n_objects``: of a subsample (:func:`evaluate_ranking`)."""
    from ..detect.scored import COLOUR_RULE_COLUMN, baseline_column

    baselines = {"vae": table["anomaly_score"].to_numpy(dtype=np.float64), "colour_rule": table[COLOUR_RULE_COLUMN].to_numpy()}
    forest = baseline_column("isolation_forest", params["features"])
    if forest in table.columns:
        baselines["isolation_forest"] = table[forest].to_numpy()
    else:
        log.info("evaluation without IsolationForest: %s", min_objects_problem("isolation_forest", len(table)))
    for column in ("score_any", "score_hot_excess", "score_symbiotic"):
        if column in table.columns:
            baselines[f"vae {column.removeprefix('score_')}"] = table[column].to_numpy(dtype=np.float64)
    # the same ranking with every input (residuals and variability too), on the same splits
    X_all, _ = ranking_features(table, params["features"], RANK_INPUTS)
    alternatives = {"all inputs": X_all} if X_all.shape != X.shape else {}
    injected = None
    if truth is not None:
        injected = np.isin(table["object_id"].to_numpy(), truth.loc[truth["population"].str.startswith("symbiotic"), "object_id"].to_numpy())
    return evaluate_ranking(table, X, labels, params, baselines, alternatives, injected, vetted_symbiotic, vetted_not_symbiotic,
                            threads, weights, n_objects)
