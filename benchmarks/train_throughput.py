"""Training throughput of the paper-size TDimpute network, and the accuracy cost of bf16.

    python benchmarks/train_throughput.py [--steps 8] [--rounds 3] [--batch-size 128]

On synthetic data, one run measures: the machine's fp32 and bf16 matrix-product peaks; a plain
Keras fp32 `fit` and Keras' `mixed_bfloat16` policy; tdimpute's training loop in float32 and
in bfloat16 (samples/s, achieved GFLOP/s, and the share of a step spent in the optimizer
update, next to Keras' own Adam update timed alone). Then a smaller synthetic problem is
trained to convergence in both precisions and their held-out RMSEs compared. The
configurations take turns for `--rounds` rounds and each figure is the median over rounds,
since a shared machine's speed drifts from minute to minute. Writes
benchmarks/out/train_throughput.json and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).parent / "out"
PAPER = (27717, 4000, 19027)  # CpGs, hidden units, genes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8, help="timed steps per configuration")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions; medians are reported")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one configuration, in a child process
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    if args.measure:
        print(json.dumps(measure(tf, args.measure, args.batch_size, args.steps)))
        return

    results = {
        "machine": _machine(tf),
        "network": PAPER,
        "batch_size": args.batch_size,
        "flop_per_sample": flop_per_sample(PAPER),
    }
    results["peak_gflops"] = {dtype: matmul_peak(tf, dtype) for dtype in ("float32", "bfloat16")}
    rounds = {name: [] for name in CONFIGURATIONS}
    for round_ in range(args.rounds):
        for name in CONFIGURATIONS:
            # A fresh process each time: TensorFlow does not give back the memory of a
            # 187 M-weight model and its optimizer, and earlier runs must not warm later ones.
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--measure",
                    name,
                    "--steps",
                    str(args.steps),
                    "--batch-size",
                    str(args.batch_size),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            rounds[name].append(json.loads(child.stdout.strip().splitlines()[-1]))
            print(
                f"round {round_ + 1}/{args.rounds} {name}: {rounds[name][-1]['samples_per_s']:.1f} samples/s",
                flush=True,
            )
    runs = {
        name: {key: float(np.median([r[key] for r in measured])) for key in measured[0]}
        | {"samples_per_s_rounds": [r["samples_per_s"] for r in measured]}
        for name, measured in rounds.items()
    }
    baseline = runs["keras_fit_float32"]["samples_per_s"]
    for name, run in runs.items():
        run["gflops"] = run["samples_per_s"] * results["flop_per_sample"] / 1e9
        run["speedup_vs_keras_float32"] = run["samples_per_s"] / baseline
        print(
            f"{name:26s} {run['samples_per_s']:7.1f} samples/s {run['gflops']:6.1f} GFLOP/s "
            f"x{run['speedup_vs_keras_float32']:.2f}"
            + (f"  update {100 * run['update_share']:.0f}% of the step" if "update_share" in run else ""),
            flush=True,
        )
    results["runs"] = runs
    results["keras_adam_update_s"] = keras_update_time(tf, args.steps)
    results["keras_adam_update_share"] = results["keras_adam_update_s"] * baseline / args.batch_size
    print(
        f"peaks: fp32 {results['peak_gflops']['float32']:.0f}, bf16 {results['peak_gflops']['bfloat16']:.0f} GFLOP/s; "
        f"Keras' Adam update alone {results['keras_adam_update_s']:.3f} s "
        f"({100 * results['keras_adam_update_share']:.0f}% of a Keras fp32 step)",
        flush=True,
    )
    results["convergence"] = convergence()
    print(
        f"converged held-out RMSE: fp32 {results['convergence']['float32']['rmse']:.4f}, "
        f"bf16 {results['convergence']['bfloat16']['rmse']:.4f} "
        f"({100 * results['convergence']['relative_difference']:+.2f} %)",
        flush=True,
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "train_throughput.json").write_text(json.dumps(results, indent=2) + "\n")


CONFIGURATIONS = ("keras_fit_float32", "keras_fit_mixed_bfloat16", "tdimpute_float32", "tdimpute_bfloat16")


def measure(tf, name: str, batch_size: int, steps: int) -> dict:
    rng = np.random.default_rng(0)
    X = rng.random((batch_size, PAPER[0]), dtype=np.float32)
    Y = 0.8 * rng.random((batch_size, PAPER[-1]), dtype=np.float32)
    kind, _, precision = name.rpartition("_")
    if kind == "keras_fit":
        return keras_fit(tf, X, Y, steps, policy=precision)
    if kind == "keras_fit_mixed":
        return keras_fit(tf, X, Y, steps, policy="mixed_bfloat16")
    return tdimpute_loop(tf, X, Y, steps, precision)


def flop_per_sample(sizes) -> float:
    """Forward 2·in·out per layer; backward 2·in·out for the kernel gradient of every layer
    and 2·in·out for the input gradient of every layer but the first."""
    layers = list(zip(sizes[:-1], sizes[1:]))
    products = [2.0 * a * b for a, b in layers]
    return 2 * sum(products) + sum(products[1:])


def matmul_peak(tf, dtype: str, n: int = 4096, repeats: int = 6) -> float:
    a = tf.cast(tf.random.normal((n, n)), dtype)
    b = tf.cast(tf.random.normal((n, n)), dtype)
    product = tf.function(lambda: tf.matmul(a, b))
    product().numpy()
    start = time.perf_counter()
    for _ in range(repeats):
        result = product()
    result.numpy()
    return 2.0 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def _paper_model(tf, dtype_policy=None):
    from tdimpute.models.training import rmse

    keras = tf.keras
    layers = [
        keras.Input(shape=(PAPER[0],)),
        keras.layers.Dense(PAPER[1], activation="sigmoid", dtype=dtype_policy),
        keras.layers.Dense(PAPER[2], activation="sigmoid", dtype=dtype_policy),
    ]
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss=rmse)
    return model


def keras_fit(tf, X, Y, steps: int, policy: str) -> dict:
    model = _paper_model(tf, None if policy == "float32" else tf.keras.mixed_precision.DTypePolicy(policy))
    data = tf.data.Dataset.from_tensors((X, Y)).repeat()
    model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    return {"samples_per_s": steps * len(X) / (time.perf_counter() - start)}


def tdimpute_loop(tf, X, Y, steps: int, precision: str) -> dict:
    """tdimpute's own step, and its optimizer update timed alone to give the update's share."""
    from tdimpute.models.training import TrainingSettings, _Loop

    model = _paper_model(tf)
    loop = _Loop(
        tf, model, TrainingSettings(epochs=1, batch_size=len(X), learning_rate=1e-4, seed=0, compute_dtype=precision)
    )
    X, Y, rows = tf.constant(X), tf.constant(Y), tf.range(len(X))
    for _ in range(2):
        float(loop.step(X, Y, rows))
    start = time.perf_counter()
    for _ in range(steps):
        float(loop.step(X, Y, rows))
    step = (time.perf_counter() - start) / steps
    _, gradients = loop._gradients(X, Y, rows)
    start = time.perf_counter()
    for _ in range(steps):
        loop._update(gradients)
    loop.master[0].numpy()
    update = (time.perf_counter() - start) / steps
    return {"samples_per_s": len(X) / step, "step_s": step, "update_s": update, "update_share": update / step}


def keras_update_time(tf, repeats: int) -> float:
    """Keras' Adam over the paper network's weights, as `fit` applies it (not fused)."""
    model = _paper_model(tf)
    variables = model.trainable_variables
    gradients = [tf.ones_like(v) * 1e-3 for v in variables]
    optimizer = tf.keras.optimizers.Adam(1e-4)
    update = tf.function(lambda: optimizer.apply_gradients(zip(gradients, variables)))
    update()
    start = time.perf_counter()
    for _ in range(repeats):
        update()
    variables[0].numpy()
    return (time.perf_counter() - start) / repeats


def convergence(n_train: int = 600, n_test: int = 200, cpgs: int = 3000, genes: int = 1500) -> dict:
    """Train the same network on the same synthetic problem in both precisions."""
    import pandas as pd

    from tdimpute.models import imputer_class

    rng = np.random.default_rng(1)
    n = n_train + n_test
    factors = rng.normal(size=(n, 12))
    methylation = 1 / (1 + np.exp(-(factors @ rng.normal(size=(12, cpgs)) * 0.6 + rng.normal(size=(n, cpgs)) * 0.5)))
    expression = 8 + factors @ rng.normal(size=(12, genes)) * 0.7 + rng.normal(size=(n, genes)) * 0.5
    X = pd.DataFrame(methylation.astype(np.float32), columns=[f"cg{i}" for i in range(cpgs)])
    Y = pd.DataFrame(expression.astype(np.float32), columns=[f"g{i}" for i in range(genes)])
    result = {"n_train": n_train, "n_test": n_test, "cpgs": cpgs, "genes": genes, "epochs": 60}
    for precision in ("float32", "bfloat16"):
        start = time.perf_counter()
        model = imputer_class("tdimpute-self")(
            hidden=[1000], epochs=60, batch_size=16, learning_rate=1e-4, precision=precision, seed=0
        )
        model.fit(X.iloc[:n_train], Y.iloc[:n_train])
        error = model.predict(X.iloc[n_train:]).to_numpy() - Y.iloc[n_train:].to_numpy()
        result[precision] = {
            "rmse": float(np.sqrt(np.mean(error**2))),
            "final_loss": model.history_[-1],
            "seconds": time.perf_counter() - start,
        }
    result["relative_difference"] = result["bfloat16"]["rmse"] / result["float32"]["rmse"] - 1
    return result


def _machine(tf) -> dict:
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    return {
        "cpu_count": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "avx512_bf16": "avx512_bf16" in flags,
        "amx_bf16": "amx_bf16" in flags,
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
        "tensorflow": tf.__version__,
    }


if __name__ == "__main__":
    main()
