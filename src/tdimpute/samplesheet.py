"""Several cohorts' files pooled into one cohort: the samplesheet.

A samplesheet is a CSV with the columns `cohort,methylation,expression,clinical`, one row per
cohort (e.g. one per TCGA cancer type); paths are relative to the sheet (`tdimpute download`
writes one beside its files, as `samplesheet.csv`). Every cell outside `cohort` names a file;
`expression` and `clinical` may be empty: a cohort without expression only contributes samples
to impute, one without a clinical table has no survival. A sample's cancer type is its clinical table's
cancer type code (`cancer_type`, `cancer type abbreviation`), or else its row's `cohort` (also
when the table only names the disease, as the per-cohort Xena clinical matrices do).

The pool is filtered as one matrix, in bounded memory, in two passes over the methylation
files: the first gathers each CpG's count, mean and sum of squared deviations (merged across
blocks and files by Chan's formula), which decide the variance and NA filters exactly as for
one concatenated matrix; the second reads only the CpGs kept. CpGs or genes missing from some
file are left out (CpGs absent from a file cannot be filtered on the pool). Replicate aliquots
within a file are merged as `options.duplicate_samples` says; a sample in two cohorts is an
error.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from .cohort import Cohort, check_beta_values
from .errors import TdimputeError
from .io.clinical import read_clinical
from .io.matrices import Replicates, read_matrix, read_matrix_chunks
from .preprocess import BetaValues, CpgCounts, PreprocessOptions, preprocess, refuse_too_many_missing

log = logging.getLogger(__name__)
COLUMNS = ("cohort", "methylation", "expression", "clinical")
SHEET_NAME = "samplesheet.csv"  # the sheet in a folder (what tdimpute download writes)


@dataclass(frozen=True)
class CohortFiles:
    cohort: str
    methylation: Path
    expression: Path | None
    clinical: Path | None


def read_samplesheet(path: str | Path, staged: str | Path | None = None) -> list[CohortFiles]:
    """The cohorts of a samplesheet (a CSV file, or a folder holding `samplesheet.csv`).

    With `staged`, the sheet's files were copied elsewhere (a pipeline task stages them): the
    k-th file it names, counted from 1 row by row in the sheet's column order, is
    `staged/k/<its file name>`. Otherwise names are relative to the sheet's folder."""
    path = Path(path)
    if path.is_dir():
        path = path / SHEET_NAME
    sheet = _read_sheet(path)
    locate = _staged_locator(path, Path(staged)) if staged is not None else _relative_locator(path)
    rows = []
    for number, row in enumerate(sheet.to_dict("records"), start=2):
        files = {
            column: locate(number, column, row[column].strip())
            for column in sheet.columns
            if column != "cohort" and row[column].strip()
        }
        if not row["cohort"].strip():
            raise TdimputeError(f"samplesheet {path} line {number}: no cohort name")
        if "methylation" not in files:
            raise TdimputeError(f"samplesheet {path} line {number}: no methylation file")
        rows.append(
            CohortFiles(row["cohort"].strip(), files["methylation"], files.get("expression"), files.get("clinical"))
        )
    return rows


def write_samplesheet(rows: list[CohortFiles], folder: Path) -> Path:
    """`folder/samplesheet.csv` naming the rows' files relative to the folder."""

    def name(file):
        return "" if file is None else Path(os.path.relpath(file, folder)).as_posix()

    lines = [",".join(COLUMNS)] + [
        ",".join([row.cohort, name(row.methylation), name(row.expression), name(row.clinical)]) for row in rows
    ]
    target = folder / SHEET_NAME
    target.write_text("\n".join(lines) + "\n")
    return target


def _read_sheet(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise TdimputeError(f"samplesheet not found: {path}")
    try:
        sheet = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise TdimputeError(f"cannot read samplesheet {path}: {str(exc).splitlines()[0]}") from None
    missing = [c for c in COLUMNS[:2] if c not in sheet.columns]
    if missing:
        raise TdimputeError(f"samplesheet {path} has no column {missing[0]!r} (columns: {', '.join(COLUMNS)})")
    unknown = [c for c in sheet.columns if c not in COLUMNS]
    if unknown:
        raise TdimputeError(f"samplesheet {path} has an unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})")
    if sheet.empty:
        raise TdimputeError(f"samplesheet {path} has no rows")
    repeated = sheet["cohort"][sheet["cohort"].duplicated()]
    if len(repeated):
        raise TdimputeError(f"samplesheet {path} names cohort {repeated.iloc[0]!r} twice")
    return sheet


def _relative_locator(sheet: Path):
    def locate(number: int, column: str, value: str) -> Path:
        found = Path(value) if Path(value).is_absolute() else sheet.parent / value
        if not found.is_file():
            raise TdimputeError(f"samplesheet {sheet} line {number}: {column} file not found: {found}")
        return found

    return locate


def _staged_locator(sheet: Path, staged: Path):
    counter = itertools.count(1)

    def locate(number: int, column: str, value: str) -> Path:
        found = staged / str(next(counter)) / PurePosixPath(value).name
        if not found.is_file():
            raise TdimputeError(f"samplesheet {sheet} line {number}: {column} file {value} was not staged as {found}")
        return found

    return locate


def preprocess_pool(
    sources: list[CohortFiles],
    options: PreprocessOptions | None = None,
    orientation: str = "auto",
    provenance: dict | None = None,
    reference: Cohort | None = None,
) -> Cohort:
    """One cohort from every row of a samplesheet, filtered as one pooled matrix.

    With a `reference` cohort (an external cohort to align with a model trained on the
    reference) the CpGs are the reference's instead of the filters' choice, missing values
    filled with the samplesheet's CpG means, and `options.quantile_normalise` maps both omics onto
    the reference's distributions."""
    options = options or PreprocessOptions()
    statistics, betas = _CpgStatistics(), BetaValues(options.methylation_values)
    replicates = Replicates(options.duplicate_samples)
    samples_of = {
        source.cohort: statistics.add_file(
            betas.of(read_matrix_chunks(source.methylation, orientation, "methylation", replicates=replicates)),
            source.methylation,
        )
        for source in sources
    }
    statistics.warn_if_partial([source.cohort for source in sources])
    counts = CpgCounts(read=statistics.n_cpgs)
    selected, means = (
        statistics.selection(options, counts)
        if reference is None
        else statistics.reference_cpgs(reference, options.max_missing_cpgs)
    )
    counts.kept = len(selected)
    methylation = pd.concat([_selected_cpgs(source, selected, orientation, betas, replicates) for source in sources])
    repeated = methylation.index[methylation.index.duplicated()]
    if len(repeated):
        raise TdimputeError(f"sample {repeated[0]!r} is in more than one cohort's methylation")
    methylation = methylation.fillna(means)
    expression = _pooled_expression(sources, orientation, replicates)
    # The pool decided every CpG filter; preprocess keeps what it is given.
    kept_as_given = dataclasses.replace(
        options, min_variance=-np.inf, top_cpgs=None, max_na_fraction=0.0, methylation_values="beta"
    )
    cohort = preprocess(
        methylation,
        expression,
        clinical=_pooled_clinical(sources, samples_of, methylation.index),
        options=kept_as_given,
        provenance=provenance,
        reference=reference,
    )
    cohort.provenance.update(
        options=options.__dict__,
        cpg_counts=counts.__dict__,
        methylation_values=sorted(betas.found),
        samples_with_replicates=len(replicates.samples),
    )
    return cohort


class _CpgStatistics:
    """Per CpG, over every block of every file: non-missing count, mean, sum of squared
    deviations, and in how many files it appears."""

    def __init__(self):
        self.frame: pd.DataFrame | None = None
        self.n_files = self.n_samples = 0

    @property
    def n_cpgs(self) -> int:
        return 0 if self.frame is None else len(self.frame)

    def add_file(self, blocks, path: Path) -> pd.Index:
        """Add one file's blocks; returns its samples."""
        parts, samples = [], None
        for block in blocks:
            parts.append(self._block_statistics(block))
            samples = block.index
        part = pd.concat(parts)
        repeated = part.index[part.index.duplicated()]
        if len(repeated):
            raise TdimputeError(f"methylation file {path} has CpG {repeated[0]!r} twice")
        part["files"] = 1
        self.n_files += 1
        self.n_samples += len(samples)
        self.frame = part if self.frame is None else _merge(self.frame, part)
        return samples

    @staticmethod
    def _block_statistics(block: pd.DataFrame) -> pd.DataFrame:
        values = block.to_numpy(np.float64)
        check_beta_values(values, block.index, block.columns, allow_missing=True)
        count = (~np.isnan(values)).sum(axis=0)
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(values, axis=0)
        squares = np.nansum((values - mean) ** 2, axis=0)
        return pd.DataFrame({"count": count, "mean": np.nan_to_num(mean), "m2": squares}, index=block.columns)

    def warn_if_partial(self, cohorts: list[str]) -> None:
        """CpGs absent from some file cannot be pooled: say how many are left out."""
        partial = self.frame.index[self.frame["files"] < self.n_files]
        if len(partial):
            log.warning(
                "%d of %d CpGs are absent from some methylation file of %s and are left out, e.g. %r",
                len(partial),
                self.n_cpgs,
                ", ".join(cohorts),
                partial[0],
            )

    def selection(self, options: PreprocessOptions, counts: CpgCounts) -> tuple[pd.Index, pd.Series]:
        """The CpGs that pass, in first-file order, and their means (to fill NA with);
        `counts` is filled in."""
        table = self.frame[self.frame["files"] == self.n_files]
        within = 1 - table["count"] / self.n_samples <= options.max_na_fraction
        if not within.any():
            raise TdimputeError("every CpG has missing values or is absent from some file; raise --max-na-fraction")
        table = table[within]
        variance = table["m2"] / (self.n_samples - 1)  # as var() after filling NA with the mean
        kept = variance[variance >= options.min_variance]
        counts.complete, counts.variable = len(table), len(kept)
        if options.top_cpgs is not None:
            kept = kept.sort_values(ascending=False, kind="stable").iloc[: options.top_cpgs]
        if kept.empty:
            raise TdimputeError(
                f"no CpG has variance >= {options.min_variance} (the largest is "
                f"{variance.max():.4g}); lower --min-variance"
            )
        counts.warn_if_few_variable(options)
        selected = table.index[table.index.isin(kept.index)]
        return selected, table.loc[selected, "mean"]

    def reference_cpgs(self, reference: Cohort, limit: float) -> tuple[pd.Index, pd.Series]:
        """The reference's CpGs that have a value in every file, in the reference's order (the
        others, at most a share `limit`, are filled by `preprocess`)."""
        table = self.frame[(self.frame["files"] == self.n_files) & (self.frame["count"] > 0)]
        selected = pd.Index(reference.cpgs)[~refuse_too_many_missing(table.index, reference, limit)]
        return selected, table.loc[selected, "mean"]


def _merge(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Chan et al.'s pairwise update of count, mean and M2; CpGs of either side kept."""
    a, b = a.align(b, join="outer", fill_value=0)
    n = a["count"] + b["count"]
    delta = b["mean"] - a["mean"]
    share = b["count"] / n.where(n > 0, 1)
    return pd.DataFrame(
        {
            "count": n,
            "mean": a["mean"] + delta * share,
            "m2": a["m2"] + b["m2"] + delta**2 * a["count"] * share,
            "files": a["files"] + b["files"],
        },
        index=a.index,
    )


def _selected_cpgs(
    source: CohortFiles, selected: pd.Index, orientation: str, betas: BetaValues, replicates: Replicates
) -> pd.DataFrame:
    blocks = [
        block.loc[:, block.columns.isin(selected)]
        for block in betas.of(read_matrix_chunks(source.methylation, orientation, "methylation", replicates=replicates))
    ]
    return pd.concat(blocks, axis=1).loc[:, selected]


def _pooled_expression(sources: list[CohortFiles], orientation: str, replicates: Replicates) -> pd.DataFrame:
    frames = [
        read_matrix(s.expression, orientation, "expression", replicates=replicates) for s in sources if s.expression
    ]
    if not frames:
        raise TdimputeError("no cohort of the samplesheet has an expression file")
    genes = frames[0].columns
    for frame in frames[1:]:
        genes = genes.intersection(frame.columns, sort=False)
    every = pd.Index(dict.fromkeys(gene for frame in frames for gene in frame.columns))  # each gene once
    left_out = every[~every.isin(genes)]
    if len(left_out):
        log.warning(
            "%d of %d genes are absent from some expression file and are left out, e.g. %r",
            len(left_out),
            len(every),
            left_out[0],
        )
    expression = pd.concat([frame.loc[:, genes] for frame in frames])
    repeated = expression.index[expression.index.duplicated()]
    if len(repeated):
        raise TdimputeError(f"sample {repeated[0]!r} is in more than one cohort's expression")
    return expression


def _pooled_clinical(sources: list[CohortFiles], samples_of: dict[str, pd.Index], samples: pd.Index) -> pd.DataFrame:
    """Each cohort's clinical table (or none), its cancer type defaulting to the cohort. A
    table several cohorts share (the Pan-Cancer survival table; staged links resolve to one
    file) is read once."""
    tables, read = [], {}
    for source in sources:
        table = pd.DataFrame()
        if source.clinical:
            key = source.clinical.resolve()
            if key not in read:
                read[key] = read_clinical(source.clinical)
            table = read[key]
        named_by_disease = table.attrs.get("cancer_type_from") == "_primary_disease"
        table = table.reindex(samples_of[source.cohort])
        if "cancer_type" not in table.columns or named_by_disease:
            table["cancer_type"] = source.cohort
        table["cancer_type"] = table["cancer_type"].fillna(source.cohort)
        tables.append(table)
    return pd.concat(tables).reindex(samples)
