"""The cohort: paired methylation and expression of one or more cancer types, in one HDF5 file.

Layout (see docs/formats.md):

    /samples        str   (n_samples,)
    /cpgs           str   (n_cpgs,)
    /genes          str   (n_genes,)
    /methylation    f4    (n_samples, n_cpgs)   beta values in [0, 1]
    /expression     f4    (n_samples, n_genes)  log2(x + 1); a row of NaN = no RNA-seq
    /clinical/<col>       (n_samples,)          cancer_type (str), os_time (f8, days),
                                                os_event (f8: 1 death, 0 censored, NaN unknown),
                                                any further columns
    attrs: format = "tdimpute-cohort", format_version, provenance (JSON text)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from .errors import TdimputeError
from .files import atomic_path

FORMAT = "tdimpute-cohort"
FORMAT_VERSION = 1
REQUIRED_CLINICAL = ("cancer_type", "os_time", "os_event")
# log2(RSEM + 1) of TCGA never exceeds about 20; larger values mean raw, unlogged data.
MAX_LOG2_EXPRESSION = 30.0
ROW_CHUNK = 64  # samples per HDF5 chunk
CHUNK_VALUES = 1 << 18  # float32 values per chunk (1 MiB)


@dataclass
class Cohort:
    """Paired omics of a set of samples; rows of every matrix follow `samples`."""

    samples: np.ndarray
    cpgs: np.ndarray
    genes: np.ndarray
    methylation: np.ndarray
    expression: np.ndarray
    clinical: pd.DataFrame
    provenance: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.samples = np.asarray(self.samples, dtype=object)
        self.cpgs = np.asarray(self.cpgs, dtype=object)
        self.genes = np.asarray(self.genes, dtype=object)
        self.methylation = np.asarray(self.methylation, dtype=np.float32)
        self.expression = np.asarray(self.expression, dtype=np.float32)
        self.clinical = self.clinical.reset_index(drop=True)
        validate(self)

    @property
    def has_expression(self) -> np.ndarray:
        """Boolean mask of samples that have RNA-seq."""
        return ~np.isnan(self.expression).all(axis=1)

    @property
    def cancer_types(self) -> list[str]:
        return sorted(set(self.clinical["cancer_type"]))

    def take(self, rows: np.ndarray) -> Cohort:
        """A new cohort with the given rows (an index array or a boolean mask)."""
        rows = np.asarray(rows)
        return Cohort(
            samples=self.samples[rows],
            cpgs=self.cpgs,
            genes=self.genes,
            methylation=self.methylation[rows],
            expression=self.expression[rows],
            clinical=self.clinical.iloc[np.arange(len(self.samples))[rows]],
            provenance=self.provenance,
        )

    def select_cancer(self, cancer: str | None) -> Cohort:
        """The samples of one cancer type; the whole cohort when `cancer` is None."""
        if cancer is None:
            return self
        return self.take(_rows_of_cancer(self.clinical, cancer))

    def rows_of(self, sample_ids: list[str], what: str = "samples") -> np.ndarray:
        """Row indices of `sample_ids`, in their order; every id must be in the cohort."""
        index = {s: i for i, s in enumerate(self.samples)}
        missing = [s for s in sample_ids if s not in index]
        if missing:
            raise TdimputeError(f"{len(missing)} {what} are not in the cohort, e.g. {missing[0]!r}")
        return np.array([index[s] for s in sample_ids], dtype=np.int64)

    def summary(self) -> dict:
        """Counts of samples and features; where CpGs of a reference were filled, how many and
        what that costs (`cpg_filling.FillingCost`)."""
        filled = int(self.provenance.get("cpgs_filled", 0))
        return {
            "n_samples": int(len(self.samples)),
            "n_cpgs": int(len(self.cpgs)),
            "n_genes": int(len(self.genes)),
            "n_without_expression": int((~self.has_expression).sum()),
            "cancer_types": self.cancer_types,
            **({"n_cpgs_filled": filled, "cpg_filling": self.provenance["cpg_filling"]} if filled else {}),
        }


def validate(cohort: Cohort) -> None:
    """Raise TdimputeError with one line naming the first problem found."""
    n = len(cohort.samples)
    _check_ids(cohort.samples, "sample")
    _check_ids(cohort.cpgs, "CpG")
    _check_ids(cohort.genes, "gene")
    if cohort.methylation.shape != (n, len(cohort.cpgs)):
        raise TdimputeError(f"methylation has shape {cohort.methylation.shape}, expected ({n}, {len(cohort.cpgs)})")
    if cohort.expression.shape != (n, len(cohort.genes)):
        raise TdimputeError(f"expression has shape {cohort.expression.shape}, expected ({n}, {len(cohort.genes)})")
    if len(cohort.clinical) != n:
        raise TdimputeError(f"clinical table has {len(cohort.clinical)} rows for {n} samples")
    missing_cols = [c for c in REQUIRED_CLINICAL if c not in cohort.clinical.columns]
    if missing_cols:
        raise TdimputeError(f"clinical table lacks column(s): {', '.join(missing_cols)}")
    check_beta_values(cohort.methylation, cohort.samples, cohort.cpgs)
    check_log2_expression(cohort.expression, cohort.samples, cohort.genes)


def _check_ids(ids: np.ndarray, what: str) -> None:
    if len(ids) == 0:
        raise TdimputeError(f"no {what} ids")
    counts = pd.Series(ids).value_counts()
    if counts.iloc[0] > 1:
        raise TdimputeError(f"duplicated {what} id {counts.index[0]!r} ({counts.iloc[0]} times)")


def check_beta_values(methylation: np.ndarray, samples, cpgs, allow_missing: bool = False) -> None:
    """Methylation must be finite beta values (NaN allowed for input still to be filtered);
    M-values or percentages are refused."""
    bad = np.isinf(methylation) if allow_missing else ~np.isfinite(methylation)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise TdimputeError(
            f"methylation has a missing or infinite value at CpG {cpgs[j]} of sample {samples[i]}"
            " (drop or impute NA CpGs in preprocess)"
        )
    outside = (methylation < 0) | (methylation > 1)  # False for NaN
    if outside.any():
        i, j = np.argwhere(outside)[0]
        raise TdimputeError(
            f"expected beta values in [0, 1], found {methylation[i, j]:.4g} at CpG {cpgs[j]} "
            f"of sample {samples[i]} (M-values? preprocess --methylation-values m or auto converts them; percentages?)"
        )


def check_log2_expression(expression: np.ndarray, samples, genes) -> None:
    """Expression must be log2(x + 1): finite, >= 0, not raw counts; a sample is all or nothing."""
    missing = np.isnan(expression)
    partial = missing.any(axis=1) & ~missing.all(axis=1)
    if partial.any():
        i = int(np.flatnonzero(partial)[0])
        j = int(np.flatnonzero(missing[i])[0])
        raise TdimputeError(
            f"expression of sample {samples[i]} is missing for gene {genes[j]} only; a sample has "
            "either all genes or none"
        )
    present = expression[~missing.all(axis=1)]
    if present.size == 0:
        return
    if not np.isfinite(present).all():
        raise TdimputeError("expression contains infinite values")
    low = present.min()
    if low < 0:
        raise TdimputeError(f"expected log2(x + 1) expression >= 0, found {low:.4g}")
    high = present.max()
    if high > MAX_LOG2_EXPRESSION:
        raise TdimputeError(
            f"expression reaches {high:.4g}: this looks like raw counts, expected log2(x + 1) "
            "(preprocess transforms raw input)"
        )


def write_cohort(cohort: Cohort, path: str | Path) -> None:
    """Write the cohort to HDF5 atomically; the file is byte-identical for identical input."""
    strings = h5py.string_dtype()
    with atomic_path(path) as tmp, _untimed_file(tmp) as f:
        f.attrs["format"] = FORMAT
        f.attrs["format_version"] = FORMAT_VERSION
        f.attrs["provenance"] = json.dumps(cohort.provenance, sort_keys=True)
        for name in ("samples", "cpgs", "genes"):
            f.create_dataset(
                name, data=getattr(cohort, name).astype(str).astype(object), dtype=strings, track_times=False
            )
        for name in ("methylation", "expression"):
            values = getattr(cohort, name)
            f.create_dataset(
                name,
                data=values,
                chunks=_row_chunks(values.shape),
                compression="gzip",
                compression_opts=4,
                shuffle=True,
                track_times=False,
            )
        clinical = h5py.Group(h5py.h5g.create(f.id, b"clinical", gcpl=_untimed(h5py.h5p.GROUP_CREATE)))
        for col in cohort.clinical.columns:
            values = cohort.clinical[col]
            if values.dtype.kind in "ifb":
                clinical.create_dataset(col, data=values.to_numpy(dtype=np.float64), track_times=False)
            else:
                clinical.create_dataset(
                    col, data=values.astype(str).to_numpy(dtype=object), dtype=strings, track_times=False
                )


def _row_chunks(shape: tuple[int, int]) -> tuple[int, int]:
    """Chunks of ROW_CHUNK samples and about 1 MiB: reading some samples (one cancer of a pool)
    decompresses little more than their rows."""
    rows = max(1, min(shape[0], ROW_CHUNK))
    return rows, max(1, min(shape[1], CHUNK_VALUES // rows))


def _untimed(property_list_class):
    """Creation properties that record no time stamps (so files are reproducible) and keep
    the order in which columns were written."""
    plist = h5py.h5p.create(property_list_class)
    plist.set_obj_track_times(False)
    plist.set_link_creation_order(h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED)
    return plist


def _untimed_file(path: Path) -> h5py.File:
    fid = h5py.h5f.create(str(path).encode(), h5py.h5f.ACC_TRUNC, fcpl=_untimed(h5py.h5p.FILE_CREATE))
    return h5py.File(fid)


def read_cohort(path: str | Path, cancer: str | None = None) -> Cohort:
    """Read and validate a cohort file, or only the samples of one cancer type of it (their
    rows alone are read and decompressed)."""
    path = Path(path)
    if not path.is_file():
        raise TdimputeError(f"cohort file not found: {path}")
    try:
        with h5py.File(path, "r") as f:
            if f.attrs.get("format") != FORMAT:
                raise TdimputeError(f"{path} is not a tdimpute cohort file")
            clinical = pd.DataFrame(
                {col: (ds.asstr()[:] if ds.dtype.kind == "O" else ds[:]) for col, ds in f["clinical"].items()}
            )
            rows = np.arange(len(clinical)) if cancer is None else _rows_of_cancer(clinical, cancer)
            return Cohort(
                samples=f["samples"].asstr()[:][rows],
                cpgs=f["cpgs"].asstr()[:],
                genes=f["genes"].asstr()[:],
                methylation=_read_rows(f["methylation"], rows),
                expression=_read_rows(f["expression"], rows),
                clinical=clinical.iloc[rows],
                provenance=json.loads(f.attrs.get("provenance", "{}")),
            )
    except OSError as exc:
        raise TdimputeError(f"cannot read cohort file {path}: {exc}") from None


def _rows_of_cancer(clinical: pd.DataFrame, cancer: str) -> np.ndarray:
    rows = np.flatnonzero((clinical["cancer_type"] == cancer).to_numpy())
    if not len(rows):
        found = ", ".join(sorted(set(clinical["cancer_type"])))
        raise TdimputeError(f"cancer type {cancer!r} is not in the cohort (found: {found})")
    return rows


def _read_rows(dataset: h5py.Dataset, rows: np.ndarray) -> np.ndarray:
    """The given increasing rows of a 2-D dataset, reading one band of chunk rows at a time
    (only bands that hold a wanted row), so memory holds the rows kept and one band."""
    if len(rows) == dataset.shape[0]:
        return dataset[:]
    band = dataset.chunks[0] if dataset.chunks else ROW_CHUNK
    parts = []
    for start in np.unique(rows // band) * band:
        wanted = rows[(rows >= start) & (rows < start + band)]
        parts.append(dataset[start : start + band][wanted - start])
    return np.concatenate(parts)
