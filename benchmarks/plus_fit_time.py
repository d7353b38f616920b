"""Fit time of tdimpute-plus against TDimpute's fine-tuning at the paper's scale.

    python benchmarks/plus_fit_time.py [--train 800] [--cpgs 27717] [--genes 19027]
                                       [--epochs 150] [--timed-epochs 6]

A simulated cohort of the paper's size (800 training samples of the target cancer, 27,717
CpGs, 19,027 genes) and a network pretrained for one epoch on 200 samples of a second
simulated cancer (its weights do not change how long fine-tuning takes) are written once.
Each measurement runs in its own process, one after the other:

- `tdimpute`: the pretrained network fine-tuned on the 800 samples (batch 16);
- `tdimpute-plus` with the same pretrained network: its linear path (cross-validated Lasso,
  not bagged at this size, and ridge), the same fine-tuning on the samples outside its first
  fold, the standardised networks (every width and weight decay, early stopping), the blend.

Both train `--epochs` epochs (the paper's 150). With `--timed-epochs E` below that, a network
is timed at E/3 and E epochs instead and each further epoch is charged at the measured
per-epoch time (the fine-tuning of plus at its own training-set size; its standardised
networks train as they always do, up to early stopping), so that the comparison
takes minutes of network training instead of hours; the JSON keeps every measured figure.
Writes benchmarks/out/plus_fit_time.json and prints the comparison.
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
HOLD_OUT = 200  # simulated samples of another cancer that pretrain the network


def make_data(directory: Path, train: int, cpgs: int, genes: int) -> tuple[Path, Path]:
    """The target cohort and a pretrained network over the same CpGs and genes."""
    import numpy as np

    from tdimpute.cohort import read_cohort, write_cohort
    from tdimpute.models.network import PretrainedNetwork
    from tdimpute.operations import expression_frame, methylation_frame
    from tdimpute.simulate import simulate_cohort

    directory.mkdir(parents=True, exist_ok=True)
    data, pretrained = directory / "cohort.h5", directory / "pretrained"
    if not data.exists():
        # Two simulated cancers of `train` samples each: the target, and the pretraining one.
        write_cohort(simulate_cohort(n_samples=2 * train, n_cpgs=cpgs, n_genes=genes, n_cancers=2, seed=2020), data)
    if not pretrained.exists():
        cohort = read_cohort(data)
        other = np.flatnonzero(cohort.clinical["cancer_type"].to_numpy() != _target(cohort))[:HOLD_OUT]
        PretrainedNetwork(epochs=1).fit(methylation_frame(cohort, other), expression_frame(cohort, other)).save(
            pretrained
        )
    return data, pretrained


def _target(cohort) -> str:
    """The first simulated cancer: the one imputed."""
    return sorted(set(cohort.clinical["cancer_type"]))[0]


def _training_rows(cohort, train: int):
    import numpy as np

    return np.flatnonzero(cohort.clinical["cancer_type"].to_numpy() == _target(cohort))[:train]


def measure(data: Path, pretrained: Path, method: str, rows: int, epochs: int) -> dict:
    """Fit `method` on the first `rows` target samples; its wall time and peak memory."""
    from tdimpute.cohort import read_cohort
    from tdimpute.models import imputer_class
    from tdimpute.operations import expression_frame, methylation_frame

    cohort = read_cohort(data)
    chosen = _training_rows(cohort, rows)
    X, Y = methylation_frame(cohort, chosen), expression_frame(cohort, chosen)
    start = time.perf_counter()
    model = imputer_class(method)(pretrained=str(pretrained), epochs=epochs).fit(X, Y)
    result = {
        "method": method,
        "samples": len(chosen),
        "epochs": epochs,
        "fit_s": time.perf_counter() - start,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
    }
    if method == "tdimpute-plus":
        result["network_weights"] = model.network_weights_
        result["judged_samples"] = model.n_judged_
        result["network_samples"] = len(chosen) - len(model.lasso_.cv_models_[0][1])
    return result


def per_epoch(run, method: str, rows: int, epochs: int) -> dict:
    """Fixed and per-epoch seconds of a fit, from fits of epochs / 3 and epochs epochs."""
    short, long = run(method, rows, max(1, epochs // 3)), run(method, rows, epochs)
    slope = (long["fit_s"] - short["fit_s"]) / (long["epochs"] - short["epochs"])
    return {"runs": [short, long], "per_epoch_s": slope, "fixed_s": long["fit_s"] - slope * long["epochs"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=800)
    parser.add_argument("--cpgs", type=int, default=27717)
    parser.add_argument("--genes", type=int, default=19027)
    parser.add_argument("--epochs", type=int, default=150, help="fine-tuning epochs, as the paper")
    parser.add_argument("--timed-epochs", type=int, help="time networks this long and extrapolate")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)  # method, rows, epochs
    args = parser.parse_args()

    directory = OUT / f"plus_fit_time_{args.train}x{args.cpgs}x{args.genes}"
    if args.worker:
        method, rows, epochs = args.worker
        print(json.dumps(measure(directory / "cohort.h5", directory / "pretrained", method, int(rows), int(epochs))))
        return

    print(
        f"simulating 2 cancers x {args.train} samples x {args.cpgs} CpGs x {args.genes} genes and "
        f"pretraining a network for one epoch on {HOLD_OUT} samples of the other",
        file=sys.stderr,
        flush=True,
    )
    make_data(directory, args.train, args.cpgs, args.genes)

    def run(method: str, rows: int, epochs: int) -> dict:
        print(f"fitting {method} on {rows} samples, {epochs} epochs...", file=sys.stderr, flush=True)
        command = [
            sys.executable,
            __file__,
            "--train",
            str(args.train),
            "--cpgs",
            str(args.cpgs),
            "--genes",
            str(args.genes),
            "--worker",
            method,
            str(rows),
            str(epochs),
        ]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    epochs = args.timed_epochs if args.timed_epochs and args.timed_epochs < args.epochs else args.epochs
    results = {"shape": {"train": args.train, "cpgs": args.cpgs, "genes": args.genes}, "epochs": args.epochs}
    plus = run("tdimpute-plus", args.train, epochs)
    results["tdimpute-plus"] = plus
    if epochs == args.epochs:
        results["tdimpute"] = run("tdimpute", args.train, epochs)
        tdimpute_s, plus_s = results["tdimpute"]["fit_s"], plus["fit_s"]
    else:
        results["tdimpute"] = per_epoch(run, "tdimpute", args.train, epochs)
        results["plus_network"] = per_epoch(run, "tdimpute", plus["network_samples"], epochs)
        tdimpute_s = results["tdimpute"]["fixed_s"] + args.epochs * results["tdimpute"]["per_epoch_s"]
        plus_s = plus["fit_s"] + (args.epochs - epochs) * results["plus_network"]["per_epoch_s"]
    results["seconds_at_full_epochs"] = {"tdimpute": tdimpute_s, "tdimpute-plus": plus_s}
    results["ratio"] = plus_s / tdimpute_s
    OUT.mkdir(exist_ok=True)
    (OUT / "plus_fit_time.json").write_text(json.dumps(results, indent=2) + "\n")

    how = "measured" if epochs == args.epochs else f"networks timed at {epochs} epochs, extrapolated"
    print(f"{args.train} samples x {args.cpgs} CpGs x {args.genes} genes, {args.epochs} epochs ({how}):")
    print(f"  tdimpute fine-tuning: {tdimpute_s / 60:.1f} min")
    print(
        f"  tdimpute-plus fit:    {plus_s / 60:.1f} min (measured at {epochs} epochs: {plus['fit_s'] / 60:.1f} min, "
        f"peak RSS {plus['peak_rss_gb']:.1f} GB)"
    )
    print(f"  ratio: {results['ratio']:.2f}")


if __name__ == "__main__":
    main()
