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
    """Per gene, the half-width that covers a new true value with probability `level` on average
    over genes wherever the imputed sample and the held-out ones are exchangeable: the gene's
    held-out RMSE times one factor for all genes, the `level` quantile of the held-out absolute
    residuals divided by their gene's RMSE without that sample (which makes each such score
    exchangeable with a new sample's), pooled over genes (normalised split-conformal prediction,
    Lei et al., JASA 2018). The genes' samples together pin the factor down far better than one
    gene's n samples pin its own quantile: narrower bounds at the same coverage."""
    if not 0 < level < 1:
        raise TdimputeError(f"--interval must be between 0 and 1, got {level:g}")
    n = len(residuals)
    if math.ceil((n + 1) * level) > n:
        raise TdimputeError(
            f"a {level:g} interval needs at least {math.ceil(level / (1 - level))} held-out samples, "
            f"the model has {n}: a lower --interval or more training samples"
        )
    squares = np.asarray(residuals, dtype=np.float64) ** 2
    rmse = np.sqrt(squares.mean(axis=0))
    missed = rmse > 0  # a gene never missed (constant expression) gets a zero width
    if not missed.any():
        return rmse
    others = np.sqrt((squares[:, missed].sum(axis=0) - squares[:, missed]) / (n - 1))
    scores = np.divide(np.sqrt(squares[:, missed]), others, out=np.full_like(others, np.inf), where=others > 0)
    return np.quantile(scores, level, method="inverted_cdf") * rmse


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
