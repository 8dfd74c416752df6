"""Benchmark: every detector on a mock sky with truth labels, and what its top 2% is made of.

    .venv/bin/snakemake --cores 2                              # the sample sky's products first
    .venv/bin/python benchmarks/bench_detectors.py --seeds 42 1 2

Trains every VAE variant of ``symfind.detect.detectors.VAE_VARIANTS`` on ``results/``'s analysed table
(with the configuration of ``results/config_used.yaml``), runs the baselines, and prints one
Markdown table: recall, precision and ROC-AUC of the injected symbiotic stars in the top 2% and
1%, and the truth populations of the top 2%. With several ``--seeds`` the VAE rows give the mean
and the range over seeds. Only a mock sky has a truth table; the workflow itself never reads it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from symfind.detect.detectors import DETECTOR_LABELS, VAE_VARIANTS, colour_rule_scores, ml_scores
from symfind.rank.evaluation import evaluate
from symfind.detect.features import feature_errors, feature_matrix
from symfind.products import PRODUCTS
from symfind.detect.vae import score_table

POPULATIONS = {"symbiotic": "symbiotic", "mira_agb": "Mira/AGB", "carbon": "carbon", "dusty_yso": "YSO",
               "giant": "giant", "m_dwarf": "dwarf"}


def population_of(truth: pd.Series) -> pd.Series:
    """Truth population names grouped as the README's table (K and M giants together)."""
    grouped = truth.str.replace(r"^symbiotic.*", "symbiotic", regex=True).str.replace(r"^[km]_giant$", "giant", regex=True)
    return grouped.map(POPULATIONS).fillna(grouped)


def row(name: str, scores: list[np.ndarray], labels: np.ndarray, population: pd.Series) -> dict[str, str]:
    """One table row: mean (and range) over the score arrays of each metric; top-2% populations of the first."""
    cells = {"detector": name}
    for fraction in (0.02, 0.01):
        metrics = [evaluate(s, labels, fraction) for s in scores]
        for key in ("recall", "precision"):
            values = np.array([m[key] for m in metrics])
            spread = f" ({values.min():.2f}-{values.max():.2f})" if len(values) > 1 else ""
            cells[f"{key} {fraction:.0%}"] = f"{values.mean():.2f}{spread}"
    cells["ROC-AUC"] = f"{np.mean([evaluate(s, labels, 0.02)['roc_auc'] for s in scores]):.2f}"
    n_flag = int(np.ceil(0.02 * len(labels)))
    top = population.iloc[np.argsort(-scores[0], kind="stable")[:n_flag]].value_counts()
    cells["top 2%: populations"] = ", ".join(f"{k} {v}" for k, v in top.items())
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--truth", default="resources/sample/truth.parquet")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    results = Path(args.results)
    config = yaml.safe_load((results / "config_used.yaml").read_text())
    merged = pd.read_parquet(results / PRODUCTS["analysed"])
    truth = pd.read_parquet(args.truth, columns=["object_id", "population"])
    population = population_of(merged[["object_id"]].merge(truth, on="object_id", how="left")["population"].fillna("?"))
    labels = population.eq("symbiotic").to_numpy()
    print(f"{len(merged):,d} analysed objects, {labels.sum()} injected symbiotic stars; top 2% = "
          f"{int(np.ceil(0.02 * len(merged)))} objects; seeds {args.seeds}\n")
    rows = []
    fitted: dict[str, list[pd.DataFrame]] = {}
    for name, (overrides, column) in VAE_VARIANTS.items():
        if name == "vae_conditional_any":  # same fit as the hot-excess variant
            fitted[name] = fitted["vae_conditional_hot_excess"]
        else:
            fitted[name] = [score_table(merged, {**config["vae"], **overrides, "seed": seed}, args.threads,
                                        config["dereddening"]["a_per_ebv"])[0] for seed in args.seeds]
        scores = [merged[["object_id"]].merge(f, on="object_id", how="left")[column].fillna(-np.inf).to_numpy() for f in fitted[name]]
        rows.append(row(DETECTOR_LABELS[name], scores, labels, population))
    vae = config["vae"]
    X, E = feature_matrix(merged, vae["features"])[0], feature_errors(merged, vae["features"])
    for method in ("isolation_forest", "pca", "lof"):
        for errors in (None, E):
            suffix = ", errors used" if errors is not None else ""
            score = ml_scores(X, method, vae["seed"], errors, vae["sigma_int"])
            rows.append(row(f"{DETECTOR_LABELS[method]} ({vae['features']}{suffix})", [score], labels, population))
    rows.append(row(DETECTOR_LABELS["colour_rule"], [colour_rule_scores(merged)], labels, population))
    print(pd.DataFrame(rows).to_markdown(index=False))


if __name__ == "__main__":
    main()
