"""`ridge-cv` and `ridge-transfer`: multi-output ridge regression for every gene at once, in
closed form.

Methylation is centred and scaled per CpG; each gene's expression is centred. One thin SVD
of the training methylation, X = U S V', gives the ridge fit at every alpha for every gene:

    coef(alpha) = V diag(s / (s^2 + alpha)) U' Y

and its exact leave-one-out residuals, (y_i - yhat_i) / (1 - h_ii) with
h_ii = 1/n + sum_k U_ik^2 s_k^2 / (s_k^2 + alpha), so alpha is chosen by leave-one-out
cross-validation (as scikit-learn's `RidgeCV`) without refitting. The model is stored in this
factored form (V: samples x CpGs, and samples x genes weights), far smaller than the dense
CpGs x genes coefficients at TCGA scale.

`ridge-transfer` shrinks toward the pan-cancer pool's coefficients b_pool instead of toward 0:

    minimise ||Y - X b||^2 + alpha ||b - w b_pool||^2,   w in [0, 1]

w = 0 is ridge-cv's fit at alpha; w = 1 with alpha -> infinity is the pool's coefficients.
With b = w b_pool + d it is ridge-cv's fit of Y - w P (P = X b_pool, the pool's prediction of
the training samples, centred), so the same SVD serves. A leave-one-out residual is then
A - w B, with A and B the leave-one-out residuals of Y and of P, so at each alpha the w of
least leave-one-out error is closed-form; alpha is the one whose w has the least error.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TdimputeError
from .base import Imputer, nonzero_scale, saved_spec

POOL_RIDGE_DIR = "pool-ridge"  # the pool's ridge-cv model, in a pretrained model's folder
POOL_ARRAYS_FILE = "pool.npz"  # its arrays, in the folder of a model that shrinks toward it
FITTED = ("x_mean", "x_scale", "y_mean", "components", "weights", "alpha", "alphas", "loo_mse", "prior_weight")


class RidgeCVImputer(Imputer):
    """Ridge regression of every gene on standardised methylation, alpha by leave-one-out
    cross-validation.

    Alpha among `n_alphas` values from `alpha_min` to `alpha_max` times the mean squared
    singular value of the standardised methylation; one alpha for all genes unless
    `alpha_per_gene`."""

    method = "ridge-cv"

    def __init__(
        self, n_alphas: int = 13, alpha_min: float = 1e-3, alpha_max: float = 1e3, alpha_per_gene: bool = False
    ) -> None:
        self.n_alphas = n_alphas
        self.alpha_min = alpha_min
        self.alpha_max = alpha_max
        self.alpha_per_gene = alpha_per_gene

    def _choices(self) -> dict:
        alphas = np.unique(self.alpha_)
        return {"alpha": float(alphas[0]) if len(alphas) == 1 else f"per gene, median {np.median(self.alpha_):.3g}"}

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        self.x_mean_ = X.mean(axis=0)
        self.x_scale_ = nonzero_scale(X.std(axis=0))
        self.y_mean_ = Y.mean(axis=0)
        prior = self._prior(X)  # samples x genes, centred; None: shrink toward 0
        U, s, Vt = np.linalg.svd((X - self.x_mean_) / self.x_scale_, full_matrices=False)
        Yc = Y - self.y_mean_
        self.alphas_ = np.mean(s**2) * np.geomspace(self.alpha_min, self.alpha_max, self.n_alphas)
        fits = [self._loo_fit(U, s, Yc, prior, alpha) for alpha in self.alphas_]
        self.loo_mse_ = np.stack([mse for mse, _ in fits])
        best = (
            self.loo_mse_.argmin(axis=0)
            if self.alpha_per_gene
            else np.full(Y.shape[1], self.loo_mse_.mean(axis=1).argmin())
        )
        genes = np.arange(Y.shape[1])
        self.alpha_ = self.alphas_[best]
        self.prior_weight_ = np.stack([w for _, w in fits])[best, genes]
        if prior is not None:
            Yc = Yc - self.prior_weight_ * prior
        shrink = s[:, None] / (s[:, None] ** 2 + self.alpha_[None, :])
        self.components_ = Vt.astype(np.float32)
        self.weights_ = (shrink * (U.T @ Yc)).astype(np.float32)

    def _loo_fit(self, U, s, Yc, prior, alpha) -> tuple[np.ndarray, np.ndarray]:
        """Each gene's leave-one-out mean squared error at `alpha`, and the prior's weight w
        that gives it (0 without a prior)."""
        A = _loo_residuals(U, s, Yc, alpha)
        if prior is None:
            return np.mean(A**2, axis=0), np.zeros(Yc.shape[1])
        B = _loo_residuals(U, s, prior, alpha)
        w = self._prior_weights(A, B)
        return np.mean((A - w * B) ** 2, axis=0), w

    def _prior(self, X: np.ndarray) -> np.ndarray | None:
        return None

    def _prior_weights(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _predict(self, X: np.ndarray) -> np.ndarray:
        Xs = (X - self.x_mean_) / self.x_scale_
        return ((Xs @ self.components_.T) @ self.weights_ + self.y_mean_).astype(np.float32)

    def _state(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name + "_") for name in FITTED}

    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        super()._set_state(arrays)
        if "prior_weight" not in arrays:  # saved before ridge-transfer existed
            self.prior_weight_ = np.zeros(len(self.alpha_))

    def _metadata(self) -> dict:
        alphas = np.unique(self.alpha_)
        return {"alpha": float(alphas[0]) if len(alphas) == 1 else None, "distinct_alphas": len(alphas)}


def _loo_residuals(U: np.ndarray, s: np.ndarray, T: np.ndarray, alpha: float) -> np.ndarray:
    """The exact leave-one-out residuals of the ridge fit of the centred targets `T`."""
    fraction = s**2 / (s**2 + alpha)
    leverage = 1.0 / len(U) + (U**2) @ fraction
    return (T - U @ (fraction[:, None] * (U.T @ T))) / (1.0 - leverage)[:, None]


class PoolPrior:
    """What the methods that shrink toward the pan-cancer pool share: the pool's ridge model read
    from `pretrained` (`pool_`), its prediction of the cohort's samples, and its arrays saved
    inside the fitted model, so that a saved model predicts without the pretrained folder."""

    def _read_pool(self, expression: pd.DataFrame) -> None:
        if not self.pretrained:
            raise ValueError(f"method {self.method} shrinks toward a pretrained model's pool: give --pretrained")
        self.pool_ = load_pool_ridge(self.pretrained)
        lacking = pd.Index(expression.columns).difference(self.pool_.genes_)
        if len(lacking):
            raise ValueError(f"{len(lacking)} genes of the cohort are not in the pretrained pool, e.g. {lacking[0]!r}")

    def _pool_predict(self, X: np.ndarray) -> np.ndarray:
        """The pool's model applied to `X`, in this model's gene order."""
        predicted = self.pool_.predict(pd.DataFrame(X, columns=self.cpgs_))
        return predicted.loc[:, self.genes_].to_numpy(np.float64)

    def _choices(self) -> dict:
        return {**super()._choices(), "pool weight": float(np.mean(self.prior_weight_))}

    def pool_offset(self, X: np.ndarray) -> np.ndarray:
        """The pool's prediction of `X` times the pool's weight (`prior_weight_`): what a Lasso
        shrunk toward the pool is the Lasso of the expression minus (`lasso-transfer`, and
        tdimpute-plus's Lasso with a pretrained model)."""
        return self.prior_weight_ * self._pool_predict(X)

    def _save_weights(self, directory: Path) -> None:
        super()._save_weights(directory)
        np.savez(directory / POOL_ARRAYS_FILE, **self.pool_._state())

    def _metadata(self) -> dict:
        return {**super()._metadata(), "pool_cpgs": self.pool_.cpgs_.tolist(), "pool_genes": self.pool_.genes_.tolist()}

    def _load_weights(self, directory: Path, metadata: dict) -> None:
        super()._load_weights(directory, metadata)
        self.pool_ = RidgeCVImputer()
        self.pool_.cpgs_ = np.asarray(metadata["pool_cpgs"], dtype=str)
        self.pool_.genes_ = np.asarray(metadata["pool_genes"], dtype=str)
        with np.load(directory / POOL_ARRAYS_FILE) as arrays:
            self.pool_._set_state(dict(arrays))


class TransferRidgeImputer(PoolPrior, RidgeCVImputer):
    """Ridge regression that shrinks toward the pan-cancer pool's ridge coefficients (saved by
    `pretrain`) instead of toward zero, alpha and the pool's weight by leave-one-out
    cross-validation.

    The pool's weight w in [0, 1] (0: ridge-cv; 1: the pool's coefficients as the prior) is
    one for all genes, each gene's own with `alpha_per_gene`, or fixed by `weight`."""

    method = "ridge-transfer"
    uses_pretrained = True

    def __init__(
        self,
        pretrained: str | None = None,
        weight: float | None = None,
        n_alphas: int = 13,
        alpha_min: float = 1e-3,
        alpha_max: float = 1e3,
        alpha_per_gene: bool = False,
    ) -> None:
        super().__init__(n_alphas, alpha_min, alpha_max, alpha_per_gene)
        self.pretrained = pretrained
        self.weight = weight

    def fit(self, methylation: pd.DataFrame, expression: pd.DataFrame) -> TransferRidgeImputer:
        self._read_pool(expression)
        return super().fit(methylation, expression)

    def _pool_prediction(self, X: np.ndarray) -> np.ndarray:
        """The pool's prediction of `X` centred on its prediction of the training mean."""
        predicted = self._pool_predict(np.vstack([X, self.x_mean_]))
        return predicted[:-1] - predicted[-1]

    def _prior(self, X: np.ndarray) -> np.ndarray:
        return self._pool_prediction(X)

    def _prior_weights(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        if self.weight is not None:
            return np.full(A.shape[1], float(self.weight))
        axis = 0 if self.alpha_per_gene else None
        fitted = np.sum(A * B, axis=axis) / np.maximum(np.sum(B * B, axis=axis), np.finfo(float).tiny)
        return np.broadcast_to(np.clip(fitted, 0.0, 1.0), A.shape[1:]).copy()

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return (super()._predict(X) + self.prior_weight_ * self._pool_prediction(X)).astype(np.float32)


def fit_pool_ridge(methylation: pd.DataFrame, expression: pd.DataFrame, cancers: np.ndarray) -> RidgeCVImputer:
    """The pool's ridge-cv model on each cancer's samples centred on that cancer's means: its
    coefficients hold how expression follows methylation within a cancer, not how cancers
    differ (a target's own means are fitted on the target)."""

    def within(frame: pd.DataFrame) -> pd.DataFrame:
        return frame - frame.groupby(cancers).transform("mean")

    return RidgeCVImputer().fit(within(methylation), within(expression))


@lru_cache(maxsize=1)
def load_pool_ridge(pretrained: str | Path) -> RidgeCVImputer:
    """The pool's ridge model saved in a pretrained model's folder, read once for the many fits
    that shrink toward it (tdimpute-plus fits ridge-transfer once per fold); read-only."""
    directory = Path(pretrained) / POOL_RIDGE_DIR
    if not (directory / "model.json").is_file():
        saved_spec(Path(pretrained))  # not a saved model at all: that error first
        raise TdimputeError(f"{pretrained} holds no pool ridge model ({POOL_RIDGE_DIR}/): pretrain it again")
    return RidgeCVImputer.load(directory)
