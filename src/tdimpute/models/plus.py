"""`tdimpute-plus`: the recommended imputer, its candidates chosen and stacked on the
training samples alone.

A cross-validated Lasso, ridge regression and, when a pretrained model is given, the ridge
regression shrunk toward the pool's (`ridge-transfer`, and the Lasso is then shrunk toward the
pool's too: `lasso-transfer`) make the linear part (the ridge, the pool's when given, unless
another or a blend is clearly better out of fold: `stacking.choose_stack`); the TDimpute network
fine-tuned from a pretrained network (when one is given) and a network on standardised data
(`StandardisedNetwork`) are trained without held-out folds and kept only where their blend
with the linear part clearly helps on those folds. The algorithm step by step, for users, is
in docs/usage.md (Methods). The out-of-fold predictions that made every choice also give the
per-gene reliability (`estimate_reliability`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone

from .base import ARRAYS_FILE, Imputer
from .lasso import ALPHA_RATIO, N_ALPHAS, BaggedLassoCV, TransferLassoImputer
from .network import StandardisedNetwork, TransferNetwork, fit_best
from .ridge import RidgeCVImputer, TransferRidgeImputer
from .stacking import Stack, blend, choose_stack, cross_fit, is_clear, mean_gain, nonnegative_weights
from .training import PRECISION

log = logging.getLogger(__name__)
NETWORK_DIR = "networks"
NETWORKS = {"network": TransferNetwork, "standardised network": StandardisedNetwork}
# A mean gain and its standard error from fewer held-out samples are mostly noise: a network
# judged on a 7-sample fold can pass the rule of clear gains by chance.
MIN_JUDGED = 30


class PlusImputer(Imputer):
    """The recommended imputer: a ridge regression and a cross-validated Lasso (with
    `pretrained`, each also or instead shrunk toward the pool's), alone or blended, stacked with
    networks where they clearly help.

    The TDimpute network (with `pretrained`) is configured by the options that its class takes
    (every training option), forwarded where set (unset: `tdimpute`'s defaults); the
    standardised network's widths and weight decays to choose from are `mlp_hidden` and
    `mlp_weight_decay`, its most epochs `mlp_epochs` (it stops early on a validation share of
    its training samples).
    """

    method = "tdimpute-plus"
    uses_pretrained = True
    trains_network = True

    def __init__(
        self,
        pretrained: str | None = None,
        network: bool = True,
        folds: int = 10,
        n_alphas: int = N_ALPHAS,
        alpha_ratio: float = ALPHA_RATIO,
        mlp_hidden: tuple[int, ...] = (256, 1024),
        mlp_weight_decay: tuple[float, ...] = (1e-2, 1.0),
        mlp_epochs: int = 200,
        epochs: int | None = None,
        batch_size: int | None = None,
        learning_rate: float | None = None,
        weight_decay: float | None = None,
        seed: int = 0,
        precision: str = PRECISION,
        validation_fraction: float | None = None,
        patience: int | None = None,
        checkpoint_dir: str | None = None,
        checkpoint_every: int | None = None,
    ) -> None:
        self.pretrained = pretrained
        self.network = network
        self.folds = folds
        self.n_alphas = n_alphas
        self.alpha_ratio = alpha_ratio
        self.mlp_hidden = mlp_hidden
        self.mlp_weight_decay = mlp_weight_decay
        self.mlp_epochs = mlp_epochs
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.seed = seed
        self.precision = precision
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        self.ridges_ = {
            name: make().fit(self._frame(X, self.cpgs_), self._frame(Y, self.genes_))
            for name, make in self._ridge_candidates().items()
        }
        self.lasso_ = BaggedLassoCV(self.n_alphas, self.alpha_ratio, self.folds, seed=self.seed).fit(
            self._frame(X, self.cpgs_), self._frame(Y - self._lasso_offset(X), self.genes_)
        )
        scored = self.lasso_.cv_genes_
        self.stack_ = choose_stack(
            Y[:, scored],
            self._linear_out_of_fold(X, Y, all_genes=False),
            self._linear_names(),
            self._fold_rows(),
            per_gene=len(scored) == len(self.genes_),
            preferred=list(self.ridges_)[-1],
        )
        log.info(
            "%s: linear part %s (out-of-fold MSE %s)",
            self.method,
            self.stack_.combiner,
            ", ".join(f"{k} {v:.4g}" for k, v in self.stack_.errors.items()),
        )
        self.networks_, self.network_weights_, self.network_errors_ = {}, {}, {}
        self.gain_, self.history_, self.n_judged_ = (0.0, float("inf")), [], 0
        if self.network:
            self._fit_networks(X, Y, scored)

    def _fit_networks(self, X: np.ndarray, Y: np.ndarray, scored: np.ndarray) -> None:
        """Train each network candidate without each judged fold; keep those whose blend with
        the linear part clearly helps on the judged folds' samples."""
        folds = self._judged_folds()
        held_out = {name: [] for name in self._network_candidates()}
        fitted = {name: [] for name in held_out}
        for fold in folds:
            train = np.setdiff1d(np.arange(len(X)), fold)
            methylation, expression = self._frame(X[train], self.cpgs_), self._frame(Y[train], self.genes_)
            for name, networks in fitted.items():
                networks.append(fit_best(self._unfitted_networks(name, networks), methylation, expression))
                held_out[name].append(self._network_predict(networks[-1], X[fold])[:, scored])
        rows = np.concatenate(folds)
        truth = Y[np.ix_(rows, scored)]
        predictions = [np.concatenate(held_out[name]) for name in fitted]
        self.n_judged_ = len(rows)
        self.network_errors_ = {name: float(np.mean((p - truth) ** 2)) for name, p in zip(fitted, predictions)}
        weights, self.gain_ = network_weights(truth, self.stack_.out_of_fold[rows], predictions)
        self.network_weights_ = {name: float(w) for name, w in zip(fitted, weights[1:])}
        self.networks_ = {name: fitted[name] for name, w in self.network_weights_.items() if w > 0}
        self.history_ = next(iter(fitted.values()))[0].history_
        log.info(
            "%s: networks judged on %d held-out samples, weights %s",
            self.method,
            self.n_judged_,
            ", ".join(f"{k} {v:.3g}" for k, v in self.network_weights_.items()) or "none",
        )

    def _ridge_candidates(self) -> dict[str, Callable[[], RidgeCVImputer]]:
        """The unfitted ridge regressions by name, the most regularised (the preferred) last:
        ridge-cv, and where a pretrained model is given the ridge shrunk toward the pool's."""
        ridges = {"ridge": RidgeCVImputer}
        if self.pretrained:
            ridges[TransferRidgeImputer.method] = lambda: TransferRidgeImputer(pretrained=self.pretrained)
        return ridges

    def _linear_names(self) -> list[str]:
        lasso = TransferLassoImputer.method if TransferRidgeImputer.method in self.ridges_ else "lasso"
        return [lasso, *self.ridges_]

    def _lasso_offset(self, X: np.ndarray) -> np.ndarray:
        """What the Lasso is the Lasso of the expression minus: with a pretrained model the
        pool's prediction times the pool weight `ridge-transfer` chose (the Lasso shrunk toward
        the pool, as `lasso-transfer`), else 0 (one row, broadcast to every sample)."""
        transfer = self.ridges_.get(TransferRidgeImputer.method)
        return np.zeros((1, len(self.genes_)), dtype=np.float32) if transfer is None else transfer.pool_offset(X)

    def _network_candidates(self) -> list[str]:
        """The TDimpute network where a pretrained network is given, and the standardised one."""
        return [name for name in NETWORKS if name != "network" or self.pretrained]

    def _unfitted_networks(self, name: str, earlier: list[Imputer]) -> list[Imputer]:
        """What to fit of candidate `name` on the next fold: the TDimpute network; the
        standardised network of every width and weight decay on the first fold, the later
        folds' reusing the first fold's choice."""
        if name == "network":
            return [self.make_network()]
        return [clone(earlier[0])] if earlier else self.make_standardised_networks()

    def make_network(self) -> TransferNetwork:
        """The unfitted TDimpute network, fine-tuned from `pretrained`, with every training
        option that is set."""
        return TransferNetwork(
            **{name: getattr(self, name) for name in TransferNetwork.options() if getattr(self, name, None) is not None}
        )

    def make_standardised_networks(self) -> list[StandardisedNetwork]:
        """The unfitted standardised networks to choose from: every width and weight decay."""
        return [
            StandardisedNetwork(
                hidden=(width,), weight_decay=decay, epochs=self.mlp_epochs, seed=self.seed, precision=self.precision
            )
            for width in self.mlp_hidden
            for decay in self.mlp_weight_decay
        ]

    def _fold_rows(self) -> list[np.ndarray]:
        """The held-out rows of each of the Lasso's cross-validation folds."""
        return [test for _, test, *_ in self.lasso_.cv_models_]

    def _judged_folds(self) -> list[np.ndarray]:
        """The first folds, as few as hold `MIN_JUDGED` samples (all of them if they hold fewer)."""
        folds = self._fold_rows()
        enough = int(np.searchsorted(np.cumsum([len(rows) for rows in folds]), MIN_JUDGED))
        return folds[: enough + 1]

    def _linear_out_of_fold(self, X: np.ndarray, Y: np.ndarray, all_genes: bool) -> np.ndarray:
        """Candidates x samples x genes: each linear candidate's prediction of every training
        sample from a fit without its fold, on the scored genes or on all of them."""
        genes = slice(None) if all_genes else self.lasso_.cv_genes_
        offset = self._lasso_offset(X)
        lasso = self.lasso_.out_of_fold_prediction(X, Y - offset, all_genes) + offset[:, genes]
        ridges = np.empty((len(self.ridges_), len(X), len(self.genes_[genes])))
        for rows in self._fold_rows():
            train = np.setdiff1d(np.arange(len(X)), rows)
            methylation = self._frame(X[train], self.cpgs_)
            expression = self._frame(Y[train][:, genes], self.genes_[genes])
            for ridge, make in zip(ridges, self._ridge_candidates().values()):
                ridge[rows] = make().fit(methylation, expression).predict(self._frame(X[rows], self.cpgs_)).to_numpy()
        return np.concatenate([lasso[None], ridges])

    def estimate_reliability(
        self, methylation: pd.DataFrame, expression: pd.DataFrame, folds: int = 0, seed: int = 0
    ) -> PlusImputer:
        """Set `reliability_` from the out-of-fold predictions the stacking made, without
        refitting: the linear stack's cross-fitted prediction of every training sample, blended
        with the kept networks' predictions of the judged folds when networks are kept (the
        accuracy then comes from those folds' samples alone, the only ones no network saw).
        `folds` and `seed` are unused: the folds are the fit's own. Takes the training samples
        of `fit`."""
        if not self.stack_.fold_weights:  # a loaded model keeps no out-of-fold weights
            return super().estimate_reliability(methylation, expression, folds, seed)
        X, Y = np.asarray(methylation, dtype=np.float32), np.asarray(expression, dtype=np.float32)
        if len(X) != self.n_training_:
            raise ValueError(f"reliability needs the {self.n_training_} training samples of the fit, got {len(X)}")
        log.info(
            "reliability: %s's out-of-fold predictions on its %d folds, no refit", self.method, len(self._fold_rows())
        )
        predictions = self._linear_out_of_fold(X, Y, all_genes=True)
        held_out = np.empty_like(Y, dtype=np.float64)
        for rows, weights in zip(self._fold_rows(), self.stack_.fold_weights):
            held_out[rows] = blend(predictions[:, rows], weights)
        rows = np.arange(len(X))
        if self.networks_:
            judged = self._judged_folds()
            rows = np.concatenate(judged)
            held_out = self._linear_weight() * held_out[rows]
            for name, networks in self.networks_.items():
                held_out += self.network_weights_[name] * np.concatenate(
                    [self._network_predict(network, X[fold]) for network, fold in zip(networks, judged)]
                )
        return self._judge_held_out(
            expression.iloc[rows], pd.DataFrame(held_out, index=expression.index[rows], columns=expression.columns)
        )

    def _linear_weight(self) -> float:
        return 1.0 - sum(self.network_weights_.values())

    def _choices(self) -> dict:
        return {
            "linear": self.stack_.combiner,
            "Lasso alpha": float(self.lasso_.alpha_),
            **{f"{name} weight": weight for name, weight in self.network_weights_.items()},
        }

    def _network_predict(self, network: Imputer, X: np.ndarray) -> np.ndarray:
        predicted = network.predict(self._frame(X, self.cpgs_))
        lacking = pd.Index(self.genes_).difference(predicted.columns)
        if len(lacking):
            raise ValueError(
                f"{len(lacking)} genes of the cohort are not in the pretrained network, e.g. {lacking[0]!r}"
            )
        return predicted.loc[:, self.genes_].to_numpy()

    def _linear_predict(self, X: np.ndarray) -> np.ndarray:
        methylation = self._frame(X, self.cpgs_)
        lasso = self.lasso_.predict(methylation).to_numpy() + self._lasso_offset(X)
        ridges = [ridge.predict(methylation).to_numpy() for ridge in self.ridges_.values()]
        return blend(np.stack([lasso, *ridges]), self.stack_.weights)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        predicted = self._linear_weight() * self._linear_predict(X)
        for name, networks in self.networks_.items():
            predicted += self.network_weights_[name] * np.mean([self._network_predict(n, X) for n in networks], axis=0)
        return predicted.astype(np.float32)

    @staticmethod
    def _frame(values: np.ndarray, columns: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, columns=columns)

    def candidates(self) -> list[dict]:
        """Each candidate's out-of-fold RMSE (the networks' on the judged folds) and its weight
        in the prediction (the mean over genes for per-gene weights)."""
        linear = self.stack_.weights.mean(axis=1) * self._linear_weight()
        rows = [
            {"name": name, "cv_rmse": float(np.sqrt(self.stack_.errors[name])), "weight": float(w)}
            for name, w in zip(self._linear_names(), linear)
        ]
        return rows + [
            {"name": name, "cv_rmse": float(np.sqrt(self.network_errors_[name])), "weight": self.network_weights_[name]}
            for name in self.network_weights_
        ]

    def _metadata(self) -> dict:
        gain, error = self.gain_
        return {
            "linear": self.stack_.combiner,
            "candidates": self.candidates(),
            "linear_errors": self.stack_.errors,
            "linear_gain": self.stack_.gain,
            "linear_gain_se": _finite(self.stack_.gain_se),
            "network_weights": self.network_weights_,
            "network_weight": 1.0 - self._linear_weight(),
            "network_gain": gain,
            "network_gain_se": _finite(error),
            "network_errors": self.network_errors_,
            "judged_samples": self.n_judged_,
            "alpha": float(self.lasso_.alpha_),
            "cv_mse": self.lasso_.cv_mse_.tolist(),
            "history": self.history_,
        }

    def _save_weights(self, directory: Path) -> None:
        arrays = {f"lasso_{k}": v for k, v in self.lasso_._state().items()}
        arrays.update({f"ridge_{k}": v for k, v in self.ridges_["ridge"]._state().items()})
        np.savez(directory / ARRAYS_FILE, stack_weights=self.stack_.weights, **arrays)
        if TransferRidgeImputer.method in self.ridges_:
            self.ridges_[TransferRidgeImputer.method].save(directory / TransferRidgeImputer.method)
        for name, networks in self.networks_.items():
            for fold, network in enumerate(networks):
                network.save(directory / NETWORK_DIR / NETWORKS[name].method / str(fold))

    def _load_weights(self, directory: Path, metadata: dict) -> None:
        if "network_weights" not in metadata:
            raise ValueError(
                f"{directory} holds a tdimpute-plus model of an earlier version (one network judged "
                "on one fold): fit it again"
            )
        self.network_weights_ = {name: float(w) for name, w in metadata["network_weights"].items()}
        self.network_errors_ = dict(metadata["network_errors"])
        error = metadata.get("network_gain_se")
        self.gain_ = (float(metadata.get("network_gain", 0.0)), np.inf if error is None else float(error))
        self.history_ = list(metadata.get("history", []))
        self.n_judged_ = int(metadata["judged_samples"])
        self.lasso_, self.ridges_ = BaggedLassoCV(), {"ridge": RidgeCVImputer()}
        with np.load(directory / ARRAYS_FILE) as arrays:
            for prefix, part in (("lasso_", self.lasso_), ("ridge_", self.ridges_["ridge"])):
                part.cpgs_, part.genes_ = self.cpgs_, self.genes_
                part._set_state({k.removeprefix(prefix): arrays[k] for k in arrays.files if k.startswith(prefix)})
            weights = arrays["stack_weights"]
        if (directory / TransferRidgeImputer.method).is_dir():
            self.ridges_[TransferRidgeImputer.method] = TransferRidgeImputer.load(
                directory / TransferRidgeImputer.method
            )
        gain_se = metadata["linear_gain_se"]
        self.stack_ = Stack(
            metadata["linear"],
            weights,
            metadata["linear_errors"],
            metadata["linear_gain"],
            np.inf if gain_se is None else gain_se,
            [],
            np.empty(0),
        )
        self.networks_ = {}
        for name, weight in self.network_weights_.items():
            if weight > 0:
                folder = directory / NETWORK_DIR / NETWORKS[name].method
                self.networks_[name] = [
                    NETWORKS[name].load(folder / fold.name)
                    for fold in sorted(folder.iterdir(), key=lambda path: int(path.name))
                ]


def _finite(value: float) -> float | None:
    return value if np.isfinite(value) else None


def network_weights(
    truth: np.ndarray, linear: np.ndarray, networks: list[np.ndarray]
) -> tuple[np.ndarray, tuple[float, float]]:
    """Convex weights of the linear part and each network (samples x genes predictions of the
    held-out samples), judged on those samples: each sample's blend is weighted as fitted on
    the other samples (leave one out), and the networks count only if that cross-fitted
    blend's mean per-sample gain over the linear part is clear (`stacking.is_clear`); the weights
    are then fitted on all of them, else the linear part's is 1. Returns the weights (the
    linear part's first) and (gain, standard error)."""
    alone = np.eye(1 + len(networks))[0]
    if not networks or len(truth) < 2:
        return alone, (0.0, float("inf"))
    candidates = np.stack([linear, *networks])
    blended, _ = cross_fit(truth, candidates, [np.array([i]) for i in range(len(truth))], per_gene=False)
    gain, se = mean_gain(np.mean((linear - truth) ** 2, axis=1) - np.mean((blended - truth) ** 2, axis=1))
    weights = nonnegative_weights(truth, candidates, per_gene=False)[:, 0] if is_clear(gain, se) else alone
    return weights, (gain, se)
