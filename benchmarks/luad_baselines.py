"""Accuracy of every baseline on the real TCGA LUAD subset beside the project.

    python benchmarks/luad_baselines.py [--rates 0.3] [--replicates 3]

The 355 LUAD samples with both omics (399 CpGs, 157 genes) are split by `tdimpute split`'s
rule at each missing rate and replicate; every baseline is fitted on the same training
samples and scored on the same test samples. Writes benchmarks/out/luad_baselines.json and
prints a markdown table of mean RMSE (SD) per method.
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

LUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "tcga_luad"
OUT = Path(__file__).parent / "out"
METHODS = ["mean", "svd", "tobmi", "lasso", "lasso-cv"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="0.3")
    parser.add_argument("--replicates", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    from tdimpute.io import read_matrix
    from tdimpute.models import imputer_class
    from tdimpute.operations import expression_frame, methylation_frame
    from tdimpute.preprocess import PreprocessOptions, preprocess
    from tdimpute.splits import make_split

    cohort = preprocess(
        read_matrix(LUAD / "DNA_methylation_AD.csv"),
        read_matrix(LUAD / "RNA_seq_AD.csv"),
        cancer_type="LUAD",
        options=PreprocessOptions(min_variance=0),
    )
    rows = []
    for rate in map(float, args.rates.split(",")):
        for replicate in range(1, args.replicates + 1):
            split = make_split(cohort, rate, replicate=replicate, seed=1)
            train, test = cohort.rows_of(split.train), cohort.rows_of(split.test)
            X, Y = methylation_frame(cohort, train), expression_frame(cohort, train)
            truth = expression_frame(cohort, test).to_numpy()
            for method in METHODS:
                imputed = imputer_class(method)().fit(X, Y).predict(methylation_frame(cohort, test))
                rmse = float(np.sqrt(np.mean((imputed.to_numpy() - truth) ** 2)))
                rows.append({"missing_rate": rate, "replicate": replicate, "method": method, "rmse": rmse})
                print(f"rate {rate} replicate {replicate} {method}: RMSE {rmse:.3f}", flush=True)
    table = pd.DataFrame(rows)
    OUT.mkdir(exist_ok=True)
    (OUT / "luad_baselines.json").write_text(json.dumps(rows, indent=2) + "\n")
    summary = table.groupby(["missing_rate", "method"])["rmse"].agg(["mean", "std"]).unstack("method")
    print("\n| missing rate | " + " | ".join(METHODS) + " |")
    print("| --- |" + " ---: |" * len(METHODS))
    for rate, row in summary.iterrows():
        cells = [f"{row[('mean', m)]:.3f} ({row[('std', m)]:.3f})" for m in METHODS]
        print(f"| {rate} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
