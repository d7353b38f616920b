"""SVD imputation (Troyanskaya et al. 2001), as fancyimpute's IterativeSVD in the block setting.

Stack [expression | methylation] of the training and the incomplete samples, the incomplete
samples' expression missing; start from the training column means; repeat a rank-k
reconstruction (rank growing 1, 2, 4, ... up to k, as fancyimpute's gradual rank increase),
replacing only the missing cells, until the relative change of the missing cells falls below
`tol` or `max_iter` iterations.

Each iteration's truncated SVD is `power_steps` steps of subspace iteration warm-started from
the last iteration's right singular vectors (plus `oversample` spare directions, seeded),
rather than a fresh decomposition: the matrix changes little between iterations, so the
subspace tracks its top singular vectors at the cost of a few matrix products, which keeps
200 iterations at TCGA scale (1,000 x 46,744) to about a minute. With 3 steps the imputation
is within 1e-3 of exact SVDs at every iteration on the real LUAD data (a test).
"""

from __future__ import annotations

import numpy as np

from .base import TrainingDataImputer


class SvdImputer(TrainingDataImputer):
    """Iterative rank-k SVD of expression and methylation together (Troyanskaya et al. 2001)."""

    method = "svd"

    def _choices(self) -> dict:
        return {"rank": self.rank}

    def __init__(
        self,
        rank: int = 10,
        max_iter: int = 200,
        tol: float = 1e-5,
        oversample: int = 10,
        power_steps: int = 3,
        seed: int = 0,
    ) -> None:
        self.rank = rank
        self.max_iter = max_iter
        self.tol = tol
        self.oversample = oversample
        self.power_steps = power_steps
        self.seed = seed

    def _predict(self, X: np.ndarray) -> np.ndarray:
        n_train, n_genes = self.expression_.shape
        stacked = np.vstack(
            [
                np.hstack([self.expression_, self.methylation_]),
                np.hstack([np.broadcast_to(self.expression_.mean(0), (len(X), n_genes)), X]),
            ]
        ).astype(np.float64)
        missing = (slice(n_train, None), slice(0, n_genes))
        rank = min(self.rank, min(stacked.shape) - 1)
        width = min(rank + self.oversample, min(stacked.shape))
        rng = np.random.default_rng(self.seed)
        basis, _ = np.linalg.qr(rng.standard_normal((stacked.shape[1], width)))
        for iteration in range(self.max_iter):
            current_rank = min(2**iteration, rank)
            for _ in range(self.power_steps):
                left, _ = np.linalg.qr(stacked @ basis)
                basis, core = np.linalg.qr((left.T @ stacked).T)  # stacked ~ left core' basis'
            u, s, wt = np.linalg.svd(core.T)
            u, s = (left @ u)[:, :current_rank], s[:current_rank]
            vt = (basis @ wt.T)[:, :current_rank].T
            reconstructed = (u[n_train:] * s) @ vt[:, :n_genes]
            old = stacked[missing]
            change = np.linalg.norm(reconstructed - old) / max(np.linalg.norm(old), 1e-12)
            stacked[missing] = reconstructed
            if change < self.tol and current_rank == rank:
                break
        self.n_iter_ = iteration + 1
        return stacked[missing].astype(np.float32)
