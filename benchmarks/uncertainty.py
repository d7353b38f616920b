"""Intervals and multiple imputation, measured where the truth is known.

    python benchmarks/uncertainty.py [--replicates 5] [--method ridge-cv] [--only luad|kipan]

1. Coverage: on LUAD (the TCGA subset beside the project) and KIPAN (from the PyPI wheel, as
   benchmarks/accuracy.py loads it) at 30 and 70 % missing, the method is fitted with 5-fold
   held-out residuals on the training samples of each split (`tdimpute split`'s rule, seed 1),
   and the held-out test samples' true values are checked against 90 % split-conformal
   bounds; beside them, the bounds that the per-gene residual spread gives under a normal law
   (imputed +- 1.645 SD of the gene's held-out residuals), and split-conformal bounds from each
   gene's own residuals alone.
2. False positives: on simulated cohorts in which no gene is associated with survival, 70 %
   of the samples lose their expression and are imputed; the share of genes with a Cox
   p <= 0.05 is counted on the true expression, on the single imputation (imputed values
   taken as measured) and pooled over 20 multiple imputations by Rubin's rules. Two nulls:
   survival driven by a methylation factor that no gene's expression depends on (the imputed
   genes borrow its association: `borrowed_association`), and survival shuffled between
   samples (nothing is associated with it).

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
            half = own_gene_half_widths(model.residuals_)
            own = coverage(truth, imputed - half, imputed + half)
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
                    "own_gene_coverage": own["interval_coverage"],
                    "own_gene_width": own["interval_width"],
                }
            )
            print(
                f"{name} {rate} replicate {replicate}: conformal {rows[-1]['conformal_coverage']:.3f}, "
                f"normal {rows[-1]['normal_coverage']:.3f}",
                flush=True,
            )
    return rows


def own_gene_half_widths(residuals: np.ndarray) -> np.ndarray:
    """Split-conformal on each gene's residuals alone: the ceil((n + 1) level)-th smallest
    absolute residual of the gene (what --interval wrote before the genes shared one factor)."""
    rank = int(np.ceil((len(residuals) + 1) * LEVEL))
    return np.partition(np.abs(residuals), rank - 1, axis=0)[rank - 1]


def false_positive_rows(method: str, cohorts: int) -> list[dict]:
    """Both null scenarios on `cohorts` seeds each: one row per scenario and seed."""
    rows = []
    for scenario, simulate in (("borrowed", borrowed_association), ("shuffled", shuffled_survival)):
        for seed in range(cohorts):
            rates = false_positive_rates(*simulate(seed), method, seed)
            rows.append({"scenario": scenario, "seed": seed, **rates})
            print(f"{scenario} cohort {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in rates.items()), flush=True)
    return rows


def borrowed_association(seed: int, n: int = 400, cpgs: int = 200, genes: int = 100, factors: int = 10):
    """Ten independent latent factors drive the methylation (with noise); every gene's
    expression depends on factors 2-10 alone and survival on factor 1 alone, so no gene is
    associated with survival, yet a gene imputed from methylation borrows some of factor 1.
    Returns methylation, expression (samples x features), time, event and the imputed rows."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, factors))
    methylation = latent @ rng.normal(size=(factors, cpgs)) + 2 * rng.normal(size=(n, cpgs))
    loadings = rng.normal(size=(factors, genes)) / np.sqrt(factors)
    loadings[0] = 0
    expression = latent @ loadings + rng.normal(size=(n, genes))
    death = rng.exponential(np.exp(-latent[:, 0]))
    censoring = rng.exponential(2 * np.median(death), size=n)
    samples = [f"S{i}" for i in range(n)]
    return (
        pd.DataFrame(methylation, index=samples, columns=[f"cg{j}" for j in range(cpgs)]),
        pd.DataFrame(expression, index=samples, columns=[f"G{g}" for g in range(genes)]),
        np.minimum(death, censoring),
        (death <= censoring).astype(float),
        rng.permutation(n)[: int(0.7 * n)],
    )


def shuffled_survival(seed: int):
    """The simulated cohort (400 samples, 100 genes) with survival shuffled between samples:
    neither methylation nor expression is associated with it (the simulation's own
    non-prognostic genes share latent factors with the prognostic ones, so they are not null)."""
    from tdimpute.operations import expression_frame, methylation_frame
    from tdimpute.simulate import simulate_cohort
    from tdimpute.splits import make_split

    cohort = simulate_cohort(n_samples=400, n_cpgs=200, n_genes=100, n_cancers=1, seed=seed)
    every = np.arange(len(cohort.samples))
    shuffled = np.random.default_rng(seed).permutation(len(every))
    time, event = (cohort.clinical[c].to_numpy(float)[shuffled] for c in ("os_time", "os_event"))
    test = cohort.rows_of(make_split(cohort, 0.7, replicate=1, seed=seed).test)
    return methylation_frame(cohort, every), expression_frame(cohort, every), time, event, test


def false_positive_rates(methylation, expression, time, event, test, method: str, seed: int, draws: int = 20) -> dict:
    """The share of genes with a Cox p <= 0.05 on the true expression, on the cohort whose `test`
    rows are imputed (single imputation) and pooled over `draws` multiple imputations."""
    from tdimpute.downstream.pooling import pooled_cox
    from tdimpute.downstream.survival import univariate_cox
    from tdimpute.models import imputer_class
    from tdimpute.uncertainty import completed_draws

    train = np.setdiff1d(np.arange(len(expression)), test)
    X, Y = methylation.iloc[train], expression.iloc[train]
    model = imputer_class(method)().fit(X, Y).estimate_reliability(X, Y, folds=5, seed=0)
    imputed = model.predict(methylation.iloc[test])
    single = expression.copy()
    single.iloc[test] = imputed.to_numpy()
    completed = []
    for drawn in completed_draws(imputed, model.residuals_, draws, seed):
        completed.append(single.copy())
        completed[-1].iloc[test] = drawn.to_numpy()
    p = {
        "true": univariate_cox(expression, time, event)["p"],
        "single": univariate_cox(single, time, event)["p"],
        "pooled": pooled_cox(completed, time, event)["p"],
    }
    return {f"{k}_false_positive_rate": float((v <= 0.05).mean()) for k, v in p.items()}


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
        rates = pd.DataFrame(fpr).drop(columns="seed").groupby("scenario")
        print_markdown(rates.mean().join(rates.std(), rsuffix="_sd").reset_index())


def print_markdown(table: pd.DataFrame) -> None:
    print("| " + " | ".join(map(str, table.columns)) + " |")
    print("|" + " --- |" * len(table.columns))
    for row in table.itertuples(index=False):
        print("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |")


if __name__ == "__main__":
    main()
