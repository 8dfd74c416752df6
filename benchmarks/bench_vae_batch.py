"""Does the growing batch cost recall? The default VAE on a finished run's analysed table, with the
batch rule (``vae.max_steps_per_epoch``) and with the fixed batch of ``vae.batch_size``: wall time,
and recall / precision / ROC-AUC of the sky's injected symbiotic stars (its truth table) in the top
2% and 1% by each score.

    .venv/bin/python benchmarks/bench_vae_batch.py --run /tmp/bench/n1000000

``--run``: a folder of ``benchmarks/bench_workflow.py --keep`` (``results/`` and ``sky/truth.parquet``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch  # noqa: F401  (imported before the clock starts)
import yaml

from symfind.validate import validate_config
from symfind.rank.evaluation import evaluate
from symfind.products import PRODUCTS
from symfind.detect.vae import score_table

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, help="folder with results/ and sky/truth.parquet")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    run = Path(args.run)
    config = validate_config(yaml.safe_load((REPO / "config.yaml").read_text()))
    merged = pd.read_parquet(run / "results" / PRODUCTS["analysed"])
    truth = pd.read_parquet(run / "sky" / "truth.parquet", columns=["object_id", "population"])
    symbiotic = truth.loc[truth["population"].str.startswith("symbiotic"), "object_id"].to_numpy()
    for label, steps in ((f"batch rule (max_steps_per_epoch {config['vae']['max_steps_per_epoch']})",
                          config["vae"]["max_steps_per_epoch"]), (f"fixed batch {config['vae']['batch_size']}", None)):
        params = {**config["vae"], "max_steps_per_epoch": steps, "device": "cpu"}
        start = time.perf_counter()
        losses, _ = score_table(merged, params, args.threads, config["dereddening"]["a_per_ebv"])
        wall = time.perf_counter() - start
        labels = np.isin(losses["object_id"].to_numpy(), symbiotic)
        print(f"{label}: {len(losses):,d} objects, {int(labels.sum())} symbiotic, {wall:.0f} s (training + scoring)")
        for column in ("score_hot_excess", "score_any"):
            for fraction in (0.02, 0.01):
                r = evaluate(losses[column].to_numpy(), labels, fraction)
                print(f"  {column:17s} top {fraction:.0%}: recall {r['recall']:.3f}  precision {r['precision']:.3f}  "
                      f"ROC-AUC {r['roc_auc']:.3f}")


if __name__ == "__main__":
    main()
