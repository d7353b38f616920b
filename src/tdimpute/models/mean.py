"""Mean: every imputed sample gets the per-gene mean of the training samples."""

from __future__ import annotations

import numpy as np

from .base import Imputer


class MeanImputer(Imputer):
    """Each gene's mean over the training samples."""

    method = "mean"

    def __init__(self) -> None:
        pass

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        self.mean_ = Y.mean(axis=0, dtype=np.float64).astype(np.float32)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.mean_, (len(X), len(self.mean_))).copy()

    def _state(self) -> dict[str, np.ndarray]:
        return {"mean": self.mean_}
