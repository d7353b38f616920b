"""Every imputation method behind the one `Imputer` interface, by its command-line name."""

from .base import Imputer
from .registry import METHODS, imputer_class, load_model, method_table

__all__ = ["METHODS", "Imputer", "imputer_class", "load_model", "method_table"]
