"""Reading omics matrices in the layouts users have, and writing imputed expression.

Two layouts are read:
- Xena style: tab-separated, features as rows, one column per sample (`HiSeqV2.gz`,
  `HumanMethylation450.gz`), `NA` for missing values;
- transposed CSV: samples as rows, features as columns (as `DNA_methylation_AD.csv`).

The orientation is detected from the ids (sample barcodes on one side, CpG probes or genes on
the other) and can be forced. Sample ids are normalised by `normalise_sample_id`.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TdimputeError
from ..files import atomic_path

# TCGA-05-4384-01A-01D-1265-05 or TCGA.05.4384.01: project, TSS, participant, sample type.
_TCGA = re.compile(r"^(TCGA|TARGET)[-.][A-Z0-9]{2}[-.][A-Z0-9]{4}([-.]\d{2})?", re.IGNORECASE)
_SAMPLE_LIKE = re.compile(r"^(TCGA|TARGET|SIM)[-.]", re.IGNORECASE)
_CPG = re.compile(r"^(cg|ch\.|ch\d|rs)\w*", re.IGNORECASE)
ORIENTATIONS = ("auto", "features-by-samples", "samples-by-features")


def normalise_sample_id(sample_id: str) -> str:
    """TCGA barcodes to the sample level: `.` becomes `-`, upper case, and anything after the
    two-digit sample type (vial, portion, analyte, plate, centre) is dropped, so that
    `TCGA.05.4384.01` and `TCGA-05-4384-01A-01D-1265-05` are the same sample. Other ids are
    kept as they are."""
    match = _TCGA.match(sample_id)
    if not match:
        return sample_id
    return match.group(0).replace(".", "-").upper()


def read_matrix(path: str | Path, orientation: str = "auto", what: str = "matrix") -> pd.DataFrame:
    """A samples x features float DataFrame from a Xena TSV or a transposed CSV (gz or plain)."""
    path = Path(path)
    if orientation not in ORIENTATIONS:
        raise TdimputeError(f"orientation must be one of {', '.join(ORIENTATIONS)}")
    if not path.is_file():
        raise TdimputeError(f"{what} file not found: {path}")
    if path.stat().st_size == 0:
        raise TdimputeError(f"{what} file {path} is empty")
    separator = "," if _is_csv(path) else "\t"
    try:
        frame = pd.read_csv(path, sep=separator, index_col=0, na_values=["NA", "NaN", ""],
                            low_memory=False)
    except (EOFError, OSError, zlib.error, gzip.BadGzipFile) as exc:
        raise TdimputeError(f"{what} file {path} is truncated or corrupt ({exc})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise TdimputeError(f"cannot parse {what} file {path}: {str(exc).splitlines()[0]}") from None
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise TdimputeError(f"{what} file {path} has no data")
    if orientation == "auto":
        orientation = _detect_orientation(frame, path, what)
    if orientation == "features-by-samples":
        frame = frame.T
    frame.index = pd.Index([normalise_sample_id(str(s)) for s in frame.index], name="sample")
    frame.columns = pd.Index([str(c) for c in frame.columns], name="feature")
    non_numeric = [c for c, t in frame.dtypes.items() if t.kind not in "fiu"]
    if non_numeric:
        raise TdimputeError(f"{what} file {path} has non-numeric values in {non_numeric[0]!r}")
    duplicated = frame.index[frame.index.duplicated()]
    if len(duplicated):
        raise TdimputeError(f"{what} file {path} has duplicated sample id {duplicated[0]!r}")
    return frame.astype(np.float32)


def _is_csv(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith(".csv")


def _detect_orientation(frame: pd.DataFrame, path: Path, what: str) -> str:
    """Which side holds the samples: the side whose ids look like sample ids, or else the
    side opposite CpG probe ids."""
    def share(ids, pattern) -> float:
        ids = [str(i) for i in ids[:200]]
        return sum(bool(pattern.match(i)) for i in ids) / max(len(ids), 1)

    if share(frame.columns, _SAMPLE_LIKE) > 0.5 or share(frame.index, _CPG) > 0.5:
        return "features-by-samples"
    if share(frame.index, _SAMPLE_LIKE) > 0.5 or share(frame.columns, _CPG) > 0.5:
        return "samples-by-features"
    raise TdimputeError(
        f"cannot tell whether {what} file {path} has samples as rows or columns; "
        "give --orientation"
    )


def write_expression(frame: pd.DataFrame, path: str | Path) -> None:
    """Write samples x genes as a Xena-like TSV.gz: genes as rows, sample ids as columns.

    The gzip header carries no time stamp, so identical values give identical bytes.
    """
    text = frame.T.to_csv(sep="\t", index_label="gene", float_format="%.6g", na_rep="NA")
    with atomic_path(path) as tmp, open(tmp, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
            out.write(text.encode())


def read_expression(path: str | Path) -> pd.DataFrame:
    """Read a file written by `write_expression` back as samples x genes."""
    return read_matrix(path, orientation="features-by-samples", what="imputed expression")
