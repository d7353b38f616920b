"""Clinical tables: a user CSV/TSV or the Xena Pan-Cancer survival and phenotype tables.

Recognised columns (first match wins; the first column is the sample id):
    cancer_type  <- cancer_type, cancer type abbreviation, cancer type, _primary_disease
    os_time      <- os_time, OS.time, OS_time, days_to_death (days)
    os_event     <- os_event, OS, OS_event, vital_status (1 = death, 0 = censored)
Other columns are kept as they are.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TdimputeError
from .matrices import normalise_sample_id

ALIASES = {
    "cancer_type": ("cancer_type", "cancer type abbreviation", "cancer type", "_primary_disease"),
    "os_time": ("os_time", "OS.time", "OS_time", "days_to_death"),
    "os_event": ("os_event", "OS", "OS_event", "vital_status"),
}


def read_clinical(path: str | Path) -> pd.DataFrame:
    """A table indexed by normalised sample id with at least the recognised columns found."""
    path = Path(path)
    if not path.is_file():
        raise TdimputeError(f"clinical file not found: {path}")
    separator = "," if path.name.lower().removesuffix(".gz").endswith(".csv") else "\t"
    try:
        table = pd.read_csv(path, sep=separator, dtype=str, na_values=["NA", "", "[Not Available]"])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, EOFError) as exc:
        raise TdimputeError(f"cannot read clinical file {path}: {str(exc).splitlines()[0]}") from None
    table = table.set_index(table.columns[0])
    table.index = [normalise_sample_id(str(s)) for s in table.index]
    # Xena tables list a sample once per portion; after normalisation keep the first.
    table = table[~table.index.duplicated()]
    renamed = {}
    for target, names in ALIASES.items():
        found = next((n for n in names if n in table.columns), None)
        if found is not None:
            renamed[found] = target
    table = table.rename(columns=renamed)
    # Which column gave the cancer type: Xena's `_primary_disease` is a disease name, not a code.
    table.attrs["cancer_type_from"] = next((k for k, v in renamed.items() if v == "cancer_type"), None)
    for column in ("os_time", "os_event"):
        if column in table.columns:
            table[column] = _numeric(table[column], column, path)
    return table


def _numeric(values: pd.Series, column: str, path: Path) -> pd.Series:
    if column == "os_event":
        values = values.replace({"Dead": "1", "DECEASED": "1", "Alive": "0", "LIVING": "0"})
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & numbers.isna()
    if bad.any():
        raise TdimputeError(
            f"clinical file {path}: {column} of sample {values.index[bad][0]} is {values[bad].iloc[0]!r}, "
            "expected a number"
        )
    return numbers.astype(np.float64)
