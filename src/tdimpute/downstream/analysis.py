"""The paper's downstream analyses, run on true and on imputed expression of the same samples.

Each analysis ranks or groups genes or samples from the true data and asks how much of it the
imputed data recovers:

- correlation preservation: mean R^2 of the top-`top` CpG-gene pairs (ranked on true data);
- methylation-driving genes: positives have a best pair with R^2 >= 0.5 and FDR <= 0.05 on
  true data; imputed-data R^2 scores them (PR-AUC) and their top-`top` lists overlap;
- prognosis genes: univariate Cox on overall survival; positives have p <= 0.05 on true
  data; imputed-data -log10(p) scores them (PR-AUC), top-`top` overlap, and the enrichment
  factor of each top list in a user-supplied list of known prognostic genes;
- clustering: K-means (k = 2) of the samples on the top-`top` prognosis genes (true-data
  ranking) in each data; adjusted Rand index between the two clusterings; log-rank p of each;
- survival prediction: a ridge Cox model (lifelines, l1_ratio = 0) on the top prognosis genes,
  scored by Harrell's C-index in `folds`-fold cross-validation over the samples; the same
  folds and genes for true and imputed data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, average_precision_score
from sklearn.model_selection import KFold

from ..errors import TdimputeError
from .correlation import best_cpg_per_gene, top_pair_r2
from .survival import univariate_cox

DRIVING_R2 = 0.5
DRIVING_FDR = 0.05
PROGNOSTIC_P = 0.05


def compare(
    methylation: pd.DataFrame,
    truth: pd.DataFrame,
    imputed: pd.DataFrame,
    clinical: pd.DataFrame,
    known_prognostic: list[str] | None = None,
    top: int = 100,
    folds: int = 5,
    penalizer: float = 0.1,
    seed: int = 0,
) -> tuple[dict, dict]:
    """All analyses; returns (summary numbers, tables and cluster labels for plots)."""
    imputed = imputed.loc[truth.index, truth.columns]
    summary, tables = {"n_samples": len(truth), "n_genes": truth.shape[1]}, {}

    pairs_true = best_cpg_per_gene(methylation, truth)
    pairs_imputed = best_cpg_per_gene(methylation, imputed)
    ranked = pairs_true.sort_values("r2", ascending=False, kind="stable").dropna(subset=["r2"])
    top_pairs = ranked.iloc[:top]
    summary["top_pairs_r2_true"] = _mean(top_pairs["r2"])
    summary["top_pairs_r2_imputed"] = _mean(top_pair_r2(methylation, imputed, top_pairs))
    driving = (pairs_true["r2"] >= DRIVING_R2) & (pairs_true["fdr"] <= DRIVING_FDR)
    summary["driving_genes_true"] = int(driving.sum())
    summary["driving_pr_auc"] = _pr_auc(driving, pairs_imputed["r2"])
    summary["driving_top_overlap"] = _overlap(pairs_true["r2"], pairs_imputed["r2"], top)
    tables["correlation"] = pairs_true.join(pairs_imputed, rsuffix="_imputed")

    time, event = clinical["os_time"].to_numpy(float), clinical["os_event"].to_numpy(float)
    cox_true = univariate_cox(truth, time, event)
    cox_imputed = univariate_cox(imputed, time, event)
    prognostic = cox_true["p"] <= PROGNOSTIC_P
    summary["prognostic_genes_true"] = int(prognostic.sum())
    summary["prognostic_pr_auc"] = _pr_auc(prognostic, -np.log10(cox_imputed["p"]))
    summary["prognostic_top_overlap"] = _overlap(-cox_true["p"], -cox_imputed["p"], top)
    if known_prognostic:
        if not truth.columns.isin(known_prognostic).any():
            raise TdimputeError("none of the known prognostic genes is among the genes analysed")
        summary["enrichment_true"] = _enrichment(cox_true["p"], known_prognostic, top)
        summary["enrichment_imputed"] = _enrichment(cox_imputed["p"], known_prognostic, top)
    tables["prognosis"] = cox_true.join(cox_imputed, rsuffix="_imputed")

    genes = cox_true["p"].dropna().sort_values(kind="stable").index[:top]
    known = np.isfinite(time) & np.isfinite(event)
    clusters = {
        name: kmeans_clusters(data.loc[:, genes], seed) for name, data in (("true", truth), ("imputed", imputed))
    }
    summary["cluster_ari"] = float(adjusted_rand_score(clusters["true"], clusters["imputed"]))
    for name, labels in clusters.items():
        summary[f"cluster_logrank_p_{name}"] = logrank_p(time[known], event[known], labels[known])
        cindex = _ridge_cox_cindex(
            (truth if name == "true" else imputed).loc[known, genes], time[known], event[known], folds, penalizer, seed
        )
        summary[f"ridge_cox_cindex_{name}"] = cindex
    tables["clusters"] = pd.DataFrame(
        {
            "sample": truth.index,
            "cluster_true": clusters["true"],
            "cluster_imputed": clusters["imputed"],
            "os_time": time,
            "os_event": event,
        }
    )
    return summary, tables


def _mean(values) -> float:
    """Mean of the defined values; NaN when none is (a constant imputation has no R^2)."""
    values = np.asarray(values, dtype=np.float64)
    return float(values[np.isfinite(values)].mean()) if np.isfinite(values).any() else float("nan")


def _pr_auc(positives: pd.Series, scores: pd.Series) -> float:
    """Average precision (scikit-learn's PR-AUC); NaN when the true data has no positive."""
    usable = scores.notna()
    if not positives[usable].any():
        return float("nan")
    return float(average_precision_score(positives[usable], scores[usable]))


def _overlap(score_true: pd.Series, score_imputed: pd.Series, top: int) -> float:
    """Share of the true top-`top` genes (highest scores) that the imputed top list holds."""
    best_true = set(score_true.dropna().sort_values(ascending=False, kind="stable").index[:top])
    best_imputed = set(score_imputed.dropna().sort_values(ascending=False, kind="stable").index[:top])
    return len(best_true & best_imputed) / max(len(best_true), 1)


def _enrichment(p: pd.Series, known: list[str], top: int) -> float:
    """EF = (N_true / N_selected) / (N_active / N_total) for the top-`top` genes by p."""
    tested = p.dropna()
    active = tested.index.isin(known)
    if not active.any():
        return float("nan")  # e.g. a constant imputation: no gene could be tested
    selected = tested.sort_values(kind="stable").index[:top]
    hits = np.isin(selected, known).sum()
    return float((hits / len(selected)) / (active.sum() / len(tested)))


def completed_survival(
    completed: pd.DataFrame, clinical: pd.DataFrame, was_imputed: np.ndarray, top: int, seed: int
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Survival analysis of a completed cohort (observed plus imputed expression, samples x
    genes): univariate Cox regression of every gene, then K-means (k = 2) of the samples on the
    `top` most prognostic genes, as the benchmark's downstream analysis does.

    Returns tables `prognosis` and `clusters`, and a summary that gives each cluster's share of
    imputed samples: a cluster made mostly of imputed samples is more likely the imputation's
    mark than biology.
    """
    time = clinical["os_time"].to_numpy(float)
    event = clinical["os_event"].to_numpy(float)
    cox = univariate_cox(completed, time, event)
    genes = cox["p"].dropna().sort_values(kind="stable").index[:top]
    labels = kmeans_clusters(completed.loc[:, genes], seed)
    known = np.isfinite(time) & np.isfinite(event)
    clusters = pd.DataFrame(
        {"sample": completed.index, "cluster": labels, "imputed": was_imputed, "os_time": time, "os_event": event}
    )
    summary = {
        "n_samples": int(len(completed)),
        "n_observed": int((~was_imputed).sum()),
        "n_imputed": int(was_imputed.sum()),
        "n_prognostic_genes_p05": int((cox["p"] <= 0.05).sum()),
        "cluster_genes": int(len(genes)),
        "cluster_logrank_p": logrank_p(time[known], event[known], labels[known]),
        "cluster_sizes": [int((labels == c).sum()) for c in (0, 1)],
        "cluster_imputed_share": [
            float(was_imputed[labels == c].mean()) if (labels == c).any() else None for c in (0, 1)
        ],
    }
    return {"prognosis": cox, "clusters": clusters}, summary


def kmeans_clusters(data: pd.DataFrame, seed: int) -> np.ndarray:
    """K-means (k = 2, 10 starts) of the samples on standardised genes; labels 0 and 1."""
    values = data.to_numpy(np.float64)
    if len(np.unique(values, axis=0)) < 2:
        return np.zeros(len(values), dtype=int)  # identical samples form one cluster
    sd = values.std(axis=0)  # by hand, not StandardScaler: see correlation._standardise
    standardised = (values - values.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return KMeans(n_clusters=2, n_init=10, random_state=seed).fit_predict(standardised)


def logrank_p(time: np.ndarray, event: np.ndarray, labels: np.ndarray) -> float:
    """Log-rank test of survival between two groups; NaN when there is one group."""
    from lifelines.statistics import logrank_test

    if len(set(labels)) < 2:
        return float("nan")
    a, b = labels == labels[0], labels != labels[0]
    return float(logrank_test(time[a], time[b], event[a], event[b]).p_value)


def _ridge_cox_cindex(
    expression: pd.DataFrame, time: np.ndarray, event: np.ndarray, folds: int, penalizer: float, seed: int
) -> float:
    """Harrell's C-index of a ridge Cox model, pooled over cross-validation folds."""
    from lifelines import CoxPHFitter
    from lifelines.utils import concordance_index

    frame = expression.loc[:, expression.std(axis=0) > 0].reset_index(drop=True)
    if frame.shape[1] == 0:
        return 0.5  # no gene varies: every sample gets the same risk, a coin toss's C-index
    frame.columns = [f"g{i}" for i in range(frame.shape[1])]
    frame["T"], frame["E"] = time, event
    risk = np.zeros(len(frame))
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(frame):
        model = CoxPHFitter(penalizer=penalizer, l1_ratio=0.0).fit(frame.iloc[train], "T", "E")
        risk[test] = model.predict_partial_hazard(frame.iloc[test]).to_numpy()
    return float(concordance_index(time, -risk, event))
