"""Every closed list of choices, each defined once: the command line shows and checks it (typer
takes the Enum), and the library turns a string into it with `Choice.of`."""

from __future__ import annotations

from enum import StrEnum

from .errors import TdimputeError


class Choice(StrEnum):
    """A value of a closed list; the members' values are what users type."""

    @classmethod
    def of(cls, value: str, option: str) -> Choice:
        """`value` as a member, or one line naming `option` and the choices."""
        try:
            return cls(value)
        except ValueError:
            raise TdimputeError(f"{option} must be one of {', '.join(cls)}, got {value!r}") from None


class Orientation(Choice):
    AUTO = "auto"
    FEATURES_BY_SAMPLES = "features-by-samples"
    SAMPLES_BY_FEATURES = "samples-by-features"


class DuplicateSamples(Choice):
    FIRST = "first"
    MEAN = "mean"
    ERROR = "error"


class LogTransform(Choice):
    AUTO = "auto"
    YES = "yes"
    NO = "no"


class MethylationValues(Choice):
    BETA = "beta"
    M = "m"
    AUTO = "auto"


class Precision(Choice):
    AUTO = "auto"
    FLOAT32 = "float32"
    BFLOAT16 = "bfloat16"
