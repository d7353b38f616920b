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

import contextlib
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TdimputeError
from .base import Imputer, align_columns, expression_scale

log = logging.getLogger(__name__)
WEIGHTS_FILE = "network.weights.h5"
MIN_TRAINING_SAMPLES = 30  # fewer, and a network learns little more than each gene's mean
# What TensorFlow's native libraries print while loading, before its log level applies.
_LOADING_NOISE = re.compile(r"WARNING: All log messages before absl::InitializeLog\(\)|I\d{4} [\d:. ]+\d+ \S+\] ")


def _tensorflow():
    if "tensorflow" not in sys.modules:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    try:
        with _filtered_native_stderr(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2") != "0"):
            import tensorflow as tf
    except ImportError:  # pragma: no cover - depends on the installation
        raise TdimputeError(
            "TensorFlow is not installed: pip install 'tdimpute[cpu]' (or '[gpu]')"
        ) from None
    return tf


@contextlib.contextmanager
def _filtered_native_stderr(active: bool):
    """Within the block, stderr (the file descriptor, which native code writes to) is caught,
    then written back without the absl preamble and INFO lines (oneDNN's notice) that
    TensorFlow's libraries print while loading whatever TF_CPP_MIN_LOG_LEVEL says."""
    if not active or "tensorflow" in sys.modules:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            kept = [line for line in caught.read().decode(errors="replace").splitlines(keepends=True)
                    if not _LOADING_NOISE.match(line)]
            sys.stderr.write("".join(kept))


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
        precision: str = "auto",
        validation_fraction: float = 0.0,
        patience: int = 10,
        checkpoint_dir: str | None = None,
        checkpoint_every: int = 10,
    ) -> None:
        self.hidden = hidden
        self.activation = activation
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
        return {"hidden": self._hidden_sizes, "epochs": len(self.history_), "batch size": self.batch_size,
                "learning rate": self.learning_rate, "precision": self.compute_dtype_}

    @property
    def label(self) -> str:
        """What its training is called in progress lines."""
        return self.method

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
        from .training import TrainingSettings, resolve_precision, train

        targets = Y / self.scale_
        above = int((targets >= 1).sum())
        if above:
            log.warning("%s: %d training values exceed the output scale %.4g and cannot be reached by "
                        "the sigmoid output", self.label, above, self.scale_)
        if len(X) < MIN_TRAINING_SAMPLES:
            log.warning("%s: only %d training samples; a network needs about %d or more to learn more than "
                        "each gene's mean: use more samples (a lower --missing-rate) or the method lasso-cv "
                        "or tdimpute-plus", self.label, len(X), MIN_TRAINING_SAMPLES)
        settings = TrainingSettings(
            epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate, seed=self.seed,
            compute_dtype=resolve_precision(self.precision), validation_fraction=self.validation_fraction,
            patience=self.patience, checkpoint_dir=self.checkpoint_dir, checkpoint_every=self.checkpoint_every,
            label=self.label)
        self.compute_dtype_ = settings.compute_dtype
        self.history_, self.validation_history_ = train(self.network_, X, targets.astype(np.float32), settings)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        # Batches called directly: Keras' predict() builds a tf.data pipeline that prints a
        # spurious error line on every call with this TensorFlow.
        scaled = [self.network_(X[start:start + 256], training=False).numpy() for start in range(0, max(len(X), 1), 256)]
        return (np.concatenate(scaled) * self.scale_).astype(np.float32)

    def _metadata(self) -> dict:
        return {"scale": self.scale_, "history": self.history_,
                "validation_history": self.validation_history_, "compute_dtype": self.compute_dtype_}

    def _save_weights(self, directory: Path) -> None:
        self.network_.save_weights(directory / WEIGHTS_FILE)

    def _load_weights(self, directory: Path, metadata: dict) -> None:
        self.scale_ = float(metadata["scale"])
        self.history_ = list(metadata.get("history", []))
        self.validation_history_ = list(metadata.get("validation_history", []))
        self.compute_dtype_ = metadata.get("compute_dtype")
        self.network_ = self._build(len(self.cpgs_), len(self.genes_))
        self.network_.load_weights(directory / WEIGHTS_FILE)

    def _fit_from_scratch(self, X: np.ndarray, Y: np.ndarray) -> None:
        _seed_everything(self.seed)
        self.scale_ = expression_scale(Y)
        self.network_ = self._build(X.shape[1], Y.shape[1])
        self._train(X, Y)


class SelfNetwork(_Network):
    method = "tdimpute-self"
    _fit = _Network._fit_from_scratch


class PretrainedNetwork(_Network):
    method = "tdimpute-notf"
    label = "pretrain"
    _fit = _Network._fit_from_scratch

    def __init__(self, hidden: list[int] | None = None, activation: str = "sigmoid",
                 epochs: int = 300, batch_size: int = 128, learning_rate: float = 1e-4,
                 seed: int = 0, precision: str = "auto", validation_fraction: float = 0.0,
                 patience: int = 10, checkpoint_dir: str | None = None, checkpoint_every: int = 10) -> None:
        super().__init__(hidden, activation, epochs, batch_size, learning_rate, seed, precision,
                         validation_fraction, patience, checkpoint_dir, checkpoint_every)


class TransferNetwork(_Network):
    """Fine-tunes a saved `PretrainedNetwork` (all layers, a fresh Adam state)."""

    method = "tdimpute"

    def __init__(self, pretrained: str | None = None, epochs: int = 150, batch_size: int = 16,
                 learning_rate: float = 1e-4, seed: int = 0, precision: str = "auto",
                 validation_fraction: float = 0.0, patience: int = 10, checkpoint_dir: str | None = None,
                 checkpoint_every: int = 10) -> None:
        super().__init__(None, "sigmoid", epochs, batch_size, learning_rate, seed, precision,
                         validation_fraction, patience, checkpoint_dir, checkpoint_every)
        self.pretrained = pretrained

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
