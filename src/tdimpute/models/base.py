"""The one Imputer interface that TDimpute and every baseline implement.

A scikit-learn estimator (`sklearn.base.BaseEstimator`: `get_params`, `set_params` and
`clone` work): `__init__` stores hyper-parameters only and `fit` never changes them; `fit`
takes methylation (samples x CpGs) and expression (samples x genes) as DataFrames, remembers
the feature names and sets learned attributes ending in `_`; `predict` takes methylation of
new samples, aligns its CpGs to the training ones by name, and returns expression as a
DataFrame. Bad input raises `ValueError`, prediction before `fit` `NotFittedError`.

A saved model is a folder: `model.json` (method, hyper-parameters, CpG and gene lists,
versions, training history), the learned arrays (`arrays.npz`, or a network's weights) and,
when it was estimated, `reliability.tsv`: each gene's accuracy on held-out training samples.
"""

from __future__ import annotations

import inspect
import logging
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..files import atomic_path, read_json, write_json, write_tsv
from ..metrics import per_gene_accuracy
from ..versions import software_versions

log = logging.getLogger(__name__)
MODEL_FILE = "model.json"
ARRAYS_FILE = "arrays.npz"
RELIABILITY_FILE = "reliability.tsv"
RESIDUALS_FILE = "residuals.npy"


class Imputer(BaseEstimator):
    """Base class: subclasses implement `_fit`, `_predict`, and `_state` / `_set_state`.

    What a method needs, for the command line and the pipeline (`registry`):
    `uses_pretrained`: it starts from the pan-cancer pretrained network (`--pretrained`);
    `trains_network`: it trains or runs a network, the work a GPU speeds up.
    """

    method: ClassVar[str] = ""
    uses_pretrained: ClassVar[bool] = False
    trains_network: ClassVar[bool] = False
    reliability_: pd.DataFrame | None = None  # per-gene accuracy on held-out training samples
    residuals_: np.ndarray | None = None  # their residuals (true - imputed), samples x genes

    @classmethod
    def options(cls) -> list[str]:
        """The hyper-parameters `__init__` takes: what `fit --OPTION` may set."""
        return list(cls.defaults())

    @classmethod
    def defaults(cls) -> dict:
        """Each hyper-parameter's default, as `__init__` declares it: the one place of each."""
        return {name: p.default for name, p in inspect.signature(cls.__init__).parameters.items() if name != "self"}

    # -- fit / predict ------------------------------------------------------------------------
    def fit(self, methylation: pd.DataFrame, expression: pd.DataFrame) -> Imputer:
        """Learn expression from methylation of the same samples (rows matched by sample id)."""
        if not methylation.index.equals(expression.index):
            raise ValueError("methylation and expression rows are not the same samples")
        if len(methylation) < 2:
            raise ValueError(f"need at least 2 training samples, got {len(methylation)}")
        if expression.isna().to_numpy().any():
            raise ValueError("training expression contains missing values")
        self.cpgs_ = methylation.columns.to_numpy(dtype=str)
        self.genes_ = expression.columns.to_numpy(dtype=str)
        self.n_training_ = len(methylation)
        self._fit(np.asarray(methylation, dtype=np.float32), np.asarray(expression, dtype=np.float32))
        return self

    def predict(self, methylation: pd.DataFrame) -> pd.DataFrame:
        """Expression (log2 scale) of the given samples, genes in training order."""
        check_is_fitted(self, "cpgs_")
        X = align_columns(methylation, self.cpgs_, "CpG")
        predicted = self._predict(X)
        return pd.DataFrame(predicted, index=methylation.index, columns=self.genes_)

    def estimate_reliability(
        self, methylation: pd.DataFrame, expression: pd.DataFrame, folds: int, seed: int = 0
    ) -> Imputer:
        """Set `reliability_`: each gene's accuracy (`per_gene_accuracy`) on these training
        samples, each predicted by a clone of this model fitted on the other `folds` - 1 folds.
        It tells users which imputed genes to trust."""
        from sklearn.model_selection import KFold, cross_val_predict

        log.info("reliability: %d folds of %d training samples, a model fitted on each", folds, len(expression))
        held_out = cross_val_predict(self, methylation, expression, cv=KFold(folds, shuffle=True, random_state=seed))
        return self._judge_held_out(
            expression, pd.DataFrame(held_out, index=expression.index, columns=expression.columns)
        )

    def _judge_held_out(self, truth: pd.DataFrame, held_out: pd.DataFrame) -> Imputer:
        """Set `reliability_` and `residuals_` from predictions of training samples that the
        models predicting them did not see."""
        self.reliability_ = per_gene_accuracy(truth, held_out)
        self.residuals_ = (truth.to_numpy(np.float64) - held_out.loc[truth.index, truth.columns].to_numpy()).astype(
            np.float32
        )
        return self

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
        check_is_fitted(self, "cpgs_")
        with atomic_path(directory, directory=True) as tmp:
            self._save_weights(tmp)
            write_json(
                tmp / MODEL_FILE,
                {
                    "method": self.method,
                    "params": {name: getattr(self, name) for name in self.options()},  # in signature order
                    "versions": software_versions(),
                    "metadata": self._metadata(),
                    "cpgs": self.cpgs_.tolist(),
                    "genes": self.genes_.tolist(),
                },
            )
            if self.reliability_ is not None:
                write_tsv(self.reliability_, tmp / RELIABILITY_FILE, index=False)
            if self.residuals_ is not None:
                np.save(tmp / RESIDUALS_FILE, self.residuals_)

    @classmethod
    def load(cls, directory: str | Path) -> Imputer:
        """A model of this class saved by `save`; a model of another method is refused."""
        directory = Path(directory)
        spec = saved_spec(directory)
        if spec["method"] != cls.method:
            raise ValueError(f"{directory} holds a {spec['method']} model, not a {cls.method} model")
        model = cls(**spec["params"])
        model.cpgs_ = np.asarray(spec["cpgs"], dtype=str)
        model.genes_ = np.asarray(spec["genes"], dtype=str)
        model._load_weights(directory, spec.get("metadata", {}))
        if (directory / RELIABILITY_FILE).is_file():
            model.reliability_ = pd.read_csv(directory / RELIABILITY_FILE, sep="\t")
        if (directory / RESIDUALS_FILE).is_file():
            model.residuals_ = np.load(directory / RESIDUALS_FILE)
        return model


def saved_residuals(directory: str | Path) -> pd.DataFrame:
    """A saved model's held-out residuals (held-out samples x its genes), without loading the
    model itself."""
    directory = Path(directory)
    if not (directory / RESIDUALS_FILE).is_file():
        raise ValueError(f"the model in {directory} has no held-out residuals: fit it with --reliability-folds")
    return pd.DataFrame(np.load(directory / RESIDUALS_FILE), columns=saved_spec(directory)["genes"])


def saved_spec(directory: Path) -> dict:
    """The `model.json` of a saved model folder."""
    if not (directory / MODEL_FILE).is_file():
        raise ValueError(f"{directory} is not a saved model (no {MODEL_FILE})")
    return read_json(directory / MODEL_FILE)


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
        raise ValueError(
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


def nonzero_scale(scale: np.ndarray) -> np.ndarray:
    """Standard deviations to divide by: a constant feature keeps a scale of 1 (its
    standardised values are all 0)."""
    return np.where(scale > 0, scale, 1.0)


class TrainingDataImputer(Imputer):
    """For methods that keep the training samples and do their work at prediction time."""

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> None:
        self.methylation_ = X
        self.expression_ = Y

    def _state(self) -> dict[str, np.ndarray]:
        return {"methylation": self.methylation_, "expression": self.expression_}
