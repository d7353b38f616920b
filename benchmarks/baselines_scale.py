"""Wall time and peak memory of each baseline at the paper's scale, on synthetic data.

    python benchmarks/baselines_scale.py [--samples 1000] [--cpgs 27717] [--genes 19027]
                                         [--methods lasso,lasso-cv]   (default: every baseline)

A simulated cohort of the paper's size (800 training and 200 test samples, 27,717 CpGs,
19,027 genes) is written once; each method then fits and imputes in its own process, so that
its peak resident memory is its own. Plain scikit-learn `Lasso(alpha=0.1)` is timed on a
subset of genes in the same run and extrapolated to all genes, for the ratio.
Writes benchmarks/out/baselines_scale.json and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"
METHODS = ["mean", "svd", "tobmi", "lasso", "lasso-cv"]


def make_data(path: Path, samples: int, cpgs: int, genes: int) -> None:
    from tdimpute.cohort import write_cohort
    from tdimpute.simulate import simulate_cohort

    if not path.exists():
        write_cohort(simulate_cohort(n_samples=samples, n_cpgs=cpgs, n_genes=genes, n_cancers=1, seed=2020), path)


def run_method(data: Path, method: str, n_test: int) -> dict:
    """Fit on all but the last `n_test` samples, impute those; report time and peak RSS."""
    import numpy as np

    from tdimpute.cohort import read_cohort
    from tdimpute.models import imputer_class
    from tdimpute.operations import expression_frame, methylation_frame

    cohort = read_cohort(data)
    rows = np.arange(len(cohort.samples))
    train, test = rows[:-n_test], rows[-n_test:]
    start = time.perf_counter()
    model = imputer_class(method)().fit(methylation_frame(cohort, train), expression_frame(cohort, train))
    fitted = time.perf_counter()
    imputed = model.predict(methylation_frame(cohort, test))
    done = time.perf_counter()
    truth = cohort.expression[test]
    return {
        "method": method,
        "fit_s": fitted - start,
        "impute_s": done - fitted,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
        "rmse": float(np.sqrt(np.mean((imputed.to_numpy() - truth) ** 2))),
        **({"alpha": float(model.alpha_)} if hasattr(model, "alpha_") else {}),
    }


def plain_sklearn_lasso(data: Path, n_test: int, genes: int) -> dict:
    """scikit-learn Lasso(alpha=0.1) as the authors ran it, on `genes` genes, extrapolated."""
    import numpy as np
    from sklearn.linear_model import Lasso

    from tdimpute.cohort import read_cohort

    cohort = read_cohort(data)
    X = cohort.methylation[:-n_test].astype(np.float64)
    Y = cohort.expression[:-n_test, :genes].astype(np.float64)
    start = time.perf_counter()
    Lasso(alpha=0.1).fit(X, Y / (cohort.expression[:-n_test].max() + 1e-3))
    elapsed = time.perf_counter() - start
    return {"genes_timed": genes, "seconds": elapsed, "extrapolated_s": elapsed * cohort.expression.shape[1] / genes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--test", type=int, default=200)
    parser.add_argument("--cpgs", type=int, default=27717)
    parser.add_argument("--genes", type=int, default=19027)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--sklearn-genes", type=int, default=200)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker == "sklearn":
        print(json.dumps(plain_sklearn_lasso(args.data, args.test, args.sklearn_genes)))
        return
    if args.worker:
        print(json.dumps(run_method(args.data, args.worker, args.test)))
        return

    OUT.mkdir(exist_ok=True)
    data = OUT / f"paper_scale_{args.samples}x{args.cpgs}x{args.genes}.h5"
    print(f"simulating {args.samples} x {args.cpgs} CpGs x {args.genes} genes -> {data}", file=sys.stderr)
    make_data(data, args.samples, args.cpgs, args.genes)

    def worker(name: str) -> dict:
        command = [
            sys.executable,
            __file__,
            "--worker",
            name,
            "--data",
            str(data),
            "--test",
            str(args.test),
            "--sklearn-genes",
            str(args.sklearn_genes),
        ]
        print(f"running {name}...", file=sys.stderr, flush=True)
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        return json.loads(result.stdout.strip().splitlines()[-1])

    results = {
        "shape": {"train": args.samples - args.test, "test": args.test, "cpgs": args.cpgs, "genes": args.genes},
        "methods": [],
    }
    for method in args.methods.split(","):  # saved after each method: a long one loses nothing
        results["methods"].append(worker(method))
        (OUT / "baselines_scale.json").write_text(json.dumps(results, indent=2) + "\n")
    results["sklearn_lasso_alpha_0.1"] = worker("sklearn")
    (OUT / "baselines_scale.json").write_text(json.dumps(results, indent=2) + "\n")

    print("| method | fit (s) | impute (s) | peak RSS (GB) | test RMSE |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in results["methods"]:
        print(
            f"| {row['method']} | {row['fit_s']:.1f} | {row['impute_s']:.1f} | "
            f"{row['peak_rss_gb']:.2f} | {row['rmse']:.3f} |"
        )
    plain = results["sklearn_lasso_alpha_0.1"]
    print(
        f"\nplain scikit-learn Lasso(alpha=0.1): {plain['seconds']:.1f} s for {plain['genes_timed']} "
        f"genes, {plain['extrapolated_s']:.0f} s extrapolated to {args.genes} genes"
    )


if __name__ == "__main__":
    main()
