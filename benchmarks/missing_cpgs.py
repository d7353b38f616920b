"""What a target cohort's missing CpGs cost once filled from its other CpGs.

    python benchmarks/missing_cpgs.py [--share 0.1] [--replicates 5] [--methods ridge-cv,lasso-cv]
                                      [--only luad|kipan]

On LUAD (the TCGA subset beside the project) and KIPAN (from the PyPI wheel, as
benchmarks/accuracy.py loads it), at 30 and 70 % missing: each split's training samples are
the reference cohort, on which every method is fitted; its test samples are the target, with
a random `--share` of the CpGs removed (drawn anew for each replicate) and filled from the
others as `preprocess --reference` fills them (`cpg_filling`: a ridge regression on the
reference). Each method imputes the test samples from their measured CpGs and from the
filled ones; the per-gene training mean is the scale of a useless imputation. Beside them,
the cost that the run's warning states (`filling_cost`, measured on held-out reference
samples alone). Writes benchmarks/out/missing_cpgs.json and prints the markdown table of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np
import pandas as pd
from accuracy import OUT, kipan_cohort, luad_cohort

RATES = (0.3, 0.7)


def rows_of(name: str, cohort, methods: list[str], share: float, replicates: int) -> list[dict]:
    from tdimpute.cpg_filling import fill_missing_cpgs, filling_cost
    from tdimpute.models import imputer_class
    from tdimpute.operations import expression_frame, methylation_frame
    from tdimpute.splits import make_split

    rows = []
    for rate in RATES:
        for replicate in range(1, replicates + 1):
            split = make_split(cohort, rate, replicate=replicate, seed=1)
            train, test = cohort.rows_of(split.train), cohort.rows_of(split.test)
            reference = cohort.take(train)
            measured, truth = methylation_frame(cohort, test), expression_frame(cohort, test).to_numpy()
            rng = np.random.default_rng(replicate)
            kept = np.delete(cohort.cpgs, rng.choice(len(cohort.cpgs), int(share * len(cohort.cpgs)), replace=False))
            filled = fill_missing_cpgs(measured.loc[:, kept], reference)
            stated = filling_cost(measured.loc[:, kept], reference)
            for method in methods:
                model = imputer_class(method)().fit(methylation_frame(cohort, train), expression_frame(cohort, train))
                row = {
                    "cohort": name,
                    "missing_rate": rate,
                    "replicate": replicate,
                    "method": method,
                    "measured": rmse(model.predict(measured), truth),
                    "filled": rmse(model.predict(filled), truth),
                    "mean": rmse(cohort.expression[train].mean(axis=0), truth),
                    "stated_measured": stated.measured,
                    "stated_filled": stated.filled,
                }
                rows.append(row)
                print(
                    f"{name} {rate} {replicate} {method}: RMSE {row['measured']:.4f} -> {row['filled']:.4f} "
                    f"(mean {row['mean']:.4f}); stated {stated.measured:.4f} -> {stated.filled:.4f}",
                    flush=True,
                )
    return rows


def rmse(imputed, truth: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(imputed) - truth) ** 2)))


def print_table(rows: list[dict], share: float) -> None:
    table = pd.DataFrame(rows)
    table["rise"] = table["filled"] - table["measured"]
    table["loss_of_mean"] = table["mean"] - table["measured"]
    table["stated_rise"] = table["stated_filled"] - table["stated_measured"]
    print(f"\n{share:.0%} of the CpGs removed from the test samples and filled; mean over replicates\n")
    print(
        "| cohort | missing | method | RMSE, measured CpGs | RMSE, filled | rise | rise / (mean's RMSE - measured) "
        "| rise the warning states |"
    )
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    means = table.groupby(["cohort", "missing_rate", "method"], sort=False).mean(numeric_only=True)
    for (cohort, rate, method), r in means.iterrows():
        print(
            f"| {cohort} | {rate:.0%} | {method} | {r.measured:.4f} | {r.filled:.4f} | {r.rise:+.4f} "
            f"| {r.rise / r.loss_of_mean:.3f} | {r.stated_rise:+.4f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--share", type=float, default=0.1)
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument("--methods", default="ridge-cv,lasso-cv")
    parser.add_argument("--only", choices=["luad", "kipan"])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    methods = args.methods.split(",")
    rows = []
    if args.only in (None, "luad"):
        rows += rows_of("LUAD", luad_cohort(), methods, args.share, args.replicates)
    if args.only in (None, "kipan"):
        rows += rows_of("KIPAN", kipan_cohort(), methods, args.share, args.replicates)
    OUT.mkdir(exist_ok=True)
    (OUT / "missing_cpgs.json").write_text(json.dumps(rows, indent=2) + "\n")
    print_table(rows, args.share)


if __name__ == "__main__":
    main()
