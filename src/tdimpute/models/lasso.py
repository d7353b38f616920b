"""Lasso from methylation to expression, one independent Lasso per gene, fast at TCGA scale.

`lasso` is the model as the TDimpute authors ran it: scikit-learn's multi-output
`Lasso(alpha=0.1)` on expression divided by the scale (`expression_scale`). `lasso-cv` picks
alpha by K-fold cross-validation on the training samples (one alpha for all genes, the one
with the lowest mean squared error over the genes).

Both solve exactly scikit-learn's problem for every gene k,

    min_w  1/(2n) ||y_k - b_k - X w||^2 + alpha ||w||_1,

but share the work across genes (see `lasso_path_genes`): a gene whose correlations with every CpG
stay below alpha has w = 0 and is never solved (the KKT condition proves it); the others are
solved by coordinate descent on a small working set of CpGs (the strong rule of Tibshirani
et al. 2012), and the solution is accepted only when one batched product X^T R confirms the
KKT conditions for every CpG outside the working set.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import lasso_path
from sklearn.model_selection import KFold

from .base import Imputer, expression_scale

GENE_BLOCK = 1024  # genes screened together: bounds the (CpGs x block) matrices in memory
WORKING_SET_STEP = 100  # CpGs added to a gene's working set per pass, at most
MAX_PASSES = 100  # working-set passes per alpha; a guard, far above what convergence needs


def lasso_path_genes(X: np.ndarray, Y: np.ndarray, alphas, tol: float = 1e-7, max_iter: int = 20000,
                     label: str = "lasso") -> list[tuple[sparse.csc_matrix, np.ndarray]]:
    """Per-gene Lasso at each of the decreasing `alphas`, each fit warm-started from the last.

    Returns one (sparse CpGs x genes coefficients, intercepts) pair per alpha.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64)
    if np.any(np.diff(alphas) > 0):
        raise ValueError("alphas must be decreasing")
    n_genes = Y.shape[1]
    x_mean, y_mean = X.mean(axis=0), Y.mean(axis=0)
    Xc = X - x_mean
    blocks, unconverged = [], 0
    for start in range(0, n_genes, GENE_BLOCK):
        genes = slice(start, start + GENE_BLOCK)
        block, stalled = _path_block(Xc, Y[:, genes] - y_mean[genes], alphas, tol, max_iter)
        blocks.append(block)
        unconverged += stalled
        if n_genes > GENE_BLOCK:
            print(f"{label}: {min(start + GENE_BLOCK, n_genes)}/{n_genes} genes", file=sys.stderr, flush=True)
    if unconverged:
        print(f"warning: {label}: {unconverged} gene fits reached max_iter={max_iter} before "
              f"their duality gap fell below tol={tol:g}", file=sys.stderr)
    path = []
    for i in range(len(alphas)):
        coef = sparse.hstack([block[i] for block in blocks], format="csc")
        path.append((coef, y_mean - np.asarray(coef.T @ x_mean).ravel()))
    return path


def _path_block(Xc: np.ndarray, Yc: np.ndarray, alphas: np.ndarray, tol: float,
                max_iter: int) -> tuple[list[sparse.csc_matrix], int]:
    """The path of one block of genes, and how many gene fits stopped at max_iter."""
    n, n_genes = Yc.shape
    stalled = 0
    # score[j, k] = |x_j' r_k| / n for the current residual r_k (at first r_k = y_k): the
    # KKT conditions hold for a CpG outside the support when its score <= alpha.
    score = np.abs(Xc.T @ Yc) / n
    alpha_max = score.max(axis=0)
    coef = np.zeros((Xc.shape[1], n_genes))
    path = []
    for alpha in alphas:
        # Genes whose correlations all stay <= alpha have w = 0; the others are solved on a
        # working set (their support, then the worst KKT violators) that only grows, so the
        # passes end once no CpG outside it violates the conditions.
        working = {k: np.union1d(np.flatnonzero(coef[:, k]), _violators(score[:, k], coef[:, k] != 0, alpha))
                   for k in np.flatnonzero(alpha_max > alpha)}
        unsolved = set(working)
        for _ in range(MAX_PASSES):
            if not unsolved:
                break
            genes = np.array(sorted(unsolved))
            for k in genes:
                cpgs = working[k]
                start = coef[cpgs, k]
                coef[:, k] = 0.0
                coef[cpgs, k], converged = _solve(Xc[:, cpgs], Yc[:, k], alpha, tol, max_iter, start)
                stalled += not converged
            score[:, genes] = np.abs(Xc.T @ (Yc[:, genes] - Xc @ coef[:, genes])) / n
            unsolved = set()
            for k in genes:
                inside = np.zeros(len(score), dtype=bool)
                inside[working[k]] = True
                added = _violators(score[:, k], inside, alpha * (1 + 1e-6))
                if len(added):
                    working[k] = np.union1d(working[k], added)
                    unsolved.add(k)
        if unsolved:
            print(f"warning: {len(unsolved)} genes still violate the optimality conditions at alpha "
                  f"{alpha:.3g} after {MAX_PASSES} passes", file=sys.stderr)
        path.append(sparse.csc_matrix(coef))
    return path, stalled


def _violators(score: np.ndarray, inside: np.ndarray, threshold: float,
               most: int = WORKING_SET_STEP) -> np.ndarray:
    """The (at most `most`) CpGs not `inside` the working set whose score exceeds `threshold`."""
    above = np.flatnonzero((score > threshold) & ~inside)
    if len(above) > most:
        above = above[np.argpartition(score[above], -most)[-most:]]
    return above


def _solve(Xw: np.ndarray, y: np.ndarray, alpha: float, tol: float, max_iter: int,
           start: np.ndarray) -> tuple[np.ndarray, bool]:
    """Coordinate descent on the working set; also says whether it converged."""
    if Xw.shape[1] == 0:
        return np.zeros(0), True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        _, coefs, _ = lasso_path(Xw, y, alphas=[alpha], tol=tol, max_iter=max_iter, coef_init=start,
                                 precompute=Xw.shape[1] < Xw.shape[0])
    return coefs[:, 0], not any(issubclass(w.category, ConvergenceWarning) for w in caught)


def alpha_grid(X: np.ndarray, Y: np.ndarray, n_alphas: int, ratio: float) -> np.ndarray:
    """`n_alphas` log-spaced from the smallest alpha that zeroes every gene down by `ratio`."""
    Xc = X - X.mean(axis=0)
    alpha_max = np.abs(Xc.T @ (Y - Y.mean(axis=0))).max() / len(X)
    return np.geomspace(alpha_max, alpha_max * ratio, n_alphas)


def linear_prediction(coef: sparse.spmatrix, intercept: np.ndarray, X: np.ndarray) -> np.ndarray:
    """X @ coef + intercept for sparse CpGs x genes coefficients."""
    return np.asarray(coef.T @ X.T).T + intercept


def cross_validated_paths(X: np.ndarray, Y: np.ndarray, alphas: np.ndarray, folds, tol: float,
                          max_iter: int, label: str) -> tuple[list, np.ndarray]:
    """Each fold's Lasso path, and each alpha's squared error on the held-out rows averaged
    over genes and folds."""
    paths, errors = [], np.zeros(len(alphas))
    for fold, (train, test) in enumerate(folds, start=1):
        paths.append(lasso_path_genes(X[train], Y[train], alphas, tol, max_iter, label))
        for i, (coef, intercept) in enumerate(paths[-1]):
            errors[i] += np.mean((linear_prediction(coef, intercept, X[test]) - Y[test]) ** 2)
        print(f"{label}: fold {fold}/{len(folds)} done", file=sys.stderr, flush=True)
    return paths, errors / len(folds)


class _ScaledLasso(Imputer):
    """Shared by lasso and lasso-cv: expression / scale in, scale * prediction out."""

    def _fit_scaled(self, X: np.ndarray, Y: np.ndarray, alphas) -> None:
        """Fit at the last of the decreasing `alphas`, passing through the others."""
        self.scale_ = np.float64(expression_scale(Y))
        self.alpha_ = np.float64(alphas[-1])
        coef, intercept = lasso_path_genes(X, Y / self.scale_, alphas, tol=self.tol,
                                           max_iter=self.max_iter, label=self.method)[-1]
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = intercept.astype(np.float32)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        scaled = linear_prediction(self.coef_, self.intercept_, X)
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

    def __init__(self, alpha: float = 0.1, tol: float = 1e-7, max_iter: int = 20000) -> None:
        self.alpha = alpha
        self.tol = tol
        self.max_iter = max_iter

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        self._fit_scaled(X, Y, [self.alpha])


class LassoCVImputer(_ScaledLasso):
    """Alpha chosen among `n_alphas` log-spaced values by `cv`-fold cross-validation.

    To keep the search cheap at 19,000 genes the folds score a random subset of `cv_genes`
    genes (all genes when there are fewer); the chosen alpha then fits every gene.
    """

    method = "lasso-cv"

    def __init__(self, n_alphas: int = 10, alpha_ratio: float = 1e-2, cv: int = 3,
                 cv_genes: int = 1000, tol: float = 1e-7, max_iter: int = 20000, seed: int = 0) -> None:
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
        alphas = alpha_grid(X, scaled[:, genes], self.n_alphas, self.alpha_ratio)
        folds = list(KFold(self.cv, shuffle=True, random_state=self.seed).split(X))
        _, self.cv_mse_ = cross_validated_paths(X, scaled[:, genes], alphas, folds, self.tol, self.max_iter,
                                                self.method)
        self.alphas_ = alphas
        best = int(np.argmin(self.cv_mse_))
        if best == len(alphas) - 1:
            print(f"warning: lasso-cv chose the smallest alpha tried ({alphas[-1]:.3g}); a smaller "
                  "alpha_ratio may fit better", file=sys.stderr)
        # The path down to the chosen alpha warm-starts every gene's final fit.
        self._fit_scaled(X, Y, alphas[: best + 1])

    def _metadata(self) -> dict:
        return {**super()._metadata(), "alphas": self.alphas_.tolist(), "cv_mse": self.cv_mse_.tolist()}

    def _load_weights(self, directory, metadata: dict) -> None:
        super()._load_weights(directory, metadata)
        self.alphas_ = np.asarray(metadata.get("alphas", []))
        self.cv_mse_ = np.asarray(metadata.get("cv_mse", []))


class BaggedLassoCV(_ScaledLasso):
    """Lasso with alpha chosen by K-fold cross-validation over every gene, bagged over the folds.

    The K fold models at the chosen alpha, which the cross-validation fits anyway, are averaged
    with the model fitted on all samples; being linear, the average is one coefficient matrix.
    Averaging lowers the variance of the fit when training samples are few. `fold_models_`
    keeps each fold's (training rows, held-out rows, coefficients, intercepts) for stacking.
    The linear part of `tdimpute-plus`; not a method of its own.
    """

    method = "lasso-bagged"

    def __init__(self, n_alphas: int = 10, alpha_ratio: float = 1e-2, folds: int = 5,
                 tol: float = 1e-7, max_iter: int = 20000, seed: int = 0) -> None:
        self.n_alphas = n_alphas
        self.alpha_ratio = alpha_ratio
        self.folds = folds
        self.tol = tol
        self.max_iter = max_iter
        self.seed = seed

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        self.scale_ = np.float64(expression_scale(Y))
        scaled = Y / self.scale_
        alphas = alpha_grid(X, scaled, self.n_alphas, self.alpha_ratio)
        folds = list(KFold(min(self.folds, len(X)), shuffle=True, random_state=self.seed).split(X))
        paths, self.cv_mse_ = cross_validated_paths(X, scaled, alphas, folds, self.tol, self.max_iter, self.method)
        self.alphas_ = alphas
        best = int(np.argmin(self.cv_mse_))
        self.alpha_ = np.float64(alphas[best])
        full = lasso_path_genes(X, scaled, alphas[: best + 1], self.tol, self.max_iter, self.method)[-1]
        self.fold_models_ = [(train, test, *path[best]) for (train, test), path in zip(folds, paths)]
        models = [full] + [path[best] for path in paths]
        self.coef_ = (sum(coef for coef, _ in models) / len(models)).tocsc().astype(np.float32)
        self.intercept_ = (sum(b for _, b in models) / len(models)).astype(np.float32)

    def fold_prediction(self, X: np.ndarray, fold: int) -> tuple[np.ndarray, np.ndarray]:
        """Held-out rows of `fold` and their expression predicted by that fold's model."""
        _, test, coef, intercept = self.fold_models_[fold]
        return test, linear_prediction(coef, intercept, X[test]) * self.scale_
