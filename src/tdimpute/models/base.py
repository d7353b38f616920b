"""The one Imputer interface that TDimpute and every baseline implement.

Like a scikit-learn estimator: `__init__` stores hyper-parameters only; `fit` takes
methylation (samples x CpGs) and expression (samples x genes) as DataFrames, remembers the
feature names and sets learned attributes ending in `_`; `predict` takes methylation of new
samples, aligns its CpGs to the training ones by name, and returns expression as a DataFrame.

A saved model is a folder: `model.json` (method, hyper-parameters, CpG and gene lists,
versions, training history), the learned arrays (`arrays.npz`, or a network's weights) and,
when it was estimated, `reliability.tsv`: each gene's accuracy on held-out training samples.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from ..errors import TdimputeError
from ..files import atomic_path, read_json, write_json, write_tsv
from ..versions import software_versions

MODEL_FILE = "model.json"
ARRAYS_FILE = "arrays.npz"
RELIABILITY_FILE = "reliability.tsv"


class Imputer:
    """Base class: subclasses implement `_fit`, `_predict`, and `_state` / `_set_state`."""

    method: ClassVar[str] = ""
    reliability_: pd.DataFrame | None = None  # per-gene accuracy on held-out training samples

    # -- scikit-learn style parameters -------------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [p for p in signature.parameters if p != "self"]

    def get_params(self) -> dict:
        return {name: getattr(self, name) for name in self._param_names()}

    # -- fit / predict ------------------------------------------------------------------------
    def fit(self, methylation: pd.DataFrame, expression: pd.DataFrame) -> Imputer:
        """Learn expression from methylation of the same samples (rows matched by sample id)."""
        if not methylation.index.equals(expression.index):
            raise TdimputeError("methylation and expression rows are not the same samples")
        if len(methylation) < 2:
            raise TdimputeError(f"need at least 2 training samples, got {len(methylation)}")
        if expression.isna().to_numpy().any():
            raise TdimputeError("training expression contains missing values")
        self.cpgs_ = methylation.columns.to_numpy(dtype=str)
        self.genes_ = expression.columns.to_numpy(dtype=str)
        self.n_training_ = len(methylation)
        self._fit(np.asarray(methylation, dtype=np.float32), np.asarray(expression, dtype=np.float32))
        return self

    def predict(self, methylation: pd.DataFrame) -> pd.DataFrame:
        """Expression (log2 scale) of the given samples, genes in training order."""
        if not hasattr(self, "cpgs_"):
            raise TdimputeError(f"the {self.method} model is not fitted")
        X = align_columns(methylation, self.cpgs_, "CpG")
        predicted = self._predict(X)
        return pd.DataFrame(predicted, index=methylation.index, columns=self.genes_)

    def describe(self) -> str:
        """The hyper-parameters that shaped the fit, those chosen from the data included."""
        return ", ".join(f"{name} {_short(value)}" for name, value in self._choices().items()) or "no hyper-parameters"

    def _choices(self) -> dict:
        return {}

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        raise NotImplementedError

    def _predict(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # -- persistence --------------------------------------------------------------------------
    def _state(self) -> dict[str, np.ndarray]:
        """Learned arrays to save; attribute names without the trailing underscore."""
        return {}

    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        for name, value in arrays.items():
            setattr(self, name + "_", value)

    def _metadata(self) -> dict:
        """Extra JSON-serialisable facts about the fit (history, scale, seed...)."""
        return {}

    def _save_weights(self, directory: Path) -> None:
        np.savez(directory / ARRAYS_FILE, **self._state())

    def _load_weights(self, directory: Path, metadata: dict) -> None:
        with np.load(directory / ARRAYS_FILE) as arrays:
            self._set_state({k: arrays[k] for k in arrays.files})

    def save(self, directory: str | Path) -> None:
        """Write the fitted model to `directory`, atomically."""
        if not hasattr(self, "cpgs_"):
            raise TdimputeError(f"the {self.method} model is not fitted")
        with atomic_path(directory, directory=True) as tmp:
            self._save_weights(tmp)
            write_json(tmp / MODEL_FILE, {
                "method": self.method,
                "params": self.get_params(),
                "versions": software_versions(),
                "metadata": self._metadata(),
                "cpgs": self.cpgs_.tolist(),
                "genes": self.genes_.tolist(),
            })
            if self.reliability_ is not None:
                write_tsv(self.reliability_, tmp / RELIABILITY_FILE, index=False)


def load_model(directory: str | Path) -> Imputer:
    """Load any saved model; the class is chosen by the method name it was saved with."""
    from . import imputer_class

    directory = Path(directory)
    if not (directory / MODEL_FILE).is_file():
        raise TdimputeError(f"{directory} is not a saved model (no {MODEL_FILE})")
    spec = read_json(directory / MODEL_FILE)
    model = imputer_class(spec["method"])(**spec["params"])
    model.cpgs_ = np.asarray(spec["cpgs"], dtype=str)
    model.genes_ = np.asarray(spec["genes"], dtype=str)
    model._load_weights(directory, spec.get("metadata", {}))
    if (directory / RELIABILITY_FILE).is_file():
        model.reliability_ = pd.read_csv(directory / RELIABILITY_FILE, sep="\t")
    return model


def _short(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return "x".join(map(str, value))
    return str(value)


def align_columns(frame: pd.DataFrame, names: np.ndarray, what: str) -> np.ndarray:
    """The columns `names` of `frame` in that order, as float32; all of them must be present.

    Policy: extra columns are ignored; a missing one is an error, since a model cannot be
    applied to features it never saw and silently filling them would bias every prediction.
    """
    if len(frame.columns) == len(names) and (frame.columns == names).all():
        return np.asarray(frame, dtype=np.float32)
    present = pd.Index(frame.columns)
    missing = ~pd.Index(names).isin(present)
    if missing.any():
        raise TdimputeError(
            f"{missing.sum()} of the model's {len(names)} {what}s are not in the data, e.g. "
            f"{names[np.flatnonzero(missing)[0]]!r} (align features with preprocess --reference)"
        )
    return np.asarray(frame.loc[:, names], dtype=np.float32)


def expression_scale(Y: np.ndarray) -> float:
    """The constant that maps training expression into [0, 1) for a sigmoid output.

    As the original code does for external data (max + 0.001); for TCGA log2(RSEM + 1) this is
    about the 16.5 the authors fixed. A sigmoid output can never exceed it.
    """
    return float(np.max(Y)) + 1e-3


class TrainingDataImputer(Imputer):
    """For methods that keep the training samples and do their work at prediction time."""

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        self.methylation_ = X
        self.expression_ = Y

    def _state(self) -> dict[str, np.ndarray]:
        return {"methylation": self.methylation_, "expression": self.expression_}
