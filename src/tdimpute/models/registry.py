"""Every imputation method by its command-line name: the one list of methods.

The command line reads it; so does the pipeline, through `assets/methods.json` (written by
`tdimpute methods --json`), and a test ties that file, the parameter schema and the
pipeline's defaults to it. Adding a method is one `Imputer` class and one entry here.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import TdimputeError
from .base import Imputer, saved_spec
from .lasso import LassoCVImputer, LassoImputer
from .mean import MeanImputer
from .network import PretrainedNetwork, SelfNetwork, TransferNetwork
from .plus import PlusImputer
from .ridge import RidgeCVImputer
from .svd import SvdImputer
from .tobmi import TobmiImputer

METHODS: dict[str, type[Imputer]] = {cls.method: cls for cls in (
    TransferNetwork, SelfNetwork, PretrainedNetwork, PlusImputer,
    MeanImputer, SvdImputer, TobmiImputer, LassoImputer, LassoCVImputer, RidgeCVImputer,
)}


def imputer_class(method: str) -> type[Imputer]:
    if method not in METHODS:
        raise TdimputeError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    return METHODS[method]


def load_model(directory: str | Path) -> Imputer:
    """Load any saved model; the class is chosen by the method name it was saved with."""
    return imputer_class(saved_spec(Path(directory))["method"]).load(directory)


def method_table() -> list[dict]:
    """What each method is and needs, as `tdimpute methods --json` prints it."""
    return [{"name": name, "description": _first_line(cls.__doc__),
             "uses_pretrained": cls.uses_pretrained, "trains_network": cls.trains_network,
             "options": cls.options()} for name, cls in METHODS.items()]


def _first_line(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())
