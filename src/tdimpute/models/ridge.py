"""`ridge-cv`: multi-output ridge regression for every gene at once, in closed form.

Methylation is centred and scaled per CpG; each gene's expression is centred. One thin SVD
of the training methylation, X = U S V', gives the ridge fit at every alpha for every gene:

    coef(alpha) = V diag(s / (s^2 + alpha)) U' Y

and its exact leave-one-out residuals, (y_i - yhat_i) / (1 - h_ii) with
h_ii = 1/n + sum_k U_ik^2 s_k^2 / (s_k^2 + alpha), so alpha is chosen by leave-one-out
cross-validation (as scikit-learn's `RidgeCV`) without refitting. The model is stored in this
factored form (V: samples x CpGs, and samples x genes weights), far smaller than the dense
CpGs x genes coefficients at TCGA scale.
"""

from __future__ import annotations

import numpy as np

from .base import Imputer, nonzero_scale


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
        U, s, Vt = np.linalg.svd((X - self.x_mean_) / self.x_scale_, full_matrices=False)
        UtY = U.T @ (Y - self.y_mean_)
        self.alphas_ = np.mean(s**2) * np.geomspace(self.alpha_min, self.alpha_max, self.n_alphas)
        self.loo_mse_ = np.stack([self._loo_mse(U, s, UtY, Y - self.y_mean_, a) for a in self.alphas_])
        best = (
            self.loo_mse_.argmin(axis=0)
            if self.alpha_per_gene
            else np.full(Y.shape[1], self.loo_mse_.mean(axis=1).argmin())
        )
        self.alpha_ = self.alphas_[best]
        shrink = s[:, None] / (s[:, None] ** 2 + self.alpha_[None, :])
        self.components_ = Vt.astype(np.float32)
        self.weights_ = (shrink * UtY).astype(np.float32)

    @staticmethod
    def _loo_mse(U, s, UtY, Yc, alpha) -> np.ndarray:
        """Each gene's leave-one-out mean squared error at `alpha`."""
        fraction = s**2 / (s**2 + alpha)
        residual = Yc - U @ (fraction[:, None] * UtY)
        leverage = 1.0 / len(U) + (U**2) @ fraction
        return np.mean((residual / (1.0 - leverage)[:, None]) ** 2, axis=0)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        Xs = (X - self.x_mean_) / self.x_scale_
        return ((Xs @ self.components_.T) @ self.weights_ + self.y_mean_).astype(np.float32)

    def _state(self) -> dict[str, np.ndarray]:
        return {
            name: getattr(self, name + "_")
            for name in ("x_mean", "x_scale", "y_mean", "components", "weights", "alpha", "alphas", "loo_mse")
        }

    def _metadata(self) -> dict:
        alphas = np.unique(self.alpha_)
        return {"alpha": float(alphas[0]) if len(alphas) == 1 else None, "distinct_alphas": len(alphas)}
