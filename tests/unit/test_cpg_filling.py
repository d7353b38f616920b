"""CpGs of a reference cohort that an external cohort lacks: filled from the others, up to a limit."""

import dataclasses
import logging

import numpy as np
import pandas as pd
import pytest

from tdimpute.cpg_filling import fill_missing_cpgs, filling_cost
from tdimpute.errors import TdimputeError
from tdimpute.preprocess import PreprocessOptions, preprocess
from tdimpute.simulate import simulate_cohort

KEPT_AS_GIVEN = {"min_variance": 0, "log_transform": "no"}


@pytest.fixture(scope="module")
def cohort():
    return simulate_cohort(n_samples=300, n_cpgs=150, n_genes=30, n_cancers=1, seed=3)


@pytest.fixture(scope="module")
def halves(cohort):
    """The reference (the first 200 samples) and an external cohort (the other 100)."""
    return cohort.take(np.arange(200)), cohort.take(np.arange(200, 300))


def _frames(cohort, cpgs=None):
    methylation = pd.DataFrame(cohort.methylation, index=cohort.samples, columns=cohort.cpgs)
    expression = pd.DataFrame(cohort.expression, index=cohort.samples, columns=cohort.genes)
    return (methylation if cpgs is None else methylation.loc[:, cpgs]), expression


def _lacking(cohort, share: float) -> np.ndarray:
    """The CpGs an external cohort keeps when a random `share` of them is missing."""
    dropped = np.random.default_rng(0).choice(len(cohort.cpgs), int(share * len(cohort.cpgs)), replace=False)
    return np.delete(cohort.cpgs, dropped)


def test_filled_cpgs_are_close_to_the_masked_values(halves):
    reference, external = halves
    kept = _lacking(external, 0.1)
    methylation, _ = _frames(external)
    filled = fill_missing_cpgs(methylation.loc[:, kept], reference)
    assert list(filled.columns) == list(reference.cpgs)
    masked = ~np.isin(reference.cpgs, kept)
    truth = methylation.loc[:, masked].to_numpy()
    error = np.sqrt(np.mean((filled.loc[:, masked].to_numpy() - truth) ** 2))
    reference_mean = np.sqrt(np.mean((reference.methylation[:, masked].mean(axis=0) - truth) ** 2))
    assert error < 0.6 * reference_mean  # the other CpGs carry most of what the masked ones hold
    np.testing.assert_array_equal(filled.loc[:, kept].to_numpy(), methylation.loc[:, kept].to_numpy())
    observed = reference.methylation[:, masked]
    assert (filled.loc[:, masked].to_numpy() >= observed.min(axis=0)).all()
    assert (filled.loc[:, masked].to_numpy() <= observed.max(axis=0)).all()


def test_the_cost_is_measured_on_held_out_reference_samples(halves):
    reference, external = halves
    methylation, _ = _frames(external, _lacking(external, 0.1))
    cost = filling_cost(methylation, reference)
    assert cost.n_held_out == 40  # a fifth of the reference's 200 samples with expression
    assert cost.measured <= cost.filled < cost.measured + 0.5 * (cost.mean - cost.measured)
    assert f"{cost.measured:.3f} becomes {cost.filled:.3f}" in cost.describe()


def test_the_cost_s_model_is_fitted_on_samples_drawn_from_the_whole_reference(halves, monkeypatch):
    """A pool's rows come cancer by cancer: the first rows alone would be one cancer. Here the
    first 100 have uninformative methylation; a model fitted on them alone would be the mean."""
    reference, external = halves
    monkeypatch.setattr("tdimpute.cpg_filling.MAX_SAMPLES", 80)
    uninformative = reference.methylation.copy()
    uninformative[:100] = uninformative[:100].mean(axis=0)
    ordered = dataclasses.replace(reference, methylation=uninformative)
    cost = filling_cost(_frames(external, _lacking(external, 0.1))[0], ordered)
    assert cost.measured < 0.95 * cost.mean


def test_preprocess_with_a_reference_fills_what_the_cohort_lacks_and_warns_once(halves, caplog):
    reference, external = halves
    methylation, expression = _frames(external, _lacking(external, 0.1))
    with caplog.at_level(logging.WARNING):
        aligned = preprocess(
            methylation, expression, cancer_type="X", options=PreprocessOptions(**KEPT_AS_GIVEN), reference=reference
        )
    assert list(aligned.cpgs) == list(reference.cpgs)
    assert aligned.summary()["n_cpgs_filled"] == 15
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "CpG" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("15 of the reference's 150 CpGs (10.0%) are absent here")
    assert "expression RMSE" in warnings[0]


def test_more_missing_than_the_limit_stops_with_one_line_naming_the_parameter(halves):
    reference, external = halves
    methylation, expression = _frames(external, _lacking(external, 0.4))
    options = PreprocessOptions(**KEPT_AS_GIVEN, max_missing_cpgs=0.3)
    with pytest.raises(TdimputeError, match=r"60 of the reference's 150 CpGs \(40.0%\) .*--max-missing-cpgs 0.3"):
        preprocess(methylation, expression, cancer_type="X", options=options, reference=reference)
    # Within a higher limit it goes through.
    options = PreprocessOptions(**KEPT_AS_GIVEN, max_missing_cpgs=0.5)
    assert (
        preprocess(methylation, expression, cancer_type="X", options=options, reference=reference).summary()[
            "n_cpgs_filled"
        ]
        == 60
    )


def test_a_cohort_with_every_cpg_is_not_filled(halves):
    reference, external = halves
    aligned = preprocess(
        *_frames(external), cancer_type="X", options=PreprocessOptions(**KEPT_AS_GIVEN), reference=reference
    )
    assert "n_cpgs_filled" not in aligned.summary() and "cpgs_filled" not in aligned.provenance
