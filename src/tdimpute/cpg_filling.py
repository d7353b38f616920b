"""CpGs of a reference cohort that another cohort lacks, filled from the CpGs it has.

A cohort measured on another array (the EPIC array lacks about a tenth of the 450K probes a
TCGA-trained model uses) can still be aligned to the reference: each missing CpG is predicted
from the present ones by a ridge regression (`ridge-cv`, all missing CpGs at once) fitted on
the reference's samples. What that costs is measured on the reference too: held-out reference
samples' expression predicted by ridge-cv from their measured CpGs and from the same CpGs
masked and filled, against their measured expression (and the per-gene mean's error, the
scale of a useless prediction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .cohort import Cohort
from .models.ridge import RidgeCVImputer

MAX_SAMPLES = 1000  # reference samples that fit the filling model: a TCGA pool holds ~8,000
HELD_OUT = 0.2  # the reference samples with expression held out to measure the cost
SEED = 0


@dataclass
class FillingCost:
    """RMSE of ridge-cv's expression on `n_held_out` reference samples, from their measured
    CpGs and from the same CpGs filled, and of the per-gene mean."""

    n_held_out: int
    measured: float
    filled: float
    mean: float

    def describe(self) -> str:
        return (
            f"on {self.n_held_out} held-out reference samples with them masked, ridge-cv's expression RMSE "
            f"{self.measured:.3f} becomes {self.filled:.3f} ({100 * (self.filled / self.measured - 1):+.1f} %; "
            f"the per-gene mean's {self.mean:.3f})"
        )


def fill_missing_cpgs(methylation: pd.DataFrame, reference: Cohort) -> pd.DataFrame:
    """`methylation` (samples x CpGs) with the reference's CpGs, in its order: those it lacks
    predicted from the others, each held within the range of its values in the reference."""
    missing = _missing(methylation, reference)
    present = reference.cpgs[~missing]
    rows = _rows(len(reference.samples), MAX_SAMPLES)
    filler = _filler(reference, rows, missing)
    filled = methylation.reindex(columns=reference.cpgs)
    observed = reference.methylation[:, missing]
    predicted = filler.predict(methylation.loc[:, present]).to_numpy()
    filled.loc[:, reference.cpgs[missing]] = np.clip(predicted, observed.min(axis=0), observed.max(axis=0))
    return filled


def filling_cost(methylation: pd.DataFrame, reference: Cohort) -> FillingCost:
    """What filling the CpGs that `methylation` lacks costs on held-out reference samples."""
    missing = _missing(methylation, reference)
    with_expression = np.flatnonzero(reference.has_expression)
    rng = np.random.default_rng(SEED)
    held_out = np.sort(rng.choice(with_expression, max(1, int(HELD_OUT * len(with_expression))), replace=False))
    training = np.setdiff1d(with_expression, held_out)
    training = training[_rows(len(training), MAX_SAMPLES)]  # drawn: a pool's rows come cancer by cancer
    X = pd.DataFrame(reference.methylation[training], columns=reference.cpgs)
    expression = RidgeCVImputer().fit(X, pd.DataFrame(reference.expression[training], columns=reference.genes))
    measured = pd.DataFrame(reference.methylation[held_out], columns=reference.cpgs)
    masked = fill_missing_cpgs(measured.loc[:, ~missing], reference.take(training))
    truth = reference.expression[held_out]
    rmse = lambda predicted: float(np.sqrt(np.mean((predicted - truth) ** 2)))  # noqa: E731
    return FillingCost(
        n_held_out=len(held_out),
        measured=rmse(expression.predict(measured).to_numpy()),
        filled=rmse(expression.predict(masked).to_numpy()),
        mean=rmse(reference.expression[training].mean(axis=0)),
    )


def _missing(methylation: pd.DataFrame, reference: Cohort) -> np.ndarray:
    return ~pd.Index(reference.cpgs).isin(methylation.columns)


def _rows(n: int, most: int) -> np.ndarray:
    """At most `most` of `n` rows, drawn with the fixed seed."""
    return np.arange(n) if n <= most else np.sort(np.random.default_rng(SEED).choice(n, most, replace=False))


def _filler(reference: Cohort, rows: np.ndarray, missing: np.ndarray) -> RidgeCVImputer:
    X = pd.DataFrame(reference.methylation[np.ix_(rows, ~missing)], columns=reference.cpgs[~missing])
    Y = pd.DataFrame(reference.methylation[np.ix_(rows, missing)], columns=reference.cpgs[missing])
    return RidgeCVImputer().fit(X, Y)
