import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Lasso

from tdimpute.models import METHODS, imputer_class, load_model
from tdimpute.models.lasso import alpha_grid, lasso_path_genes, linear_prediction
from tdimpute.models.tobmi import TobmiImputer
from tdimpute.operations import expression_frame, methylation_frame

BASELINES = ["mean", "svd", "tobmi", "lasso", "lasso-cv", "ridge-cv"]


def _luad(luad_dir):
    methylation = pd.read_csv(luad_dir / "DNA_methylation_AD.csv", index_col=0)
    expression = pd.read_csv(luad_dir / "RNA_seq_AD.csv", index_col=0)
    return methylation, expression


def _train_test(cohort, cancer="BRCA", n_test=15):
    target = cohort.select_cancer(cancer)
    rows = np.flatnonzero(target.has_expression)
    return (
        methylation_frame(target, rows[n_test:]),
        expression_frame(target, rows[n_test:]),
        methylation_frame(target, rows[:n_test]),
        expression_frame(target, rows[:n_test]),
    )


def _rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def test_tobmi_matches_authors_r_output_on_the_88_missing_samples(luad_dir):
    methylation, expression = _luad(luad_dir)
    missing = expression.isna().all(axis=1)
    assert missing.sum() == 88
    imputed = TobmiImputer().fit(methylation[~missing], expression[~missing]).predict(methylation[missing])
    reference = pd.read_csv(luad_dir / "tobmi_R_imputed_88_missing.csv", index_col=0)
    difference = np.abs(imputed.to_numpy() - reference.loc[imputed.index, imputed.columns].to_numpy())
    assert difference.max() < 1e-6


def test_tobmi_matches_authors_r_output_on_the_masked_30_percent(luad_dir):
    methylation, expression = _luad(luad_dir)
    complete = sorted(expression.index[expression.notna().all(axis=1)])
    test, train = complete[: int(0.3 * len(complete))], complete[int(0.3 * len(complete)) :]
    imputed = TobmiImputer().fit(methylation.loc[train], expression.loc[train]).predict(methylation.loc[test])
    reference = pd.read_csv(luad_dir / "tobmi_R_imputed_masked30.csv", index_col=0)
    difference = np.abs(imputed.to_numpy() - reference.loc[test, imputed.columns].to_numpy())
    assert difference.max() < 1e-6
    assert _rmse(imputed, expression.loc[test]) == pytest.approx(1.830, abs=5e-4)


def test_tobmi_gives_an_exact_methylation_twin_all_the_weight():
    X = pd.DataFrame([[0.1, 0.2], [0.9, 0.8], [0.5, 0.5], [0.3, 0.3]], columns=["a", "b"])
    Y = pd.DataFrame([[1.0], [5.0], [3.0], [2.0]], columns=["g"])
    model = TobmiImputer(k=2).fit(X, Y)
    assert model.predict(X.iloc[[1]]).iloc[0, 0] == pytest.approx(5.0)


def test_tobmi_imputes_a_training_sample_as_itself_at_realistic_width(small_cohort):
    # Exact distances: with dot-product ones (scikit-learn's brute force) a twin is not at 0.
    X, Y, _, _ = _train_test(small_cohort)
    imputed = TobmiImputer().fit(X, Y).predict(X)
    np.testing.assert_array_equal(imputed.to_numpy(), Y.to_numpy(np.float32))


@pytest.mark.parametrize("method", BASELINES)
def test_saved_baseline_predicts_identically_after_loading(method, small_cohort, tmp_path):
    X, Y, X_test, _ = _train_test(small_cohort)
    model = imputer_class(method)().fit(X, Y)
    model.save(tmp_path / method)
    loaded = load_model(tmp_path / method)
    assert type(loaded) is type(model)
    pd.testing.assert_frame_equal(loaded.predict(X_test), model.predict(X_test))


@pytest.mark.parametrize("method", ["svd", "tobmi"])
def test_structured_baselines_beat_the_mean_on_simulated_data(method, small_cohort):
    X, Y, X_test, Y_test = _train_test(small_cohort)
    mean = imputer_class("mean")().fit(X, Y).predict(X_test)
    imputed = imputer_class(method)().fit(X, Y).predict(X_test)
    assert _rmse(imputed, Y_test) < 0.95 * _rmse(mean, Y_test)


def test_mean_predicts_the_training_mean_of_each_gene(small_cohort):
    X, Y, X_test, _ = _train_test(small_cohort)
    imputed = imputer_class("mean")().fit(X, Y).predict(X_test)
    np.testing.assert_allclose(imputed.to_numpy(), np.tile(Y.mean().to_numpy(), (len(X_test), 1)), rtol=1e-6)


@pytest.mark.parametrize("alpha", [0.1, 1e-3, 1e-4])
def test_lasso_matches_plain_scikit_learn_to_1e4(alpha, small_cohort):
    X, Y, X_test, _ = _train_test(small_cohort)
    model = imputer_class("lasso")(alpha=alpha).fit(X, Y)
    scale = float(Y.to_numpy().max()) + 1e-3
    reference = Lasso(alpha=alpha, tol=1e-10, max_iter=1_000_000).fit(
        X.to_numpy(np.float64), Y.to_numpy(np.float64) / scale
    )
    np.testing.assert_allclose(
        model.predict(X_test).to_numpy(), reference.predict(X_test.to_numpy(np.float64)) * scale, atol=1e-4
    )
    assert model.coef_.nnz == (reference.coef_ != 0).sum()


@pytest.mark.parametrize("which", [1, 5])
def test_lasso_path_from_a_warm_start_reaches_the_cold_solution(which, small_cohort):
    X, Y, _, _ = _train_test(small_cohort)
    X, Y = X.to_numpy(np.float64), Y.to_numpy(np.float64) / 20
    alphas = alpha_grid(X, Y, 6, 1e-2)
    start, _ = lasso_path_genes(X, Y, alphas)[-1]  # the densest fit: shrinking it zeroes genes
    rows = np.arange(len(X)) % 4 != 0
    cold = lasso_path_genes(X[rows], Y[rows], alphas[: which + 1])[-1]
    warm = lasso_path_genes(X[rows], Y[rows], alphas[[which]], coef_init=start)[0]
    assert 0 < cold[0].nnz
    np.testing.assert_allclose(linear_prediction(*warm, X), linear_prediction(*cold, X), atol=1e-5)


def test_paper_lasso_predicts_the_mean_when_alpha_zeroes_every_gene(small_cohort):
    X, Y, X_test, _ = _train_test(small_cohort)
    lasso = imputer_class("lasso")().fit(X, Y)
    assert lasso.coef_.nnz == 0
    np.testing.assert_allclose(
        lasso.predict(X_test).to_numpy(), imputer_class("mean")().fit(X, Y).predict(X_test).to_numpy(), rtol=1e-5
    )


def test_lasso_cv_picks_the_alpha_with_the_lowest_inner_error_and_beats_the_mean(small_cohort):
    X, Y, X_test, Y_test = _train_test(small_cohort)
    model = imputer_class("lasso-cv")(n_alphas=6, cv=3).fit(X, Y)
    assert model.alpha_ == model.alphas_[np.argmin(model.cv_mse_)]
    assert model.alpha_ < model.alphas_[0]
    mean = imputer_class("mean")().fit(X, Y).predict(X_test)
    assert _rmse(model.predict(X_test), Y_test) < 0.95 * _rmse(mean, Y_test)


def test_predict_aligns_cpgs_by_name_and_refuses_missing_ones(small_cohort):
    X, Y, X_test, _ = _train_test(small_cohort)
    model = imputer_class("tobmi")().fit(X, Y)
    shuffled = X_test[X_test.columns[::-1]]
    pd.testing.assert_frame_equal(model.predict(shuffled), model.predict(X_test))
    with pytest.raises(ValueError, match="1 of the model's 120 CpGs are not in the data"):
        model.predict(X_test.drop(columns=X_test.columns[3]))


def test_every_registered_method_is_importable():
    for method in METHODS:
        assert imputer_class(method).method == method


def test_baselines_on_real_luad_data_at_30_percent_missing(luad_dir):
    """Every baseline beats the per-gene mean on real data, except the paper's Lasso, whose
    alpha = 0.1 on [0, 1]-scaled targets zeroes every coefficient: it is the mean, exactly."""
    from tdimpute.cohort import Cohort
    from tdimpute.splits import make_split

    methylation, expression = _luad(luad_dir)
    cohort = Cohort(
        samples=methylation.index,
        cpgs=methylation.columns,
        genes=expression.columns,
        methylation=methylation.to_numpy(),
        expression=expression.to_numpy(),
        clinical=pd.DataFrame({"cancer_type": ["LUAD"] * len(methylation), "os_time": np.nan, "os_event": np.nan}),
    )
    split = make_split(cohort, 0.3, replicate=1, seed=1)
    train, test = cohort.rows_of(split.train), cohort.rows_of(split.test)
    X, Y = methylation_frame(cohort, train), expression_frame(cohort, train)
    X_test, Y_test = methylation_frame(cohort, test), expression_frame(cohort, test)
    rmse = {m: _rmse(imputer_class(m)().fit(X, Y).predict(X_test), Y_test) for m in BASELINES}
    assert rmse["lasso"] == pytest.approx(rmse["mean"], rel=1e-5)
    for method in ["svd", "tobmi", "lasso-cv"]:
        assert rmse[method] < 0.95 * rmse["mean"], rmse


def _exact_iterative_svd(X, Y, X_test, rank=10, max_iter=200, tol=1e-5):
    """fancyimpute's IterativeSVD in the block setting with a full SVD every iteration."""
    n, n_genes = Y.shape
    stacked = np.vstack([np.hstack([Y, X]), np.hstack([np.tile(Y.mean(0), (len(X_test), 1)), X_test])])
    for iteration in range(max_iter):
        current = min(2**iteration, rank)
        u, s, vt = np.linalg.svd(stacked, full_matrices=False)
        reconstructed = (u[n:, :current] * s[:current]) @ vt[:current, :n_genes]
        change = np.linalg.norm(reconstructed - stacked[n:, :n_genes]) / np.linalg.norm(stacked[n:, :n_genes])
        stacked[n:, :n_genes] = reconstructed
        if change < tol and current == rank:
            break
    return stacked[n:, :n_genes]


def test_svd_matches_iterative_svd_with_exact_decompositions(luad_dir):
    methylation, expression = _luad(luad_dir)
    complete = sorted(expression.index[expression.notna().all(axis=1)])
    test, train = complete[:106], complete[106:]
    imputed = imputer_class("svd")().fit(methylation.loc[train], expression.loc[train]).predict(methylation.loc[test])
    reference = _exact_iterative_svd(
        methylation.loc[train].to_numpy(float),
        expression.loc[train].to_numpy(float),
        methylation.loc[test].to_numpy(float),
    )
    assert np.abs(imputed.to_numpy() - reference).max() < 1e-3
