"""Synthetic paired cohorts with known structure, for tests, demos and scale benchmarks.

The generative model, per sample s of cancer c:

    z_s      ~ N(mu_c, I_k)                                 latent biology, cancer-shifted
    beta_s   = sigmoid(b + O_c + z_s L + e),   e ~ N(0, 0.3)    methylation (beta values)
    h_s      = tanh((beta_s - 0.5) (W + W_c))                  non-linear methylation features;
                                                              W shared, W_c cancer-specific
    expr_s   = softplus(a + s * (h_s V) + u),  u ~ N(0, 0.3)   log2 expression, >= 0

so expression is a learnable, non-linear function of methylation whose structure is largely
shared across cancers (what transfer learning exploits). Overall survival follows an
exponential model whose log-hazard is linear in a few standardised "prognostic" genes,
recorded in the provenance for tests of the downstream analyses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import __version__
from .cohort import Cohort
from .errors import TdimputeError

TCGA_NAMES = (
    "BRCA",
    "LUAD",
    "KIRC",
    "THCA",
    "HNSC",
    "PRAD",
    "LGG",
    "SKCM",
    "BLCA",
    "LIHC",
    "LUSC",
    "STAD",
    "CESC",
    "COAD",
    "KIRP",
    "SARC",
    "UCEC",
)


def simulate_cohort(
    n_samples: int = 300,
    n_cpgs: int = 400,
    n_genes: int = 100,
    n_cancers: int = 3,
    missing_fraction: float = 0.0,
    n_latent: int = 8,
    n_hidden: int = 16,
    cancer_specificity: float = 0.4,
    seed: int = 0,
) -> Cohort:
    """Draw a cohort; identical arguments give identical arrays."""
    if min(n_samples, n_cpgs, n_genes, n_cancers) < 1:
        raise TdimputeError("n_samples, n_cpgs, n_genes and n_cancers must all be >= 1")
    if n_samples < 2 * n_cancers:
        raise TdimputeError(f"{n_samples} samples are too few for {n_cancers} cancer types")
    if not 0 <= missing_fraction < 1:
        raise TdimputeError(f"missing fraction must be in [0, 1), got {missing_fraction}")
    rng = np.random.default_rng(seed)
    cancer = rng.permutation(np.arange(n_samples) % n_cancers)
    names = np.array([_cancer_name(i) for i in range(n_cancers)], dtype=object)

    latent = rng.normal(size=(n_samples, n_latent)) + rng.normal(size=(n_cancers, n_latent))[cancer]
    loadings = rng.normal(scale=1.5 / np.sqrt(n_latent), size=(n_latent, n_cpgs))
    cpg_base = rng.normal(scale=1.5, size=n_cpgs)
    cpg_cancer = rng.normal(scale=0.5, size=(n_cancers, n_cpgs))
    logits = cpg_base + cpg_cancer[cancer] + latent @ loadings
    logits += rng.normal(scale=0.3, size=logits.shape)
    methylation = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)

    expression = _expression_from_methylation(
        rng, methylation, cancer, n_cancers, n_genes, n_hidden, cancer_specificity
    )
    prognostic = rng.choice(n_genes, size=max(1, n_genes // 20), replace=False)
    os_time, os_event = _survival(rng, expression[:, prognostic])

    if missing_fraction > 0:
        n_missing = int(round(missing_fraction * n_samples))
        expression[rng.choice(n_samples, size=n_missing, replace=False)] = np.nan

    genes = np.array([f"GENE{j + 1:05d}" for j in range(n_genes)], dtype=object)
    clinical = pd.DataFrame({"cancer_type": names[cancer], "os_time": os_time, "os_event": os_event})
    return Cohort(
        samples=np.array([f"SIM-{i + 1:05d}-01" for i in range(n_samples)], dtype=object),
        cpgs=np.array([f"cg{j + 1:08d}" for j in range(n_cpgs)], dtype=object),
        genes=genes,
        methylation=methylation,
        expression=expression,
        clinical=clinical,
        provenance={
            "source": "tdimpute simulate",
            "tdimpute_version": __version__,
            "parameters": {
                "n_samples": n_samples,
                "n_cpgs": n_cpgs,
                "n_genes": n_genes,
                "n_cancers": n_cancers,
                "missing_fraction": missing_fraction,
                "n_latent": n_latent,
                "n_hidden": n_hidden,
                "cancer_specificity": cancer_specificity,
                "seed": seed,
            },
            "prognostic_genes": sorted(genes[prognostic].tolist()),
        },
    )


def _cancer_name(i: int) -> str:
    return TCGA_NAMES[i] if i < len(TCGA_NAMES) else f"CANCER{i + 1}"


def _expression_from_methylation(
    rng, methylation, cancer, n_cancers, n_genes, n_hidden, cancer_specificity
) -> np.ndarray:
    n_samples, n_cpgs = methylation.shape
    centred = methylation.astype(np.float64) - 0.5
    scale = 4.0 / np.sqrt(n_cpgs)
    shared = rng.normal(scale=scale, size=(n_cpgs, n_hidden))
    hidden = centred @ shared
    for c in range(n_cancers):  # a loop over cancer types, not samples: a handful at most
        rows = cancer == c
        specific = rng.normal(scale=scale * cancer_specificity, size=(n_cpgs, n_hidden))
        hidden[rows] += centred[rows] @ specific
    features = np.tanh(hidden)
    gene_base = rng.uniform(1.0, 10.0, size=n_genes)
    gene_amplitude = rng.uniform(0.5, 3.0, size=n_genes)
    mixing = rng.normal(scale=1.0 / np.sqrt(n_hidden), size=(n_hidden, n_genes))
    linear = gene_base + gene_amplitude * (features @ mixing)
    linear += rng.normal(scale=0.3, size=linear.shape)
    return np.logaddexp(0.0, linear).astype(np.float32)  # softplus keeps expression >= 0


def _survival(rng, prognostic_expression: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exponential survival times (days) with independent exponential censoring."""
    standardised = (prognostic_expression - prognostic_expression.mean(0)) / (prognostic_expression.std(0) + 1e-9)
    effects = rng.choice([-1.0, 1.0], size=standardised.shape[1]) * 0.8
    hazard = np.exp(standardised @ effects) / 1000.0
    death = rng.exponential(1.0 / hazard)
    censor = rng.exponential(1500.0, size=len(hazard))
    time = np.minimum(death, censor)
    return np.round(time, 1) + 1.0, (death <= censor).astype(np.float64)
