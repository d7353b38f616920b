"""Reading omics matrices in the layouts users have, and writing imputed expression.

Two layouts are read:
- Xena style: tab-separated, features as rows, one column per sample (`HiSeqV2.gz`,
  `HumanMethylation450.gz`), `NA` for missing values;
- transposed CSV: samples as rows, features as columns (as `DNA_methylation_AD.csv`).

The orientation is detected from the ids (sample barcodes on one side, CpG probes or genes on
the other) and can be forced. Sample ids are normalised by `normalise_sample_id`; columns
that normalise to one sample (replicate aliquots) are merged as `Replicates` says.

`read_matrix_chunks` reads a Xena-style matrix a block of feature rows at a time, so that a
file far larger than memory (the Pan-Cancer methylation matrix) can be filtered as it streams.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ..choices import DuplicateSamples, Orientation
from ..errors import TdimputeError
from ..files import atomic_path
from ..progress import progress

# TCGA-05-4384-01A-01D-1265-05 or TCGA.05.4384.01: project, TSS, participant, sample type.
_TCGA = re.compile(r"^(TCGA|TARGET)[-.][A-Z0-9]{2}[-.][A-Z0-9]{4}([-.]\d{2})?", re.IGNORECASE)
_SAMPLE_LIKE = re.compile(r"^(TCGA|TARGET|SIM)[-.]", re.IGNORECASE)
_CPG = re.compile(r"^(cg|ch\.|ch\d|rs)\w*", re.IGNORECASE)
log = logging.getLogger(__name__)


def normalise_sample_id(sample_id: str) -> str:
    """TCGA barcodes to the sample level: `.` becomes `-`, upper case, and anything after the
    two-digit sample type (vial, portion, analyte, plate, centre) is dropped, so that
    `TCGA.05.4384.01` and `TCGA-05-4384-01A-01D-1265-05` are the same sample. Other ids are
    kept as they are."""
    match = _TCGA.match(sample_id)
    if not match:
        return sample_id
    return match.group(0).replace(".", "-").upper()


class Replicates:
    """What to do with replicate aliquots: ids of one file that normalise to one sample
    (`-01A` and `-01B`, a re-run aliquot), as TCGA/GDC exports carry them.

    `first` keeps the first of them in file order, `mean` averages them value by value (NA
    ignored), `error` refuses the file. `samples` gathers the samples found with replicates in
    every file read with it; each file is warned about once, however often it is read."""

    def __init__(self, rule: str = DuplicateSamples.ERROR) -> None:
        self.rule = DuplicateSamples.of(rule, "--duplicate-samples")
        self.samples: set[str] = set()
        self._files: set[Path] = set()

    def check(self, ids: pd.Index, path: Path, what: str) -> None:
        """Refuse (rule `error`) or record and warn of the samples that `ids` (normalised) repeat."""
        repeated = ids[ids.duplicated()].unique()
        if len(repeated) == 0:
            return
        if self.rule == "error":
            raise TdimputeError(
                f"{what} file {path} has duplicated sample id {repeated[0]!r} (replicate "
                "aliquots? --duplicate-samples first or mean merges them)"
            )
        if path not in self._files:
            log.warning(
                "%s file %s has replicate aliquots of %d sample%s, e.g. %r: %s (--duplicate-samples)",
                what,
                path,
                len(repeated),
                "" if len(repeated) == 1 else "s",
                repeated[0],
                "kept the first of each" if self.rule == "first" else "averaged them",
            )
        self._files.add(path)
        self.samples.update(repeated)

    def merge(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One row per sample of a samples x features block, in order of first appearance."""
        if frame.index.is_unique:
            return frame
        if self.rule == "first":
            return frame[~frame.index.duplicated()]
        return frame.groupby(level=0, sort=False).mean().astype(np.float32)


NA_VALUES = ["NA", "NaN", ""]
CHUNK_VALUES = 50_000_000  # values per streamed block: 200 MB as float32
PROGRESS_MIN_BYTES = 64 * 2**20  # smaller files are read too fast to need progress lines


def read_matrix(
    path: str | Path, orientation: str = "auto", what: str = "matrix", replicates: Replicates | None = None
) -> pd.DataFrame:
    """A samples x features float32 DataFrame from a Xena TSV or a transposed CSV (gz or plain).

    A Xena file is read block by block (`read_matrix_chunks`), so that it is never held as
    float64 text-parsing buffers all at once."""
    blocks = list(read_matrix_chunks(path, orientation, what, replicates=replicates))
    return blocks[0] if len(blocks) == 1 else pd.concat(blocks, axis=1)


def read_matrix_chunks(
    path: str | Path,
    orientation: str = "auto",
    what: str = "matrix",
    chunk_values: int = CHUNK_VALUES,
    replicates: Replicates | None = None,
) -> Iterator[pd.DataFrame]:
    """The matrix as samples x features blocks of features, every block with all samples.

    A features-by-samples file (Xena) streams: about `chunk_values` values are in memory at a
    time, and progress is reported on stderr. A samples-by-features file has each feature
    spread over every line, so it is read whole and given as one block. Replicate aliquots
    are merged block by block as `replicates` says (without it, they are an error).
    """
    path = _checked_path(path, orientation, what)
    replicates = replicates if replicates is not None else Replicates()
    if orientation == "auto":
        with _read_errors(path, what):
            head = pd.read_csv(path, sep=_separator(path), index_col=0, na_values=NA_VALUES, nrows=200)
        if head.shape[0] == 0 or head.shape[1] == 0:
            raise TdimputeError(f"{what} file {path} has no data")
        orientation = _detect_orientation(head, path, what)
    if orientation == "samples-by-features":
        with _read_errors(path, what):
            frame = pd.read_csv(path, sep=_separator(path), index_col=0, na_values=NA_VALUES, low_memory=False)
        if frame.shape[0] == 0 or frame.shape[1] == 0:
            raise TdimputeError(f"{what} file {path} has no data")
        frame = _samples_by_features(frame, path, what)
        replicates.check(frame.index, path, what)
        yield replicates.merge(frame)
        return
    yield from _stream_feature_rows(path, what, chunk_values, replicates)


def _stream_feature_rows(path: Path, what: str, chunk_values: int, replicates: Replicates) -> Iterator[pd.DataFrame]:
    size = path.stat().st_size
    separator = _separator(path)
    done = 0
    with (
        _read_errors(path, what),
        open(path, "rb") as raw,
        progress(f"{what} {path.name}", size, shown=size >= PROGRESS_MIN_BYTES) as bar,
    ):
        source = gzip.open(raw) if _is_gzip(path) else raw
        # The header is read by hand: pandas reads ahead, so it cannot share the handle.
        samples = source.readline().decode().rstrip("\r\n").split(separator)[1:]
        replicates.check(pd.Index([normalise_sample_id(s) for s in samples]), path, what)
        rows = max(1, chunk_values // max(len(samples), 1))
        # Columns are read by position: pandas refuses a name given twice (a replicate's).
        positions = range(1, len(samples) + 1)
        reader = pd.read_csv(
            source,
            sep=separator,
            index_col=0,
            header=None,
            names=[0, *positions],
            na_values=NA_VALUES,
            chunksize=rows,
            dtype={p: np.float32 for p in positions},
        )
        for block in reader:
            done += len(block)
            block.columns = samples
            yield replicates.merge(_samples_by_features(block.T, path, what))
            bar.update(raw.tell(), f"{done} features read ({100 * raw.tell() / size:.0f} %)")
    if done == 0:
        raise TdimputeError(f"{what} file {path} has no data")


def _checked_path(path: str | Path, orientation: str, what: str) -> Path:
    path = Path(path)
    Orientation.of(orientation, "--orientation")
    if not path.is_file():
        raise TdimputeError(f"{what} file not found: {path}")
    if path.stat().st_size == 0:
        raise TdimputeError(f"{what} file {path} is empty")
    return path


@contextlib.contextmanager
def _read_errors(path: Path, what: str) -> Iterator[None]:
    """Turns the ways a matrix file fails to read into one TdimputeError line."""
    try:
        yield
    except TdimputeError:
        raise
    except (EOFError, zlib.error, gzip.BadGzipFile, IsADirectoryError, PermissionError) as exc:
        raise TdimputeError(f"{what} file {path} is truncated or corrupt ({exc})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise TdimputeError(f"cannot parse {what} file {path}: {str(exc).splitlines()[0]}") from None


def _samples_by_features(frame: pd.DataFrame, path: Path, what: str) -> pd.DataFrame:
    """Normalised sample ids as rows, feature ids as columns, float32; checked."""
    frame.index = pd.Index([normalise_sample_id(str(s)) for s in frame.index], name="sample")
    frame.columns = pd.Index([str(c) for c in frame.columns], name="feature")
    non_numeric = [c for c, t in frame.dtypes.items() if t.kind not in "fiu"]
    if non_numeric:
        raise TdimputeError(f"{what} file {path} has non-numeric values in {non_numeric[0]!r}")
    return frame.astype(np.float32)


def _separator(path: Path) -> str:
    return "," if _is_csv(path) else "\t"


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


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
    raise TdimputeError(f"cannot tell whether {what} file {path} has samples as rows or columns; give --orientation")


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
