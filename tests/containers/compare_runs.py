"""Check that two results folders of one profile agree: outside and inside a container.

    python tests/containers/compare_runs.py RESULTS_A RESULTS_B

Compares the benchmark and downstream summary tables and every evaluation's metrics; prints
the largest relative difference and exits non-zero when any exceeds 1e-5 or a table differs
in its rows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

TABLES = ["summary/benchmark_summary.tsv", "summary/downstream_summary.tsv"]
TOLERANCE = 1e-5


def largest_difference(a: pd.DataFrame, b: pd.DataFrame) -> float:
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        raise SystemExit("the tables differ in their rows or columns")
    numeric = a.select_dtypes("number").columns
    if not a.drop(columns=numeric).equals(b.drop(columns=numeric)):
        raise SystemExit("the tables differ in their labels")
    x, y = a[numeric].to_numpy(float), b[numeric].to_numpy(float)
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        raise SystemExit("the tables differ in their missing values")
    finite = ~np.isnan(x)
    return float(np.max(np.abs(x[finite] - y[finite]) / np.maximum(np.abs(x[finite]), 1e-12), initial=0.0))


def main(first: Path, second: Path) -> None:
    worst = 0.0
    for name in TABLES:
        worst = max(
            worst, largest_difference(pd.read_csv(first / name, sep="\t"), pd.read_csv(second / name, sep="\t"))
        )
    metrics = sorted(p.relative_to(first) for p in first.glob("evaluation/*/*.metrics.json"))
    if not metrics or metrics != sorted(p.relative_to(second) for p in second.glob("evaluation/*/*.metrics.json")):
        raise SystemExit("the runs evaluated different imputations")
    for name in metrics:
        a, b = (json.loads((root / name).read_text()) for root in (first, second))
        worst = max(worst, largest_difference(pd.DataFrame([a]), pd.DataFrame([b])))
    print(f"{len(TABLES)} tables and {len(metrics)} evaluations compared; largest relative difference {worst:.3g}")
    if worst > TOLERANCE:
        raise SystemExit(f"the runs differ by more than {TOLERANCE:g}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
