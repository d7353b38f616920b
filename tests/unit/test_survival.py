import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from tdimpute.downstream.survival import benjamini_hochberg, univariate_cox
from tdimpute.errors import TdimputeError


@pytest.fixture(scope="module")
def real_shaped():
    """800 samples, survival in days with tied event times, genes of varied spread."""
    rng = np.random.default_rng(0)
    X = rng.gamma(2.0, 2.0, size=(800, 20)) * rng.uniform(0.3, 2.0, 20)
    hazard = np.exp(0.25 * (X[:, 0] - X[:, 0].mean()) / X[:, 0].std()) / 1200
    death, censor = rng.exponential(1 / hazard), rng.exponential(1500, size=800)
    time = np.ceil(np.minimum(death, censor) / 7) * 7  # weekly: many ties
    return pd.DataFrame(X, columns=[f"G{i}" for i in range(20)]), time, (death <= censor).astype(float)


def test_vectorised_cox_agrees_with_lifelines_per_gene(real_shaped):
    expression, time, event = real_shaped
    assert pd.Series(time[event == 1]).value_counts().max() > 3  # ties exercise Efron's method
    table = univariate_cox(expression, time, event)
    warnings.simplefilter("ignore")
    for gene in expression.columns:
        fitted = CoxPHFitter().fit(
            pd.DataFrame({"x": expression[gene], "T": time, "E": event}),
            "T",
            "E",
            fit_options={"precision": 1e-14, "r_precision": 1e-14, "max_steps": 200},
        )
        row = fitted.summary.loc["x"]
        assert table.loc[gene, "coef"] == pytest.approx(row["coef"], rel=1e-6)
        assert table.loc[gene, "se"] == pytest.approx(row["se(coef)"], rel=1e-6)
        assert table.loc[gene, "p"] == pytest.approx(row["p"], rel=1e-6)
    assert table.loc["G0", "p"] < 1e-3


def test_constant_genes_get_no_estimate(real_shaped):
    expression, time, event = real_shaped
    frame = expression.iloc[:, :2].assign(flat=3.0)
    table = univariate_cox(frame, time, event)
    assert np.isnan(table.loc["flat", "coef"]) and np.isnan(table.loc["flat", "p"])
    assert np.isfinite(table.loc["G0", "p"])


def test_cox_without_deaths_is_refused(real_shaped):
    expression, time, _ = real_shaped
    with pytest.raises(TdimputeError, match="survival analysis needs events"):
        univariate_cox(expression, time, np.zeros(len(time)))


def test_samples_without_survival_data_are_left_out(real_shaped):
    expression, time, event = real_shaped
    time = time.copy()
    time[:100] = np.nan
    with_nan = univariate_cox(expression.iloc[:, :3], time, event)
    without = univariate_cox(expression.iloc[100:, :3], time[100:], event[100:])
    pd.testing.assert_frame_equal(with_nan, without)


def test_benjamini_hochberg_on_a_hand_checked_example():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan, 0.5])
    # Sorted: 0.005, 0.01, 0.03, 0.04, 0.5 (m = 5) -> 0.025, 0.025, 0.05, 0.05, 0.5
    expected = np.array([0.025, 0.05, 0.05, 0.025, np.nan, 0.5])
    np.testing.assert_allclose(benjamini_hochberg(p), expected)
