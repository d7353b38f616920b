"""The TDimpute network (Zhou et al., GigaScience 2020) and its three uses.

A fully connected network CpGs -> hidden (4,000 sigmoid units) -> genes (sigmoid), trained
with the RMSE loss and Adam (learning rate 1e-4) on expression divided by a scale chosen from
the training data (`expression_scale`), predictions multiplied back. No dropout, no weight
decay, Glorot-uniform weights and zero biases, as in the paper.

- `PretrainedNetwork` ("tdimpute-notf"): trained on the pan-cancer pool without the target
  cancer (300 epochs, batch 128); applied directly it is TDimpute-noTF.
- `TransferNetwork` ("tdimpute"): the pretrained network fine-tuned, all layers trainable, on
  the target cancer's training samples (150 epochs, batch 16).
- `SelfNetwork` ("tdimpute-self"): the same network trained from scratch on the target
  cancer alone (100 epochs, batch 16, as the authors' code).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TdimputeError
from .base import Imputer, align_columns, expression_scale

WEIGHTS_FILE = "network.weights.h5"


def _tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out
    try:
        import tensorflow as tf
    except ImportError:  # pragma: no cover - depends on the installation
        raise TdimputeError(
            "TensorFlow is not installed: pip install 'tdimpute[cpu]' (or '[gpu]')"
        ) from None
    return tf


class _Network(Imputer):
    """Shared machinery: build, train, predict, save and load the network."""

    def __init__(
        self,
        hidden: list[int] | None = None,
        activation: str = "sigmoid",
        epochs: int = 100,
        batch_size: int = 16,
        learning_rate: float = 1e-4,
        seed: int = 0,
    ) -> None:
        self.hidden = hidden
        self.activation = activation
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.seed = seed

    @property
    def _hidden_sizes(self) -> list[int]:
        return list(self.hidden) if self.hidden else [4000]

    def _build(self, n_cpgs: int, n_genes: int):
        tf = _tensorflow()
        keras = tf.keras
        layers = [keras.Input(shape=(n_cpgs,))]
        for units in self._hidden_sizes:
            layers.append(keras.layers.Dense(units, activation=self.activation))
        layers.append(keras.layers.Dense(n_genes, activation="sigmoid"))
        return keras.Sequential(layers)

    def _train(self, X: np.ndarray, Y: np.ndarray) -> None:
        tf = _tensorflow()
        targets = Y / self.scale_
        above = int((targets >= 1).sum())
        if above:
            print(f"warning: {above} training values exceed the output scale {self.scale_:.4g} "
                  "and cannot be reached by the sigmoid output", file=sys.stderr)
        dataset = (
            tf.data.Dataset.from_tensor_slices((X, targets.astype(np.float32)))
            .shuffle(len(X), seed=self.seed, reshuffle_each_iteration=True)
            .batch(self.batch_size)
            .prefetch(tf.data.AUTOTUNE)
        )
        # A fresh Adam state: the original code carried it over from pretraining, the paper
        # does not say so, and a saved model keeps no optimizer state.
        self.network_.compile(optimizer=tf.keras.optimizers.Adam(self.learning_rate), loss=_rmse)
        history = self.network_.fit(dataset, epochs=self.epochs, verbose=0, shuffle=False,
                                    callbacks=[_EpochProgress(self.epochs, self.method)])
        self.history_ = self.history_ + [float(v) for v in history.history["loss"]]

    def _predict(self, X: np.ndarray) -> np.ndarray:
        scaled = self.network_.predict(X, batch_size=256, verbose=0)
        return (scaled * self.scale_).astype(np.float32)

    def _metadata(self) -> dict:
        return {"scale": self.scale_, "history": self.history_}

    def _save_weights(self, directory: Path) -> None:
        self.network_.save_weights(directory / WEIGHTS_FILE)

    def _load_weights(self, directory: Path, metadata: dict) -> None:
        self.scale_ = float(metadata["scale"])
        self.history_ = list(metadata.get("history", []))
        self.network_ = self._build(len(self.cpgs_), len(self.genes_))
        self.network_.load_weights(directory / WEIGHTS_FILE)

    def _fit_from_scratch(self, X: np.ndarray, Y: np.ndarray) -> None:
        _seed_everything(self.seed)
        self.scale_ = expression_scale(Y)
        self.history_ = []
        self.network_ = self._build(X.shape[1], Y.shape[1])
        self._train(X, Y)


class SelfNetwork(_Network):
    method = "tdimpute-self"
    _fit = _Network._fit_from_scratch


class PretrainedNetwork(_Network):
    method = "tdimpute-notf"
    _fit = _Network._fit_from_scratch

    def __init__(self, hidden: list[int] | None = None, activation: str = "sigmoid",
                 epochs: int = 300, batch_size: int = 128, learning_rate: float = 1e-4,
                 seed: int = 0) -> None:
        super().__init__(hidden, activation, epochs, batch_size, learning_rate, seed)


class TransferNetwork(_Network):
    """Fine-tunes a saved `PretrainedNetwork` (all layers, a fresh Adam state)."""

    method = "tdimpute"

    def __init__(self, pretrained: str | None = None, epochs: int = 150, batch_size: int = 16,
                 learning_rate: float = 1e-4, seed: int = 0) -> None:
        self.pretrained = pretrained
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.seed = seed

    def _source(self) -> PretrainedNetwork:
        if not self.pretrained:
            raise TdimputeError("method tdimpute fine-tunes a pretrained model: give --pretrained")
        return load_pretrained(self.pretrained)

    def fit(self, methylation: pd.DataFrame, expression: pd.DataFrame) -> TransferNetwork:
        source = self._source()
        # The architecture is the pretrained network's, not a hyper-parameter of fine-tuning.
        self.hidden, self.activation = source._hidden_sizes, source.activation
        # Fine-tuning keeps the pretrained feature order; the data is aligned to it by name.
        methylation = pd.DataFrame(align_columns(methylation, source.cpgs_, "CpG"),
                                   index=methylation.index, columns=source.cpgs_)
        expression = pd.DataFrame(align_columns(expression, source.genes_, "gene"),
                                  index=expression.index, columns=source.genes_)
        self._pretrained_network = source
        return super().fit(methylation, expression)

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        source = self._pretrained_network
        _seed_everything(self.seed)
        self.scale_ = source.scale_
        self.history_ = []
        self.network_ = self._build(X.shape[1], Y.shape[1])
        self.network_.set_weights(source.network_.get_weights())
        self._train(X, Y)
        del self._pretrained_network

    def _metadata(self) -> dict:
        architecture = {"hidden": self.hidden, "activation": self.activation}
        return {**super()._metadata(), "architecture": architecture}

    def _load_weights(self, directory: Path, metadata: dict) -> None:
        self.hidden = metadata["architecture"]["hidden"]
        self.activation = metadata["architecture"]["activation"]
        super()._load_weights(directory, metadata)


def load_pretrained(directory) -> PretrainedNetwork:
    """A saved pan-cancer network; any other saved model is refused."""
    from .base import load_model

    model = load_model(directory)
    if not isinstance(model, PretrainedNetwork):
        raise TdimputeError(f"{directory} holds a {model.method} model, not a pretrained network")
    return model


def _rmse(y_true, y_pred):
    tf = _tensorflow()
    return tf.sqrt(tf.reduce_mean(tf.square(y_true - y_pred)))


def _seed_everything(seed: int) -> None:
    """TensorFlow's weight initialisers and shuffles draw from its global generator."""
    tf = _tensorflow()
    tf.keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


class _EpochProgress:
    """Keras callback writing one progress line per epoch (at most 20 lines) to stderr."""

    def __new__(cls, epochs: int, label: str):
        tf = _tensorflow()

        class EpochProgress(tf.keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                step = max(1, epochs // 20)
                if (epoch + 1) % step == 0 or epoch + 1 == epochs:
                    print(f"{label}: epoch {epoch + 1}/{epochs} loss {logs['loss']:.5f}",
                          file=sys.stderr, flush=True)

        return EpochProgress()
