"""Benchmark: the astronomer in the loop, played with a generated sky's truth table.

    .venv/bin/python -m symfind.mock --out /tmp/sky --n-objects 20000 --seed 7
    .venv/bin/snakemake --cores 2 --config sample='{dir: /tmp/sky}' results=/tmp/sky_results
    .venv/bin/python benchmarks/bench_vetting.py /tmp/sky_results /tmp/sky/truth.parquet

A share of the catalogued symbiotic stars (``rank.label_fraction``, or ``--label-fraction``) is given to the ranking, the
rest hidden, as in the hidden-label evaluation. Then rounds of ``--per-round`` verdicts: the truth
table answers for the objects an order puts first among those not yet labelled (symbiotic, or not
with the class of what it is), and the ranking (:func:`symfind.rank.ranking.pu_bagging_fit` with the
shipped ``rank`` settings, the vetted symbiotic stars as positives and the others as labelled
negatives, times the giant prior) is fitted again. Orders compared: no vetting, the ranked order
(the best-scored first) and "next to vet" (the bags' disagreement first, the ranked list's
``vet_order``). Printed per round: the truth precision of the top 1% of the objects not labelled,
and the recall of the hidden stars (those the vetting confirmed plus those in the top 2% of the
rest), mean over ``--splits`` random splits.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from symfind.config import with_defaults
from symfind.rank.evaluation import n_flagged, top_hits
from symfind.rank.ranking import giant_prior, next_to_vet, pu_bagging_fit, ranking_inputs, split_labels


def play(X: np.ndarray, given: np.ndarray, hidden: np.ndarray, truth: np.ndarray, prior: np.ndarray | None, params: dict,
         order: str, rounds: int, per_round: int, seed: int) -> list[tuple[float, float]]:
    """(precision of the top 1%, recall of the hidden stars) after 0, 1, ..., ``rounds`` rounds."""
    n = len(X)
    vetted_yes, vetted_no = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    out = []
    for round_ in range(rounds + 1):
        known = given | vetted_yes
        fit = pu_bagging_fit(X, known, seed, n_bags=int(params["n_bags"]), draw_factor=int(params["draw_factor"]),
                             n_trees=int(params["n_trees"]), negatives=vetted_no)
        scores = fit.scores if prior is None else fit.scores * prior
        labelled = known | vetted_no
        precision = top_hits(scores, truth & ~labelled, labelled, n_flagged(n, 0.01)) / n_flagged(n, 0.01)
        found = int((hidden & vetted_yes).sum()) + top_hits(scores, hidden & ~labelled, labelled, n_flagged(n, 0.02))
        out.append((precision, found / max(int(hidden.sum()), 1)))
        if order == "none":  # nothing is vetted: every round is round 0
            return out * (rounds + 1)
        if round_ == rounds:
            break
        free = np.flatnonzero(~labelled)
        if order == "ranked":
            pick = free[np.argsort(-scores[free], kind="stable")[:per_round]]
        else:  # the ranked list's vet_order
            pick = next_to_vet(free, scores, fit.disagreement)[:per_round]
        vetted_yes[pick[truth[pick]]] = True
        vetted_no[pick[~truth[pick]]] = True
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="the workflow's results folder")
    parser.add_argument("truth", type=Path, help="the mock sky's truth.parquet")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=20)
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--label-fraction", type=float, default=None,
                        help="share of the catalogued stars given (default rank.label_fraction)")
    args = parser.parse_args(argv)
    params = with_defaults("rank", {})
    if args.label_fraction is not None:
        params["label_fraction"] = args.label_fraction
    scored = pd.read_parquet(args.results / "scored.parquet")
    matches = pd.read_csv(args.results / "known_symbiotics_crossmatch.csv")
    table, X, _, catalogued, _ = ranking_inputs(scored, matches, params)
    population = pd.read_parquet(args.truth, columns=["object_id", "population"]).set_index("object_id")["population"]
    truth = population.reindex(table["object_id"].to_numpy()).fillna("").str.startswith("symbiotic").to_numpy()
    prior = giant_prior(table, params)
    results = {}
    for order in ("none", "ranked", "next"):
        runs = [play(X, given, hidden, truth, prior, params, order, args.rounds, args.per_round, int(params["seed"]) + k)
                for k, (given, hidden) in enumerate(split_labels(catalogued, float(params["label_fraction"]), args.splits,
                                                                 int(params["seed"])))]
        results[order] = np.mean(np.array(runs), axis=0)
    print(f"{len(table):,} objects, {int(catalogued.sum())} catalogued symbiotic stars ({params['label_fraction']:.0%} given), "
          f"{int(truth.sum())} symbiotic in all; {args.per_round} verdicts a round, mean of {args.splits} splits\n")
    print("| round | verdicts | no vetting | ranked order | next to vet |")
    print("|---|---|---|---|---|")
    for round_ in range(args.rounds + 1):
        cells = [f"{results[o][round_][0]:.2f} / {results[o][round_][1]:.2f}" for o in ("none", "ranked", "next")]
        print(f"| {round_} | {round_ * args.per_round} | " + " | ".join(cells) + " |")
    print("\n(truth precision of the top 1% of the objects not labelled / recall of the hidden stars: confirmed by the "
          "vetting or in the top 2% of the rest)")


if __name__ == "__main__":
    main()
