"""Univariate Cox regression of every gene: the vectorised fit against a lifelines loop.

    python benchmarks/cox_speed.py [--samples 800] [--genes 19027] [--lifelines-genes 200]

Survival times are in whole days (so a few ties occur, as in TCGA). lifelines' CoxPHFitter is
timed on a subset of genes and its per-gene cost multiplied out; the vectorised fit runs on
every gene. Writes benchmarks/out/cox_speed.json and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=800)
    parser.add_argument("--genes", type=int, default=19027)
    parser.add_argument("--lifelines-genes", type=int, default=200)
    args = parser.parse_args()

    from lifelines import CoxPHFitter

    from tdimpute.downstream.survival import univariate_cox

    rng = np.random.default_rng(0)
    expression = pd.DataFrame(
        rng.gamma(2.0, 2.0, size=(args.samples, args.genes)), columns=[f"G{i}" for i in range(args.genes)]
    )
    hazard = np.exp(0.3 * (expression["G0"] - 4) / 2.8) / 1500
    death = rng.exponential(1 / hazard)
    censor = rng.exponential(1500, size=args.samples)
    time_days = np.ceil(np.minimum(death, censor))
    event = (death <= censor).astype(float)

    start = time.perf_counter()
    table = univariate_cox(expression, time_days, event)
    vectorised = time.perf_counter() - start

    warnings.simplefilter("ignore")
    subset = expression.columns[: args.lifelines_genes]
    start = time.perf_counter()
    for gene in subset:
        frame = pd.DataFrame({"x": expression[gene], "T": time_days, "E": event})
        CoxPHFitter().fit(frame, "T", "E")
    per_gene = (time.perf_counter() - start) / len(subset)

    results = {
        "samples": args.samples,
        "genes": args.genes,
        "events": int(event.sum()),
        "tied_event_times": int((pd.Series(time_days[event == 1]).value_counts() > 1).sum()),
        "vectorised_s": vectorised,
        "lifelines_ms_per_gene": per_gene * 1000,
        "lifelines_extrapolated_s": per_gene * args.genes,
        "speedup": per_gene * args.genes / vectorised,
        "significant_genes_p05": int((table["p"] <= 0.05).sum()),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "cox_speed.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"vectorised univariate Cox: {args.genes} genes x {args.samples} samples in {vectorised:.2f} s")
    print(
        f"lifelines CoxPHFitter loop: {per_gene * 1000:.1f} ms per gene, "
        f"{per_gene * args.genes:.0f} s extrapolated to {args.genes} genes"
    )
    print(f"speed-up: {results['speedup']:.0f}x")


if __name__ == "__main__":
    main()
