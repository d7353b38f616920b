"""SVD imputation (Troyanskaya et al. 2001), as fancyimpute's IterativeSVD in the block setting.

Stack [expression | methylation] of the training and the incomplete samples, the incomplete
samples' expression missing; start from the training column means; repeat a rank-k
reconstruction (rank growing 1, 2, 4, ... up to k, as fancyimpute's gradual rank increase),
replacing only the missing cells, until the relative change of the missing cells falls below
`tol` or `max_iter` iterations. A randomized truncated SVD with a fixed seed keeps each
iteration cheap at TCGA scale.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.extmath import randomized_svd

from .base import TrainingDataImputer


class SvdImputer(TrainingDataImputer):
    method = "svd"

    def __init__(self, rank: int = 10, max_iter: int = 200, tol: float = 1e-5, seed: int = 0) -> None:
        self.rank = rank
        self.max_iter = max_iter
        self.tol = tol
        self.seed = seed

    def _predict(self, X: np.ndarray) -> np.ndarray:
        n_train, n_genes = self.expression_.shape
        stacked = np.vstack([
            np.hstack([self.expression_, self.methylation_]),
            np.hstack([np.broadcast_to(self.expression_.mean(0), (len(X), n_genes)), X]),
        ]).astype(np.float64)
        missing = (slice(n_train, None), slice(0, n_genes))
        rank = min(self.rank, min(stacked.shape) - 1)
        for iteration in range(self.max_iter):
            current_rank = min(2 ** iteration, rank)
            u, s, vt = randomized_svd(stacked, current_rank, random_state=self.seed)
            reconstructed = (u[n_train:] * s) @ vt[:, :n_genes]
            old = stacked[missing]
            change = np.linalg.norm(reconstructed - old) / max(np.linalg.norm(old), 1e-12)
            stacked[missing] = reconstructed
            if change < self.tol and current_rank == rank:
                break
        self.n_iter_ = iteration + 1
        return stacked[missing].astype(np.float32)
