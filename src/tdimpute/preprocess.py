"""The paper's preprocessing: from raw matrices to one cohort.

Expression: log2(x + 1) where the input is raw (detected, or forced), genes that are zero in
every sample dropped. Methylation: CpGs with missing values dropped (or, under
`max_na_fraction`, their few missing values filled with the CpG mean), then the variance
filter (the paper keeps CpGs whose variance across samples is >= 0.05; `top_cpgs` keeps the N
most variable instead or as well). Samples with methylation but no expression are kept and
marked: they are what the pipeline imputes.

Methylation is beta values; M-values (log2(beta / (1 - beta)), as limma or minfi give) are
converted to beta block by block before any check or filter (`methylation_values`).

Replicate aliquots of a sample (ids that normalise alike) are merged as the files are read
(`duplicate_samples`): by default the first is kept, as TCGA practice keeps one aliquot per
sample (the Broad GDAC's replicate filter) rather than averaging aliquots of other portions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from . import __version__
from .choices import DuplicateSamples, LogTransform, MethylationValues
from .cohort import Cohort, check_beta_values
from .errors import TdimputeError
from .io.clinical import read_clinical
from .io.matrices import Replicates, read_matrix, read_matrix_chunks

log = logging.getLogger(__name__)
# Largest log2(x + 1) value accepted as already logged, smallest maximum taken as raw counts.
LOGGED_MAX = 30.0
RAW_MIN = 50.0
FEW_VARIABLE = 0.1  # warn when the variance filter keeps a smaller share of the CpGs
# auto takes values outside [0, 1] as M-values only when centred on 0 with both signs common.
M_MEDIAN_LIMIT = 1.0
M_SIGN_SHARE = 0.1


@dataclass
class PreprocessOptions:
    log_transform: LogTransform = LogTransform.AUTO
    min_variance: float = 0.05
    top_cpgs: int | None = None
    max_na_fraction: float = 0.0
    min_samples: int = 3
    quantile_normalise: bool = False  # onto the reference cohort's distributions
    max_missing_cpgs: float = 0.3  # the share of the reference's CpGs that may be filled
    methylation_values: MethylationValues = MethylationValues.BETA
    duplicate_samples: DuplicateSamples = DuplicateSamples.FIRST  # the readers' rule for replicate aliquots


class BetaValues:
    """Turns blocks of methylation into beta values as `methylation_values` says (beta: as
    they are; m: converted; auto: betas if within [0, 1], M-values if centred on 0, each file
    judged on its first block). `found` is what was read: {"beta"}, {"m"} or both."""

    def __init__(self, methylation_values: str) -> None:
        self.methylation_values = MethylationValues.of(methylation_values, "--methylation-values")
        self.found: set[str] = set()

    def of(self, blocks: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        """One file's blocks as beta values."""
        kind = None if self.methylation_values == "auto" else self.methylation_values
        for block in blocks:
            kind = kind or _kind_of(block.to_numpy(np.float64))
            self.found.add(kind)
            yield block if kind == "beta" else m_to_beta(block)


def _kind_of(values: np.ndarray) -> str:
    """beta, or m where values beyond [0, 1] are spread around 0; else beta, for the
    beta-value check to refuse with its message."""
    present = values[np.isfinite(values)]
    if present.size == 0 or (present.min() >= 0 and present.max() <= 1):
        return "beta"
    centred = abs(float(np.median(present))) <= M_MEDIAN_LIMIT
    both_signs = min((present < 0).mean(), (present > 0).mean()) >= M_SIGN_SHARE
    return "m" if centred and both_signs else "beta"


def m_to_beta(frame: pd.DataFrame) -> pd.DataFrame:
    """beta = 2^M / (1 + 2^M), computed as 1 / (1 + 2^-M) so that large M cannot overflow."""
    with np.errstate(over="ignore"):
        beta = 1.0 / (1.0 + np.exp2(-frame.to_numpy(np.float64)))
    return pd.DataFrame(beta.astype(np.float32), index=frame.index, columns=frame.columns)


def beta_to_m(frame: pd.DataFrame) -> pd.DataFrame:
    """M = log2(beta / (1 - beta)): the inverse of `m_to_beta`."""
    beta = frame.to_numpy(np.float64)
    with np.errstate(divide="ignore"):
        return pd.DataFrame(np.log2(beta / (1 - beta)), index=frame.index, columns=frame.columns)


@dataclass
class CpgCounts:
    """How many CpGs each filter let through: read, within the NA limit, variable enough,
    kept (after --top-cpgs, or the reference's list)."""

    read: int = 0
    complete: int = 0
    variable: int = 0
    kept: int = 0

    def warn_if_few_variable(self, options: PreprocessOptions) -> None:
        if self.complete and self.variable < FEW_VARIABLE * self.read:
            log.warning(
                "the variance filter kept %d of %d CpGs (variance >= %g, a threshold made for the "
                "485,000 probes of the 450k array): lower --min-variance (e.g. 0) or keep the most "
                "variable with --top-cpgs N",
                self.variable,
                self.read,
                options.min_variance,
            )

    def describe(self, options: PreprocessOptions) -> str:
        steps = [f"{self.complete} with NA share <= {options.max_na_fraction:g}"] if self.complete != self.read else []
        steps.append(f"{self.variable} with variance >= {options.min_variance:g}")
        if options.top_cpgs is not None:
            steps.append(f"the {options.top_cpgs} most variable of those")
        return f"{self.kept} of {self.read} CpGs kept ({', '.join(steps)})"


def summary_line(cohort: Cohort) -> str:
    """What preprocess kept, from the provenance it recorded."""
    made = cohort.provenance
    options = PreprocessOptions(**made["options"])
    cpgs = CpgCounts(**made["cpg_counts"])
    line = (
        cpgs.describe(options)
        if "reference" not in made
        else f"the reference's {len(cohort.cpgs)} CpGs ({cpgs.read} read)"
    )
    values = ", read as M-values and converted to beta" if "m" in made.get("methylation_values", []) else ""
    replicated = made.get("samples_with_replicates", 0)
    merged = (
        (f"; {replicated} sample{'' if replicated == 1 else 's'} with replicate aliquots ({options.duplicate_samples})")
        if replicated
        else ""
    )
    return f"{line}{values}; {len(cohort.genes)} of {made['genes_read']} genes kept{merged}"


def warn_if_nothing_to_impute(cohort: Cohort) -> None:
    cancers = cohort.clinical["cancer_type"].to_numpy()
    for cancer in cohort.cancer_types:
        if cohort.has_expression[cancers == cancer].all():
            log.warning(
                "%s: every sample has expression, so there is nothing to impute (a benchmark "
                "split still can); add samples with methylation alone to impute them",
                cancer,
            )


def preprocess_files(
    methylation: Path,
    expression: Path,
    clinical: Path | None = None,
    cancer_type: str | None = None,
    options: PreprocessOptions | None = None,
    orientation: str = "auto",
    reference: Cohort | None = None,
) -> Cohort:
    """`preprocess` on one cohort's files: the methylation streamed block by block, replicate
    aliquots merged as `options.duplicate_samples` says (and counted in the provenance)."""
    options = options or PreprocessOptions()
    replicates = Replicates(options.duplicate_samples)
    cohort = preprocess(
        read_matrix_chunks(methylation, orientation, "methylation", replicates=replicates),
        read_matrix(expression, orientation, "expression", replicates=replicates),
        clinical=read_clinical(clinical) if clinical else None,
        cancer_type=cancer_type,
        options=options,
        reference=reference,
        provenance={"source_files": [str(p) for p in (methylation, expression, clinical) if p]},
    )
    cohort.provenance["samples_with_replicates"] = len(replicates.samples)
    return cohort


def preprocess(
    methylation: pd.DataFrame | Iterable[pd.DataFrame],
    expression: pd.DataFrame,
    clinical: pd.DataFrame | None = None,
    cancer_type: str | None = None,
    options: PreprocessOptions | None = None,
    reference: Cohort | None = None,
    provenance: dict | None = None,
) -> Cohort:
    """Build a cohort from samples x CpGs beta values and samples x genes expression.

    `methylation` may also be blocks of CpGs (samples x CpGs, the same samples in each, as
    `read_matrix_chunks` gives them): each block is checked and filtered as it arrives, so
    only the kept CpGs are ever held in memory.

    With a `reference` cohort the CpG and gene lists are the reference's, in its order, so the
    result can be fed to a model trained on it; a reference feature absent here is an error.
    """
    options = options or PreprocessOptions()
    _check_not_transposed(expression, "expression")
    betas = BetaValues(options.methylation_values)
    counts = CpgCounts()
    methylation = _methylation_matrix(
        betas.of([methylation] if isinstance(methylation, pd.DataFrame) else methylation), options, counts
    )
    genes_read = expression.shape[1]
    samples = methylation.index
    paired = samples.intersection(expression.index)
    if len(paired) == 0:
        raise TdimputeError(
            "no sample has both methylation and expression (check the sample ids of both files; "
            f"e.g. {samples[0]!r} vs {expression.index[0]!r})"
        )
    expression = _expression_matrix(expression.reindex(samples), options)
    filling = {}
    if reference is not None:
        methylation, filling = _reference_cpgs(methylation, reference, options.max_missing_cpgs)
        expression = _restrict(expression, reference.genes, "gene")
        counts.kept = methylation.shape[1]
        if options.quantile_normalise:
            methylation, expression = _onto_reference(methylation, expression, reference)
    elif options.quantile_normalise:
        raise TdimputeError("quantile normalisation needs a reference cohort (--reference)")
    n_with_expression = int(expression.notna().all(axis=1).sum())
    if n_with_expression < options.min_samples:
        raise TdimputeError(f"only {n_with_expression} samples have both omics; at least {options.min_samples} needed")
    cohort = Cohort(
        samples=samples.to_numpy(dtype=object),
        cpgs=methylation.columns.to_numpy(dtype=object),
        genes=expression.columns.to_numpy(dtype=object),
        methylation=methylation.to_numpy(np.float32),
        expression=expression.to_numpy(np.float32),
        clinical=_clinical_table(samples, clinical, cancer_type),
        provenance={
            **(provenance or {}),
            "tdimpute_version": __version__,
            "options": options.__dict__,
            "n_samples_with_expression": n_with_expression,
            "cpg_counts": counts.__dict__,
            "genes_read": genes_read,
            "methylation_values": sorted(betas.found),
            **({"reference": True} if reference is not None else {}),
            **filling,
        },
    )
    warn_if_nothing_to_impute(cohort)
    return cohort


def _check_not_transposed(frame: pd.DataFrame, what: str) -> None:
    looks_like_features = pd.Series(frame.index[:50].astype(str)).str.match(r"^cg\d{6,}").mean()
    if looks_like_features > 0.5:
        raise TdimputeError(f"{what} rows are CpG probe ids: the matrix looks transposed")


def _expression_matrix(expression: pd.DataFrame, options: PreprocessOptions) -> pd.DataFrame:
    values = expression.to_numpy(np.float64)
    present_rows = ~np.isnan(values).all(axis=1)
    present = values[present_rows]
    if np.isinf(present).any():
        raise TdimputeError("expression contains infinite values")
    partial = np.isnan(present).any(axis=1)
    if partial.any():
        sample = expression.index[present_rows][np.flatnonzero(partial)[0]]
        raise TdimputeError(
            f"expression of sample {sample} has NA values for some genes only; a sample's "
            "expression must be complete or entirely NA"
        )
    if present.min() < 0:
        raise TdimputeError(f"expression has negative values (min {present.min():.4g}); expected counts or log2(x + 1)")
    if _needs_log(present.max(), options.log_transform):
        expression = np.log2(expression + 1.0)
    nonzero = (expression.fillna(0) != 0).any(axis=0)
    return expression.loc[:, nonzero]


def _needs_log(maximum: float, log_transform: str) -> bool:
    log_transform = LogTransform.of(log_transform, "--log-transform")
    if log_transform == "yes":
        return True
    if log_transform == "no":
        if maximum > LOGGED_MAX:
            raise TdimputeError(f"expression reaches {maximum:.4g} but --log-transform no says it is log2 scale")
        return False
    if maximum <= LOGGED_MAX:
        return False
    if maximum >= RAW_MIN:
        return True
    raise TdimputeError(
        f"expression maximum {maximum:.4g} is neither clearly log2 scale (<= {LOGGED_MAX:g}) nor "
        f"raw (>= {RAW_MIN:g}); say which with --log-transform yes or no"
    )


def _methylation_matrix(blocks: Iterable[pd.DataFrame], options: PreprocessOptions, counts: CpgCounts) -> pd.DataFrame:
    """Check and filter blocks of CpGs one at a time; the CpGs kept, in file order. `counts`
    is filled in."""
    kept, variances, n_complete = [], [], 0
    for block in blocks:
        counts.read += block.shape[1]
        _check_not_transposed(block, "methylation")
        if kept and not block.index.equals(kept[0].index):
            raise TdimputeError("methylation blocks do not hold the same samples")
        selected, variance, complete = _filter_cpgs(block, options)
        kept.append(selected)
        variances.append(variance)
        n_complete += complete
    if n_complete == 0:
        raise TdimputeError("every CpG has missing values; raise --max-na-fraction")
    variance = pd.concat(variances)
    methylation = pd.concat(kept, axis=1)
    counts.complete, counts.variable = n_complete, methylation.shape[1]
    if options.top_cpgs is not None:
        top = variance[methylation.columns].sort_values(ascending=False, kind="stable").index[: options.top_cpgs]
        methylation = methylation.loc[:, methylation.columns.isin(top)]
    if methylation.shape[1] == 0:
        raise TdimputeError(
            f"no CpG has variance >= {options.min_variance} (the largest is {variance.max():.4g}); lower --min-variance"
        )
    if np.isfinite(options.min_variance):  # a pool passes -inf: it filtered and warned itself
        counts.warn_if_few_variable(options)
    counts.kept = methylation.shape[1]
    return methylation


def _filter_cpgs(block: pd.DataFrame, options: PreprocessOptions) -> tuple[pd.DataFrame, pd.Series, int]:
    """One block's CpGs that pass: beta values checked, CpGs with more NA than allowed
    dropped (the others filled with the CpG mean), variance (as R's var()) at least the
    threshold. Returns them, the variance of every CpG within the NA limit, and its count."""
    values = block.to_numpy(np.float32)
    check_beta_values(values, block.index, block.columns, allow_missing=True)
    na_fraction = np.isnan(values).mean(axis=0)
    within = na_fraction <= options.max_na_fraction
    block = block.loc[:, within]
    if na_fraction[within].any():
        block = block.fillna(block.mean(axis=0))
    variance = block.var(axis=0, ddof=1)
    return block.loc[:, (variance >= options.min_variance).to_numpy()], variance, int(within.sum())


def _reference_cpgs(methylation: pd.DataFrame, reference: Cohort, limit: float) -> tuple[pd.DataFrame, dict]:
    """The reference's CpGs, in its order; those absent here (or filtered out) filled from the
    others (`cpg_filling`) with a warning of what that costs, unless more than `limit` of them.
    Returns the methylation and, where CpGs were filled, the provenance's record of them."""
    from .cpg_filling import fill_missing_cpgs, filling_cost

    missing = refuse_too_many_missing(methylation.columns, reference, limit)
    if not missing.any():
        return methylation.loc[:, list(reference.cpgs)], {}
    cost = filling_cost(methylation, reference)
    log.warning(
        "%s are absent here: filled from the others by a ridge regression on the reference; %s",
        _share(missing, reference),
        cost.describe(),
    )
    return fill_missing_cpgs(methylation, reference), {"cpgs_filled": int(missing.sum()), "cpg_filling": asdict(cost)}


def refuse_too_many_missing(present: pd.Index, reference: Cohort, limit: float) -> np.ndarray:
    """Which of the reference's CpGs are not `present`; an error if more than `limit` of them."""
    missing = ~pd.Index(reference.cpgs).isin(present)
    if missing.mean() > limit:
        raise TdimputeError(
            f"{_share(missing, reference)} are absent here or were filtered out, e.g. "
            f"{reference.cpgs[np.flatnonzero(missing)[0]]!r}: more than --max-missing-cpgs {limit:g} allows to fill"
        )
    return missing


def _share(missing: np.ndarray, reference: Cohort) -> str:
    return f"{missing.sum()} of the reference's {len(reference.cpgs)} CpGs ({missing.mean():.1%})"


def _restrict(frame: pd.DataFrame, features: np.ndarray, what: str) -> pd.DataFrame:
    missing = ~pd.Index(features).isin(frame.columns)
    if missing.any():
        raise TdimputeError(
            f"{missing.sum()} of the reference's {len(features)} {what}s are absent here or were "
            f"filtered out, e.g. {features[np.flatnonzero(missing)[0]]!r}"
        )
    return frame.loc[:, list(features)]


def quantile_target(reference: np.ndarray) -> np.ndarray:
    """The reference distribution: the mean of the samples' sorted values (rows are samples),
    as preprocessCore's normalize.quantiles.determine.target."""
    return np.sort(reference, axis=1).mean(axis=0)


def quantile_normalise(values: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Give each sample (row) the target distribution, keeping its order of values.

    As preprocessCore's normalize.quantiles.use.target: the value of rank r (of n) becomes the
    target's quantile (r - 1) / (n - 1), linearly interpolated when the target has another
    length; tied values share the quantile of their average rank.
    """
    n = values.shape[1]
    positions = (rankdata(values, axis=1, method="average") - 1) / max(n - 1, 1)
    grid = np.linspace(0.0, 1.0, len(target))
    return np.interp(positions, grid, np.sort(target))


def _onto_reference(
    methylation: pd.DataFrame, expression: pd.DataFrame, reference: Cohort
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quantile-normalise both omics of an external cohort onto the reference cohort's."""
    beta = quantile_normalise(methylation.to_numpy(np.float64), quantile_target(reference.methylation))
    methylation = pd.DataFrame(beta, index=methylation.index, columns=methylation.columns)
    present = expression.notna().all(axis=1).to_numpy()
    if present.any():
        target = quantile_target(reference.expression[reference.has_expression])
        expression = expression.copy()
        expression.iloc[present] = quantile_normalise(expression.to_numpy(np.float64)[present], target)
    return methylation, expression


def _clinical_table(samples: pd.Index, clinical: pd.DataFrame | None, cancer_type: str | None) -> pd.DataFrame:
    table = pd.DataFrame(index=samples)
    if clinical is not None:
        table = table.join(clinical, how="left")
    if cancer_type is not None:
        table["cancer_type"] = cancer_type
    if "cancer_type" not in table.columns or table["cancer_type"].isna().any():
        raise TdimputeError(
            "the cancer type of some samples is unknown: give --cancer-type or a clinical file "
            "with a cancer_type column covering every sample"
        )
    for column in ("os_time", "os_event"):
        if column not in table.columns:
            table[column] = np.nan
    ordered = ["cancer_type", "os_time", "os_event"]
    return table[ordered + [c for c in table.columns if c not in ordered]].reset_index(drop=True)
