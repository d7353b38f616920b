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

import logging
import warnings

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import lasso_path
from sklearn.model_selection import KFold

from .base import Imputer, expression_scale
from .ridge import PoolPrior, TransferRidgeImputer

log = logging.getLogger(__name__)

GENE_BLOCK = 1024  # genes screened together: bounds the (CpGs x block) matrices in memory
WORKING_SET_STEP = 100  # CpGs added to a gene's working set per pass, at most
MAX_PASSES = 100  # working-set passes per alpha; a guard, far above what convergence needs
_UNUSED_RNG = np.random.RandomState(0)  # for the solver's (unused) random order; keeps numpy's global state


def lasso_path_genes(
    X: np.ndarray,
    Y: np.ndarray,
    alphas,
    tol: float = 1e-7,
    max_iter: int = 20000,
    label: str = "lasso",
    coef_init: sparse.spmatrix | None = None,
) -> list[tuple[sparse.csc_matrix, np.ndarray]]:
    """Per-gene Lasso at each of the decreasing `alphas`, each fit warm-started from the last
    (the first from `coef_init`, CpGs x genes, when given: e.g. a fit of similar data).

    Returns one (sparse CpGs x genes coefficients, intercepts) pair per alpha.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64)
    if np.any(np.diff(alphas) > 0):
        raise ValueError("alphas must be decreasing")
    n_genes = Y.shape[1]
    coef_init = sparse.csc_matrix((X.shape[1], n_genes)) if coef_init is None else sparse.csc_matrix(coef_init)
    x_mean, y_mean = X.mean(axis=0), Y.mean(axis=0)
    Xc = X - x_mean
    blocks, unconverged = [], 0
    for start in range(0, n_genes, GENE_BLOCK):
        genes = slice(start, start + GENE_BLOCK)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # counted and reported once below
            Yc = np.asfortranarray(Y[:, genes] - y_mean[genes])
            block, stalled = _path_block(Xc, Yc, alphas, tol, max_iter, coef_init[:, genes].toarray(order="F"))
        blocks.append(block)
        unconverged += stalled
        if n_genes > GENE_BLOCK:
            log.info("%s: %d/%d genes", label, min(start + GENE_BLOCK, n_genes), n_genes)
    if unconverged:
        warnings.warn(
            f"{label}: {unconverged} gene fits reached max_iter={max_iter} before their duality gap "
            f"fell below tol={tol:g}",
            ConvergenceWarning,
            stacklevel=2,
        )
    path = []
    for i in range(len(alphas)):
        coef = sparse.hstack([block[i] for block in blocks], format="csc")
        path.append((coef, y_mean - np.asarray(coef.T @ x_mean).ravel()))
    return path


def _path_block(
    Xc: np.ndarray, Yc: np.ndarray, alphas: np.ndarray, tol: float, max_iter: int, coef: np.ndarray
) -> tuple[list[sparse.csc_matrix], int]:
    """The path of one block of genes from the column-major starting coefficients `coef`
    (updated in place), and how many gene fits stopped at max_iter."""
    n, n_genes = Yc.shape
    stalled = 0
    XcT = np.ascontiguousarray(Xc.T)  # a CpG's values are contiguous: working sets gather fast
    # score[j, k] = |x_j' r_k| / n for the current residual r_k (at first r_k = y_k): the
    # KKT conditions hold for a CpG outside the support when its score <= alpha. It and coef
    # are column-major so that each gene's column is contiguous.
    score = _scores(Xc, Yc)
    alpha_max = score.max(axis=0)
    if coef.any():
        score = _scores(Xc, Yc - Xc @ coef)
    residual = np.empty((n, n_genes), order="F")
    path = []
    for alpha in alphas:
        # Genes whose correlations all stay <= alpha have w = 0; the others are solved on a
        # working set (their support, then the worst KKT violators) that only grows, so the
        # passes end once no CpG outside it violates the conditions. The support never leaves
        # the working set, so coefficients outside it stay zero.
        coef[:, alpha_max <= alpha] = 0.0
        working = {
            k: np.union1d(np.flatnonzero(coef[:, k]), _violators(score[:, k], coef[:, k] != 0, alpha))
            for k in np.flatnonzero(alpha_max > alpha)
        }
        unsolved = set(working)
        for _ in range(MAX_PASSES):
            if not unsolved:
                break
            genes = np.array(sorted(unsolved))
            for i, k in enumerate(genes):
                cpgs = working[k]
                Xw = XcT[cpgs].T
                coef[cpgs, k], converged = _solve(Xw, Yc[:, k], alpha, tol, max_iter, coef[cpgs, k])
                residual[:, i] = Yc[:, k] - Xw @ coef[cpgs, k]
                stalled += not converged
            score[:, genes] = _scores(Xc, residual[:, : len(genes)])
            unsolved = set()
            for k in genes:
                inside = np.zeros(len(score), dtype=bool)
                inside[working[k]] = True
                added = _violators(score[:, k], inside, alpha * (1 + 1e-6))
                if len(added):
                    working[k] = np.union1d(working[k], added)
                    unsolved.add(k)
        if unsolved:
            warnings.warn(
                f"{len(unsolved)} genes still violate the optimality conditions at alpha {alpha:.3g} "
                f"after {MAX_PASSES} passes",
                UserWarning,
                stacklevel=2,
            )
        path.append(sparse.csc_matrix(coef))
    return path, stalled


def _scores(Xc: np.ndarray, residual: np.ndarray) -> np.ndarray:
    """|X' R| / n as a column-major (CpGs x genes) array."""
    return (np.abs(residual.T @ Xc) / len(Xc)).T


def _violators(score: np.ndarray, inside: np.ndarray, threshold: float, most: int = WORKING_SET_STEP) -> np.ndarray:
    """The (at most `most`) CpGs not `inside` the working set whose score exceeds `threshold`."""
    above = np.flatnonzero((score > threshold) & ~inside)
    if len(above) > most:
        above = above[np.argpartition(score[above], -most)[-most:]]
    return above


def _solve(
    Xw: np.ndarray, y: np.ndarray, alpha: float, tol: float, max_iter: int, start: np.ndarray
) -> tuple[np.ndarray, bool]:
    """Coordinate descent on the working set from `start`; also says whether it converged.

    scikit-learn's `lasso_path` at the one `alpha`, on the Gram matrix when there are fewer
    CpGs than samples. Xw and y are already centred float64, Xw column-major, so its input
    checks and parameter validation are skipped: on working sets of a few CpGs they would cost
    several times the solve. Converged means the duality gap fell below tol * ||y||^2, the
    solver's own criterion (`lasso_path` returns the gap divided by n).
    """
    if Xw.shape[1] == 0:
        return np.zeros(0), True
    n = len(y)
    gram, Xy = (Xw.T @ Xw, Xw.T @ y) if Xw.shape[1] < n else (False, None)
    with config_context(skip_parameter_validation=True):
        _, coef, gap = lasso_path(
            np.asfortranarray(Xw),
            y,
            alphas=[alpha],
            precompute=gram,
            Xy=Xy,
            coef_init=start,
            check_input=False,
            tol=tol,
            max_iter=max_iter,
            random_state=_UNUSED_RNG,
        )
    return coef[:, 0], gap[0] <= tol * (y @ y) / n


def alpha_grid(X: np.ndarray, Y: np.ndarray, n_alphas: int, ratio: float) -> np.ndarray:
    """`n_alphas` log-spaced from the smallest alpha that zeroes every gene down by `ratio`."""
    Xc = X - X.mean(axis=0)
    alpha_max = np.abs(Xc.T @ (Y - Y.mean(axis=0))).max() / len(X)
    return np.geomspace(alpha_max, alpha_max * ratio, n_alphas)


def linear_prediction(coef: sparse.spmatrix, intercept: np.ndarray, X: np.ndarray) -> np.ndarray:
    """X @ coef + intercept for sparse CpGs x genes coefficients."""
    return np.asarray(coef.T @ X.T).T + intercept


def cross_validated_paths(
    X: np.ndarray, Y: np.ndarray, alphas: np.ndarray, folds, tol: float, max_iter: int, label: str
) -> tuple[list, np.ndarray]:
    """Each fold's Lasso path, and each alpha's squared error on the held-out rows averaged
    over genes and folds."""
    paths, errors = [], np.zeros(len(alphas))
    for fold, (train, test) in enumerate(folds, start=1):
        paths.append(lasso_path_genes(X[train], Y[train], alphas, tol, max_iter, label))
        for i, (coef, intercept) in enumerate(paths[-1]):
            errors[i] += np.mean((linear_prediction(coef, intercept, X[test]) - Y[test]) ** 2)
        log.info("%s: fold %d/%d done", label, fold, len(folds))
    return paths, errors / len(folds)


class _ScaledLasso(Imputer):
    """Shared by lasso and lasso-cv: expression / scale in, scale * prediction out."""

    def _choices(self) -> dict:
        return {"alpha": float(self.alpha_)}

    def _fit_scaled(self, X: np.ndarray, Y: np.ndarray, alphas) -> None:
        """Fit at the last of the decreasing `alphas`, passing through the others."""
        self.scale_ = np.float64(expression_scale(Y))
        self.alpha_ = np.float64(alphas[-1])
        coef, intercept = lasso_path_genes(
            X, Y / self.scale_, alphas, tol=self.tol, max_iter=self.max_iter, label=self.method
        )[-1]
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = intercept.astype(np.float32)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        scaled = linear_prediction(self.coef_, self.intercept_, X)
        return (scaled * self.scale_).astype(np.float32)

    def _state(self) -> dict[str, np.ndarray]:
        coef = sparse.csc_matrix(self.coef_)
        return {
            "scale": np.asarray(self.scale_),
            "alpha": np.asarray(self.alpha_),
            "intercept": self.intercept_,
            "coef_data": coef.data,
            "coef_indices": coef.indices,
            "coef_indptr": coef.indptr,
            "coef_shape": np.asarray(coef.shape),
        }

    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.scale_ = np.float64(arrays["scale"])
        self.alpha_ = np.float64(arrays["alpha"])
        self.intercept_ = arrays["intercept"]
        self.coef_ = sparse.csc_matrix(
            (arrays["coef_data"], arrays["coef_indices"], arrays["coef_indptr"]), shape=tuple(arrays["coef_shape"])
        )

    def _metadata(self) -> dict:
        return {"alpha": float(self.alpha_), "nonzero_coefficients": int(self.coef_.nnz)}


class LassoImputer(_ScaledLasso):
    """A Lasso per gene at a fixed alpha (the authors' 0.1), on expression / scale."""

    method = "lasso"

    def __init__(self, alpha: float = 0.1, tol: float = 1e-7, max_iter: int = 20000) -> None:
        self.alpha = alpha
        self.tol = tol
        self.max_iter = max_iter

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        self._fit_scaled(X, Y, [self.alpha])


# The alpha grid of the cross-validated Lassos: this many values down to this share of the largest.
N_ALPHAS = 10
ALPHA_RATIO = 1e-2


class LassoCVImputer(_ScaledLasso):
    """A Lasso per gene, one alpha for all genes chosen by `cv`-fold cross-validation among
    `n_alphas` log-spaced values.

    To keep the search cheap at 19,000 genes the folds score a random subset of `cv_genes`
    genes (all genes when there are fewer); the chosen alpha then fits every gene.
    """

    method = "lasso-cv"

    def __init__(
        self,
        n_alphas: int = N_ALPHAS,
        alpha_ratio: float = ALPHA_RATIO,
        cv: int = 3,
        cv_genes: int = 1000,
        tol: float = 1e-7,
        max_iter: int = 20000,
        seed: int = 0,
    ) -> None:
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
        self._warn_if_few_samples(len(X))
        folds = self._folds(X)
        paths, self.cv_mse_ = cross_validated_paths(
            X, scaled[:, genes], alphas, folds, self.tol, self.max_iter, self.method
        )
        self.alphas_ = alphas
        best = int(np.argmin(self.cv_mse_))
        self.cv_genes_ = genes
        self.cv_models_ = [(train, test, *path[best]) for (train, test), path in zip(folds, paths)]
        if best == len(alphas) - 1:
            warnings.warn(
                f"{self.method} chose the smallest alpha tried ({alphas[-1]:.3g}); a smaller "
                "alpha_ratio may fit better",
                UserWarning,
                stacklevel=2,
            )
        # The path down to the chosen alpha warm-starts every gene's final fit.
        self._fit_scaled(X, Y, alphas[: best + 1])

    def _folds(self, X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        return list(KFold(min(self.cv, len(X)), shuffle=True, random_state=self.seed).split(X))

    def _warn_if_few_samples(self, n: int) -> None:
        if self.cv > n:
            warnings.warn(
                f"{self.method}: {self.cv} cross-validation folds but only {n} training samples: "
                "leave-one-out instead, and alpha chosen on one sample per fold; use more samples "
                "(a lower --missing-rate)",
                UserWarning,
                stacklevel=2,
            )

    def _metadata(self) -> dict:
        return {**super()._metadata(), "alphas": self.alphas_.tolist(), "cv_mse": self.cv_mse_.tolist()}

    def _load_weights(self, directory, metadata: dict) -> None:
        super()._load_weights(directory, metadata)
        self.alphas_ = np.asarray(metadata.get("alphas", []))
        self.cv_mse_ = np.asarray(metadata.get("cv_mse", []))


class TransferLassoImputer(PoolPrior, LassoCVImputer):
    """A Lasso per gene shrunk toward the pan-cancer pool's ridge coefficients (saved by
    `pretrain`) instead of toward zero, alpha by cross-validation as `lasso-cv`'s.

    With b_pool the pool's coefficients and w in [0, 1] their weight, each gene's fit is
    `lasso-cv`'s problem with ||b - w b_pool||_1 in place of ||b||_1, that is the Lasso of
    y - w X b_pool: where the target follows the pool, only its few departures from it cost
    penalty. w is the pool weight that `ridge-transfer` chooses by leave-one-out on the same
    training samples, unless fixed by `weight` (0: `lasso-cv`'s fit).
    """

    method = "lasso-transfer"
    uses_pretrained = True

    def __init__(
        self,
        pretrained: str | None = None,
        weight: float | None = None,
        n_alphas: int = N_ALPHAS,
        alpha_ratio: float = ALPHA_RATIO,
        cv: int = 3,
        cv_genes: int = 1000,
        tol: float = 1e-7,
        max_iter: int = 20000,
        seed: int = 0,
    ) -> None:
        super().__init__(n_alphas, alpha_ratio, cv, cv_genes, tol, max_iter, seed)
        self.pretrained = pretrained
        self.weight = weight

    def fit(self, methylation: pd.DataFrame, expression: pd.DataFrame) -> TransferLassoImputer:
        self._read_pool(expression)
        if self.weight is None:
            self.prior_weight_ = TransferRidgeImputer(self.pretrained).fit(methylation, expression).prior_weight_
        else:
            self.prior_weight_ = np.full(expression.shape[1], float(self.weight))
        return super().fit(methylation, expression)

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        super()._fit(X, Y - self.pool_offset(X))

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return (super()._predict(X) + self.pool_offset(X)).astype(np.float32)

    def _state(self) -> dict[str, np.ndarray]:
        return {**super()._state(), "prior_weight": self.prior_weight_}

    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        super()._set_state(arrays)
        self.prior_weight_ = arrays["prior_weight"]


class BaggedLassoCV(LassoCVImputer):
    """`lasso-cv`'s Lasso, its alpha chosen on `cv` folds (more than `lasso-cv` takes), averaged
    with its `cv` fold models at the chosen alpha.

    Averaging lowers the variance of the fit when training samples are few (on LUAD, 0.5 % lower
    RMSE with 36 training samples, 0.3 % with 320); from `bag_below` samples on, where that gain
    has all but vanished but K more fits of every gene would still cost several times the
    fit itself, the model fitted on all samples is used alone. The fold models are the
    cross-validation's own when it scored every gene; otherwise each fold's Lasso is fitted for
    every gene, warm-started from the fit on all samples, which it barely differs from. Being
    linear, the average of the K + 1 models is one coefficient matrix. `fold_models_` keeps
    each fold's (training rows, held-out rows, coefficients, intercepts);
    `out_of_fold_prediction` bags each fold's model the same way. The linear part of
    `tdimpute-plus`; not a method of its own.
    """

    method = "lasso-bagged"

    def __init__(
        self,
        n_alphas: int = N_ALPHAS,
        alpha_ratio: float = ALPHA_RATIO,
        cv: int = 10,
        cv_genes: int = 1000,
        bag_below: int = 500,
        tol: float = 1e-7,
        max_iter: int = 20000,
        seed: int = 0,
    ) -> None:
        super().__init__(n_alphas, alpha_ratio, cv, cv_genes, tol, max_iter, seed)
        self.bag_below = bag_below

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        super()._fit(X, Y)
        self.fold_models_ = []
        if len(X) >= self.bag_below:
            return
        full = self.coef_.astype(np.float64)
        if len(self.cv_genes_) == Y.shape[1]:
            self.fold_models_ = self.cv_models_  # the cross-validation already fitted every gene
        else:
            self.fold_models_ = self._fold_models(X, Y / self.scale_, full)
        count = len(self.fold_models_) + 1
        self.coef_ = ((full + sum(coef for _, _, coef, _ in self.fold_models_)) / count).tocsc().astype(np.float32)
        self.intercept_ = ((self.intercept_ + sum(b for *_, b in self.fold_models_)) / count).astype(np.float32)

    def _fold_models(self, X: np.ndarray, scaled: np.ndarray, full: np.ndarray) -> list[tuple]:
        """Each fold's Lasso at the chosen alpha for every gene, warm-started from `full`."""
        models, folds = [], self._folds(X)
        for fold, (train, test) in enumerate(folds, start=1):
            coef, intercept = lasso_path_genes(
                X[train], scaled[train], [self.alpha_], self.tol, self.max_iter, self.method, coef_init=full
            )[0]
            models.append((train, test, coef, intercept))
            log.info("%s: fold model %d/%d done", self.method, fold, len(folds))
        return models

    def out_of_fold_prediction(self, X: np.ndarray, Y: np.ndarray, all_genes: bool = False) -> np.ndarray:
        """Every training sample's expression predicted, at the chosen alpha, by a model that
        did not see it: for the genes the cross-validation scored (`cv_genes_`), or with
        `all_genes` for every gene (fitting each fold's model for every gene when the
        cross-validation scored a subset and the fit did not bag).

        Where the fit bags, a fold's prediction of the scored genes is bagged as the fit is,
        within the fold's training samples (their own K folds): out-of-fold errors then judge
        the averaged model that predicts, not a single fold model, which is noisier where
        samples are few. For every gene of a subset-scored fit, the fold models alone
        (slightly pessimistic)."""
        models, genes, bag = self.cv_models_, self.cv_genes_, len(X) < self.bag_below
        if all_genes and len(self.cv_genes_) < Y.shape[1]:
            models = self.fold_models_ or self._fold_models(X, Y / self.scale_, self.coef_.astype(np.float64))
            genes, bag = slice(None), False
        predicted = np.empty((len(X), models[0][2].shape[1]))
        for fold, (train, test, coef, intercept) in enumerate(models, start=1):
            if bag:
                coef, intercept = self._bagged(X[train], Y[train][:, genes] / self.scale_, coef, intercept)
                log.info("%s: bagged out-of-fold prediction %d/%d done", self.method, fold, len(models))
            predicted[test] = linear_prediction(coef, intercept, X[test]) * self.scale_
        return predicted

    def _bagged(
        self, X: np.ndarray, scaled: np.ndarray, coef: sparse.spmatrix, intercept: np.ndarray
    ) -> tuple[sparse.spmatrix, np.ndarray]:
        """The model (coef, intercept), fitted on X, averaged with its K fold models at the
        chosen alpha, each warm-started from it."""
        fits = [
            lasso_path_genes(
                X[train], scaled[train], [self.alpha_], self.tol, self.max_iter, self.method, coef_init=coef
            )[0]
            for train, _ in self._folds(X)
        ]
        count = len(fits) + 1
        return (coef + sum(c for c, _ in fits)) / count, (intercept + sum(b for _, b in fits)) / count
