"""What each command does, on cohorts, splits and models: the one place the CLI calls into."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cohort import Cohort
from .errors import TdimputeError
from .models import Imputer, imputer_class
from .models.network import load_pretrained
from .models.ridge import fit_pool_ridge
from .splits import Split


def target_cancer(cancer: str | None, split: Split | None) -> str | None:
    """The cancer named by --cancer or by the split (they must agree); None: every cancer."""
    if split is not None and cancer is not None and split.cancer != cancer:
        raise TdimputeError(f"--cancer {cancer} disagrees with the split's cancer {split.cancer}")
    return cancer if cancer is not None else (split.cancer if split else None)


def methylation_frame(cohort: Cohort, rows: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(cohort.methylation[rows], index=cohort.samples[rows], columns=cohort.cpgs)


def expression_frame(cohort: Cohort, rows: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(cohort.expression[rows], index=cohort.samples[rows], columns=cohort.genes)


def training_rows(cohort: Cohort, split: Split | None) -> np.ndarray:
    """The split's training samples, or else every sample that has expression."""
    if split is not None:
        return cohort.rows_of(split.train, "training samples")
    return np.flatnonzero(cohort.has_expression)


def imputation_rows(cohort: Cohort, split: Split | None) -> np.ndarray:
    """The split's test samples, or else every sample without expression."""
    if split is not None:
        return cohort.rows_of(split.test, "test samples")
    rows = np.flatnonzero(~cohort.has_expression)
    if len(rows) == 0:
        raise TdimputeError("every sample has expression: nothing to impute (give --split to test)")
    return rows


def fit_method(
    method: str, cohort: Cohort, split: Split | None, params: dict, seed: int = 0, reliability_folds: int = 0
) -> Imputer:
    """Fit one method on the training samples; `tdimpute-notf` is the pretrained model as is.

    `seed` goes to the methods that draw random numbers; the others ignore it. With
    `reliability_folds`, the model also carries `reliability_`, each gene's accuracy on
    training samples it did not see (`Imputer.estimate_reliability`).
    """
    rows = training_rows(cohort, split)
    if reliability_folds and not 2 <= reliability_folds <= len(rows):  # checked before any fitting
        raise TdimputeError(
            f"--reliability-folds must be between 2 and the {len(rows)} training samples, got {reliability_folds}"
        )
    methylation, expression = methylation_frame(cohort, rows), expression_frame(cohort, rows)
    if method == "tdimpute-notf":
        if not params.get("pretrained"):
            raise TdimputeError("method tdimpute-notf applies a pretrained model: give --pretrained")
        model = load_pretrained(params["pretrained"])
    else:
        cls = imputer_class(method)
        unknown = sorted(set(params) - set(cls.options()))
        if unknown:
            raise TdimputeError(
                f"method {method} takes no option {', '.join('--' + u.replace('_', '-') for u in unknown)}"
            )
        if "seed" in cls.options():
            params = {**params, "seed": seed}
        model = cls(**params).fit(methylation, expression)
    if reliability_folds:
        model.estimate_reliability(methylation, expression, reliability_folds, seed)
    return model


def pretrain(cohort: Cohort, exclude_cancer: str | None, params: dict) -> Imputer:
    """Train the pan-cancer network on every sample with expression outside `exclude_cancer`,
    with the pool's linear model beside it (`ridge.fit_pool_ridge`: what `ridge-transfer`
    shrinks toward), saved in the same folder."""
    pool = cohort
    if exclude_cancer is not None:
        if exclude_cancer not in cohort.cancer_types:
            raise TdimputeError(f"cancer type {exclude_cancer!r} to exclude is not in the cohort")
        pool = cohort.take((cohort.clinical["cancer_type"] != exclude_cancer).to_numpy())
    if len(pool.samples) == 0:
        raise TdimputeError("no sample is left to pretrain on")
    rows = training_rows(pool, None)
    methylation, expression = methylation_frame(pool, rows), expression_frame(pool, rows)
    network = imputer_class("tdimpute-notf")(**params).fit(methylation, expression)
    network.pool_ridge_ = fit_pool_ridge(methylation, expression, pool.clinical["cancer_type"].to_numpy()[rows])
    return network


def impute(model: Imputer, cohort: Cohort, split: Split | None) -> pd.DataFrame:
    """Imputed expression (samples x genes) of the split's test samples or of those without RNA."""
    return model.predict(methylation_frame(cohort, imputation_rows(cohort, split)))


def held_out_truth_and_imputation(cohort: Cohort, split: Split, imputed: pd.DataFrame):
    """Rows, true expression and the imputation of the split's test samples, aligned."""
    rows = cohort.rows_of(split.test, "test samples")
    truth = expression_frame(cohort, rows)
    missing = truth.index.difference(imputed.index)
    if len(missing):
        raise TdimputeError(f"{len(missing)} test samples are not in the imputed file, e.g. {missing[0]!r}")
    absent_genes = truth.columns.difference(imputed.columns)
    if len(absent_genes):
        raise TdimputeError(f"{len(absent_genes)} genes are not in the imputed file, e.g. {absent_genes[0]!r}")
    return rows, truth, imputed.loc[truth.index, truth.columns]


def evaluate(
    cohort: Cohort, split: Split, imputed: pd.DataFrame, bounds: list[pd.DataFrame] | None = None
) -> tuple[dict, pd.DataFrame]:
    """Accuracy of `imputed` on the split's test samples against their hidden expression, and
    with its (lower, upper) `bounds`, their coverage."""
    from .metrics import accuracy, per_gene_accuracy
    from .uncertainty import coverage

    _, truth, imputed = held_out_truth_and_imputation(cohort, split, imputed)
    metrics = {**_context(split), **accuracy(truth, imputed)}
    if bounds is not None:
        metrics.update(coverage(truth, *bounds))
    return metrics, per_gene_accuracy(truth, imputed)


def downstream(
    cohort: Cohort,
    split: Split,
    imputed: pd.DataFrame,
    known_prognostic: list[str] | None = None,
    top: int = 100,
    seed: int = 0,
) -> tuple[dict, dict]:
    """The downstream analyses on the split's test samples, true against imputed expression."""
    from .downstream.analysis import compare

    rows, truth, imputed = held_out_truth_and_imputation(cohort, split, imputed)
    clinical = cohort.clinical.iloc[rows].set_index(truth.index)
    summary, tables = compare(
        methylation_frame(cohort, rows), truth, imputed, clinical, known_prognostic, top=top, seed=seed
    )
    return {**_context(split), **summary}, tables


def complete(
    cohort: Cohort,
    imputed: pd.DataFrame,
    top: int = 100,
    seed: int = 0,
    residuals: pd.DataFrame | None = None,
    draws: int = 0,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict]:
    """The cohort's expression with its missing samples filled from `imputed`, and its
    survival analysis (`downstream.analysis.completed_survival`). With the model's held-out
    `residuals` and `draws` > 0, the Cox model of every gene is also fitted on that many
    cohorts completed with residuals drawn for the imputed values, and pooled by Rubin's rules
    (columns `pooled_*` and `fmi` of the `prognosis` table).

    Returns (completed expression, samples x genes; tables `prognosis` and `clusters`; summary).
    """
    from .downstream.analysis import completed_survival

    lacking = cohort.samples[~cohort.has_expression]
    absent = pd.Index(lacking).difference(imputed.index)
    if len(absent):
        raise TdimputeError(f"{len(absent)} samples without expression are not in the imputed file, e.g. {absent[0]!r}")
    completed = expression_frame(cohort, np.arange(len(cohort.samples)))
    completed.loc[lacking] = imputed.loc[lacking, completed.columns].to_numpy()
    tables, summary = completed_survival(completed, cohort.clinical, ~cohort.has_expression, top, seed)
    if draws:
        pooled = _pooled_prognosis(cohort, completed, lacking, residuals, draws, seed)
        tables["prognosis"] = tables["prognosis"].join(pooled)
        summary["n_prognostic_genes_p05_pooled"] = int((pooled["pooled_p"] <= 0.05).sum())
        summary["multiple_imputations"] = draws
    return completed, tables, {"cancer_types": cohort.cancer_types, **summary}


def _pooled_prognosis(cohort, completed, lacking, residuals, draws, seed) -> pd.DataFrame:
    """Rubin-pooled univariate Cox results over `draws` completed cohorts."""
    from .downstream.pooling import pooled_cox
    from .uncertainty import completed_draws

    if residuals is None:
        raise TdimputeError("multiple imputation draws from the model's held-out residuals: give --model")
    absent = completed.columns.difference(residuals.columns)
    if len(absent):
        raise TdimputeError(f"{len(absent)} genes of the cohort have no held-out residuals, e.g. {absent[0]!r}")
    imputed = completed.loc[lacking]
    cohorts = []
    for drawn in completed_draws(imputed, residuals[completed.columns].to_numpy(), draws, seed):
        cohorts.append(completed.copy())
        cohorts[-1].loc[lacking] = drawn.to_numpy()
    time, event = (cohort.clinical[c].to_numpy(float) for c in ("os_time", "os_event"))
    pooled = pooled_cox(cohorts, time, event)
    return pooled.rename(columns=lambda c: c if c == "fmi" else f"pooled_{c}")


def _context(split: Split) -> dict:
    """What every per-run result records of its split, for the benchmark tables."""
    return {"cancer": split.cancer, "missing_rate": split.missing_rate, "replicate": split.replicate}
