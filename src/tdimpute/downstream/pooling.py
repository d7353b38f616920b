"""Multiple imputation: one analysis fitted on each of M completed cohorts, pooled by Rubin's
rules (Rubin 1987), with the Barnard-Rubin small-sample degrees of freedom (Biometrika 1999),
so that p-values carry the imputation's uncertainty."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .survival import univariate_cox


def rubin_pool(coefs: np.ndarray, variances: np.ndarray, complete_df: float) -> pd.DataFrame:
    """Pool M estimates per parameter (rows: imputations, columns: parameters) and their
    variances: the mean coefficient, its total variance T = W + (1 + 1/M) B (W the mean
    within-imputation variance, B the between-imputation variance), the Barnard-Rubin degrees
    of freedom given the complete-data ones, a two-sided t-test p-value, and the fraction of
    missing information."""
    m = len(coefs)
    coef = coefs.mean(axis=0)
    within = variances.mean(axis=0)
    between = coefs.var(axis=0, ddof=1)
    total = within + (1 + 1 / m) * between
    with np.errstate(divide="ignore", invalid="ignore"):
        missing_share = (1 + 1 / m) * between / total  # lambda: the share of T due to missingness
        df_old = (m - 1) / missing_share**2
        df_observed = (complete_df + 1) / (complete_df + 3) * complete_df * (1 - missing_share)
        df = 1 / (1 / df_old + 1 / df_observed)
        increase = (1 + 1 / m) * between / within  # r: the relative increase in variance
        fmi = (increase + 2 / (df + 3)) / (increase + 1)
        t = coef / np.sqrt(total)
    return pd.DataFrame({"coef": coef, "se": np.sqrt(total), "df": df, "p": 2 * stats.t.sf(np.abs(t), df), "fmi": fmi})


def pooled_cox(completed: list[pd.DataFrame], time: np.ndarray, event: np.ndarray) -> pd.DataFrame:
    """The univariate Cox model of every gene fitted on each completed cohort (samples x
    genes), pooled by Rubin's rules; complete-data degrees of freedom n - 1 per gene."""
    fits = [univariate_cox(cohort, time, event) for cohort in completed]
    coefs = np.stack([fit["coef"].to_numpy() for fit in fits])
    variances = np.stack([fit["se"].to_numpy() ** 2 for fit in fits])
    known = int((np.isfinite(time) & np.isfinite(event)).sum())
    return rubin_pool(coefs, variances, known - 1).set_axis(fits[0].index)
