"""The `tdimpute` command line: parse, call one library function, report.

Every command validates its inputs first; a problem is one line on stderr and exit status 1,
and no partial output is left (outputs are written under a temporary name, then renamed).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .choices import Choice, DuplicateSamples, LogTransform, MethylationValues, Orientation, Precision
from .download import PANCAN_HUB, TCGA_HUB
from .errors import TdimputeError
from .models import METHODS
from .models.training import CHECKPOINT_EVERY, PATIENCE
from .preprocess import PreprocessOptions

app = typer.Typer(
    name="tdimpute",
    help="Impute missing RNA-seq expression from DNA methylation by transfer learning "
    "(TDimpute), benchmark it against classic methods, and measure the effect downstream.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)
_state = {"debug": False}
log = logging.getLogger(__name__)

CohortOption = Annotated[Path, typer.Option("--cohort", help="Cohort file (HDF5) from preprocess or simulate.")]
CancerOption = Annotated[Optional[str], typer.Option("--cancer", help="Cancer type to use from a multi-cancer cohort.")]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Random seed; same inputs and seed give the same outputs on CPU.")
]
ImputedSplitOption = Annotated[Path, typer.Option("--split", help="The split the imputation was made for.")]
ImputedOption = Annotated[Path, typer.Option("--imputed", help="Imputed expression (TSV.gz).")]
MethodLabelOption = Annotated[Optional[str], typer.Option("--method", help="Method name recorded in the results.")]
Method = Choice("Method", {name: name for name in METHODS})
PREPROCESSING = PreprocessOptions()


def _limit_threads(threads: Optional[int]) -> int:
    from .threads import available_cpus, limit_threads

    if threads is None:
        threads = available_cpus()
    limit_threads(threads)
    return threads


# Parsing it (given or not) holds every thread pool to the number, before the command runs.
ThreadsOption = Annotated[
    Optional[int],
    typer.Option(
        "--threads",
        min=1,
        callback=_limit_threads,
        show_default=False,
        help=(
            "Threads to compute with, in TensorFlow, BLAS, OpenMP and tdimpute's own pools (default: the CPUs this "
            "process may run on)."
        ),
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tdimpute {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print warnings and errors only: no summary line, no progress.")
    ] = False,
) -> None:
    from .progress import configure_logging

    _state["debug"] = debug
    configure_logging(quiet)


def _cohort_line(cohort) -> str:
    """Samples per cancer type, and how many of them have no expression (are to impute)."""
    cancers = cohort.clinical["cancer_type"].to_numpy()
    lacking = ~cohort.has_expression
    per_cancer = ", ".join(f"{c} {int((cancers == c).sum())}" for c in cohort.cancer_types)
    return f"{len(cohort.samples)} samples ({per_cancer}), {int(lacking.sum())} without expression"


def _elapsed(start: float) -> str:
    seconds = time.monotonic() - start
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


@app.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Cohort file to write (HDF5).")],
    n_samples: Annotated[int, typer.Option("--n-samples", min=2)] = 300,
    n_cpgs: Annotated[int, typer.Option("--n-cpgs", min=1)] = 400,
    n_genes: Annotated[int, typer.Option("--n-genes", min=1)] = 100,
    n_cancers: Annotated[int, typer.Option("--n-cancers", min=1)] = 3,
    missing_fraction: Annotated[
        float, typer.Option("--missing-fraction", help="Share of samples whose expression is missing.")
    ] = 0.0,
    seed: SeedOption = 0,
    threads: ThreadsOption = None,
) -> None:
    """Write a synthetic paired cohort with known methylation -> expression structure."""
    from .cohort import write_cohort
    from .simulate import simulate_cohort

    cohort = simulate_cohort(
        n_samples=n_samples,
        n_cpgs=n_cpgs,
        n_genes=n_genes,
        n_cancers=n_cancers,
        missing_fraction=missing_fraction,
        seed=seed,
    )
    write_cohort(cohort, out)
    log.info("simulate: %s: %s; %d CpGs, %d genes", out, _cohort_line(cohort), len(cohort.cpgs), len(cohort.genes))


@app.command()
def validate(
    cohort: Annotated[Path, typer.Argument(help="Cohort file to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
    cancer: CancerOption = None,
    threads: ThreadsOption = None,
) -> None:
    """Check a cohort file; print its summary (of one cancer type's samples with --cancer)."""
    from .cohort import read_cohort

    summary = read_cohort(cohort, cancer).summary()
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        for key, value in summary.items():
            typer.echo(f"{key}: {', '.join(value) if isinstance(value, list) else value}")


@app.command()
def download(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the files into.")],
    cohort: Annotated[
        Optional[list[str]],
        typer.Option(
            "--cohort", help="A TCGA cohort (e.g. LUAD): its methylation, expression and clinical matrices; repeatable."
        ),
    ] = None,
    pancan: Annotated[
        bool,
        typer.Option(
            "--pancan", help="The Pan-Cancer Atlas methylation, expression, survival and phenotype files (tens of GB)."
        ),
    ] = False,
    survival: Annotated[
        bool,
        typer.Option(
            "--survival",
            help="The Pan-Cancer Atlas survival table alone (survival and cancer type of every TCGA sample).",
        ),
    ] = False,
    tcga_hub: Annotated[
        str, typer.Option("--tcga-hub", help="Base URL of the per-cohort files (a mirror).")
    ] = TCGA_HUB,
    pancan_hub: Annotated[
        str, typer.Option("--pancan-hub", help="Base URL of the Pan-Cancer Atlas files (a mirror).")
    ] = PANCAN_HUB,
    retries: Annotated[int, typer.Option("--retries", min=1, help="Attempts per file before giving up.")] = 5,
    threads: ThreadsOption = None,
) -> None:
    """Download TCGA files from UCSC Xena: resumable, retried, size-checked, renamed when whole.
    A samplesheet of what was downloaded (OUT/samplesheet.csv) is written for preprocess."""
    from .download import download_cohorts

    if not (cohort or pancan or survival):
        raise TdimputeError("nothing to download: give --cohort, --pancan or --survival")
    started = time.monotonic()
    sheet = download_cohorts(
        out, cohort or [], pancan=pancan, survival=survival, tcga_hub=tcga_hub, pancan_hub=pancan_hub, retries=retries
    )
    files = sorted(p.name for p in out.iterdir() if p.is_file() and not p.name.endswith(".part"))
    log.info(
        "download: %d files in %s (%s)%s",
        len(files),
        out,
        _elapsed(started),
        f"; preprocess --samplesheet {sheet}" if sheet else "",
    )


@app.command()
def preprocess(
    out: Annotated[Path, typer.Option("--out", help="Cohort file to write (HDF5).")],
    methylation: Annotated[
        Optional[Path],
        typer.Option("--methylation", help="Beta (or M-) values: Xena TSV (CpGs x samples) or CSV (samples x CpGs)."),
    ] = None,
    expression: Annotated[
        Optional[Path],
        typer.Option(
            "--expression", help="Expression: Xena TSV (genes x samples) or CSV (samples x genes); raw or log2(x+1)."
        ),
    ] = None,
    samplesheet: Annotated[
        Optional[Path],
        typer.Option(
            "--samplesheet",
            help=(
                "CSV of cohorts (cohort,methylation,expression,clinical) to pool, instead of "
                "--methylation/--expression; or a folder written by download."
            ),
        ),
    ] = None,
    staged: Annotated[
        Optional[Path],
        typer.Option(
            "--staged",
            help="The samplesheet's files were staged here: its k-th file as STAGED/k/<name> (pipeline tasks).",
        ),
    ] = None,
    clinical: Annotated[
        Optional[Path],
        typer.Option(
            "--clinical", help="Clinical table (sample, cancer_type, os_time, os_event; Xena names accepted)."
        ),
    ] = None,
    cancer_type: Annotated[Optional[str], typer.Option("--cancer-type", help="Cancer type of every sample.")] = None,
    log_transform: Annotated[
        LogTransform,
        typer.Option(
            "--log-transform", help="Apply log2(x+1) to expression: yes, no, or auto (when its values are raw)."
        ),
    ] = PREPROCESSING.log_transform,
    min_variance: Annotated[
        float, typer.Option("--min-variance", help="Keep CpGs with variance >= this (the paper's default).")
    ] = PREPROCESSING.min_variance,
    top_cpgs: Annotated[
        Optional[int], typer.Option("--top-cpgs", help="Keep at most this many most variable CpGs.")
    ] = None,
    max_na_fraction: Annotated[
        float,
        typer.Option("--max-na-fraction", help="Drop CpGs with a larger share of NA; fill the rest with the CpG mean."),
    ] = PREPROCESSING.max_na_fraction,
    reference: Annotated[
        Optional[Path], typer.Option("--reference", help="Cohort whose CpG and gene lists this one must use.")
    ] = None,
    quantile_normalise: Annotated[
        bool,
        typer.Option(
            "--quantile-normalise",
            help="Quantile-normalise both omics onto the --reference cohort (an external cohort before transfer).",
        ),
    ] = False,
    max_missing_cpgs: Annotated[
        float,
        typer.Option(
            "--max-missing-cpgs",
            min=0.0,
            max=1.0,
            help="With --reference: the largest share of its CpGs that may be absent here; they are filled from "
            "the others by a ridge regression on the reference, with a warning of what that costs.",
        ),
    ] = PREPROCESSING.max_missing_cpgs,
    orientation: Annotated[
        Orientation, typer.Option("--orientation", help="How the matrices lie; auto: told from the ids.")
    ] = Orientation.AUTO,
    per_cancer: Annotated[
        Optional[Path],
        typer.Option(
            "--per-cancer",
            help="Also write each cancer type's samples as FOLDER/<cancer>.h5 (the same features as the pool).",
        ),
    ] = None,
    methylation_values: Annotated[
        MethylationValues,
        typer.Option(
            "--methylation-values",
            help="beta, m (M-values, converted to beta) or auto (beta in [0, 1], M-values when centred on 0).",
        ),
    ] = PREPROCESSING.methylation_values,
    duplicate_samples: Annotated[
        DuplicateSamples,
        typer.Option(
            "--duplicate-samples",
            help=(
                "Replicate aliquots (ids that normalise to one sample): first (keep the first, as TCGA keeps one "
                "aliquot), mean (average them) or error."
            ),
        ),
    ] = PREPROCESSING.duplicate_samples,
    threads: ThreadsOption = None,
) -> None:
    """Turn methylation and expression matrices (or a samplesheet of cohorts) into a cohort file
    (the paper's filters): the pan-cancer pool, and with --per-cancer one file per cancer."""
    from .cohort import read_cohort, write_cohort
    from .preprocess import PreprocessOptions, preprocess_files, summary_line

    options = PreprocessOptions(
        log_transform=log_transform,
        min_variance=min_variance,
        top_cpgs=top_cpgs,
        max_na_fraction=max_na_fraction,
        quantile_normalise=quantile_normalise,
        max_missing_cpgs=max_missing_cpgs,
        methylation_values=methylation_values,
        duplicate_samples=duplicate_samples,
    )
    if samplesheet is not None:
        from .samplesheet import preprocess_pool, read_samplesheet

        if methylation or expression or clinical or cancer_type:
            raise TdimputeError("--samplesheet replaces --methylation, --expression, --clinical and --cancer-type")
        sources = read_samplesheet(samplesheet, staged)
        cohort = preprocess_pool(
            sources,
            options,
            orientation,
            provenance={
                "samplesheet": str(samplesheet),
                "source_files": [str(p) for s in sources for p in (s.methylation, s.expression, s.clinical) if p],
            },
            reference=read_cohort(reference) if reference else None,
        )
    elif methylation is None or expression is None:
        raise TdimputeError("give --methylation and --expression, or --samplesheet")
    else:
        cohort = preprocess_files(
            methylation,
            expression,
            clinical,
            cancer_type,
            options,
            orientation,
            reference=read_cohort(reference) if reference else None,
        )
    write_cohort(cohort, out)
    for cancer in cohort.cancer_types if per_cancer else []:
        write_cohort(cohort.select_cancer(cancer), per_cancer / f"{cancer}.h5")
    log.info("preprocess: %s: %s; %s", out, _cohort_line(cohort), summary_line(cohort))


@app.command()
def select(
    cohort: CohortOption,
    cancer: Annotated[str, typer.Option("--cancer", help="The cancer type to keep.")],
    out: Annotated[Path, typer.Option("--out", help="Cohort file to write (HDF5).")],
    threads: ThreadsOption = None,
) -> None:
    """Write one cancer type's samples of a cohort as a cohort of their own (the same CpGs and
    genes), so that the tasks of that cancer stage and read only them."""
    from .cohort import read_cohort, write_cohort

    selected = read_cohort(cohort, cancer)
    write_cohort(selected, out)
    log.info("select: %s: %s", out, _cohort_line(selected))


@app.command()
def export(
    cohort: CohortOption,
    out: Annotated[Path, typer.Option("--out", help="Matrix file to write (TSV.gz, features as rows).")],
    cancer: CancerOption = None,
    methylation: Annotated[
        bool, typer.Option("--methylation", help="Every sample's methylation instead of the measured expression.")
    ] = False,
    threads: ThreadsOption = None,
) -> None:
    """Write the measured expression of a cohort's samples that have RNA-seq (or, with
    --methylation, every sample's methylation) as a Xena-like table: features as rows,
    samples as columns, to read it without HDF5."""
    import pandas as pd

    from .cohort import read_cohort
    from .io import write_expression

    read = read_cohort(cohort, cancer)
    if methylation:
        matrix = pd.DataFrame(read.methylation, index=read.samples, columns=read.cpgs)
    else:
        measured = read.has_expression
        matrix = pd.DataFrame(read.expression[measured], index=read.samples[measured], columns=read.genes)
    write_expression(matrix, out)
    log.info("export: %s: %d samples x %d %s", out, *matrix.shape, "CpGs" if methylation else "genes")


@app.command()
def split(
    cohort: CohortOption,
    missing_rate: Annotated[
        float, typer.Option("--missing-rate", help="Share of the samples with both omics held out as test.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Split file to write (JSON).")],
    cancer: CancerOption = None,
    replicate: Annotated[int, typer.Option("--replicate", min=1)] = 1,
    seed: SeedOption = 0,
    min_train: Annotated[int, typer.Option("--min-train", help="Fewest training samples accepted.")] = 5,
    min_test: Annotated[int, typer.Option("--min-test", help="Fewest test samples accepted.")] = 1,
    threads: ThreadsOption = None,
) -> None:
    """Draw the train/test split that every method of one study reads."""
    from .cohort import read_cohort
    from .splits import make_split

    made = make_split(
        read_cohort(cohort, cancer),
        missing_rate,
        replicate=replicate,
        seed=seed,
        cancer=cancer,
        min_train=min_train,
        min_test=min_test,
    )
    made.save(out)
    log.info(
        "split: %s: %s replicate %d, %d training and %d test samples (missing rate %g)",
        out,
        cancer or "every cancer",
        replicate,
        len(made.train),
        len(made.test),
        missing_rate,
    )


def _given(**options) -> dict:
    """The options the user set; typer passes None (or an empty list) for the others."""
    return {name: value for name, value in options.items() if value not in (None, [])}


EpochsOption = Annotated[Optional[int], typer.Option("--epochs", min=1, help="Training epochs (network methods).")]
BatchOption = Annotated[Optional[int], typer.Option("--batch-size", min=1, help="Mini-batch size (network methods).")]
HiddenOption = Annotated[
    Optional[list[int]], typer.Option("--hidden", help="Hidden layer size; repeat for more layers (network methods).")
]
RateOption = Annotated[Optional[float], typer.Option("--learning-rate", help="Adam learning rate (network methods).")]
DecayOption = Annotated[
    Optional[float],
    typer.Option(
        "--weight-decay",
        min=0.0,
        help=(
            "Fine-tuning (tdimpute, tdimpute-plus's fine-tuned network): pull the weights toward the pretrained ones "
            "with this strength (L2-SP, decoupled as AdamW's decay; 0: off, as the paper)."
        ),
    ),
]
PrecisionOption = Annotated[
    Optional[Precision],
    typer.Option(
        "--precision", help="Training arithmetic: auto (bfloat16 where the hardware has it), float32 or bfloat16."
    ),
]
ValidationOption = Annotated[
    Optional[float],
    typer.Option(
        "--validation-fraction",
        min=0.0,
        max=0.9,
        help=(
            "Hold out this share of the training samples and stop early when their loss stops improving (0: off, as "
            "the paper)."
        ),
    ),
]
PatienceOption = Annotated[
    Optional[int],
    typer.Option(
        "--patience", min=1, help=f"Early stopping: epochs without a better validation loss (default {PATIENCE})."
    ),
]
CheckpointOption = Annotated[
    Optional[Path],
    typer.Option(
        "--checkpoint-dir",
        help=(
            "Write training checkpoints here (every --checkpoint-every epochs and on SIGTERM) and resume from one "
            "found here."
        ),
    ),
]
CheckpointEveryOption = Annotated[
    Optional[int],
    typer.Option("--checkpoint-every", min=1, help=f"Epochs between checkpoints (default {CHECKPOINT_EVERY})."),
]


def _default(method: str, option: str) -> str:
    """A method's default for an option, as its estimator declares it."""
    value = METHODS[method].defaults()[option]
    return " and ".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _training_options(precision, validation_fraction, patience, checkpoint_dir, checkpoint_every) -> dict:
    return _given(
        precision=precision,
        validation_fraction=validation_fraction,
        patience=patience,
        checkpoint_dir=str(checkpoint_dir) if checkpoint_dir else None,
        checkpoint_every=checkpoint_every,
    )


@app.command()
def pretrain(
    cohort: CohortOption,
    out: Annotated[Path, typer.Option("--out", help="Model folder to write.")],
    exclude_cancer: Annotated[
        Optional[str], typer.Option("--exclude-cancer", help="Target cancer left out of the pool.")
    ] = None,
    epochs: EpochsOption = None,
    batch_size: BatchOption = None,
    hidden: HiddenOption = None,
    learning_rate: RateOption = None,
    precision: PrecisionOption = None,
    validation_fraction: ValidationOption = None,
    patience: PatienceOption = None,
    checkpoint_dir: CheckpointOption = None,
    checkpoint_every: CheckpointEveryOption = None,
    seed: SeedOption = 0,
    threads: ThreadsOption = None,
) -> None:
    """Train the pan-cancer network on every cancer but the target (the paper's training: tdimpute methods)."""
    from .cohort import read_cohort
    from .operations import pretrain as run

    started = time.monotonic()
    model = run(
        read_cohort(cohort),
        exclude_cancer,
        {
            **_given(epochs=epochs, batch_size=batch_size, hidden=hidden, learning_rate=learning_rate, seed=seed),
            **_training_options(precision, validation_fraction, patience, checkpoint_dir, checkpoint_every),
        },
    )
    model.save(out)
    log.info(
        "pretrain: %s: %s, %d training samples%s, final loss %.5f, %s",
        out,
        model.describe(),
        model.n_training_,
        f" (without {exclude_cancer})" if exclude_cancer else "",
        model.history_[-1],
        _elapsed(started),
    )


@app.command()
def fit(
    method: Annotated[Method, typer.Option("--method", help="The method to fit (tdimpute methods).")],
    cohort: CohortOption,
    out: Annotated[Path, typer.Option("--out", help="Model folder to write.")],
    cancer: CancerOption = None,
    split_file: Annotated[
        Optional[Path], typer.Option("--split", help="Split file; without it every sample with expression trains.")
    ] = None,
    pretrained: Annotated[
        Optional[Path],
        typer.Option(
            "--pretrained",
            help="Pretrained model folder (tdimpute, tdimpute-notf; tdimpute-plus fine-tunes it when given).",
        ),
    ] = None,
    epochs: EpochsOption = None,
    batch_size: BatchOption = None,
    hidden: HiddenOption = None,
    learning_rate: RateOption = None,
    weight_decay: DecayOption = None,
    alpha: Annotated[Optional[float], typer.Option("--alpha", help="Regularisation strength (lasso).")] = None,
    rank: Annotated[Optional[int], typer.Option("--rank", help="SVD rank (svd).")] = None,
    k: Annotated[Optional[int], typer.Option("--k", help="Number of donors (tobmi; default floor(sqrt(n))).")] = None,
    network: Annotated[
        Optional[bool],
        typer.Option(
            "--network/--no-network", help="tdimpute-plus: stack its networks on the linear path (default) or not."
        ),
    ] = None,
    folds: Annotated[
        Optional[int],
        typer.Option(
            "--folds",
            min=2,
            help=(
                "tdimpute-plus: cross-validation folds, for its Lasso's alpha, its stacking and its networks "
                f"(default {_default('tdimpute-plus', 'folds')})."
            ),
        ),
    ] = None,
    mlp_hidden: Annotated[
        Optional[list[int]],
        typer.Option(
            "--mlp-hidden",
            min=1,
            help=(
                "tdimpute-plus: a width of its standardised network to choose from; repeatable (default "
                f"{_default('tdimpute-plus', 'mlp_hidden')})."
            ),
        ),
    ] = None,
    mlp_weight_decay: Annotated[
        Optional[list[float]],
        typer.Option(
            "--mlp-weight-decay",
            min=0.0,
            help=(
                "tdimpute-plus: a weight decay of its standardised network to choose from; repeatable (default "
                f"{_default('tdimpute-plus', 'mlp_weight_decay')})."
            ),
        ),
    ] = None,
    mlp_epochs: Annotated[
        Optional[int],
        typer.Option(
            "--mlp-epochs",
            min=1,
            help=(
                "tdimpute-plus: most epochs of its standardised network, which stops early (default "
                f"{_default('tdimpute-plus', 'mlp_epochs')})."
            ),
        ),
    ] = None,
    reliability_folds: Annotated[
        int,
        typer.Option(
            "--reliability-folds",
            min=0,
            help=(
                "Also estimate each gene's accuracy on training samples held out by this many folds, refitting the "
                "method once per fold (0: no). tdimpute-plus takes its own cross-validation folds instead, "
                "tdimpute-notf its whole training set, without refitting."
            ),
        ),
    ] = 0,
    precision: PrecisionOption = None,
    validation_fraction: ValidationOption = None,
    patience: PatienceOption = None,
    checkpoint_dir: CheckpointOption = None,
    checkpoint_every: CheckpointEveryOption = None,
    seed: SeedOption = 0,
    threads: ThreadsOption = None,
) -> None:
    """Fit one method on the training samples of a split, the same way for every method."""
    from .cohort import read_cohort
    from .operations import fit_method, target_cancer, training_rows
    from .splits import Split

    loaded_split = Split.load(split_file) if split_file else None
    target = read_cohort(cohort, target_cancer(cancer, loaded_split))
    params = _given(
        epochs=epochs,
        batch_size=batch_size,
        hidden=hidden,
        learning_rate=learning_rate,
        weight_decay=weight_decay,
        pretrained=str(pretrained) if pretrained else None,
        alpha=alpha,
        rank=rank,
        k=k,
        network=network,
        folds=folds,
        mlp_hidden=mlp_hidden,
        mlp_weight_decay=mlp_weight_decay,
        mlp_epochs=mlp_epochs,
    )
    params.update(_training_options(precision, validation_fraction, patience, checkpoint_dir, checkpoint_every))
    started = time.monotonic()
    model = fit_method(method.value, target, loaded_split, params, seed=seed, reliability_folds=reliability_folds)
    model.save(out)
    log.info(
        "fit: %s: %s (%s), %d training samples%s, %s",
        out,
        method,
        model.describe(),
        len(training_rows(target, loaded_split)),
        ", with per-gene reliability" if reliability_folds else "",
        _elapsed(started),
    )


@app.command()
def impute(
    model: Annotated[Path, typer.Option("--model", help="Fitted or pretrained model folder.")],
    cohort: CohortOption,
    out: Annotated[Path, typer.Option("--out", help="Imputed expression to write (TSV.gz, genes x samples).")],
    cancer: CancerOption = None,
    split_file: Annotated[
        Optional[Path],
        typer.Option(
            "--split", help="Impute the split's test samples; without it, the samples that have no expression."
        ),
    ] = None,
    reliability: Annotated[
        Optional[Path],
        typer.Option(
            "--reliability",
            help="Also write the model's per-gene reliability table here (fit it with --reliability-folds).",
        ),
    ] = None,
    interval: Annotated[
        Optional[float],
        typer.Option(
            "--interval",
            min=0.0,
            max=1.0,
            help="Also write lower and upper bounds that cover each true value with this probability, beside --out "
            "as NAME.lower.tsv.gz and NAME.upper.tsv.gz (split-conformal on the held-out residuals of a model "
            "fitted with --reliability-folds).",
        ),
    ] = None,
    threads: ThreadsOption = None,
) -> None:
    """Impute expression from methylation with a fitted model."""
    from .cohort import read_cohort
    from .files import write_tsv
    from .io import write_expression
    from .models import load_model
    from .operations import impute as run
    from .operations import target_cancer
    from .splits import Split

    loaded_split = Split.load(split_file) if split_file else None
    target = read_cohort(cohort, target_cancer(cancer, loaded_split))
    fitted = load_model(model)
    if reliability is not None and fitted.reliability_ is None:
        raise TdimputeError(f"the model in {model} has no reliability table: fit it with --reliability-folds")
    if interval is not None and fitted.residuals_ is None:
        raise TdimputeError(f"the model in {model} has no held-out residuals: fit it with --reliability-folds")
    imputed = run(fitted, target, loaded_split)
    if interval is not None:
        from .uncertainty import bound_paths, intervals

        for bound, path in zip(intervals(imputed, fitted.residuals_, interval), bound_paths(out)):
            write_expression(bound, path)
    if reliability is not None:
        write_tsv(fitted.reliability_, reliability, index=False)
    write_expression(imputed, out)
    log.info(
        "impute: %s: %d samples x %d genes by %s%s",
        out,
        *imputed.shape,
        fitted.method,
        f"; reliability in {reliability}" if reliability is not None else "",
    )


@app.command()
def evaluate(
    cohort: CohortOption,
    split_file: ImputedSplitOption,
    imputed: ImputedOption,
    out: Annotated[
        Path, typer.Option("--out", help="Metrics to write (JSON); per-gene metrics go beside it as .genes.tsv.")
    ],
    method: MethodLabelOption = None,
    intervals: Annotated[
        bool,
        typer.Option(
            "--intervals",
            help="Also the coverage and mean width of the bounds impute --interval wrote beside --imputed.",
        ),
    ] = False,
    threads: ThreadsOption = None,
) -> None:
    """RMSE, MAE and R^2 of an imputation (and the coverage of its intervals) against the hidden
    truth of the split's test samples."""
    from .cohort import read_cohort
    from .files import write_json, write_tsv
    from .io import read_expression
    from .operations import evaluate as run
    from .splits import Split
    from .uncertainty import bound_paths

    loaded_split = Split.load(split_file)
    bounds = [read_expression(path) for path in bound_paths(imputed)] if intervals else None
    metrics, per_gene = run(read_cohort(cohort, loaded_split.cancer), loaded_split, read_expression(imputed), bounds)
    if method:
        metrics = {"method": method, **metrics}
    write_tsv(per_gene, out.with_name(out.name.removesuffix(".json") + ".genes.tsv"), index=False)
    write_json(out, metrics)
    log.info(
        "evaluate: %s: RMSE %.4f, MAE %.4f, R² %.4f per sample (the paper's), %.4f per gene (mean; "
        "median %.4f) over %d samples x %d genes",
        out,
        metrics["rmse"],
        metrics["mae"],
        metrics["r2"],
        metrics["gene_r2_mean"],
        metrics["gene_r2_median"],
        metrics["n_samples"],
        metrics["n_genes"],
    )


@app.command()
def downstream(
    cohort: CohortOption,
    split_file: ImputedSplitOption,
    imputed: ImputedOption,
    out: Annotated[Path, typer.Option("--out", help="Folder to write: downstream.json, tables, Kaplan-Meier curves.")],
    method: MethodLabelOption = None,
    prognostic_genes: Annotated[
        Optional[Path],
        typer.Option("--prognostic-genes", help="Known prognostic genes, one per line (enrichment factor)."),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=2, help="Size of the top gene and pair lists.")] = 100,
    seed: SeedOption = 0,
    threads: ThreadsOption = None,
) -> None:
    """Driver genes, prognostic genes, clusters and survival from true vs imputed expression."""
    from .cohort import read_cohort
    from .downstream.kaplan_meier import kaplan_meier_curves
    from .files import atomic_path, write_json, write_tsv
    from .io import read_expression
    from .operations import downstream as run
    from .splits import Split

    known = None
    if prognostic_genes is not None:
        if not prognostic_genes.is_file():
            raise TdimputeError(f"prognostic gene list not found: {prognostic_genes}")
        known = [g.strip() for g in prognostic_genes.read_text().splitlines() if g.strip()]
    loaded_split = Split.load(split_file)
    summary, tables = run(
        read_cohort(cohort, loaded_split.cancer), loaded_split, read_expression(imputed), known, top=top, seed=seed
    )
    if method:
        summary = {"method": method, **summary}
    with atomic_path(out, directory=True) as tmp:
        write_json(tmp / "downstream.json", summary)
        for name, table in tables.items():
            write_tsv(table, tmp / f"{name}.tsv", index=name != "clusters")
        write_tsv(
            kaplan_meier_curves(tables["clusters"], {"cluster_true": "true", "cluster_imputed": "imputed"}),
            tmp / "kaplan_meier.tsv",
            index=False,
        )
    log.info(
        "downstream: %s: %d samples x %d genes; cluster log-rank p %.2g true, %.2g imputed",
        out,
        summary["n_samples"],
        summary["n_genes"],
        summary["cluster_logrank_p_true"],
        summary["cluster_logrank_p_imputed"],
    )


@app.command()
def complete(
    cohort: CohortOption,
    imputed: ImputedOption,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder to write: completed expression, Cox table, clusters, Kaplan-Meier curves, summary."
        ),
    ],
    cancer: CancerOption = None,
    top: Annotated[
        int, typer.Option("--top", min=2, help="Number of most prognostic genes to cluster the samples on.")
    ] = 100,
    model: Annotated[
        Optional[Path],
        typer.Option(
            "--model", help="The model that imputed, fitted with --reliability-folds: its held-out residuals."
        ),
    ] = None,
    multiple_imputations: Annotated[
        int,
        typer.Option(
            "--multiple-imputations",
            min=0,
            help="Also fit the Cox model on this many cohorts completed with residuals drawn from --model's, "
            "pooled by Rubin's rules (0: no).",
        ),
    ] = 0,
    seed: SeedOption = 0,
    threads: ThreadsOption = None,
) -> None:
    """Fill the samples without expression from an imputation; Cox regression of every gene
    (also pooled over multiple imputations) and survival of two K-means clusters on the
    completed cohort."""
    from .cohort import read_cohort
    from .downstream.kaplan_meier import kaplan_meier_curves
    from .files import atomic_path, write_json, write_tsv
    from .io import read_expression, write_expression
    from .models.base import saved_residuals
    from .operations import complete as run

    residuals = saved_residuals(model) if model is not None and multiple_imputations else None
    completed, tables, summary = run(
        read_cohort(cohort, cancer),
        read_expression(imputed),
        top=top,
        seed=seed,
        residuals=residuals,
        draws=multiple_imputations,
    )
    with atomic_path(out, directory=True) as tmp:
        write_expression(completed, tmp / "completed_expression.tsv.gz")
        write_tsv(tables["prognosis"], tmp / "prognosis.tsv")
        write_tsv(tables["clusters"], tmp / "clusters.tsv", index=False)
        write_tsv(
            kaplan_meier_curves(tables["clusters"], {"cluster": "completed"}), tmp / "kaplan_meier.tsv", index=False
        )
        write_json(tmp / "completed.json", summary)
    log.info(
        "complete: %s: %d samples (%d imputed) x %d genes; %d prognostic genes (p <= 0.05), cluster log-rank p %.2g",
        out,
        summary["n_samples"],
        summary["n_imputed"],
        completed.shape[1],
        summary["n_prognostic_genes_p05"],
        summary["cluster_logrank_p"],
    )


@app.command()
def summarize(
    results: Annotated[
        list[Path], typer.Argument(help="JSON files written by evaluate or downstream (with --method).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Mean and SD per cancer, missing rate and method (TSV).")],
    runs: Annotated[Optional[Path], typer.Option("--runs", help="Also write one row per file (TSV).")] = None,
    threads: ThreadsOption = None,
) -> None:
    """Gather the per-run results of a benchmark into tables."""
    from .files import write_tsv
    from .summary import collect_runs, summarize_runs

    table = collect_runs(results)
    summary = summarize_runs(table)
    if runs is not None:
        write_tsv(table, runs, index=False)
    write_tsv(summary, out, index=False)
    log.info("summarize: %s: %d runs in %d rows", out, len(table), len(summary))


@app.command("report-data")
def report_data(
    out: Annotated[Path, typer.Option("--out", help="Folder of MultiQC custom content to write.")],
    cohort_summary: Annotated[
        Optional[list[Path]],
        typer.Option("--cohort-summary", help="Cohort summary JSON (validate --json); repeatable."),
    ] = None,
    accuracy: Annotated[Optional[Path], typer.Option("--accuracy", help="summarize table of the evaluations.")] = None,
    downstream_summary: Annotated[
        Optional[Path], typer.Option("--downstream", help="summarize table of the downstream analyses.")
    ] = None,
    model: Annotated[
        Optional[list[Path]],
        typer.Option(
            "--model",
            help=(
                "A model's model.json (or NAME.model.json), for its training curve and, of tdimpute-plus, its "
                "choices; repeatable."
            ),
        ),
    ] = None,
    completed: Annotated[
        Optional[list[Path]], typer.Option("--completed", help="A folder written by complete; repeatable.")
    ] = None,
    reliability: Annotated[
        Optional[list[Path]],
        typer.Option("--reliability", help="A <run>.reliability.tsv written by impute; repeatable."),
    ] = None,
    downstream_run: Annotated[
        Optional[list[Path]],
        typer.Option(
            "--downstream-run",
            help="A folder written by downstream (with --method), for its clusters' Kaplan-Meier curves; repeatable.",
        ),
    ] = None,
    versions_file: Annotated[
        Optional[Path], typer.Option("--versions", help="The run's software_versions.yml.")
    ] = None,
    parameters: Annotated[Optional[Path], typer.Option("--parameters", help="The run's parameters (JSON).")] = None,
    threads: ThreadsOption = None,
) -> None:
    """Turn a run's outputs into the sections of its MultiQC report."""
    from .files import atomic_path
    from .report import ReportInputs, write_report_data

    inputs = ReportInputs(
        cohorts=cohort_summary or [],
        accuracy=accuracy,
        downstream=downstream_summary,
        models=model or [],
        completed=completed or [],
        reliability=reliability or [],
        downstream_runs=downstream_run or [],
        versions=versions_file,
        parameters=parameters,
    )
    for path in [
        *inputs.cohorts,
        *inputs.models,
        *inputs.completed,
        *inputs.reliability,
        *inputs.downstream_runs,
        *(p for p in (accuracy, downstream_summary, versions_file, parameters) if p),
    ]:
        if not path.exists():
            raise TdimputeError(f"{path} does not exist")
    with atomic_path(out, directory=True) as tmp:
        written = write_report_data(inputs, tmp)
    log.info("report-data: %s: %d sections", out, len(written))


@app.command()
def methods(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the table as JSON (what assets/methods.json holds).")
    ] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print each method's defaults as the Markdown table of docs/usage.md.")
    ] = False,
) -> None:
    """List the imputation methods: what each is, whether it starts from the pretrained network
    or trains a network, and its hyper-parameters with their defaults."""
    from .models import method_table
    from .models.registry import defaults_markdown

    table = method_table()
    if as_json or markdown:
        typer.echo(json.dumps(table, indent=2) if as_json else defaults_markdown(), nl=as_json)
        return
    for entry in table:
        needs = [
            need
            for need, flag in (
                ("starts from the pretrained network", entry["uses_pretrained"]),
                ("a network: a GPU helps", entry["trains_network"]),
            )
            if flag
        ]
        typer.echo(f"{entry['name']}: {entry['description']}" + (f" [{'; '.join(needs)}]" if needs else ""))
        defaults = ", ".join(f"{option} {value}" for option, value in entry["options"].items() if value is not None)
        typer.echo(f"    defaults: {defaults or 'none'}")


@app.command()
def versions(
    process: Annotated[str, typer.Option("--process", help="Process name heading the YAML.")] = "tdimpute",
) -> None:
    """Print the versions of tdimpute and its scientific stack as a Nextflow versions.yml."""
    from .versions import versions_yaml

    typer.echo(versions_yaml(process), nl=False)


OUT_OF_MEMORY_EXIT = 137  # as if the kernel had killed the task for memory: pipelines retry it


def main() -> None:
    """Entry point: run the app, turning bad input (the library's `ValueError`s) into one line
    and exit status 1, an interrupted training into 143, running out of (GPU) memory into exit
    status 137, and any other exception into one line naming its type and exit status 1
    (`--debug` shows the traceback instead)."""
    from .models.training import Interrupted

    try:
        app()
    except (ValueError, Interrupted) as exc:
        _fail(exc, f"Error: {_first_line(exc)}", getattr(exc, "exit_code", 1))
    except Exception as exc:
        if _out_of_memory(exc):
            _fail(exc, f"Error: out of memory: {_first_line(exc)}", OUT_OF_MEMORY_EXIT)
        _fail(exc, f"Error: {type(exc).__name__}: {_first_line(exc)} (tdimpute --debug shows the traceback)", 1)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def _fail(exc: Exception, line: str, exit_code: int) -> None:
    if _state["debug"]:
        raise exc
    typer.echo(line, err=True)
    sys.exit(exit_code)


def _out_of_memory(exc: Exception) -> bool:
    """A MemoryError, or TensorFlow's ResourceExhaustedError (a GPU's memory is full)."""
    tensorflow = sys.modules.get("tensorflow")
    exhausted = tensorflow.errors.ResourceExhaustedError if tensorflow is not None else ()
    return isinstance(exc, (MemoryError, exhausted))


if __name__ == "__main__":
    main()
