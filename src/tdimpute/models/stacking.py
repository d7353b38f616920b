"""Stacking on out-of-fold predictions (Breiman 1996, "Stacked regressions").

Each candidate model predicts every training sample from a fit that did not see it. The
blend's weights are least squares on those predictions, non-negative and summing to 1, either
one weight per candidate shared by all genes or each gene's own. A blend's error is measured by
cross-fitting: the weights used on a fold's samples are fitted on the other folds' samples
only. Every choice keeps the simpler model unless the richer one is clearly better, its mean
per-sample gain above `CLEAR_GAIN_SE` standard errors of that gain: the preferred single
candidate (the most regularised) unless another gains that much over it; that one unless the
shared blend gains that much over it; and the shared blend unless per-gene weights gain that
much in turn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

SHARED, PER_GENE = "shared blend", "per-gene blend"
# The standard errors a richer choice's mean per-sample gain must exceed. A fit makes up to
# four such choices in a row (another candidate, the shared blend, per-gene weights, the
# networks); at one standard error a choice with no real gain passes about one time in six.
CLEAR_GAIN_SE = 2.0


@dataclass
class Stack:
    """What stacking chose. `weights`: candidates x genes (one column when shared);
    `errors`: each candidate's and each blend's out-of-fold mean squared error; `gain`,
    `gain_se`: the chosen blend's per-sample gain over the simpler choice it replaced (when
    none was chosen, the shared blend's over the best candidate);
    `fold_weights`: the cross-fitted weights of each fold; `out_of_fold`: the chosen
    combination's prediction of every sample, from weights fitted without its fold."""

    combiner: str
    weights: np.ndarray
    errors: dict[str, float]
    gain: float
    gain_se: float
    fold_weights: list[np.ndarray]
    out_of_fold: np.ndarray


def nonnegative_weights(truth: np.ndarray, predictions: np.ndarray, per_gene: bool) -> np.ndarray:
    """Convex weights (non-negative, summing to 1; candidates x genes, or candidates x 1 when
    shared) of `predictions` (candidates x samples x genes) minimising the squared error to
    `truth` (samples x genes). Summing to 1 keeps the blend on the candidates' scale: free
    non-negative weights would also shrink every prediction towards 0."""
    if per_gene:
        return np.stack(
            [_convex_least_squares(predictions[:, :, g].T, truth[:, g]) for g in range(truth.shape[1])], axis=1
        )
    return _convex_least_squares(predictions.reshape(len(predictions), -1).T, truth.ravel())[:, None]


def _convex_least_squares(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """argmin ||A w - b|| over w >= 0 with sum(w) = 1: non-negative least squares with the
    sum as one more, heavily weighted, equation (Lawson and Hanson's weighting method)."""
    penalty = 1e3 * max(float(np.sqrt(np.mean(A**2))), 1e-12) * np.sqrt(len(A))
    weights = nnls(np.vstack([A, np.full((1, A.shape[1]), penalty)]), np.append(b, penalty))[0]
    return weights / weights.sum()


def blend(predictions: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The weighted sum of the candidates' predictions; shared weights apply to every gene."""
    return np.einsum("kng,kg->ng", predictions, np.broadcast_to(weights, (len(predictions), predictions.shape[2])))


def choose_stack(
    truth: np.ndarray,
    predictions: np.ndarray,
    names: list[str],
    folds: list[np.ndarray],
    per_gene: bool = True,
    preferred: str | None = None,
) -> Stack:
    """The single candidate or blend of `predictions` (candidates x samples x genes, each out of
    fold) for `truth`; `folds`: the held-out rows of each fold, covering every sample;
    per-gene weights are tried only when `per_gene`. The single candidate is `preferred`
    (default: the first) unless another's gain over it is clear (then the one of the largest
    gain): on few samples, the lowest error alone is often chance."""
    per_sample = {name: np.mean((p - truth) ** 2, axis=1) for name, p in zip(names, predictions)}
    best = preferred or names[0]
    clear = {name: gain for name in names if (gain := _clear_gain(per_sample[best] - per_sample[name])) is not None}
    best = max(clear, key=clear.get, default=best)
    modes = [] if len(names) == 1 or len(folds) < 2 else [SHARED, PER_GENE] if per_gene else [SHARED]
    blends = {mode: cross_fit(truth, predictions, folds, mode == PER_GENE) for mode in modes}
    per_sample.update({mode: np.mean((cross - truth) ** 2, axis=1) for mode, (cross, _) in blends.items()})
    errors = {name: float(e.mean()) for name, e in per_sample.items()}
    single = np.eye(len(names))[:, [names.index(best)]]
    chosen = Stack(best, single, errors, 0.0, float("inf"), [single] * len(folds), predictions[names.index(best)])
    for mode, (cross, fold_weights) in blends.items():  # the simpler first: each must beat the choice so far
        gain, se = mean_gain(per_sample[chosen.combiner] - per_sample[mode])
        if is_clear(gain, se) or mode == SHARED:
            chosen.gain, chosen.gain_se = gain, se
        if is_clear(gain, se):
            chosen.combiner, chosen.out_of_fold, chosen.fold_weights = mode, cross, fold_weights
            chosen.weights = nonnegative_weights(truth, predictions, mode == PER_GENE)
    return chosen


def _clear_gain(per_sample: np.ndarray) -> float | None:
    """The mean gain where it is clear, else None."""
    gain, se = mean_gain(per_sample)
    return gain if is_clear(gain, se) else None


def is_clear(gain: float, se: float) -> bool:
    """Whether a mean gain exceeds `CLEAR_GAIN_SE` of its standard errors."""
    return gain > CLEAR_GAIN_SE * se


def mean_gain(per_sample: np.ndarray) -> tuple[float, float]:
    """The mean of per-sample gains and its standard error (infinite from one sample)."""
    se = float(per_sample.std(ddof=1) / np.sqrt(len(per_sample))) if len(per_sample) > 1 else float("inf")
    return float(per_sample.mean()), se


def cross_fit(
    truth: np.ndarray, predictions: np.ndarray, folds: list[np.ndarray], per_gene: bool
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each fold's samples blended by weights fitted on the other folds' samples."""
    cross, fold_weights = np.empty_like(truth), []
    for rows in folds:
        others = np.setdiff1d(np.arange(len(truth)), rows)
        fold_weights.append(nonnegative_weights(truth[others], predictions[:, others], per_gene))
        cross[rows] = blend(predictions[:, rows], fold_weights[-1])
    return cross, fold_weights
