"""Tables over a whole benchmark: one row per evaluated imputation, and their means.

Works on any of the per-run JSON files (`evaluate`'s metrics, `downstream`'s summaries): each
numeric field is averaged over replicates per cancer, missing rate and method.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import TdimputeError
from .files import read_json

KEYS = ["cancer", "missing_rate", "method"]
NOT_AVERAGED = {"replicate", "n_samples", "n_genes"}


def collect_runs(paths: list[Path]) -> pd.DataFrame:
    """One row per JSON file, sorted by cancer, rate, method and replicate."""
    if not paths:
        raise TdimputeError("no files given")
    rows = [read_json(p) for p in paths]
    lacking = [str(p) for p, r in zip(paths, rows) if not set(KEYS + ["replicate"]) <= set(r)]
    if lacking:
        raise TdimputeError(
            f"{lacking[0]} lacks cancer, missing_rate, method or replicate (was it written with --method?)"
        )
    table = pd.DataFrame(rows)
    # A field that is null in every file (per-gene R² of the per-gene mean) is still a number.
    undefined = [c for c in table.columns if table[c].isna().all()]
    table[undefined] = table[undefined].astype(float)
    return table.sort_values(KEYS + ["replicate"], kind="stable").reset_index(drop=True)


def summarize_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation of each numeric field over replicates."""
    fields = [
        c for c in runs.columns if c not in KEYS and c not in NOT_AVERAGED and pd.api.types.is_numeric_dtype(runs[c])
    ]
    grouped = runs.groupby(KEYS, sort=True)
    table = grouped[fields].agg(["mean", "std"])
    table.columns = [f"{field}_{stat}" for field, stat in table.columns]
    table.insert(0, "n_replicates", grouped.size())
    return table.reset_index()
