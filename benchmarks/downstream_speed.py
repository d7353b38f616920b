"""Wall time of `tdimpute downstream` on one paper-size split.

    python benchmarks/downstream_speed.py [--samples 1000] [--cpgs 27717] [--genes 19027] [--rate 0.5]

Uses the simulated paper-scale cohort of baselines_scale.py (written if absent), draws one
split, imputes its test samples with TOBMI, then times the whole downstream command (CpG-gene
correlations, univariate Cox of every gene, clusters, log-rank, ridge Cox C-index and the
figure) on true vs imputed expression. Writes benchmarks/out/downstream_speed.json.
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


def tdimpute(*args) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tdimpute", *map(str, args)], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--cpgs", type=int, default=27717)
    parser.add_argument("--genes", type=int, default=19027)
    parser.add_argument("--rate", type=float, default=0.5)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).parent))
    from baselines_scale import make_data

    OUT.mkdir(exist_ok=True)
    cohort = OUT / f"paper_scale_{args.samples}x{args.cpgs}x{args.genes}.h5"
    make_data(cohort, args.samples, args.cpgs, args.genes)
    work = OUT / "downstream_speed"
    work.mkdir(exist_ok=True)
    split, model, imputed = work / "split.json", work / "tobmi", work / "imputed.tsv.gz"
    cancer = "BRCA"
    tdimpute("split", "--cohort", cohort, "--cancer", cancer, "--missing-rate", args.rate, "--out", split)
    tdimpute("fit", "--method", "tobmi", "--cohort", cohort, "--split", split, "--out", model)
    tdimpute("impute", "--model", model, "--cohort", cohort, "--split", split, "--out", imputed)
    seconds = tdimpute(
        "downstream",
        "--cohort",
        cohort,
        "--split",
        split,
        "--imputed",
        imputed,
        "--method",
        "tobmi",
        "--out",
        work / "downstream",
    )
    n_test = len(json.loads(split.read_text())["test"])
    results = {
        "test_samples": n_test,
        "cpgs": args.cpgs,
        "genes": args.genes,
        "downstream_s": seconds,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2,
    }
    (OUT / "downstream_speed.json").write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"downstream on {n_test} test samples x {args.genes} genes x {args.cpgs} CpGs: "
        f"{seconds:.1f} s (peak RSS of any step {results['peak_rss_gb']:.2f} GB)"
    )


if __name__ == "__main__":
    main()
