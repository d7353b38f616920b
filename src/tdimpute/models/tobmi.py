"""TOBMI (Dong et al., Bioinformatics 2019): trans-omics block missing data imputation.

As the authors' R code: for each incomplete sample, the Euclidean distances on methylation to
every complete (training) sample; its k = floor(sqrt(n_complete)) nearest complete samples;
weights w_i = (1 / d_i) / sum_j (1 / d_j); imputed expression = sum_i w_i * y_i.
Vectorised over all incomplete samples at once.

Not KNeighborsRegressor(weights="distance"): "brute" puts an exact methylation twin up to 4.5e-7 away, not 0
(outputs off by up to 2e-5); kd_tree/ball_tree match bitwise but are 3x slower (8.6 s vs 2.7 s, paper's size).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from .base import TrainingDataImputer


class TobmiImputer(TrainingDataImputer):
    """TOBMI: each sample's expression from its k nearest training samples in methylation,
    weighted by inverse distance (Dong et al. 2019)."""

    method = "tobmi"

    def __init__(self, k: int | None = None) -> None:
        self.k = k

    def _choices(self) -> dict:
        return {"k": self.k or int(np.floor(np.sqrt(len(self.methylation_))))}

    def _predict(self, X: np.ndarray) -> np.ndarray:
        n_complete = len(self.methylation_)
        k = self.k or int(np.floor(np.sqrt(n_complete)))
        k = min(k, n_complete)
        distances = cdist(X.astype(np.float64), self.methylation_.astype(np.float64))
        nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
        d = np.take_along_axis(distances, nearest, axis=1)
        with np.errstate(divide="ignore"):
            inverse = 1.0 / d
        exact = np.isinf(inverse)
        # A donor at distance 0 is the sample itself in all but name: it takes all the weight.
        inverse = np.where(exact.any(axis=1, keepdims=True), exact.astype(float), inverse)
        weights = inverse / inverse.sum(axis=1, keepdims=True)
        expression = self.expression_.astype(np.float64)
        imputed = np.zeros((len(X), expression.shape[1]))
        for j in range(k):  # k ~ sqrt(n) donors, each step a whole-matrix operation
            imputed += weights[:, j, None] * expression[nearest[:, j]]
        return imputed.astype(np.float32)
