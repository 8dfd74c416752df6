"""Benchmark: what the top of each list is made of, on a generated sky with its truth table.

    .venv/bin/python -m symfind.mock --out /tmp/sky --n-objects 20000 --seed 1
    .venv/bin/snakemake --cores 2 --config sample='{dir: /tmp/sky}' results=/tmp/sky_results
    .venv/bin/python benchmarks/bench_impostors.py /tmp/sky_results /tmp/sky/truth.parquet

Reads the workflow's scored table (every VAE score, the companion test) and ranked list, and prints
one Markdown table: for each score, the recall of all symbiotic stars in its top 2%, the precision
in its top 1%, the recall of the accreting-only ones in the top 2%, and the truth populations of the
top 2%; then the ranking's hidden-label evaluation (``ranking_evaluation.csv``: the share of the
known stars hidden from it that it finds in its top 2%, and the truth precision of its top 1%).
Only a mock sky has a truth table.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

#: The scores compared (scored-table column -> label): the configured VAE's three, the other VAE
#: variants of the comparison and the baselines (each where the scored table has it).
SCORES = {"score_symbiotic": "VAE symbiotic score (default)", "score_hot_excess": "VAE hot excess",
          "score_any": "VAE any residual", "score_vae_plain_chi2": "VAE, plain, chi2",
          "score_vae_seed": "VAE, seed recipe (MSE)",
          "score_isolation_forest_magnitudes_errors": "IsolationForest (magnitudes, errors)",
          "score_pca_magnitudes_errors": "PCA reconstruction (magnitudes, errors)",
          "score_lof_magnitudes_errors": "LocalOutlierFactor (magnitudes, errors)",
          "score_colour_rule": "colour rule (Akras-like)"}
SHORT = {"symbiotic_s": "SySt-S", "symbiotic_d": "SySt-D", "symbiotic_acc": "SySt-acc", "mira_agb": "Mira",
         "giant_ms_companion": "giant+MS", "chance_blend": "blend", "active_giant": "active", "k_giant": "K giant",
         "m_giant": "M giant", "dusty_yso": "YSO", "carbon": "carbon", "m_dwarf": "dwarf"}


def metrics(score: np.ndarray, population: pd.Series) -> dict[str, str]:
    """Recall (top 2%), precision (top 1%), accreting-only recall and the top-2% make-up."""
    among = np.ones(len(score), dtype=bool)
    positive = population.str.startswith("symbiotic").to_numpy()
    order = np.argsort(-np.nan_to_num(score, nan=-np.inf), kind="stable")
    n = len(score)
    top2, top1 = order[: max(1, int(np.ceil(0.02 * n)))], order[: max(1, int(np.ceil(0.01 * n)))]
    acc = population.eq("symbiotic_acc").to_numpy()
    make_up = population.iloc[top2].map(lambda p: SHORT.get(p, p)).value_counts()
    return {
        "recall top 2%": f"{(positive & among)[top2].sum() / max((positive & among).sum(), 1):.2f}",
        "precision top 1%": f"{positive[top1].mean():.2f}",
        "SySt-acc recall": f"{(acc & among)[top2].sum()}/{(acc & among).sum()}",
        "top 2% make-up": ", ".join(f"{k} {v}" for k, v in make_up.items()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="the workflow's results folder")
    parser.add_argument("truth", type=Path, help="the mock sky's truth.parquet")
    args = parser.parse_args(argv)
    scored = pd.read_parquet(args.results / "scored.parquet")
    truth = pd.read_parquet(args.truth, columns=["object_id", "population"])
    population = scored[["object_id"]].merge(truth, on="object_id", how="left")["population"].fillna("?")
    positive = population.str.startswith("symbiotic")
    print(f"{len(scored):,d} analysed objects, {int(positive.sum())} symbiotic "
          f"({int(population.eq('symbiotic_acc').sum())} accreting-only)\n")
    rows = [{"score": label, **metrics(scored[column].to_numpy(dtype=np.float64), population)}
            for column, label in SCORES.items() if column in scored.columns]
    table = pd.DataFrame(rows)
    print("| " + " | ".join(table.columns) + " |\n|" + "---|" * len(table.columns))
    for _, row in table.iterrows():
        print("| " + " | ".join(str(v) for v in row) + " |")
    evaluation = pd.read_csv(args.results / "ranking_evaluation.csv")
    pu = evaluation[evaluation["method"] == "rank:pu_bagging"]
    ranking = pu[pu["split"].astype(str) == "mean"].set_index("top_fraction")
    n_splits = int(pd.to_numeric(pu["split"], errors="coerce").nunique())
    print(f"\nranking (PU bagging; {int(ranking['n_known'].iloc[0])} known stars as labels, {int(ranking['n_hidden'].iloc[0])} "
          f"hidden, mean of {n_splits} splits): recall of the hidden ones {ranking.loc[0.02, 'recall']:.2f} in the top 2%, "
          f"precision (truth) {ranking.loc[0.01, 'precision_truth']:.2f} in the top 1%")


if __name__ == "__main__":
    main()
