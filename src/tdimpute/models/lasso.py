"""Lasso as the TDimpute authors ran it: multi-output scikit-learn Lasso(alpha=0.1) from
methylation to expression divided by the scale (see `expression_scale`)."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import Lasso

from .base import Imputer, expression_scale


class LassoImputer(Imputer):
    method = "lasso"

    def __init__(self, alpha: float = 0.1, max_iter: int = 1000, tol: float = 1e-4) -> None:
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        self.scale_ = np.float64(expression_scale(Y))
        lasso = Lasso(alpha=self.alpha, max_iter=self.max_iter, tol=self.tol)
        lasso.fit(X.astype(np.float64), Y.astype(np.float64) / self.scale_)
        self.coef_ = np.atleast_2d(lasso.coef_).T.astype(np.float32)  # (n_cpgs, n_genes)
        self.intercept_ = np.atleast_1d(lasso.intercept_).astype(np.float32)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return ((X @ self.coef_ + self.intercept_) * self.scale_).astype(np.float32)

    def _state(self) -> dict[str, np.ndarray]:
        return {"scale": np.asarray(self.scale_), "coef": self.coef_, "intercept": self.intercept_}
