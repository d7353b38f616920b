"""Fine-tuning with weight decay toward the pretrained network (L2-SP) on real data, alone and
blended with the ridge regression shrunk toward the pool.

    python benchmarks/finetune_decay.py [--targets KICH] [--rates 0.3,0.5,0.7] [--replicates 3]
                                        [--decays 0,100,1000] [--early-stopping]
                                        [--out benchmarks/out/finetune_decay.json]

On the splits of `transfer.py` (KIPAN's kidney cancers, the target's network pretrained on the
two others): `ridge-cv`, `ridge-transfer` and `tdimpute` fine-tuned with each `--weight-decay`
(with `--early-stopping`, also with a validation share of 0.2 and the best epoch kept), each
scored on the split's test samples, and the equal-weight blend of `ridge-transfer` with each
fine-tuned network: what a network could add to the linear path if a stack gave it half the
weight. Writes a row per split and prints the mean RMSE of each.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from accuracy import OUT, pretrain_without
from transfer import kidney_cohort

LINEAR = ("ridge-cv", "ridge-transfer")


def split_row(cancer, rate: float, replicate: int, pretrained: str, decays, early_stopping: bool) -> dict:
    from tdimpute.operations import expression_frame, fit_method, methylation_frame
    from tdimpute.splits import make_split

    split = make_split(cancer, rate, replicate=replicate, seed=1)
    test = cancer.rows_of(split.test)
    truth = expression_frame(cancer, test)
    methylation = methylation_frame(cancer, test)
    predict = lambda method, options: (  # noqa: E731
        fit_method(method, cancer, split, options).predict(methylation).loc[:, truth.columns].to_numpy()
    )
    predictions = {
        method: predict(method, {"pretrained": pretrained} if method != "ridge-cv" else {}) for method in LINEAR
    }
    validation = [0.0, 0.2] if early_stopping else [0.0]
    for decay in decays:
        for fraction in validation:
            name = f"tdimpute decay {decay:g}" + (" early stop" if fraction else "")
            predictions[name] = predict(
                "tdimpute", {"pretrained": pretrained, "weight_decay": decay, "validation_fraction": fraction}
            )
    rmse = lambda p: float(np.sqrt(np.mean((p - truth.to_numpy()) ** 2)))  # noqa: E731
    row = {"rate": rate, "replicate": replicate, **{name: rmse(p) for name, p in predictions.items()}}
    for name in [n for n in predictions if n not in LINEAR]:
        row[f"blend: ridge-transfer + {name}"] = rmse((predictions["ridge-transfer"] + predictions[name]) / 2)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="KICH")
    parser.add_argument("--rates", default="0.3,0.5,0.7")
    parser.add_argument("--replicates", type=int, default=3)
    parser.add_argument("--decays", default="0,100,1000")
    parser.add_argument("--early-stopping", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT / "finetune_decay.json")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    try:
        cohort = kidney_cohort()
    except Exception as error:  # no network and no cached wheel
        print(f"fine-tuning benchmark skipped: KIPAN is not available ({error})")
        return
    decays = [float(d) for d in args.decays.split(",")]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for target in args.targets.split(","):
        cancer = cohort.select_cancer(target)
        with tempfile.TemporaryDirectory() as tmp:
            pretrained = pretrain_without(cohort, target, Path(tmp))
            for rate in (float(r) for r in args.rates.split(",")):
                for replicate in range(1, args.replicates + 1):
                    rows.append(
                        {
                            "target": target,
                            **split_row(cancer, rate, replicate, pretrained, decays, args.early_stopping),
                        }
                    )
                    print(json.dumps(rows[-1]), flush=True)
                    args.out.write_text(json.dumps(rows, indent=2) + "\n")
    print_means(pd.DataFrame(rows))


def print_means(table: pd.DataFrame) -> None:
    """A markdown table: each model's mean RMSE per target and rate, and over every split."""
    means = table.drop(columns="replicate").groupby(["target", "rate"]).mean()
    columns = [f"{target} {rate:g}" for target, rate in means.index] + ["all splits"]
    means = pd.concat([means.T, table.drop(columns=["target", "rate", "replicate"]).mean()], axis=1)
    print("\nRMSE, mean over replicates\n")
    print("| model | " + " | ".join(columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    for name, values in means.iterrows():
        print(f"| {name} | " + " | ".join(f"{v:.4f}" for v in values) + " |")


if __name__ == "__main__":
    main()
