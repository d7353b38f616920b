"""Lasso from methylation to expression, one independent Lasso per gene, fast at TCGA scale.

`lasso` is the model as the TDimpute authors ran it: scikit-learn's multi-output
`Lasso(alpha=0.1)` on expression divided by the scale (`expression_scale`). `lasso-cv` picks
alpha by K-fold cross-validation on the training samples (one alpha for all genes, the one
with the lowest mean squared error over the genes).

Both solve exactly scikit-learn's problem for every gene k,

    min_w  1/(2n) ||y_k - b_k - X w||^2 + alpha ||w||_1,

but share the work across genes (see `fit_lasso`): a gene whose correlations with every CpG
stay below alpha has w = 0 and is never solved (the KKT condition proves it); the others are
solved by coordinate descent on a small working set of CpGs (the strong rule of Tibshirani
et al. 2012), and the solution is accepted only when one batched product X^T R confirms the
KKT conditions for every CpG outside the working set.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import sparse
from sklearn.linear_model import lasso_path
from sklearn.model_selection import KFold

from .base import Imputer, expression_scale

GENE_BLOCK = 1024  # genes screened together: bounds the (CpGs x block) matrices in memory
WORKING_SET_STEP = 100  # CpGs added to a gene's working set per pass, at most


def fit_lasso(X: np.ndarray, Y: np.ndarray, alpha: float, tol: float = 1e-6,
              max_iter: int = 5000, label: str = "lasso") -> tuple[sparse.csc_matrix, np.ndarray]:
    """Per-gene Lasso of Y (n x genes) on X (n x CpGs), with intercepts.

    Returns the coefficients as a sparse (CpGs x genes) matrix and the intercepts.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    n, n_genes = Y.shape
    x_mean, y_mean = X.mean(axis=0), Y.mean(axis=0)
    Xc = X - x_mean
    columns: list[sparse.csc_matrix] = []
    for start in range(0, n_genes, GENE_BLOCK):
        block = (Y[:, start:start + GENE_BLOCK] - y_mean[start:start + GENE_BLOCK])
        columns.append(_fit_block(Xc, block, alpha, tol, max_iter))
        if n_genes > GENE_BLOCK:
            done = min(start + GENE_BLOCK, n_genes)
            print(f"{label}: {done}/{n_genes} genes", file=sys.stderr, flush=True)
    coef = sparse.hstack(columns, format="csc")
    intercept = y_mean - np.asarray(coef.T @ x_mean).ravel()
    return coef, intercept


def _fit_block(Xc: np.ndarray, Yc: np.ndarray, alpha: float, tol: float, max_iter: int) -> sparse.csc_matrix:
    n, n_genes = Yc.shape
    correlation = np.abs(Xc.T @ Yc) / n              # (CpGs x genes) at w = 0
    coef = np.zeros((Xc.shape[1], n_genes))
    # Genes with every correlation <= alpha have w = 0 (KKT); the others start from the CpGs
    # most correlated with them and grow by the worst KKT violators until none is left.
    working = {k: _top(correlation[:, k], alpha) for k in np.flatnonzero(correlation.max(axis=0) > alpha)}
    while working:
        for k, cpgs in working.items():
            coef[:, k] = 0.0
            coef[cpgs, k] = _solve(Xc[:, cpgs], Yc[:, k], alpha, tol, max_iter)
        genes = np.array(sorted(working))
        residual = Yc[:, genes] - Xc @ coef[:, genes]
        violation = np.abs(Xc.T @ residual) / n        # one product checks every CpG of every gene
        violation[coef[:, genes] != 0] = 0.0
        working = {}
        for i, k in enumerate(genes):
            added = _top(violation[:, i], alpha * (1 + 1e-6))
            if len(added):
                working[k] = np.union1d(np.flatnonzero(coef[:, k]), added)
    return sparse.csc_matrix(coef)


def _top(scores: np.ndarray, threshold: float, most: int = WORKING_SET_STEP) -> np.ndarray:
    """Indices of the (at most `most`) largest scores above `threshold`."""
    above = np.flatnonzero(scores > threshold)
    if len(above) > most:
        above = above[np.argpartition(scores[above], -most)[-most:]]
    return np.sort(above)


def _solve(Xw: np.ndarray, y: np.ndarray, alpha: float, tol: float, max_iter: int) -> np.ndarray:
    if Xw.shape[1] == 0:
        return np.zeros(0)
    _, coefs, _ = lasso_path(Xw, y, alphas=[alpha], tol=tol, max_iter=max_iter,
                             precompute=Xw.shape[1] < Xw.shape[0])
    return coefs[:, 0]


class _ScaledLasso(Imputer):
    """Shared by lasso and lasso-cv: expression / scale in, scale * prediction out."""

    def _fit_scaled(self, X: np.ndarray, Y: np.ndarray, alpha: float) -> None:
        self.scale_ = np.float64(expression_scale(Y))
        self.alpha_ = np.float64(alpha)
        coef, intercept = fit_lasso(X, Y / self.scale_, alpha, tol=self.tol,
                                    max_iter=self.max_iter, label=self.method)
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = intercept.astype(np.float32)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        scaled = np.asarray(self.coef_.T @ X.T).T + self.intercept_
        return (scaled * self.scale_).astype(np.float32)

    def _state(self) -> dict[str, np.ndarray]:
        coef = sparse.csc_matrix(self.coef_)
        return {"scale": np.asarray(self.scale_), "alpha": np.asarray(self.alpha_),
                "intercept": self.intercept_, "coef_data": coef.data, "coef_indices": coef.indices,
                "coef_indptr": coef.indptr, "coef_shape": np.asarray(coef.shape)}

    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.scale_ = np.float64(arrays["scale"])
        self.alpha_ = np.float64(arrays["alpha"])
        self.intercept_ = arrays["intercept"]
        self.coef_ = sparse.csc_matrix(
            (arrays["coef_data"], arrays["coef_indices"], arrays["coef_indptr"]),
            shape=tuple(arrays["coef_shape"]))

    def _metadata(self) -> dict:
        return {"alpha": float(self.alpha_), "nonzero_coefficients": int(self.coef_.nnz)}


class LassoImputer(_ScaledLasso):
    method = "lasso"

    def __init__(self, alpha: float = 0.1, tol: float = 1e-6, max_iter: int = 5000) -> None:
        self.alpha = alpha
        self.tol = tol
        self.max_iter = max_iter

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        self._fit_scaled(X, Y, self.alpha)


class LassoCVImputer(_ScaledLasso):
    """Alpha chosen among `n_alphas` log-spaced values by `cv`-fold cross-validation.

    To keep the search cheap at 19,000 genes the folds score a random subset of `cv_genes`
    genes (all genes when there are fewer); the chosen alpha then fits every gene.
    """

    method = "lasso-cv"

    def __init__(self, n_alphas: int = 10, alpha_ratio: float = 1e-3, cv: int = 3,
                 cv_genes: int = 1000, tol: float = 1e-6, max_iter: int = 5000, seed: int = 0) -> None:
        self.n_alphas = n_alphas
        self.alpha_ratio = alpha_ratio
        self.cv = cv
        self.cv_genes = cv_genes
        self.tol = tol
        self.max_iter = max_iter
        self.seed = seed

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        scaled = Y / expression_scale(Y)
        rng = np.random.default_rng(self.seed)
        genes = np.sort(rng.choice(Y.shape[1], size=min(self.cv_genes, Y.shape[1]), replace=False))
        alphas = self._alpha_grid(X, scaled[:, genes])
        errors = np.zeros(len(alphas))
        folds = KFold(self.cv, shuffle=True, random_state=self.seed).split(X)
        for fold, (train, test) in enumerate(folds, start=1):
            for i, alpha in enumerate(alphas):
                coef, intercept = fit_lasso(X[train], scaled[train][:, genes], alpha, self.tol, self.max_iter)
                predicted = np.asarray(coef.T @ X[test].T).T + intercept
                errors[i] += np.mean((predicted - scaled[test][:, genes]) ** 2)
            print(f"lasso-cv: fold {fold}/{self.cv} done", file=sys.stderr, flush=True)
        self.alphas_ = alphas
        self.cv_mse_ = errors / self.cv
        self._fit_scaled(X, Y, float(alphas[np.argmin(self.cv_mse_)]))

    def _alpha_grid(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """From the smallest alpha that zeroes every gene down by `alpha_ratio`."""
        Xc = X - X.mean(axis=0)
        alpha_max = np.abs(Xc.T @ (Y - Y.mean(axis=0))).max() / len(X)
        return np.geomspace(alpha_max, alpha_max * self.alpha_ratio, self.n_alphas)

    def _metadata(self) -> dict:
        return {**super()._metadata(), "alphas": self.alphas_.tolist(), "cv_mse": self.cv_mse_.tolist()}

    def _load_weights(self, directory, metadata: dict) -> None:
        super()._load_weights(directory, metadata)
        self.alphas_ = np.asarray(metadata.get("alphas", []))
        self.cv_mse_ = np.asarray(metadata.get("cv_mse", []))
