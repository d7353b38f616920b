"""What the paper's whole study costs in staging and reading, before and after per-cancer files.

    python benchmarks/study_cost.py [--before REV] [--samples 8856] [--cpgs 27717] [--genes 19027]

A paper-shape pool is simulated once (8,856 samples in 33 cancer types of the TCGA sizes of the
paper's Table 1, grouped by cancer as a pooled samplesheet writes them; 27,717 CpGs; 19,027
genes) and written as a cohort file; `tdimpute select` then writes each of the 16 target
cancers' files. From the real file sizes and the pipeline's channel structure (which process
gets which file, how many tasks of each the paper's design makes: 16 cancers x 5 missing rates
x 5 replicates x 10 methods), the bytes staged per process are summed over the study, for the
pipeline at revision REV (every task received the pool) and now (only PRETRAIN and SELECT do).
Network models are staged alike both ways (their size is computed from the paper's network:
float32 weights of 27,717 -> 4,000 -> 19,027).

Measured, each in its own process (wall time and peak RSS): a baseline FIT (mean) and EVALUATE
of the largest target cancer (BRCA, 50 % missing) by the code at REV on the pool and by the
current code on the pool (row selection) and on BRCA's own file; and the per-task overheads
(interpreter and command start-up, TensorFlow import, reading each file) against the compute of
a paper-size fit (ridge-cv on BRCA's training samples). Writes benchmarks/out/study_cost.json
and prints the tables of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
# The paper's Table 1: the 16 target cancers and their samples, then UCEC; the other 16 TCGA
# cancer types share the rest of the 8,856 samples.
TARGETS = {
    "BRCA": 867,
    "THCA": 562,
    "HNSC": 541,
    "LGG": 541,
    "PRAD": 532,
    "LUAD": 477,
    "SKCM": 472,
    "BLCA": 424,
    "LIHC": 416,
    "LUSC": 378,
    "STAD": 371,
    "KIRC": 342,
    "CESC": 308,
    "COAD": 297,
    "KIRP": 297,
    "SARC": 262,
}
OTHERS = 17  # UCEC and 16 smaller cancer types
DESIGN = {"missing_rates": 5, "replicates": 5, "methods": 10, "network_methods": 4, "transfer_methods": 3}
HIDDEN = 4000


def cancer_sizes(n_samples: int) -> dict[str, int]:
    """TCGA-like sizes: the targets as in the paper (scaled when n_samples differs), the rest
    spread over the other cancer types."""
    scale = min(1.0, n_samples / 8856)
    sizes = {name: max(20, round(n * scale)) for name, n in TARGETS.items()}
    rest = n_samples - sum(sizes.values())
    sizes.update({f"OTHER{i + 1:02d}": rest // OTHERS + (i < rest % OTHERS) for i in range(OTHERS)})
    return sizes


def make_pool(path: Path, n_samples: int, cpgs: int, genes: int) -> dict[str, int]:
    from tdimpute.cohort import Cohort, write_cohort
    from tdimpute.simulate import simulate_cohort

    sizes = cancer_sizes(n_samples)
    if not path.exists():
        print(f"simulating {n_samples} samples x {cpgs} CpGs x {genes} genes", file=sys.stderr, flush=True)
        drawn = simulate_cohort(n_samples=n_samples, n_cpgs=cpgs, n_genes=genes, n_cancers=1, seed=2020)
        clinical = drawn.clinical.assign(cancer_type=[name for name, n in sizes.items() for _ in range(n)])
        write_cohort(
            Cohort(
                drawn.samples, drawn.cpgs, drawn.genes, drawn.methylation, drawn.expression, clinical, drawn.provenance
            ),
            path,
        )
    return sizes


def worker(kind: str, args: list[str]) -> dict:
    """Run one measured step in this process; its wall time and peak RSS (VmHWM, which a new
    program starts afresh, unlike getrusage's maximum, which a child inherits)."""
    start = time.perf_counter()
    if kind == "cli":
        from tdimpute.cli import app

        app(args, standalone_mode=False)
    elif kind == "import-tensorflow":
        import tensorflow  # noqa: F401
    elif kind == "read":
        from tdimpute.cohort import read_cohort

        read_cohort(args[0], *args[1:])
    status = Path("/proc/self/status").read_text()
    peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    return {"seconds": time.perf_counter() - start, "peak_rss_gb": peak_kb / 1024**2}


def measure(kind: str, *args, source: Path | None = None) -> dict:
    """`worker(kind, args)` in a fresh interpreter importing tdimpute from `source`."""
    import os

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(source or ROOT / "src")}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "process_seconds": time.perf_counter() - started}


def source_at(revision: str, directory: Path) -> Path:
    """The package's source at a git revision, extracted into `directory`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], stdout=subprocess.PIPE, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(directory, filter="data")
    return directory / "src"


def baseline_steps(cohort: Path, work: Path, source: Path | None) -> dict:
    """FIT (mean) and EVALUATE of BRCA at 50 % missing, each in its own process."""
    split, model, imputed = work / "split.json", work / "model", work / "imputed.tsv.gz"
    common = ["--cohort", str(cohort)]
    measure(
        "cli",
        "split",
        *common,
        "--cancer",
        "BRCA",
        "--missing-rate",
        "0.5",
        "--seed",
        "1",
        "--out",
        split,
        source=source,
    )
    fit = measure("cli", "fit", "--method", "mean", *common, "--split", split, "--out", model, source=source)
    measure("cli", "impute", "--model", model, *common, "--split", split, "--out", imputed, source=source)
    evaluate = measure(
        "cli",
        "evaluate",
        *common,
        "--split",
        split,
        "--imputed",
        imputed,
        "--out",
        work / "metrics.json",
        source=source,
    )
    return {"fit_mean": fit, "evaluate": evaluate}


def study_bytes(pool: int, cancers: dict[str, int]) -> dict:
    """Bytes per process over the paper's study, before (the pool everywhere) and now, from the
    pool's and each target cancer's size (file bytes for staging, value bytes for reading)."""
    n = len(cancers)
    designs = DESIGN["missing_rates"] * DESIGN["replicates"]
    runs = designs * DESIGN["methods"]  # FIT, IMPUTE, EVALUATE and DOWNSTREAM tasks per cancer
    every_cancer = sum(cancers.values())  # one task of a kind for each target cancer
    rows = {  # process: (tasks, before, now)
        "SELECT": (n, 0, n * pool),
        "PRETRAIN": (n, n * pool, n * pool),
        "SPLIT": (n * designs, n * designs * pool, designs * every_cancer),
        **{
            name: (n * runs, n * runs * pool, runs * every_cancer)
            for name in ("FIT", "IMPUTE", "EVALUATE", "DOWNSTREAM")
        },
    }
    before, now = sum(r[1] for r in rows.values()), sum(r[2] for r in rows.values())
    return {
        "processes": {name: {"tasks": t, "before": b, "now": a} for name, (t, b, a) in rows.items()},
        "total": {"before": before, "now": now, "ratio": before / now},
    }


def study_cost(results: dict, values_per_sample: int) -> dict:
    """Staged and read bytes of the study; network models, staged alike both ways, apart."""
    n = len(TARGETS)
    designs = DESIGN["missing_rates"] * DESIGN["replicates"]
    models = {
        "FIT (pretrained network in)": n * designs * DESIGN["transfer_methods"] * results["model_bytes"],
        "IMPUTE (fitted network in)": n * designs * DESIGN["network_methods"] * results["model_bytes"],
    }
    staged = study_bytes(results["pool_bytes"], results["cancer_bytes"])
    extra = sum(models.values())
    staged["with_models"] = {"before": staged["total"]["before"] + extra, "now": staged["total"]["now"] + extra}
    staged["with_models"]["ratio"] = staged["with_models"]["before"] / staged["with_models"]["now"]
    sizes = results["shape"]["cancers"]
    read = study_bytes(sum(sizes.values()) * values_per_sample, {c: sizes[c] * values_per_sample for c in TARGETS})
    read["processes"]["SELECT"]["now"] = sum(sizes[c] for c in TARGETS) * values_per_sample  # its rows alone
    read["total"]["now"] = sum(row["now"] for row in read["processes"].values())
    read["total"]["ratio"] = read["total"]["before"] / read["total"]["now"]
    return {"staged": staged, "network_models": models, "read": read}


def overheads(pool: Path, brca: Path, work: Path) -> dict:
    """Per-task costs besides the work itself, and the compute of a paper-size baseline fit."""
    return {
        "start_up": measure("cli", "--version"),
        "import_tensorflow": measure("import-tensorflow"),
        "read_pool": measure("read", pool),
        "read_brca_rows_of_pool": measure("read", pool, "BRCA"),
        "read_brca_file": measure("read", brca),
        "fit_ridge_cv_brca": measure(
            "cli",
            "fit",
            "--method",
            "ridge-cv",
            "--cohort",
            brca,
            "--split",
            work / "after_file" / "split.json",
            "--out",
            work / "ridge",
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="342243d", help="git revision whose tasks all read the pool")
    parser.add_argument("--samples", type=int, default=8856)
    parser.add_argument("--cpgs", type=int, default=27717)
    parser.add_argument("--genes", type=int, default=19027)
    parser.add_argument("--worker", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1:])))
        return

    data = OUT / f"study_cost_{args.samples}x{args.cpgs}x{args.genes}"
    data.mkdir(parents=True, exist_ok=True)
    pool = data / "pool.h5"
    sizes = make_pool(pool, args.samples, args.cpgs, args.genes)
    cancer_files, select = {}, {}
    for cancer in TARGETS:
        cancer_files[cancer] = data / f"{cancer}.h5"
        print(f"select {cancer}", file=sys.stderr, flush=True)
        select[cancer] = measure("cli", "select", "--cohort", pool, "--cancer", cancer, "--out", cancer_files[cancer])
    model_bytes = 4 * ((args.cpgs + 1) * HIDDEN + (HIDDEN + 1) * args.genes)
    results = {
        "shape": {"samples": args.samples, "cpgs": args.cpgs, "genes": args.genes, "cancers": sizes},
        "pool_bytes": pool.stat().st_size,
        "cancer_bytes": {c: f.stat().st_size for c, f in cancer_files.items()},
        "select": select,
        "model_bytes": model_bytes,
    }
    results["study"] = study_cost(results, 4 * (args.cpgs + args.genes))
    with tempfile.TemporaryDirectory() as tmp:
        before = source_at(args.before, Path(tmp))
        print(
            f"baseline steps: code at {args.before} on the pool, now on the pool and on BRCA's file",
            file=sys.stderr,
            flush=True,
        )
        results["steps"] = {
            f"{args.before}, pool": baseline_steps(pool, data / "before", before),
            "now, pool": baseline_steps(pool, data / "after_pool", None),
            "now, BRCA file": baseline_steps(cancer_files["BRCA"], data / "after_file", None),
        }
    results["overheads"] = overheads(pool, cancer_files["BRCA"], data)
    (OUT / "study_cost.json").write_text(json.dumps(results, indent=2) + "\n")
    print_tables(results)


def print_tables(results: dict) -> None:
    tb, study = 1e12, results["study"]
    staged, read = study["staged"], study["read"]
    print("| process | tasks | staged before (TB) | staged now (TB) | read before (TB) | read now (TB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, row in staged["processes"].items():
        got = read["processes"][name]
        print(
            f"| {name} | {row['tasks']:,} | {row['before'] / tb:.2f} | {row['now'] / tb:.3f} "
            f"| {got['before'] / tb:.2f} | {got['now'] / tb:.3f} |"
        )
    total, got = staged["total"], read["total"]
    print(
        f"| cohort files, all | | {total['before'] / tb:.2f} | {total['now'] / tb:.3f} "
        f"({total['ratio']:.1f}x less) | {got['before'] / tb:.2f} | {got['now'] / tb:.3f} ({got['ratio']:.1f}x less) |"
    )
    for name, value in study["network_models"].items():
        print(f"| network models, {name} | | {value / tb:.2f} | {value / tb:.2f} | | |")
    both = staged["with_models"]
    print(
        f"| cohorts and network models | | {both['before'] / tb:.2f} | {both['now'] / tb:.2f} "
        f"({both['ratio']:.1f}x less) | | |"
    )
    print("\n| step | seconds | peak RSS (GB) |\n| --- | ---: | ---: |")
    for where, steps in results["steps"].items():
        for step, m in steps.items():
            print(f"| {step}: {where} | {m['process_seconds']:.1f} | {m['peak_rss_gb']:.2f} |")
    for name, m in results["overheads"].items():
        print(f"| {name} | {m['process_seconds']:.1f} | {m['peak_rss_gb']:.2f} |")


if __name__ == "__main__":
    main()
