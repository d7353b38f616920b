import numpy as np
import pandas as pd
import pytest

from tdimpute.metrics import accuracy, per_gene_accuracy


def test_accuracy_on_a_hand_computed_example():
    truth = pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]], index=["a", "b"], columns=["x", "y", "z"])
    imputed = pd.DataFrame([[1.0, 2.0, 4.0], [2.0, 4.0, 5.0]], index=["a", "b"], columns=["x", "y", "z"])
    metrics = accuracy(truth, imputed)
    assert metrics["rmse"] == pytest.approx(np.sqrt(2 / 6))
    assert metrics["mae"] == pytest.approx(2 / 6)
    r_a = np.corrcoef([1, 2, 3], [1, 2, 4])[0, 1]
    r_b = np.corrcoef([2, 4, 6], [2, 4, 5])[0, 1]
    assert metrics["r2"] == pytest.approx((r_a**2 + r_b**2) / 2)


def test_per_gene_r2_is_each_genes_squared_correlation_across_samples_averaged_over_genes():
    rng = np.random.default_rng(0)
    truth = pd.DataFrame(rng.normal(size=(20, 5)), columns=list("abcde"))
    imputed = truth + rng.normal(scale=[0.2, 0.5, 1.0, 2.0, 4.0], size=truth.shape)
    imputed["e"] = 1.0  # a constant imputation has no correlation: left out
    metrics = accuracy(truth, imputed)
    genes = [np.corrcoef(truth[g], imputed[g])[0, 1] ** 2 for g in "abcd"]
    assert metrics["gene_r2_mean"] == pytest.approx(np.mean(genes))
    assert metrics["gene_r2_median"] == pytest.approx(np.median(genes))
    # A shift or scaling of a gene's imputation leaves its correlation, not its RMSE.
    scaled = accuracy(truth, imputed * 3 + 1)
    assert scaled["gene_r2_mean"] == pytest.approx(metrics["gene_r2_mean"]) and scaled["rmse"] > metrics["rmse"]


def test_per_gene_accuracy_marks_constant_genes_as_undefined():
    truth = pd.DataFrame([[1.0, 5.0], [3.0, 5.0], [2.0, 5.0]], columns=["g1", "g2"])
    imputed = pd.DataFrame([[1.5, 5.0], [2.5, 5.0], [2.0, 5.0]], columns=["g1", "g2"])
    table = per_gene_accuracy(truth, imputed).set_index("gene")
    assert table.loc["g1", "r2"] == pytest.approx(1.0)
    assert table.loc["g1", "rmse"] == pytest.approx(np.sqrt(0.5 / 3))
    assert np.isnan(table.loc["g2", "r2"]) and np.isnan(table.loc["g2", "skill"])


def test_skill_compares_the_error_with_the_genes_own_variance():
    truth = pd.DataFrame({"g": [1.0, 3.0, 2.0]})
    assert per_gene_accuracy(truth, truth).loc[0, "skill"] == pytest.approx(1.0)
    at_the_mean = pd.DataFrame({"g": [2.0, 2.0, 2.0]})
    assert per_gene_accuracy(truth, at_the_mean).loc[0, "skill"] == pytest.approx(0.0)
    reversed_order = pd.DataFrame({"g": [3.0, 1.0, 2.0]})  # MSE 8/3 against variance 2/3
    assert per_gene_accuracy(truth, reversed_order).loc[0, "skill"] == pytest.approx(1 - 4)
