"""Survival analyses: univariate Cox regression of every gene at once, and its helpers.

`univariate_cox` fits, for each gene separately, the Cox proportional-hazards model
h(t | x) = h0(t) exp(beta x) on overall survival, by Newton-Raphson on all genes at once.
It maximises Efron's partial likelihood for tied event times, as lifelines' `CoxPHFitter`
does (Efron 1977; the formulas below follow lifelines' `_get_efron_values_single`), and
reports Wald tests from the observed information, so its coefficients and p-values are
lifelines' to numerical precision (1e-6 relative, not bitwise), at a fraction of the cost of
one fit per gene: about 200x faster than a `CoxPHFitter` loop at 800 samples x 19,027 genes
(6 s against ~18 min; benchmarks/cox_speed.py), which is why it is not lifelines.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import TdimputeError
from ..threads import thread_count

MAX_NEWTON_STEPS = 50
GENE_BLOCK = 1024
TOLERANCE = 1e-9  # on the standardised coefficient


def univariate_cox(expression: pd.DataFrame, time: np.ndarray, event: np.ndarray) -> pd.DataFrame:
    """One Cox model per gene (column of `expression`, samples as rows).

    Returns a table indexed by gene with `coef` (log hazard ratio per unit of expression),
    `se`, `z`, `p` (two-sided Wald) and `exp_coef`. Genes that do not vary get NaN.
    """
    time = np.asarray(time, dtype=np.float64)
    event = np.asarray(event, dtype=np.float64)
    known = np.isfinite(time) & np.isfinite(event)
    if known.sum() < 3 or event[known].sum() < 1:
        raise TdimputeError(
            f"survival analysis needs events: {int(known.sum())} samples with "
            f"survival data and {int(np.nansum(event[known]))} deaths"
        )
    X = np.asarray(expression, dtype=np.float64)[known]
    time, event = time[known], event[known].astype(bool)
    # Standardised covariates keep exp(beta x) in range; beta is scaled back at the end.
    scale = X.std(axis=0)
    varies = scale > 0
    Z = (X - X.mean(axis=0)) / np.where(varies, scale, 1.0)
    risk = _risk_sets(time, event)
    # Blocks of genes fit in cache, and numpy releases the GIL on whole-array operations, so
    # the blocks run in parallel threads.
    blocks = [slice(i, i + GENE_BLOCK) for i in range(0, Z.shape[1], GENE_BLOCK)]
    with ThreadPoolExecutor(max_workers=thread_count()) as pool:
        fits = list(pool.map(lambda block: _newton(Z[:, block], risk), blocks))
    beta = np.concatenate([b for b, _ in fits])
    information = np.concatenate([i for _, i in fits])
    with np.errstate(divide="ignore", invalid="ignore"):
        se_std = 1.0 / np.sqrt(information)
        coef = np.where(varies, beta / scale, np.nan)
        se = np.where(varies, se_std / scale, np.nan)
        z = coef / se
    return pd.DataFrame(
        {"coef": coef, "se": se, "z": z, "p": 2 * stats.norm.sf(np.abs(z)), "exp_coef": np.exp(coef)},
        index=pd.Index(expression.columns, name="gene"),
    )


class _RiskSets:
    """Samples ordered by decreasing time and grouped by distinct event time."""

    def __init__(self, order, group_end, deaths_in_group, death_rows, group_start):
        self.order = order  # sample order, decreasing time
        self.group_end = group_end  # per event time: index (in order) of its risk set's end
        self.deaths_in_group = deaths_in_group  # per event time: number of deaths d
        self.death_rows = death_rows  # positions (in order) of the deaths
        self.group_start = group_start  # per event time: its first entry in death_rows


def _risk_sets(time: np.ndarray, event: np.ndarray) -> _RiskSets:
    order = np.lexsort((~event, -time))  # decreasing time
    t, e = time[order], event[order]
    # The risk set of time t is every sample with time >= t: a prefix of the ordering that
    # ends at the last sample with that time.
    event_times = np.unique(t[e])[::-1]
    group_end = np.searchsorted(-t, -event_times, side="right") - 1
    death_rows = np.flatnonzero(e)
    death_group = np.searchsorted(-event_times, -t[death_rows])
    deaths_in_group = np.bincount(death_group, minlength=len(event_times))
    group_start = np.concatenate([[0], np.cumsum(deaths_in_group)[:-1]])
    return _RiskSets(order, group_end, deaths_in_group, death_rows, group_start)


def _newton(Z: np.ndarray, risk: _RiskSets) -> tuple[np.ndarray, np.ndarray]:
    """Newton-Raphson on every gene at once; a gene leaves the batch once its step is tiny."""
    Z = Z[risk.order]
    beta = np.zeros(Z.shape[1])
    loglik, gradient, information = _efron(Z, beta, risk)
    active = np.arange(Z.shape[1])
    for _ in range(MAX_NEWTON_STEPS):
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(information[active] > 0, gradient[active] / information[active], 0.0)
        trial = _efron(Z[:, active], beta[active] + step, risk)
        # Halve the step of a gene whose likelihood would fall (rare with one covariate).
        for _ in range(30):
            worse = trial[0] < loglik[active] - 1e-9 * np.abs(loglik[active])
            if not worse.any():
                break
            step[worse] /= 2
            retry = _efron(Z[:, active[worse]], beta[active[worse]] + step[worse], risk)
            for values, new in zip(trial, retry):
                values[worse] = new
        beta[active] += step
        loglik[active], gradient[active], information[active] = trial
        active = active[np.abs(step) >= TOLERANCE]
        if len(active) == 0:
            break
    return beta, information


def _efron(Z: np.ndarray, beta: np.ndarray, risk: _RiskSets):
    """Efron log partial likelihood, its gradient and the observed information, per gene.

    For event time t with d deaths, risk-set sums S_k = sum_{j in R(t)} x_j^k exp(beta x_j) and
    death sums D_k over the deaths at t, and l = 0..d-1:
        loglik   += sum_deaths beta x - sum_l log(S0 - l/d D0)
        gradient += sum_deaths x - sum_l (S1 - l/d D1) / (S0 - l/d D0)
        info     += sum_l [(S2 - l/d D2)/(S0 - l/d D0) - ((S1 - l/d D1)/(S0 - l/d D0))^2]
    """
    eta = Z * beta
    eta -= eta.max(axis=0)  # a common shift per gene cancels in every ratio
    w = np.exp(eta)
    wz, wzz = w * Z, w * Z * Z
    S = [np.cumsum(a, axis=0)[risk.group_end] for a in (w, wz, wzz)]
    # Deaths at one time are contiguous in the ordering: their sums are segment sums.
    D = [np.add.reduceat(a[risk.death_rows], risk.group_start, axis=0) for a in (w, wz, wzz)]
    loglik = eta[risk.death_rows].sum(axis=0)  # the shift cancels: one log term per death
    gradient = Z[risk.death_rows].sum(axis=0)
    information = np.zeros(Z.shape[1])
    for tied in range(int(risk.deaths_in_group.max())):
        # Only event times with more than `tied` deaths take part; with few ties, a handful.
        rows = np.flatnonzero(risk.deaths_in_group > tied)
        frac = (tied / risk.deaths_in_group[rows])[:, None]
        s0 = S[0][rows] - frac * D[0][rows] if tied else S[0]
        s1 = (S[1][rows] - frac * D[1][rows] if tied else S[1]) / s0
        s2 = (S[2][rows] - frac * D[2][rows] if tied else S[2]) / s0
        loglik -= np.log(s0).sum(axis=0)
        gradient -= s1.sum(axis=0)
        information += (s2 - s1 * s1).sum(axis=0)
    return loglik, gradient, information


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """False discovery rate adjusted p-values (Benjamini & Hochberg 1995); NaN stays NaN."""
    # Not scipy.stats.false_discovery_control: its p * (m / i) moves 16-36% of these (p * m) / i values by 1 ulp.
    p = np.asarray(p, dtype=np.float64)
    adjusted = np.full_like(p, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = len(order)
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted[order] = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    return adjusted
