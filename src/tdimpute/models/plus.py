"""`tdimpute-plus`: the recommended imputer, its candidates chosen and stacked on the
training samples alone.

Candidates:
- `lasso`: per-gene Lasso, one alpha chosen by 10-fold cross-validation (scored on up to 1,000
  random genes), averaged with its 10 fold models below 500 training samples (`BaggedLassoCV`);
  the right linear model where few CpGs carry a gene's signal (LUAD).
- `ridge`: ridge regression on standardised methylation, alpha by leave-one-out
  (`ridge-cv`); the right one where the signal is dense (KIPAN).
- `network`: the TDimpute network, fine-tuned from a pretrained pan-cancer network when one
  is given (as `tdimpute`), trained from scratch otherwise (as `tdimpute-self`), on the
  samples outside the first cross-validation fold.

1. Linear stack: every training sample is predicted by the Lasso's and by a ridge fit that
   did not see it (the Lasso's cross-validation folds, each bagged as the final Lasso is;
   ridge refitted on each fold's other samples), on the genes the cross-validation scored. `stacking.choose_stack` keeps the
   better one alone unless a non-negative blend of both, shared by all genes or per gene,
   is clearly better out of fold (its cross-fitted gain exceeds one standard error). Per-gene
   weights are tried only when every gene was scored.
2. Network: one weight w in [0, 1] for the whole cohort, for the blend (1 - w) linear +
   w network, judged on the first fold's held-out samples, which neither the linear part's
   cross-fitted prediction nor the network saw, by the same rule: each sample's blend is
   weighted as fitted on the other samples (leave one out), and the network counts only if
   that cross-fitted blend's mean gain over the linear part exceeds one standard error; w is
   then the least-squares weight on all of them, else w = 0 drops the network. A weight
   fitted on a few held-out samples (a fold of a small cohort) is mostly noise, so its gain
   is measured on samples it was not fitted on.

Every choice (alphas, weights, w) is made on the training samples alone, and the out-of-fold
predictions that made them also give the per-gene reliability (`estimate_reliability`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..metrics import per_gene_accuracy
from .base import ARRAYS_FILE, Imputer
from .lasso import BaggedLassoCV
from .network import SelfNetwork, TransferNetwork
from .ridge import RidgeCVImputer
from .stacking import Stack, blend, choose_stack, cross_fit, mean_gain, nonnegative_weights

log = logging.getLogger(__name__)
NETWORK_DIR = "network"
LINEAR = ("lasso", "ridge")


class PlusImputer(Imputer):
    """The recommended imputer: the better of a cross-validated Lasso and ridge regression, or
    their blend, stacked with the TDimpute network where the network clearly helps.

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
        self.lasso_ = BaggedLassoCV(self.n_alphas, self.alpha_ratio, self.folds, seed=self.seed).fit(
            self._frame(X, self.cpgs_), self._frame(Y, self.genes_))
        self.ridge_ = RidgeCVImputer().fit(self._frame(X, self.cpgs_), self._frame(Y, self.genes_))
        scored = self.lasso_.cv_genes_
        self.stack_ = choose_stack(Y[:, scored], self._linear_out_of_fold(X, Y, all_genes=False), list(LINEAR),
                                   self._fold_rows(), per_gene=len(scored) == len(self.genes_))
        log.info("%s: linear part %s (out-of-fold MSE %s)", self.method, self.stack_.combiner,
                 ", ".join(f"{k} {v:.4g}" for k, v in self.stack_.errors.items()))
        self.network_, self.weight_, self.gain_, self.history_, self.network_mse_ = None, 0.0, (0.0, 0.0), [], None
        if self.network:
            self._fit_network(X, Y, scored)

    def _fit_network(self, X: np.ndarray, Y: np.ndarray, scored: np.ndarray) -> None:
        """Train the network outside the first fold; keep it if it clearly helps there."""
        held_out = self._fold_rows()[0]
        train = np.setdiff1d(np.arange(len(X)), held_out)
        network = self.make_network().fit(self._frame(X[train], self.cpgs_), self._frame(Y[train], self.genes_))
        truth = Y[np.ix_(held_out, scored)]
        predicted = self._network_predict(network, X[held_out])[:, scored]
        self.network_mse_ = float(np.mean((predicted - truth) ** 2))
        self.weight_, self.gain_ = network_weight(truth, self.stack_.out_of_fold[held_out], predicted)
        self.history_ = network.history_
        self.network_ = network if self.weight_ > 0 else None

    def _fold_rows(self) -> list[np.ndarray]:
        """The held-out rows of each of the Lasso's cross-validation folds."""
        return [test for _, test, *_ in self.lasso_.cv_models_]

    def _linear_out_of_fold(self, X: np.ndarray, Y: np.ndarray, all_genes: bool) -> np.ndarray:
        """Candidates x samples x genes: each linear candidate's prediction of every training
        sample from a fit without its fold, on the scored genes or on all of them."""
        genes = slice(None) if all_genes else self.lasso_.cv_genes_
        ridge = np.empty((len(X), len(self.genes_[genes])))
        for rows in self._fold_rows():
            train = np.setdiff1d(np.arange(len(X)), rows)
            fitted = RidgeCVImputer().fit(self._frame(X[train], self.cpgs_), self._frame(Y[train][:, genes], self.genes_[genes]))
            ridge[rows] = fitted.predict(self._frame(X[rows], self.cpgs_)).to_numpy()
        return np.stack([self.lasso_.out_of_fold_prediction(X, Y, all_genes), ridge])

    def estimate_reliability(self, methylation: pd.DataFrame, expression: pd.DataFrame, folds: int = 0,
                             seed: int = 0) -> PlusImputer:
        """Set `reliability_` from the out-of-fold predictions the stacking made, without
        refitting: the linear stack's cross-fitted prediction of every training sample, blended
        with the network's on the first fold when the network is kept (its accuracy then comes
        from the first fold's samples alone, the only ones the network did not see). `folds`
        and `seed` are unused: the folds are the fit's own. Takes the training samples of `fit`."""
        if not self.stack_.fold_weights:  # a loaded model keeps no out-of-fold weights
            return super().estimate_reliability(methylation, expression, folds, seed)
        X, Y = np.asarray(methylation, dtype=np.float32), np.asarray(expression, dtype=np.float32)
        if len(X) != self.n_training_:
            raise ValueError(f"reliability needs the {self.n_training_} training samples of the fit, got {len(X)}")
        log.info("reliability: %s's out-of-fold predictions on its %d folds, no refit", self.method,
                 len(self._fold_rows()))
        predictions = self._linear_out_of_fold(X, Y, all_genes=True)
        held_out = np.empty_like(Y, dtype=np.float64)
        for rows, weights in zip(self._fold_rows(), self.stack_.fold_weights):
            held_out[rows] = blend(predictions[:, rows], weights)
        rows = np.arange(len(X))
        if self.network_ is not None:
            rows = self._fold_rows()[0]
            held_out = (1 - self.weight_) * held_out[rows] + self.weight_ * self._network_predict(self.network_, X[rows])
        self.reliability_ = per_gene_accuracy(expression.iloc[rows],
                                              pd.DataFrame(held_out, index=expression.index[rows], columns=expression.columns))
        return self

    def _choices(self) -> dict:
        return {"linear": self.stack_.combiner, "Lasso alpha": float(self.lasso_.alpha_), "network weight": self.weight_}

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

    def _linear_predict(self, X: np.ndarray) -> np.ndarray:
        methylation = self._frame(X, self.cpgs_)
        candidates = np.stack([self.lasso_.predict(methylation).to_numpy(), self.ridge_.predict(methylation).to_numpy()])
        return blend(candidates, self.stack_.weights)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        linear = self._linear_predict(X)
        if self.network_ is not None:
            linear = (1 - self.weight_) * linear + self.weight_ * self._network_predict(self.network_, X)
        return linear.astype(np.float32)

    @staticmethod
    def _frame(values: np.ndarray, columns: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, columns=columns)

    def candidates(self) -> list[dict]:
        """Each candidate's out-of-fold RMSE (the network's on the first fold) and its weight in
        the prediction (the mean over genes for per-gene weights)."""
        linear = self.stack_.weights.mean(axis=1) * (1 - self.weight_)
        rows = [{"name": name, "cv_rmse": float(np.sqrt(self.stack_.errors[name])), "weight": float(w)}
                for name, w in zip(LINEAR, linear)]
        if self.network:
            rows.append({"name": "network", "cv_rmse": None if self.network_mse_ is None else float(np.sqrt(self.network_mse_)),
                         "weight": self.weight_})
        return rows

    def _metadata(self) -> dict:
        gain, error = self.gain_
        return {"linear": self.stack_.combiner, "candidates": self.candidates(),
                "linear_errors": self.stack_.errors,
                "linear_gain": self.stack_.gain, "linear_gain_se": _finite(self.stack_.gain_se),
                "network_weight": self.weight_, "network_gain": gain, "network_gain_se": _finite(error),
                "network_mse": self.network_mse_, "alpha": float(self.lasso_.alpha_),
                "cv_mse": self.lasso_.cv_mse_.tolist(), "history": self.history_}

    def _save_weights(self, directory: Path) -> None:
        arrays = {f"lasso_{k}": v for k, v in self.lasso_._state().items()}
        arrays.update({f"ridge_{k}": v for k, v in self.ridge_._state().items()})
        np.savez(directory / ARRAYS_FILE, stack_weights=self.stack_.weights, **arrays)
        if self.network_ is not None:
            self.network_.save(directory / NETWORK_DIR)

    def _load_weights(self, directory: Path, metadata: dict) -> None:
        if "linear" not in metadata:
            raise ValueError(f"{directory} holds a tdimpute-plus model of an earlier version (a Lasso and a "
                             "network, no ridge): fit it again")
        self.weight_ = float(metadata["network_weight"])
        error = metadata.get("network_gain_se")
        self.gain_ = (float(metadata.get("network_gain", 0.0)), np.inf if error is None else float(error))
        self.history_ = list(metadata.get("history", []))
        self.network_mse_ = metadata.get("network_mse")
        self.lasso_, self.ridge_ = BaggedLassoCV(), RidgeCVImputer()
        with np.load(directory / ARRAYS_FILE) as arrays:
            for prefix, part in (("lasso_", self.lasso_), ("ridge_", self.ridge_)):
                part.cpgs_, part.genes_ = self.cpgs_, self.genes_
                part._set_state({k.removeprefix(prefix): arrays[k] for k in arrays.files if k.startswith(prefix)})
            weights = arrays["stack_weights"]
        gain_se = metadata["linear_gain_se"]
        self.stack_ = Stack(metadata["linear"], weights, metadata["linear_errors"], metadata["linear_gain"],
                            np.inf if gain_se is None else gain_se, [], np.empty(0))
        network = directory / NETWORK_DIR
        self.network_ = self._network_class().load(network) if network.is_dir() else None


def _finite(value: float) -> float | None:
    return value if np.isfinite(value) else None


def network_weight(truth: np.ndarray, linear: np.ndarray, network: np.ndarray) -> tuple[float, tuple[float, float]]:
    """The network's weight w in (1 - w) linear + w network, judged on held-out samples
    (rows): each sample's blend is weighted as fitted on the other samples (leave one out),
    and the network counts only if that cross-fitted blend's mean per-sample gain over the
    linear part exceeds one standard error; w is then fitted on all of them, else it is 0.
    Returns w and (gain, standard error)."""
    if len(truth) < 2:
        return 0.0, (0.0, float("inf"))
    candidates = np.stack([linear, network])
    blended, _ = cross_fit(truth, candidates, [np.array([i]) for i in range(len(truth))], per_gene=False)
    gain, se = mean_gain(np.mean((linear - truth) ** 2, axis=1) - np.mean((blended - truth) ** 2, axis=1))
    weight = float(nonnegative_weights(truth, candidates, per_gene=False)[1, 0]) if gain > se else 0.0
    return weight, (gain, se)
