"""Intervals and multiple imputation, measured where the truth is known.

    python benchmarks/uncertainty.py [--replicates 5] [--method ridge-cv] [--only luad|kipan]

1. Coverage: on LUAD (the TCGA subset beside the project) and KIPAN (from the PyPI wheel, as
   benchmarks/accuracy.py loads it) at 30 and 70 % missing, the method is fitted with 5-fold
   held-out residuals on the training samples of each split (`tdimpute split`'s rule, seed 1),
   and the held-out test samples' true values are checked against 90 % split-conformal
   bounds; beside them, the bounds that the per-gene residual spread gives under a normal law
   (imputed +- 1.645 SD of the gene's held-out residuals).
2. False positives: on simulated cohorts whose survival is shuffled between samples (so every
   gene is null: the simulation's own non-prognostic genes share latent factors with the
   prognostic ones and are not), 70 % of the samples lose their expression and are imputed;
   the share of genes with a Cox p <= 0.05 is counted on the true expression, on the single
   imputation (imputed values taken as measured) and pooled over 20 multiple imputations by
   Rubin's rules.

Writes benchmarks/out/uncertainty.json and prints the markdown tables of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np
import pandas as pd
from accuracy import OUT, kipan_cohort, luad_cohort

LEVEL = 0.9
RATES = (0.3, 0.7)


def coverage_rows(name: str, cohort, method: str, replicates: int) -> list[dict]:
    from scipy.stats import norm

    from tdimpute.models import imputer_class
    from tdimpute.operations import expression_frame, methylation_frame
    from tdimpute.splits import make_split
    from tdimpute.uncertainty import coverage, intervals

    rows = []
    for rate in RATES:
        for replicate in range(1, replicates + 1):
            split = make_split(cohort, rate, replicate=replicate, seed=1)
            train, test = cohort.rows_of(split.train), cohort.rows_of(split.test)
            X, Y = methylation_frame(cohort, train), expression_frame(cohort, train)
            model = imputer_class(method)().fit(X, Y).estimate_reliability(X, Y, folds=5, seed=0)
            truth, imputed = expression_frame(cohort, test), model.predict(methylation_frame(cohort, test))
            conformal = coverage(truth, *intervals(imputed, model.residuals_, LEVEL))
            half = norm.ppf(0.5 + LEVEL / 2) * model.residuals_.std(axis=0, ddof=1)
            normal = coverage(truth, imputed - half, imputed + half)
            rows.append(
                {
                    "cohort": name,
                    "missing_rate": rate,
                    "replicate": replicate,
                    "method": method,
                    "conformal_coverage": conformal["interval_coverage"],
                    "conformal_width": conformal["interval_width"],
                    "normal_coverage": normal["interval_coverage"],
                    "normal_width": normal["interval_width"],
                }
            )
            print(
                f"{name} {rate} replicate {replicate}: conformal {rows[-1]['conformal_coverage']:.3f}, "
                f"normal {rows[-1]['normal_coverage']:.3f}",
                flush=True,
            )
    return rows


def false_positive_rows(method: str, cohorts: int, draws: int = 20) -> list[dict]:
    from tdimpute.downstream.pooling import pooled_cox
    from tdimpute.downstream.survival import univariate_cox
    from tdimpute.models import imputer_class
    from tdimpute.operations import expression_frame, methylation_frame
    from tdimpute.simulate import simulate_cohort
    from tdimpute.splits import make_split
    from tdimpute.uncertainty import completed_draws

    rows = []
    for seed in range(cohorts):
        cohort = simulate_cohort(n_samples=400, n_cpgs=200, n_genes=100, n_cancers=1, seed=seed)
        shuffled = np.random.default_rng(seed).permutation(len(cohort.samples))
        split = make_split(cohort, 0.7, replicate=1, seed=seed)
        train, test = cohort.rows_of(split.train), cohort.rows_of(split.test)
        X, Y = methylation_frame(cohort, train), expression_frame(cohort, train)
        model = imputer_class(method)().fit(X, Y).estimate_reliability(X, Y, folds=5, seed=0)
        truth = expression_frame(cohort, np.arange(len(cohort.samples)))
        single = truth.copy()
        single.iloc[test] = model.predict(methylation_frame(cohort, test)).to_numpy()
        time, event = (cohort.clinical[c].to_numpy(float)[shuffled] for c in ("os_time", "os_event"))
        cohorts_drawn = []
        for drawn in completed_draws(single.iloc[test], model.residuals_, draws, seed):
            cohorts_drawn.append(single.copy())
            cohorts_drawn[-1].iloc[test] = drawn.to_numpy()
        p = {
            "true": univariate_cox(truth, time, event)["p"],
            "single": univariate_cox(single, time, event)["p"],
            "pooled": pooled_cox(cohorts_drawn, time, event)["p"],
        }
        rows.append(
            {
                "seed": seed,
                **{f"{k}_false_positive_rate": float((v <= 0.05).mean()) for k, v in p.items()},
            }
        )
        print(
            f"simulated cohort {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in rows[-1].items() if k != "seed"),
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument("--method", default="ridge-cv")
    parser.add_argument("--only", choices=["luad", "kipan", "simulated"])
    parser.add_argument("--simulated-cohorts", type=int, default=10)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    loaders = {"LUAD": luad_cohort, "KIPAN": kipan_cohort}
    coverage_table = [
        row
        for name, load in loaders.items()
        if args.only in (None, name.lower())
        for row in coverage_rows(name, load(), args.method, args.replicates)
    ]
    fpr = false_positive_rows(args.method, args.simulated_cohorts) if args.only in (None, "simulated") else []
    OUT.mkdir(exist_ok=True)
    (OUT / "uncertainty.json").write_text(json.dumps({"coverage": coverage_table, "false_positives": fpr}, indent=2))
    if coverage_table:
        means = pd.DataFrame(coverage_table).groupby(["cohort", "missing_rate"]).mean(numeric_only=True)
        print_markdown(means.drop(columns="replicate").reset_index())
    if fpr:
        print_markdown(pd.DataFrame(fpr).drop(columns="seed").agg(["mean", "std"]).reset_index())


def print_markdown(table: pd.DataFrame) -> None:
    print("| " + " | ".join(map(str, table.columns)) + " |")
    print("|" + " --- |" * len(table.columns))
    for row in table.itertuples(index=False):
        print("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |")


if __name__ == "__main__":
    main()
