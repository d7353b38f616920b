"""The network's training loop: mixed precision, a fused optimizer update, early stopping,
checkpoints and resume.

Keras' own `fit` spends a third of a paper-size step (27,717 -> 4,000 -> 19,027, 187 M
weights) in Adam's update, which reads and writes every weight and both moments, and its
`mixed_bfloat16` policy gains nothing on CPU. Here instead:

- the forward and backward matrix products run in `compute_dtype` on bfloat16 copies of the
  kernels (oneDNN's bf16 kernels on CPUs with AVX512_BF16 or AMX; tensor cores on GPUs),
  while the float32 master weights, the loss and Adam stay in float32;
- Adam's update and the refresh of the bf16 copies are one XLA-compiled function, so each
  weight is read and written once per step;
- the epoch order is a permutation drawn from (seed, epoch), so a run resumed from a
  checkpoint visits the same batches as an uninterrupted one and ends with the same weights.

`train` returns the loss history. Prediction never uses this module: the saved Keras model
predicts in float32.
"""

from __future__ import annotations

import hashlib
import logging
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..choices import Precision
from ..errors import TdimputeError
from ..files import atomic_path
from ..progress import Progress, progress
from .backend import tensorflow

log = logging.getLogger(__name__)
CHECKPOINT_FILE = "checkpoint.npz"


@dataclass(frozen=True)
class Schedule:
    """Epochs and mini-batch size of one use of the TDimpute network."""

    epochs: int
    batch_size: int


# The TDimpute network's training as the paper and the authors' code run it. Each default is
# defined here alone: the estimators' signatures take them, and the command line, the methods
# table (assets/methods.json) and the docs' table of defaults are generated from those.
PRETRAINING = Schedule(epochs=300, batch_size=128)
FINE_TUNING = Schedule(epochs=150, batch_size=16)
FROM_SCRATCH = Schedule(epochs=100, batch_size=16)
HIDDEN = (4000,)
LEARNING_RATE = 1e-4
PRECISION = Precision.AUTO.value
VALIDATION_FRACTION = 0.0  # no early stopping: every epoch is trained
PATIENCE = 10  # early stopping: epochs without a better validation loss
CHECKPOINT_EVERY = 10  # epochs


@dataclass
class TrainingSettings:
    epochs: int
    batch_size: int
    learning_rate: float
    seed: int
    compute_dtype: str = "float32"  # "float32" or "bfloat16"
    validation_fraction: float = 0.0  # > 0: early stopping on that share of the samples
    patience: int = PATIENCE
    weight_decay: float = 0.0  # > 0: AdamW's decoupled decay of the kernels
    decay_to_start: bool = False  # the decay pulls the kernels toward their starting values (L2-SP), not zero
    checkpoint_dir: str | None = None
    checkpoint_every: int = CHECKPOINT_EVERY
    label: str = "train"


class Interrupted(Exception):
    """SIGTERM arrived; a checkpoint was written when a checkpoint folder was given."""

    exit_code = 143  # 128 + SIGTERM, as if the signal had ended the process: schedulers retry it


def resolve_precision(precision: str) -> str:
    """`auto` is bfloat16 where the hardware computes it natively (a GPU of compute
    capability 8.0 or newer, a CPU with AVX512_BF16 or AMX), float32 elsewhere."""
    precision = Precision.of(precision, "--precision")
    if precision != Precision.AUTO:
        return precision.value
    tf = tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        capability = tf.config.experimental.get_device_details(gpus[0]).get("compute_capability", (0, 0))
        return "bfloat16" if tuple(capability) >= (8, 0) else "float32"
    return "bfloat16" if _cpu_has_bf16() else "float32"


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: no cheap way to know, stay exact
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def train(model, X: np.ndarray, Y: np.ndarray, settings: TrainingSettings) -> tuple[list[float], list[float]]:
    """Train the Keras `model` (Dense layers) on X -> Y with the RMSE loss and Adam.

    Returns the training and the validation loss of every epoch (the latter empty without a
    validation fraction; with one, the best epoch's weights are restored). With
    `checkpoint_dir`, the state is saved every `checkpoint_every` epochs and when SIGTERM
    arrives (after the running step), and a checkpoint found there at the start is resumed
    from, at the very batch where it stopped.
    """
    tf = tensorflow()
    train_rows, valid_rows = _validation_split(len(X), settings)
    loop = _Loop(tf, model, settings)
    X_train, Y_train = tf.constant(X[train_rows]), tf.constant(Y[train_rows])
    validation = (tf.constant(X[valid_rows]), tf.constant(Y[valid_rows])) if len(valid_rows) else None
    checkpoint = Path(settings.checkpoint_dir) / CHECKPOINT_FILE if settings.checkpoint_dir else None
    state = _TrainingState(fingerprint=_fingerprint(X, Y, settings) if checkpoint else "")
    if checkpoint is not None and checkpoint.is_file():
        state = loop.restore(checkpoint, state.fingerprint)
        log.info(
            "%s: resuming epoch %d/%d at batch %d from %s",
            settings.label,
            state.epoch + 1,
            settings.epochs,
            state.batch + 1,
            checkpoint,
        )
    with _StopOnSigterm() as stop, progress(settings.label, settings.epochs, state.epoch) as bar:
        while not state.finished(settings.epochs):
            order = np.random.default_rng([settings.seed, state.epoch]).permutation(len(train_rows))
            for rows in _batches(tf, order, settings.batch_size, skip=state.batch):
                state.losses.append(float(loop.step(X_train, Y_train, rows)))
                state.batch += 1
                if stop.requested:
                    _interrupt(loop, checkpoint, state, settings.label)
            state.end_epoch(loop, validation, settings.patience)
            _report(bar, settings, state)
            if (
                checkpoint is not None
                and state.epoch % settings.checkpoint_every == 0
                and not state.finished(settings.epochs)
            ):
                loop.save(checkpoint, state)
    if state.best_weights is not None:
        model.set_weights(state.best_weights)
    if checkpoint is not None:
        checkpoint.unlink(missing_ok=True)  # finished: a rerun must train afresh, not resume
    return state.history, state.validation


def rmse(y_true, y_pred):
    """The paper's loss: the root mean squared error over every value of the batch."""
    tf = tensorflow()
    return tf.sqrt(tf.reduce_mean(tf.square(y_true - y_pred)))


def _interrupt(loop: _Loop, checkpoint: Path | None, state: _TrainingState, label: str) -> None:
    where = "no checkpoint folder was given"
    if checkpoint is not None:
        loop.save(checkpoint, state)
        where = f"checkpoint in {checkpoint.parent}: run the same command to resume"
    raise Interrupted(f"{label}: stopped by SIGTERM in epoch {state.epoch + 1} after batch {state.batch}; {where}")


def _fingerprint(X: np.ndarray, Y: np.ndarray, settings: TrainingSettings) -> str:
    """Identifies a training (data and settings), so that a checkpoint resumes only its own."""
    digest = hashlib.blake2b(digest_size=16)
    for array in (X, Y):
        digest.update(repr(array.shape).encode())
        digest.update(np.ascontiguousarray(array).data)
    fixed = (
        settings.epochs,
        settings.batch_size,
        settings.learning_rate,
        settings.seed,
        settings.compute_dtype,
        settings.validation_fraction,
        settings.patience,
        settings.weight_decay,
        settings.decay_to_start,
    )
    digest.update(repr(fixed).encode())
    return digest.hexdigest()


def _validation_split(n: int, settings: TrainingSettings) -> tuple[np.ndarray, np.ndarray]:
    if not 0 <= settings.validation_fraction < 1:
        raise ValueError(f"validation fraction must be in [0, 1), got {settings.validation_fraction}")
    n_valid = int(round(settings.validation_fraction * n))
    if settings.validation_fraction and not 1 <= n_valid < n:
        raise ValueError(
            f"a validation fraction of {settings.validation_fraction} leaves no "
            f"validation or no training sample among {n}"
        )
    order = np.random.default_rng([settings.seed, 2**31 - 1]).permutation(n)
    return np.sort(order[n_valid:]), np.sort(order[:n_valid])


def _batches(tf, order: np.ndarray, batch_size: int, skip: int = 0):
    """The epoch's mini-batches of row indices (from batch `skip` on). Plain slices: a tf.data
    pipeline built every epoch costs more than the steps of a small cohort's epoch."""
    return [
        tf.constant(order[start : start + batch_size]) for start in range(skip * batch_size, len(order), batch_size)
    ]


@dataclass
class _TrainingState:
    epoch: int = 0  # epochs completed
    batch: int = 0  # batches completed in the running epoch
    losses: list = field(default_factory=list)  # of the running epoch's batches
    history: list = field(default_factory=list)  # mean loss per completed epoch
    validation: list = field(default_factory=list)  # validation loss per completed epoch
    best_loss: float = float("inf")  # validation
    best_weights: list | None = None
    epochs_since_best: int = 0
    stopped_early: bool = False
    fingerprint: str = ""

    def finished(self, epochs: int) -> bool:
        return self.epoch >= epochs or self.stopped_early

    def end_epoch(self, loop: _Loop, validation, patience: int) -> None:
        self.history.append(float(np.mean(self.losses)))
        self.epoch, self.batch, self.losses = self.epoch + 1, 0, []
        if validation is None:
            return
        loss = float(loop.loss(*validation))
        self.validation.append(loss)
        if loss < self.best_loss:
            self.best_loss, self.best_weights, self.epochs_since_best = loss, loop.weights(), 0
        else:
            self.epochs_since_best += 1
            self.stopped_early = self.epochs_since_best >= patience


class _Loop:
    """The compiled training step of one Keras model."""

    def __init__(self, tf, model, settings: TrainingSettings):
        self.tf, self.model = tf, model
        self.layers = [layer for layer in model.layers if hasattr(layer, "kernel")]
        self.master = [v for layer in self.layers for v in (layer.kernel, layer.bias)]
        self.compute = tf.as_dtype(settings.compute_dtype)
        # The products read these copies (trainable, so that the tape watches them); in
        # float32 they are the master kernels themselves.
        self.kernels = [
            tf.Variable(tf.cast(layer.kernel, self.compute)) if self.compute != tf.float32 else layer.kernel
            for layer in self.layers
        ]
        # A fresh Adam state: the original code carried it over from pretraining, the paper
        # does not say so, and a saved model keeps no optimizer state.
        self.decay = settings.learning_rate * settings.weight_decay if settings.decay_to_start else 0.0
        self.start = [tf.constant(layer.kernel) for layer in self.layers] if self.decay else []
        if settings.weight_decay and not settings.decay_to_start:
            self.optimizer = tf.keras.optimizers.AdamW(settings.learning_rate, weight_decay=settings.weight_decay)
            self.optimizer.exclude_from_weight_decay([layer.bias for layer in self.layers])
        else:
            self.optimizer = tf.keras.optimizers.Adam(settings.learning_rate)
        self.optimizer.build(self.master)
        self._gradients = tf.function(self._gradients_of_batch)
        self._update = tf.function(self._apply, jit_compile=True)
        self._loss = tf.function(self._loss_of)

    def _forward(self, x):
        tf = self.tf
        h = x
        for layer, kernel in zip(self.layers, self.kernels):
            product = tf.matmul(tf.cast(h, self.compute), kernel)
            h = layer.activation(tf.cast(product, tf.float32) + layer.bias)
        return h

    def _loss_of(self, x, y):
        return rmse(y, self._forward(x))

    def _gradients_of_batch(self, X, Y, rows):
        tf = self.tf
        x, y = tf.gather(X, rows), tf.gather(Y, rows)
        watched = [v for kernel, layer in zip(self.kernels, self.layers) for v in (kernel, layer.bias)]
        with tf.GradientTape() as tape:
            loss = self._loss_of(x, y)
        return loss, tape.gradient(loss, watched)

    def _apply(self, gradients):
        tf = self.tf
        self.optimizer.apply_gradients(zip([tf.cast(g, tf.float32) for g in gradients], self.master))
        for layer, start in zip(self.layers, self.start):  # decoupled as AdamW's, toward the start
            layer.kernel.assign_sub(self.decay * (layer.kernel - start))
        self._refresh_copies()

    def step(self, X, Y, rows):
        loss, gradients = self._gradients(X, Y, rows)
        self._update(gradients)
        return loss

    def loss(self, X, Y):
        return self._loss(X, Y)

    def weights(self) -> list[np.ndarray]:
        return [v.numpy() for v in self.master]

    def _refresh_copies(self) -> None:
        if self.compute != self.tf.float32:
            for layer, kernel in zip(self.layers, self.kernels):
                kernel.assign(self.tf.cast(layer.kernel, self.compute))

    # -- checkpoints ---------------------------------------------------------------------
    def save(self, path: Path, state: _TrainingState) -> None:
        arrays = {f"weight_{i}": w for i, w in enumerate(self.weights())}
        arrays.update({f"optimizer_{i}": v.numpy() for i, v in enumerate(self.optimizer.variables)})
        if state.best_weights is not None:
            arrays.update({f"best_{i}": w for i, w in enumerate(state.best_weights)})
        arrays["history"] = np.asarray(state.history, dtype=np.float64)
        arrays["losses"] = np.asarray(state.losses, dtype=np.float64)
        arrays["validation"] = np.asarray(state.validation, dtype=np.float64)
        arrays["counters"] = np.asarray([state.epoch, state.batch, state.epochs_since_best, int(state.stopped_early)])
        arrays["best_loss"] = np.asarray(state.best_loss)
        arrays["fingerprint"] = np.asarray(state.fingerprint)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, **arrays)

    def restore(self, path: Path, fingerprint: str) -> _TrainingState:
        try:
            with np.load(path) as saved:
                arrays = {k: saved[k] for k in saved.files}
        except (OSError, ValueError) as exc:
            raise TdimputeError(f"cannot read checkpoint {path}: {exc}") from None
        if str(arrays.get("fingerprint")) != fingerprint:
            raise TdimputeError(
                f"checkpoint {path} is of another training (other data or settings): "
                "remove it or give another checkpoint folder"
            )
        weights = [arrays.get(f"weight_{i}") for i in range(len(self.master))]
        if [getattr(w, "shape", None) for w in weights] != [tuple(v.shape) for v in self.master]:
            raise TdimputeError(f"checkpoint {path} is of another network (layer shapes differ)")
        for variable, value in zip(self.master, weights):
            variable.assign(value)
        for i, variable in enumerate(self.optimizer.variables):
            variable.assign(arrays[f"optimizer_{i}"])
        self._refresh_copies()
        epoch, batch, since_best, stopped = (int(v) for v in arrays["counters"])
        best = [arrays[f"best_{i}"] for i in range(len(self.master))] if "best_0" in arrays else None
        return _TrainingState(
            epoch=epoch,
            batch=batch,
            losses=arrays["losses"].tolist(),
            history=arrays["history"].tolist(),
            validation=arrays["validation"].tolist(),
            best_loss=float(arrays["best_loss"]),
            best_weights=best,
            epochs_since_best=since_best,
            stopped_early=bool(stopped),
            fingerprint=fingerprint,
        )


def _report(bar: Progress, settings: TrainingSettings, state: _TrainingState) -> None:
    """The bar moves every epoch; without a terminal, at most about 20 lines per run."""
    step = max(1, settings.epochs // 20)
    validation = f" validation {state.validation[-1]:.5f}" if state.validation else ""
    stopped = " - early stop" if state.stopped_early else ""
    bar.update(
        state.epoch,
        f"epoch {state.epoch}/{settings.epochs} loss {state.history[-1]:.5f}{validation}{stopped}",
        line=state.epoch % step == 0 or state.epoch == settings.epochs or state.stopped_early,
    )


class _StopOnSigterm:
    """Within the block, SIGTERM sets `requested` instead of killing the process, so the loop
    can finish its step and write a checkpoint."""

    requested = False
    _previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():  # only there can Python catch signals
            self._previous = signal.signal(signal.SIGTERM, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        self.requested = True

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
