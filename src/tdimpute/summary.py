"""Tables over a whole benchmark: one row per evaluated imputation, and their means."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import TdimputeError
from .files import read_json

KEYS = ["cancer", "missing_rate", "method"]
METRICS = ["rmse", "mae", "r2"]


def collect_metrics(paths: list[Path]) -> pd.DataFrame:
    """One row per metrics file written by `evaluate`, sorted by cancer, rate, method, replicate."""
    if not paths:
        raise TdimputeError("no metrics files given")
    rows = [read_json(p) for p in paths]
    lacking = [str(p) for p, r in zip(paths, rows) if not set(KEYS + METRICS) <= set(r)]
    if lacking:
        raise TdimputeError(f"{lacking[0]} is not a metrics file from evaluate --method")
    return pd.DataFrame(rows).sort_values(KEYS + ["replicate"], kind="stable").reset_index(drop=True)


def summarize_metrics(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation of each metric over replicates."""
    grouped = runs.groupby(KEYS, sort=True)[METRICS]
    table = grouped.agg(["mean", "std"])
    table.columns = [f"{metric}_{stat}" for metric, stat in table.columns]
    table.insert(0, "n_replicates", grouped.size())
    return table.reset_index()
