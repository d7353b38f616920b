"""Preprocessing a Pan-Cancer-sized methylation matrix in bounded memory.

    python benchmarks/preprocess_scale.py [--samples 2000] [--probes 400000] [--no-pandas]

Writes a synthetic Xena-style methylation matrix (probes x samples, tab-separated, beta values
with 3 decimals; about 7 % of the probes vary enough to pass the paper's variance filter, as
on the 450k array) and a small expression matrix, then measures, each in a fresh process:
`tdimpute preprocess` (streams the methylation in blocks) and a naive `pandas.read_csv` of
the same file. Reports wall time, throughput (MB/s of text) and peak RSS of both, and the
extrapolation to the 9,639-sample Pan-Cancer file. Writes benchmarks/out/preprocess_scale_<samples>.json
and prints the figures. Needs about 2.4 KB of disk per sample and 1,000 probes (4.8 GB at the
default size), in a temporary folder removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).parent / "out"
PANCAN_SAMPLES = 9639
BLOCK_PROBES = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--probes", type=int, default=400_000)
    parser.add_argument("--genes", type=int, default=5000)
    parser.add_argument("--folder", type=Path, help="where to write the matrices (default: a temporary folder)")
    parser.add_argument(
        "--no-pandas", action="store_true", help="skip the naive read (it needs about 8.5 bytes of memory per value)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        methylation = write_methylation(folder / "HumanMethylation450.tsv", args.samples, args.probes)
        expression = write_expression(folder / "HiSeqV2.tsv", args.samples, args.genes)
        written = time.perf_counter() - start
        size_mb = methylation.stat().st_size / 1e6
        print(f"wrote {size_mb:.0f} MB of methylation in {written:.0f} s", flush=True)
        streamed = measure(
            [
                sys.executable,
                "-m",
                "tdimpute",
                "preprocess",
                "--methylation",
                str(methylation),
                "--expression",
                str(expression),
                "--cancer-type",
                "SIM",
                "--out",
                str(folder / "c.h5"),
            ]
        )
        streamed["n_cpgs_kept"] = _kept_cpgs(folder / "c.h5")
        naive = (
            None
            if args.no_pandas
            else measure(
                [
                    sys.executable,
                    "-c",
                    "import sys, pandas as pd; pd.read_csv(sys.argv[1], sep='\\t', index_col=0)",
                    str(methylation),
                ]
            )
        )
    results = {
        "samples": args.samples,
        "probes": args.probes,
        "genes": args.genes,
        "methylation_mb": size_mb,
        "tdimpute_preprocess": streamed,
        "pandas_read_csv": naive,
    }
    for run in filter(None, (streamed, naive)):
        run["mb_per_s"] = size_mb / run["seconds"] if run["ok"] else None
    scale = PANCAN_SAMPLES / args.samples
    results["pancan_extrapolation"] = {
        "samples": PANCAN_SAMPLES,
        "methylation_gb": size_mb * scale / 1e3,
        "tdimpute_minutes": streamed["seconds"] * scale / 60,
        # What grows with the samples: the kept CpGs and the expression (float32, counted twice
        # for the copies made while filtering and joining); a block stays 50 M values.
        "tdimpute_peak_gb": (
            streamed["peak_rss_mb"] / 1e3
            + (PANCAN_SAMPLES - args.samples) * (streamed["n_cpgs_kept"] + args.genes) * 4 * 2 / 1e9
        ),
        "pandas_float64_gb": PANCAN_SAMPLES * args.probes * 8 / 1e9,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / f"preprocess_scale_{args.samples}.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, run in (("tdimpute preprocess", streamed), ("pandas read_csv", naive or {})):
        if not run:
            continue
        print(
            f"{name:20s} {'ok' if run['ok'] else 'FAILED'}: {run['seconds']:.0f} s, "
            f"{run['mb_per_s'] or 0:.0f} MB/s, peak RSS {run['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    print(
        f"kept {streamed['n_cpgs_kept']} of {args.probes} probes; Pan-Cancer ({PANCAN_SAMPLES} samples): "
        f"{results['pancan_extrapolation']}",
        flush=True,
    )


def write_methylation(path: Path, samples: int, probes: int) -> Path:
    """Probes x samples, values as 0.ddd written straight from digits (fast, fixed width)."""
    rng = np.random.default_rng(0)
    with open(path, "wb") as out:
        out.write(
            ("probe\t" + "\t".join(f"TCGA-{i // 10000:02d}-{i % 10000:04d}-01" for i in range(samples)) + "\n").encode()
        )
        for first in range(0, probes, BLOCK_PROBES):
            n = min(BLOCK_PROBES, probes - first)
            spread = np.where(rng.random(n) < 0.07, 0.3, 0.03)[:, None]
            centre = rng.random(n)[:, None] * 0.6 + 0.2
            values = np.clip(centre + spread * rng.standard_normal((n, samples), dtype=np.float32), 0, 0.999)
            out.write(_fixed_width_lines([f"cg{first + i:08d}" for i in range(n)], values))
            print(f"writing methylation: {first + n}/{probes} probes", file=sys.stderr, flush=True)
    return path


def write_expression(path: Path, samples: int, genes: int) -> Path:
    rng = np.random.default_rng(1)
    with open(path, "w") as out:
        out.write("gene\t" + "\t".join(f"TCGA-{i // 10000:02d}-{i % 10000:04d}-01" for i in range(samples)) + "\n")
        for g in range(genes):
            out.write(f"G{g}\t" + "\t".join(f"{v:.3f}" for v in rng.random(samples) * 12) + "\n")
    return path


def _fixed_width_lines(ids: list[str], values: np.ndarray) -> bytes:
    """Rows of `id<TAB>0.ddd<TAB>...` built as one byte array: no per-value formatting."""
    n, m = values.shape
    thousandths = np.rint(values * 1000).astype(np.int16).clip(0, 999)
    cells = np.empty((n, m, 6), dtype=np.uint8)
    cells[:, :, 0], cells[:, :, 1] = ord("0"), ord(".")
    cells[:, :, 2] = ord("0") + thousandths // 100
    cells[:, :, 3] = ord("0") + thousandths // 10 % 10
    cells[:, :, 4] = ord("0") + thousandths % 10
    cells[:, :, 5] = ord("\t")
    cells[:, -1, 5] = ord("\n")
    prefix = np.frombuffer("".join(f"{i}\t" for i in ids).encode(), dtype=np.uint8).reshape(n, -1)
    return np.concatenate([prefix, cells.reshape(n, -1)], axis=1).tobytes()


def measure(command: list[str]) -> dict:
    """Wall time and peak RSS of one command in its own process."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    error = process.stderr.read().decode().strip().splitlines()
    return {
        "ok": os.waitstatus_to_exitcode(status) == 0,
        "seconds": seconds,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "last_message": error[-1] if error else "",
    }


def _kept_cpgs(cohort: Path) -> int:
    from tdimpute.cohort import read_cohort

    return len(read_cohort(cohort).cpgs) if cohort.exists() else 0


if __name__ == "__main__":
    main()
