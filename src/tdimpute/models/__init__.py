"""Every imputation method behind the one `Imputer` interface, by its command-line name."""

from __future__ import annotations

from importlib import import_module

from ..errors import TdimputeError
from .base import Imputer, load_model

# name -> "module:Class"; imported on demand so that the baselines never load TensorFlow.
METHODS = {
    "tdimpute": "network:TransferNetwork",
    "tdimpute-self": "network:SelfNetwork",
    "tdimpute-notf": "network:PretrainedNetwork",
    "mean": "mean:MeanImputer",
    "svd": "svd:SvdImputer",
    "tobmi": "tobmi:TobmiImputer",
    "lasso": "lasso:LassoImputer",
    "lasso-cv": "lasso:LassoCVImputer",
    "ridge-cv": "ridge:RidgeCVImputer",
    "tdimpute-plus": "plus:PlusImputer",
}


def imputer_class(method: str) -> type[Imputer]:
    if method not in METHODS:
        raise TdimputeError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    module, name = METHODS[method].split(":")
    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = ["METHODS", "Imputer", "imputer_class", "load_model"]
