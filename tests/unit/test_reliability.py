"""Per-gene reliability from training samples held out by k-fold cross-validation."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold

from tdimpute.metrics import per_gene_accuracy
from tdimpute.models import imputer_class
from tdimpute.operations import evaluate, expression_frame, fit_method, methylation_frame, training_rows
from tdimpute.splits import make_split


def test_held_out_predictions_are_those_of_models_that_never_saw_the_sample(small_cohort):
    luad = small_cohort.select_cancer("LUAD")
    rows = training_rows(luad, None)
    model = imputer_class("mean")().fit(methylation_frame(luad, rows), expression_frame(luad, rows))
    table = model.estimate_reliability(
        methylation_frame(luad, rows), expression_frame(luad, rows), folds=4, seed=3
    ).reliability_
    # The mean method predicts the training mean: hand-made out-of-fold predictions.
    Y = luad.expression[rows].astype(np.float64)
    predicted = np.empty_like(Y)
    for train, test in KFold(4, shuffle=True, random_state=3).split(Y):
        predicted[test] = Y[train].mean(axis=0)
    expected = per_gene_accuracy(pd.DataFrame(Y, columns=luad.genes), pd.DataFrame(predicted, columns=luad.genes))
    np.testing.assert_allclose(table["rmse"], expected["rmse"], rtol=1e-5)
    assert (table["skill"] < 0).all()  # a mean fitted without the sample is worse than its own mean


def test_reliability_foretells_which_genes_are_imputed_well():
    from tdimpute.simulate import simulate_cohort

    cohort = simulate_cohort(n_samples=240, n_cpgs=120, n_genes=40, n_cancers=1, missing_fraction=0.0, seed=1)
    split = make_split(cohort, 0.5, replicate=1, seed=5)
    model = fit_method("ridge-cv", cohort, split, {}, reliability_folds=5)
    _, on_test = evaluate(cohort, split, model.predict(methylation_frame(cohort, cohort.rows_of(split.test))))
    reliability = model.reliability_.set_index("gene")["skill"]
    correlation = np.corrcoef(reliability, on_test.set_index("gene").loc[reliability.index, "skill"])[0, 1]
    assert correlation > 0.8  # 0.93 here; a shuffled table would give about 0


def test_reliability_folds_must_fit_the_training_samples(small_cohort):
    from tdimpute.errors import TdimputeError

    luad = small_cohort.select_cancer("LUAD")
    with pytest.raises(TdimputeError, match="--reliability-folds must be between 2 and"):
        fit_method("mean", luad, None, {}, reliability_folds=1)


def test_tdimpute_plus_reliability_comes_from_its_stacking_and_agrees_with_refitting(monkeypatch):
    from tdimpute.models import Imputer
    from tdimpute.models.plus import PlusImputer
    from tdimpute.simulate import simulate_cohort

    cohort = simulate_cohort(n_samples=240, n_cpgs=120, n_genes=40, n_cancers=1, missing_fraction=0.0, seed=1)
    split = make_split(cohort, 0.5, replicate=1, seed=5)
    fits = []
    original = PlusImputer.fit
    monkeypatch.setattr(PlusImputer, "fit", lambda self, X, Y: fits.append(len(X)) or original(self, X, Y))
    model = fit_method("tdimpute-plus", cohort, split, {"network": False}, reliability_folds=5)
    assert len(fits) == 1  # the stacking's out-of-fold predictions, no refit
    rows = training_rows(cohort, split)
    X, Y = methylation_frame(cohort, rows), expression_frame(cohort, rows)
    refits = [Imputer.estimate_reliability(model, X, Y, folds=5, seed=seed).reliability_ for seed in (0, 1)]
    assert len(fits) == 11
    for measure in ("rmse", "skill"):
        stacked, refit, other = (table[measure].to_numpy() for table in (model.reliability_, *refits))
        # No further from a refit estimate than two refit estimates (other folds) are from each other.
        assert np.abs(stacked - refit).mean() < 1.5 * np.abs(other - refit).mean()
        assert np.corrcoef(stacked, refit)[0, 1] > 0.95
