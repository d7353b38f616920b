"""Fine-tuning time on a small target: the epoch's mini-batches as plain slices of its order
(the training loop's way) against a tf.data pipeline built every epoch (its earlier way).

    python benchmarks/small_target_training.py [--train 47] [--rounds 3]

A simulated cohort (400 CpGs, 200 genes: KIPAN's size), a network pretrained for 5 epochs on
a second simulated cancer, and `tdimpute` fine-tuned with the paper's schedule (150 epochs,
batch 16) on `--train` samples of the target, in both ways, taking turns for `--rounds`
rounds in one process (medians reported; this machine's speed drifts). Also checks that both
ways end with the same weights. Writes benchmarks/out/small_target_training.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).parent / "out"


def tf_data_batches(tf, order: np.ndarray, batch_size: int, skip: int = 0):
    """The epoch's mini-batches as the training loop built them before: a tf.data pipeline."""
    return tf.data.Dataset.from_tensor_slices(order).batch(batch_size).skip(skip).prefetch(tf.data.AUTOTUNE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=47)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from tdimpute.models import training
    from tdimpute.models.network import PretrainedNetwork, TransferNetwork
    from tdimpute.operations import expression_frame, methylation_frame
    from tdimpute.simulate import simulate_cohort

    cohort = simulate_cohort(n_samples=400, n_cpgs=400, n_genes=200, n_cancers=2, seed=2020)
    cancers = cohort.clinical["cancer_type"].to_numpy()
    target, other = np.flatnonzero(cancers == cancers[0]), np.flatnonzero(cancers != cancers[0])
    frames = lambda rows: (methylation_frame(cohort, rows), expression_frame(cohort, rows))  # noqa: E731
    ways = {"plain slices": training._batches, "tf.data per epoch": tf_data_batches}
    seconds, weights = {way: [] for way in ways}, {}
    with tempfile.TemporaryDirectory() as tmp:
        PretrainedNetwork(epochs=5).fit(*frames(other)).save(Path(tmp) / "pretrained")
        for _ in range(args.rounds):
            for way, batches in ways.items():
                training._batches = batches
                started = time.perf_counter()
                model = TransferNetwork(pretrained=str(Path(tmp) / "pretrained"), precision="float32")
                model.fit(*frames(target[: args.train]))
                seconds[way].append(time.perf_counter() - started)
                weights[way] = model.network_.get_weights()
    same = all(np.array_equal(a, b) for a, b in zip(*weights.values()))
    result = {
        "train": args.train,
        "seconds": seconds,
        "median": {way: float(np.median(s)) for way, s in seconds.items()},
        "same_weights": same,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "small_target_training.json").write_text(json.dumps(result, indent=2) + "\n")
    plain, pipeline = result["median"].values()
    print(f"fine-tuning on {args.train} samples, 150 epochs: plain slices {plain:.1f} s, tf.data per epoch")
    print(f"{pipeline:.1f} s ({pipeline / plain:.2f}x); same weights: {same}")


if __name__ == "__main__":
    main()
