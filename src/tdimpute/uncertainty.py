"""What a model's held-out residuals (true minus imputed expression of training samples that
the models predicting them did not see: `Imputer.residuals_`, from `fit --reliability-folds`)
say about its imputations: split-conformal intervals, and completed cohorts drawn for multiple
imputation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import TdimputeError


def bound_paths(imputed: Path) -> tuple[Path, Path]:
    """Where the lower and upper bounds of an imputed matrix are written: beside it."""
    stem = imputed.name.removesuffix(".gz").removesuffix(".tsv")
    return imputed.with_name(f"{stem}.lower.tsv.gz"), imputed.with_name(f"{stem}.upper.tsv.gz")


def conformal_half_widths(residuals: np.ndarray, level: float) -> np.ndarray:
    """Per gene, the ceil((n + 1) level)-th smallest of the n absolute held-out residuals: an
    imputed value plus or minus it covers the true value with probability at least `level`
    wherever the imputed sample and the held-out ones are exchangeable (split-conformal
    prediction, Lei et al., JASA 2018)."""
    if not 0 < level < 1:
        raise TdimputeError(f"--interval must be between 0 and 1, got {level:g}")
    n = len(residuals)
    rank = math.ceil((n + 1) * level)
    if rank > n:
        raise TdimputeError(
            f"a {level:g} interval needs at least {math.ceil(level / (1 - level))} held-out samples, "
            f"the model has {n}: a lower --interval or more training samples"
        )
    return np.partition(np.abs(residuals), rank - 1, axis=0)[rank - 1]


def intervals(imputed: pd.DataFrame, residuals: np.ndarray, level: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lower and upper bounds of each imputed value (samples x genes, the model's genes)."""
    half = conformal_half_widths(residuals, level)
    return imputed - half, imputed + half


def completed_draws(imputed: pd.DataFrame, residuals: np.ndarray, draws: int, seed: int):
    """`draws` versions of the imputation, each sample given the residuals of a held-out
    training sample drawn at random: the spread of the imputation's errors, their correlation
    between genes kept (yields samples x genes frames)."""
    rng = np.random.default_rng(seed)
    for _ in range(draws):
        rows = rng.integers(len(residuals), size=len(imputed))
        yield imputed + residuals[rows]


def coverage(truth: pd.DataFrame, lower: pd.DataFrame, upper: pd.DataFrame) -> dict:
    """Share of true values within their bounds, and the bounds' mean width."""
    lower, upper = lower.loc[truth.index, truth.columns], upper.loc[truth.index, truth.columns]
    values = truth.to_numpy()
    inside = (values >= lower.to_numpy()) & (values <= upper.to_numpy())
    return {"interval_coverage": float(inside.mean()), "interval_width": float((upper - lower).to_numpy().mean())}
