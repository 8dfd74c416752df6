"""Benchmark: which inputs the ranking should take, by the hidden-label evaluation on several skies.

    .venv/bin/python -m symfind.mock --out /tmp/sky7 --n-objects 20000 --seed 7
    .venv/bin/snakemake --cores 2 --config sample='{dir: /tmp/sky7}' results=/tmp/sky7_results
    .venv/bin/python benchmarks/bench_rank_inputs.py /tmp/sky7_results:/tmp/sky7/truth.parquet [more ...]

For each sky (a workflow's results folder and, optionally after a colon, the mock sky's truth
table) the ranking of ``rank.method: pu_bagging`` is evaluated on the same random splits of the
known stars (``rank.label_fraction`` given, the rest hidden: :func:`symfind.rank.ranking.evaluate_ranking`)
with each set of ``rank.inputs`` below, and the shipped configuration's other ``rank`` settings.
Printed per set and sky: the recall of the hidden stars in the top 2% and, with a truth table, the
share of symbiotic stars (catalogued or not) in the top 1%; then the mean over the skies.

``--set KEY=VALUE`` (repeatable) changes one of the other ``rank`` settings (the value read as YAML,
e.g. ``--set draw_factor=10``); ``--shipped-inputs`` evaluates only the shipped ``rank.inputs``, so
that two settings are compared on the same splits by two runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from symfind.config import with_defaults
from symfind.rank.ranking import evaluate_ranking, ranking_features, ranking_inputs

#: The input sets compared (name -> rank.inputs).
INPUT_SETS: dict[str, tuple[str, ...]] = {
    "latent, scores": ("latent", "scores"),
    "+ companion": ("latent", "scores", "companion"),
    "+ flicker": ("latent", "scores", "flicker"),
    "+ companion, flicker": ("latent", "scores", "companion", "flicker"),
    "+ variability": ("latent", "scores", "variability"),
    "+ flicker, variability": ("latent", "scores", "flicker", "variability"),
    "+ companion, flicker, variability": ("latent", "scores", "companion", "flicker", "variability"),
    "+ companion, flicker, variability, gaia_dr3": ("latent", "scores", "companion", "flicker", "variability", "gaia_dr3"),
    "every input": ("latent", "scores", "residuals", "variability", "flicker", "companion", "gaia_dr3"),
    "scores, companion, flicker": ("scores", "companion", "flicker"),
}


def evaluate_sky(results: Path, truth_path: Path | None, params: dict,
                 input_sets: dict[str, tuple[str, ...]]) -> dict[str, tuple[float, float]]:
    """``{set name: (recall of the hidden stars in the top 2%, truth precision in the top 1%)}``."""
    scored = pd.read_parquet(results / "scored.parquet")
    matches = pd.read_csv(results / "known_symbiotics_crossmatch.csv")
    table, _, _, labels, _ = ranking_inputs(scored, matches, params)
    injected = None
    if truth_path is not None:
        truth = pd.read_parquet(truth_path, columns=["object_id", "population"])
        symbiotic = truth.loc[truth["population"].str.startswith("symbiotic"), "object_id"].to_numpy()
        injected = np.isin(table["object_id"].to_numpy(), symbiotic)
    alternatives = {name: ranking_features(table, params["features"], inputs)[0] for name, inputs in input_sets.items()}
    first, *rest = alternatives
    evaluation = evaluate_ranking(table, alternatives[first], labels, {**params, "top_fractions": [0.02, 0.01]}, {},
                                  {name: alternatives[name] for name in rest}, injected)
    mean = evaluation[evaluation["split"] == "mean"].set_index(["method", "top_fraction"])
    out = {}
    for name in input_sets:
        method = "rank:pu_bagging" if name == first else f"rank:pu_bagging {name}"
        precision = mean.loc[(method, 0.01), "precision_truth"] if injected is not None else np.nan
        out[name] = (float(mean.loc[(method, 0.02), "recall"]), float(precision))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("skies", nargs="+", help="RESULTS_DIR[:TRUTH_PARQUET], one per sky")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="another value of a rank setting (YAML), e.g. draw_factor=10; repeatable")
    parser.add_argument("--shipped-inputs", action="store_true", help="evaluate the shipped rank.inputs only")
    args = parser.parse_args(argv)
    params = with_defaults("rank", {})
    for assignment in args.set:
        key, equals, value = assignment.partition("=")
        if not equals or key not in params:
            parser.error(f"--set {assignment!r}: expected KEY=VALUE with KEY one of {', '.join(params)}")
        params[key] = yaml.safe_load(value)
    input_sets = {"shipped": tuple(params["inputs"])} if args.shipped_inputs else INPUT_SETS
    per_sky = {}
    for sky in args.skies:
        results, _, truth = sky.partition(":")
        per_sky[results] = evaluate_sky(Path(results), Path(truth) if truth else None, params, input_sets)
    names = list(per_sky)
    print("| inputs | " + " | ".join(Path(n).name or n for n in names) + " | mean |")
    print("|---|" + "---|" * (len(names) + 1))
    for name in input_sets:
        cells = [per_sky[sky][name] for sky in names]
        mean_recall = np.mean([c[0] for c in cells])
        mean_precision = np.nanmean([c[1] for c in cells]) if any(np.isfinite(c[1]) for c in cells) else np.nan
        print(f"| {name} | " + " | ".join(f"{r:.3f} / {p:.3f}" for r, p in cells) + f" | {mean_recall:.3f} / {mean_precision:.3f} |")
    changed = "".join(f", {a}" for a in args.set)
    print(f"\n(recall of the hidden stars in the top 2% / truth precision in the top 1%; mean of {params['n_splits']} splits, "
          f"{params['label_fraction']:.0%} of the known stars given{changed})")


if __name__ == "__main__":
    main()
