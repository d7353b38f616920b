"""`tdimpute-plus`: the recommended imputer, a linear path and the TDimpute network, stacked.

1. Linear path: per-gene Lasso, one alpha chosen by 10-fold cross-validation (scored on up
   to 1,000 random genes), averaged with its 10 fold models below 500 training samples
   (`BaggedLassoCV`). On real data, a well-regularised sparse linear model is by far the
   strongest single predictor of expression from methylation.
2. Non-linear path: the TDimpute network, fine-tuned from a pretrained pan-cancer network
   when one is given (as `tdimpute`), trained from scratch otherwise (as `tdimpute-self`),
   on the samples outside the first cross-validation fold.
3. Stacking: one weight w in [0, 1] for the whole cohort, the least-squares blend
   (1 - w) linear + w network on the first fold's held-out samples (the genes the
   cross-validation scored), which neither that fold's Lasso nor the network saw. The
   network is kept only if the blend's mean gain over the linear path on those samples
   exceeds one standard error of it (the one-standard-error rule: the simpler model unless
   the richer one is clearly better); otherwise w = 0 drops it. A weight fitted on a few
   held-out samples (a fold of a small cohort) is mostly noise, and the gain is measured on
   the samples it was fitted on, so it must be clear of its own error to count.

Every choice (alpha, w) is made on the training samples alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .base import ARRAYS_FILE, Imputer
from .lasso import BaggedLassoCV
from .network import SelfNetwork, TransferNetwork

NETWORK_DIR = "network"


class PlusImputer(Imputer):
    """The recommended imputer: a cross-validated Lasso, stacked with the TDimpute network
    where the network clearly helps.

    Its network is configured by the options that the network's class takes (`pretrained`,
    the architecture when trained from scratch, and every training option), forwarded as set.
    """

    method = "tdimpute-plus"
    uses_pretrained = True
    trains_network = True

    def __init__(self, pretrained: str | None = None, network: bool = True, folds: int = 10,
                 n_alphas: int = 10, alpha_ratio: float = 1e-2, hidden: list[int] | None = None,
                 epochs: int | None = None, batch_size: int = 16, learning_rate: float = 1e-4,
                 seed: int = 0, precision: str = "auto", validation_fraction: float = 0.0,
                 patience: int = 10, checkpoint_dir: str | None = None, checkpoint_every: int = 10) -> None:
        self.pretrained = pretrained
        self.network = network
        self.folds = folds
        self.n_alphas = n_alphas
        self.alpha_ratio = alpha_ratio
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.seed = seed
        self.precision = precision
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        methylation, expression = self._frame(X, self.cpgs_), self._frame(Y, self.genes_)
        self.linear_ = BaggedLassoCV(self.n_alphas, self.alpha_ratio, self.folds, seed=self.seed).fit(methylation, expression)
        self.network_, self.weight_, self.gain_, self.history_ = None, 0.0, (0.0, 0.0), []
        if self.network:
            held_out, genes, linear = self.linear_.fold_prediction(X, 0)
            train = np.setdiff1d(np.arange(len(X)), held_out)
            network = self.make_network().fit(methylation.iloc[train], expression.iloc[train])
            self.weight_, self.gain_ = stacking_weight(Y[np.ix_(held_out, genes)], linear,
                                                       self._network_predict(network, X[held_out])[:, genes])
            self.history_ = network.history_
            self.network_ = network if self.weight_ > 0 else None

    def _choices(self) -> dict:
        return {"alpha": float(self.linear_.alpha_), "network weight": self.weight_}

    def _network_class(self) -> type[Imputer]:
        return TransferNetwork if self.pretrained else SelfNetwork

    def make_network(self) -> Imputer:
        """The unfitted network: fine-tuned from `pretrained` when given, else from scratch."""
        cls = self._network_class()
        return cls(**{name: getattr(self, name) for name in cls.options() if getattr(self, name, None) is not None})

    def _network_predict(self, network: Imputer, X: np.ndarray) -> np.ndarray:
        predicted = network.predict(self._frame(X, self.cpgs_))
        lacking = pd.Index(self.genes_).difference(predicted.columns)
        if len(lacking):
            raise ValueError(f"{len(lacking)} genes of the cohort are not in the pretrained "
                             f"network, e.g. {lacking[0]!r}")
        return predicted.loc[:, self.genes_].to_numpy()

    def _predict(self, X: np.ndarray) -> np.ndarray:
        linear = self.linear_.predict(self._frame(X, self.cpgs_)).to_numpy()
        if self.network_ is None:
            return linear
        return ((1 - self.weight_) * linear + self.weight_ * self._network_predict(self.network_, X)).astype(np.float32)

    @staticmethod
    def _frame(values: np.ndarray, columns: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, columns=columns)

    def _metadata(self) -> dict:
        gain, error = self.gain_
        return {"network_weight": self.weight_, "network_gain": gain,
                "network_gain_se": error if np.isfinite(error) else None, "alpha": float(self.linear_.alpha_),
                "cv_mse": self.linear_.cv_mse_.tolist(), "history": self.history_}

    def _save_weights(self, directory: Path) -> None:
        np.savez(directory / ARRAYS_FILE, **{f"linear_{k}": v for k, v in self.linear_._state().items()})
        if self.network_ is not None:
            self.network_.save(directory / NETWORK_DIR)

    def _load_weights(self, directory: Path, metadata: dict) -> None:
        self.weight_ = float(metadata["network_weight"])
        error = metadata.get("network_gain_se", 0.0)
        self.gain_ = (float(metadata.get("network_gain", 0.0)), np.inf if error is None else float(error))
        self.history_ = list(metadata.get("history", []))
        self.linear_ = BaggedLassoCV()
        self.linear_.cpgs_, self.linear_.genes_ = self.cpgs_, self.genes_
        with np.load(directory / ARRAYS_FILE) as arrays:
            self.linear_._set_state({k.removeprefix("linear_"): arrays[k] for k in arrays.files})
        network = directory / NETWORK_DIR
        self.network_ = self._network_class().load(network) if network.is_dir() else None


def blend_weight(truth: np.ndarray, first: np.ndarray, second: np.ndarray) -> float:
    """The w in [0, 1] minimising ||truth - ((1 - w) first + w second)||^2."""
    difference = second - first
    denominator = float(np.sum(difference ** 2))
    if denominator == 0:
        return 0.0
    return float(np.clip(np.sum((truth - first) * difference) / denominator, 0.0, 1.0))


def stacking_weight(truth: np.ndarray, linear: np.ndarray, network: np.ndarray) -> tuple[float, tuple[float, float]]:
    """The network's blend weight on held-out samples (rows), and the blend's mean gain in
    per-sample MSE over `linear` with its standard error; the weight is 0 unless the gain
    exceeds its standard error."""
    weight = blend_weight(truth, linear, network)
    blended = (1 - weight) * linear + weight * network
    gain = np.mean((truth - linear) ** 2, axis=1) - np.mean((truth - blended) ** 2, axis=1)
    mean = float(gain.mean())
    error = float(gain.std(ddof=1) / np.sqrt(len(gain))) if len(gain) > 1 else float("inf")
    return (weight if mean > error else 0.0), (mean, error)
