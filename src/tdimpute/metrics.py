"""Accuracy of imputed expression against the truth, on the log2 scale (as the paper)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, mean_squared_error

from .errors import TdimputeError


def squared_pearson(a: np.ndarray, b: np.ndarray, axis: int) -> np.ndarray:
    """Squared Pearson correlation along `axis`; NaN where either side is constant."""
    # Not scipy.stats.pearsonr(axis=...) ** 2: it differs by up to 2e-15 and warns on constant input.
    a = a - a.mean(axis=axis, keepdims=True)
    b = b - b.mean(axis=axis, keepdims=True)
    denominator = np.sqrt((a * a).sum(axis=axis) * (b * b).sum(axis=axis))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (a * b).sum(axis=axis) / denominator
    return np.where(denominator > 0, r * r, np.nan)


def accuracy(truth: pd.DataFrame, imputed: pd.DataFrame) -> dict:
    """RMSE and MAE over all cells; `r2`, the mean over samples of the squared Pearson
    correlation between imputed and true expression vectors (the paper's definition); and
    `gene_r2_mean` / `gene_r2_median`, the mean and median over genes of the squared Pearson
    correlation across samples (what gene-level methods such as geneEXPLORE and DeepMethyGene
    report: how well each gene's variation between samples is recovered). Constant genes or
    samples are left out of the averages."""
    if not truth.index.equals(imputed.index) or not truth.columns.equals(imputed.columns):
        raise TdimputeError("imputed and true expression do not cover the same samples and genes")
    t = truth.to_numpy(np.float64)
    p = imputed.to_numpy(np.float64)
    if np.isnan(p).any():
        raise TdimputeError("imputed expression contains missing values")
    per_sample = squared_pearson(t, p, axis=1)
    per_gene = squared_pearson(t, p, axis=0)
    return {
        "rmse": float(np.sqrt(mean_squared_error(t.ravel(), p.ravel()))),
        "mae": float(mean_absolute_error(t.ravel(), p.ravel())),
        "r2": _nan_average(np.nanmean, per_sample),
        "gene_r2_mean": _nan_average(np.nanmean, per_gene),
        "gene_r2_median": _nan_average(np.nanmedian, per_gene),
        "n_samples": int(t.shape[0]),
        "n_genes": int(t.shape[1]),
    }


def per_gene_accuracy(truth: pd.DataFrame, imputed: pd.DataFrame) -> pd.DataFrame:
    """Per gene, across the samples: RMSE, MAE, squared Pearson correlation `r2`, and `skill`,
    1 - MSE / variance of the true values (1 is perfect, 0 no better than the gene's own mean,
    negative worse; NaN for a constant gene)."""
    t = truth.to_numpy(np.float64)
    p = imputed.loc[truth.index, truth.columns].to_numpy(np.float64)
    # numpy, not scikit-learn's metrics (multioutput="raw_values"): those refuse a NaN prediction
    # that gives its gene NaN here, and r2_score's skill differs by up to 2e-16.
    mse = np.mean((p - t) ** 2, axis=0)
    variance = t.var(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        skill = np.where(variance > 0, 1.0 - mse / variance, np.nan)
    return pd.DataFrame(
        {
            "gene": truth.columns,
            "rmse": np.sqrt(mse),
            "mae": np.mean(np.abs(p - t), axis=0),
            "r2": squared_pearson(t, p, axis=0),
            "skill": skill,
        }
    )


def _nan_average(average, values: np.ndarray) -> float:
    """`average` of the finite values; NaN (not a warning) when there are none."""
    return float(average(values)) if np.isfinite(values).any() else float("nan")
