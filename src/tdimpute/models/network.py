"""The TDimpute network (Zhou et al., GigaScience 2020) and its three uses.

A fully connected network CpGs -> hidden (`HIDDEN` sigmoid units) -> genes (sigmoid), trained
with the RMSE loss and Adam on expression divided by a scale chosen from
the training data (`expression_scale`), predictions multiplied back. No dropout, no weight
decay, Glorot-uniform weights and zero biases, as in the paper.

- `PretrainedNetwork` ("tdimpute-notf"): trained on the pan-cancer pool without the target
  cancer; applied directly it is TDimpute-noTF.
- `TransferNetwork` ("tdimpute"): the pretrained network fine-tuned, all layers trainable, on
  the target cancer's training samples; `weight_decay` > 0 pulls its kernels toward the
  pretrained ones while it learns (L2-SP, Li et al. 2018; not the paper's, off by default).
- `SelfNetwork` ("tdimpute-self"): the same network trained from scratch on the target
  cancer alone, as the authors' code does.

Their epochs, batch sizes and learning rate are the paper's, defined in `training`.

`StandardisedNetwork` is not the paper's: a network on standardised data that tdimpute-plus
stacks beside the TDimpute network.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .backend import seed_everything, tensorflow
from .base import ARRAYS_FILE, Imputer, align_columns, expression_scale, nonzero_scale, saved_spec
from .ridge import POOL_RIDGE_DIR, RidgeCVImputer
from .training import (
    CHECKPOINT_EVERY,
    FINE_TUNING,
    FROM_SCRATCH,
    HIDDEN,
    LEARNING_RATE,
    PATIENCE,
    PRECISION,
    PRETRAINING,
    VALIDATION_FRACTION,
    TrainingSettings,
    resolve_precision,
    train,
)

WEIGHTS_FILE = "network.weights.h5"
MIN_TRAINING_SAMPLES = 30  # fewer, and a network learns little more than each gene's mean


class _Network(Imputer):
    """Shared machinery: build, train, predict, save and load the network. The training
    options are every network's; the architecture (`hidden_`, `activation_`) is fitted."""

    trains_network = True
    output_activation = "sigmoid"
    weight_decay = 0.0  # the TDimpute network has none
    decay_to_start = False  # a weight decay pulls toward zero

    def __init__(
        self,
        epochs: int,
        batch_size: int,
        learning_rate: float,
        seed: int,
        precision: str,
        validation_fraction: float,
        patience: int,
        checkpoint_dir: str | None,
        checkpoint_every: int,
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.seed = seed
        self.precision = precision
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every

    def _choices(self) -> dict:
        return {
            "hidden": self.hidden_,
            "epochs": len(self.history_),
            "batch size": self.batch_size,
            "learning rate": self.learning_rate,
            "precision": self.compute_dtype_,
        }

    @property
    def label(self) -> str:
        """What its training is called in progress lines."""
        return self.method

    def _build(self, n_cpgs: int, n_genes: int):
        keras = tensorflow().keras
        layers = [keras.Input(shape=(n_cpgs,))]
        for units in self.hidden_:
            layers.append(keras.layers.Dense(units, activation=self.activation_))
        layers.append(keras.layers.Dense(n_genes, activation=self.output_activation))
        return keras.Sequential(layers)

    def _targets(self, Y: np.ndarray) -> np.ndarray:
        """Expression as the network learns it: divided by the output scale."""
        targets = Y / self.scale_
        above = int((targets >= 1).sum())
        if above:
            warnings.warn(
                f"{self.label}: {above} training values exceed the output scale {self.scale_:.4g} and "
                "cannot be reached by the sigmoid output",
                UserWarning,
                stacklevel=3,
            )
        return targets

    def _expression(self, outputs: np.ndarray) -> np.ndarray:
        return outputs * self.scale_

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        return X

    def _train(self, X: np.ndarray, Y: np.ndarray) -> None:
        targets = self._targets(Y)
        if len(X) < MIN_TRAINING_SAMPLES:
            warnings.warn(
                f"{self.label}: only {len(X)} training samples; a network needs about "
                f"{MIN_TRAINING_SAMPLES} or more to learn more than each gene's mean: use more samples "
                "(a lower --missing-rate) or the method lasso-cv or tdimpute-plus",
                UserWarning,
                stacklevel=2,
            )
        settings = TrainingSettings(
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            seed=self.seed,
            compute_dtype=resolve_precision(self.precision),
            validation_fraction=self.validation_fraction,
            patience=self.patience,
            checkpoint_dir=self.checkpoint_dir,
            checkpoint_every=self.checkpoint_every,
            weight_decay=self.weight_decay,
            decay_to_start=self.decay_to_start,
            label=self.label,
        )
        self.compute_dtype_ = settings.compute_dtype
        self.history_, self.validation_history_ = train(
            self.network_, self._inputs(X).astype(np.float32), targets.astype(np.float32), settings
        )

    def _predict(self, X: np.ndarray) -> np.ndarray:
        # Batches called directly: Keras' predict() builds a tf.data pipeline that prints a
        # spurious error line on every call with this TensorFlow.
        X = self._inputs(X).astype(np.float32)
        outputs = [
            self.network_(X[start : start + 256], training=False).numpy() for start in range(0, max(len(X), 1), 256)
        ]
        return self._expression(np.concatenate(outputs)).astype(np.float32)

    def _metadata(self) -> dict:
        return {
            "scale": self.scale_,
            "history": self.history_,
            "validation_history": self.validation_history_,
            "compute_dtype": self.compute_dtype_,
            "architecture": {"hidden": self.hidden_, "activation": self.activation_},
        }

    def _save_weights(self, directory: Path) -> None:
        self.network_.save_weights(directory / WEIGHTS_FILE)

    def _load_weights(self, directory: Path, metadata: dict) -> None:
        self.scale_ = float(metadata["scale"])
        self.history_ = list(metadata.get("history", []))
        self.validation_history_ = list(metadata.get("validation_history", []))
        self.compute_dtype_ = metadata.get("compute_dtype")
        self.hidden_, self.activation_ = self._architecture(metadata)
        self.network_ = self._build(len(self.cpgs_), len(self.genes_))
        self.network_.load_weights(directory / WEIGHTS_FILE)

    def _architecture(self, metadata: dict) -> tuple[list[int], str]:
        return metadata["architecture"]["hidden"], metadata["architecture"]["activation"]


class _FromScratch(_Network):
    """A network built with its own architecture, weights drawn from the seed."""

    def __init__(
        self,
        hidden: tuple[int, ...] = HIDDEN,
        activation: str = "sigmoid",
        epochs: int = FROM_SCRATCH.epochs,
        batch_size: int = FROM_SCRATCH.batch_size,
        learning_rate: float = LEARNING_RATE,
        seed: int = 0,
        precision: str = PRECISION,
        validation_fraction: float = VALIDATION_FRACTION,
        patience: int = PATIENCE,
        checkpoint_dir: str | None = None,
        checkpoint_every: int = CHECKPOINT_EVERY,
    ) -> None:
        super().__init__(
            epochs,
            batch_size,
            learning_rate,
            seed,
            precision,
            validation_fraction,
            patience,
            checkpoint_dir,
            checkpoint_every,
        )
        self.hidden = hidden
        self.activation = activation

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        seed_everything(self.seed)
        self.hidden_, self.activation_ = list(self.hidden), self.activation
        self.scale_ = expression_scale(Y)
        self.network_ = self._build(X.shape[1], Y.shape[1])
        self._train(X, Y)

    def _architecture(self, metadata: dict) -> tuple[list[int], str]:
        if "architecture" in metadata:
            return super()._architecture(metadata)
        return list(self.hidden or HIDDEN), self.activation  # saved before it was recorded, with hidden None


class SelfNetwork(_FromScratch):
    """TDimpute-self: the TDimpute network trained from scratch on the target cancer alone."""

    method = "tdimpute-self"


class PretrainedNetwork(_FromScratch):
    """TDimpute-noTF: the network pretrained on the pan-cancer pool without the target cancer,
    applied as it is."""

    method = "tdimpute-notf"
    uses_pretrained = True
    label = "pretrain"

    def __init__(
        self,
        hidden: tuple[int, ...] = HIDDEN,
        activation: str = "sigmoid",
        epochs: int = PRETRAINING.epochs,
        batch_size: int = PRETRAINING.batch_size,
        learning_rate: float = LEARNING_RATE,
        seed: int = 0,
        precision: str = PRECISION,
        validation_fraction: float = VALIDATION_FRACTION,
        patience: int = PATIENCE,
        checkpoint_dir: str | None = None,
        checkpoint_every: int = CHECKPOINT_EVERY,
    ) -> None:
        super().__init__(
            hidden,
            activation,
            epochs,
            batch_size,
            learning_rate,
            seed,
            precision,
            validation_fraction,
            patience,
            checkpoint_dir,
            checkpoint_every,
        )

    pool_ridge_: RidgeCVImputer | None = None  # the pool's linear model, set by `operations.pretrain`

    def _save_weights(self, directory: Path) -> None:
        super()._save_weights(directory)
        if self.pool_ridge_ is not None:
            self.pool_ridge_.save(directory / POOL_RIDGE_DIR)

    def estimate_reliability(
        self, methylation: pd.DataFrame, expression: pd.DataFrame, folds: int = 0, seed: int = 0
    ) -> PretrainedNetwork:
        """Set `reliability_` from its predictions of these samples, all held out from it: the
        pretrained network never saw the target cancer (pretrain --exclude-cancer)."""
        return self._judge_held_out(expression, self.predict(methylation))


class StandardisedNetwork(_FromScratch):
    """A network on standardised data: each CpG and each gene centred and scaled on the
    training samples, ReLU hidden units, a linear output, AdamW's weight decay, and early
    stopping on a validation share of the samples. Not a method of its own: tdimpute-plus's
    network candidate beside the TDimpute network, its width and weight decay chosen by the
    validation loss (`fit_best`)."""

    method = "standardised-network"
    label = "standardised network"
    output_activation = "linear"

    def __init__(
        self,
        hidden: tuple[int, ...] = (512,),
        activation: str = "relu",
        weight_decay: float = 1e-2,
        epochs: int = 200,
        batch_size: int = 16,
        learning_rate: float = 1e-3,
        seed: int = 0,
        precision: str = PRECISION,
        validation_fraction: float = 0.2,
        patience: int = PATIENCE,
        checkpoint_dir: str | None = None,
        checkpoint_every: int = CHECKPOINT_EVERY,
    ) -> None:
        super().__init__(
            hidden,
            activation,
            epochs,
            batch_size,
            learning_rate,
            seed,
            precision,
            validation_fraction,
            patience,
            checkpoint_dir,
            checkpoint_every,
        )
        self.weight_decay = weight_decay

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        self.x_mean_, self.x_scale_ = X.mean(axis=0), nonzero_scale(X.std(axis=0))
        self.y_mean_, self.y_scale_ = Y.mean(axis=0), nonzero_scale(Y.std(axis=0))
        super()._fit(X, Y)

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        return (X - self.x_mean_) / self.x_scale_

    def _targets(self, Y: np.ndarray) -> np.ndarray:
        return (Y - self.y_mean_) / self.y_scale_

    def _expression(self, outputs: np.ndarray) -> np.ndarray:
        return outputs * self.y_scale_ + self.y_mean_

    def _save_weights(self, directory: Path) -> None:
        super()._save_weights(directory)
        np.savez(directory / ARRAYS_FILE, **{name: getattr(self, name + "_") for name in STANDARDISATION})

    def _load_weights(self, directory: Path, metadata: dict) -> None:
        with np.load(directory / ARRAYS_FILE) as arrays:
            self._set_state({name: arrays[name] for name in STANDARDISATION})
        super()._load_weights(directory, metadata)


STANDARDISATION = ("x_mean", "x_scale", "y_mean", "y_scale")


def fit_best(candidates: list[_Network], methylation: pd.DataFrame, expression: pd.DataFrame) -> _Network:
    """Fit each unfitted candidate (e.g. other widths, weight decays) and keep the one of the
    lowest validation loss, a choice made on a validation share of the training samples; a
    single candidate is fitted and returned as it is."""
    fitted = [candidate.fit(methylation, expression) for candidate in candidates]
    return min(fitted, key=lambda network: min(network.validation_history_, default=float("inf")))


class TransferNetwork(_Network):
    """TDimpute: the pretrained pan-cancer network fine-tuned (all layers, a fresh Adam state)
    on the target cancer's training samples. With `weight_decay`, each step also moves every
    kernel toward its pretrained value by learning rate x weight decay of the difference (as
    AdamW decays toward zero): 0 is the paper's fine-tuning, 1 / learning rate keeps the
    pretrained kernels and trains the biases alone."""

    method = "tdimpute"
    uses_pretrained = True
    decay_to_start = True

    def __init__(
        self,
        pretrained: str | None = None,
        epochs: int = FINE_TUNING.epochs,
        batch_size: int = FINE_TUNING.batch_size,
        learning_rate: float = LEARNING_RATE,
        weight_decay: float = 0.0,
        seed: int = 0,
        precision: str = PRECISION,
        validation_fraction: float = VALIDATION_FRACTION,
        patience: int = PATIENCE,
        checkpoint_dir: str | None = None,
        checkpoint_every: int = CHECKPOINT_EVERY,
    ) -> None:
        super().__init__(
            epochs,
            batch_size,
            learning_rate,
            seed,
            precision,
            validation_fraction,
            patience,
            checkpoint_dir,
            checkpoint_every,
        )
        self.pretrained = pretrained
        self.weight_decay = weight_decay

    def fit(self, methylation: pd.DataFrame, expression: pd.DataFrame) -> TransferNetwork:
        if not self.pretrained:
            raise ValueError("method tdimpute fine-tunes a pretrained model: give --pretrained")
        source = load_pretrained(self.pretrained)
        # Fine-tuning keeps the pretrained feature order; the data is aligned to it by name.
        methylation = pd.DataFrame(
            align_columns(methylation, source.cpgs_, "CpG"), index=methylation.index, columns=source.cpgs_
        )
        expression = pd.DataFrame(
            align_columns(expression, source.genes_, "gene"), index=expression.index, columns=source.genes_
        )
        self._source = source
        try:
            return super().fit(methylation, expression)
        finally:
            del self._source

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        # The architecture is the pretrained network's, not a hyper-parameter of fine-tuning.
        source = self._source
        seed_everything(self.seed)
        self.hidden_, self.activation_ = source.hidden_, source.activation_
        self.scale_ = source.scale_
        self.network_ = self._build(X.shape[1], Y.shape[1])
        self.network_.set_weights(source.network_.get_weights())
        self._train(X, Y)


def load_pretrained(directory) -> PretrainedNetwork:
    """A saved pan-cancer network; any other saved model is refused."""
    method = saved_spec(Path(directory))["method"]
    if method != PretrainedNetwork.method:
        raise ValueError(f"{directory} holds a {method} model, not a pretrained network")
    return PretrainedNetwork.load(directory)
