"""ridge-transfer and lasso-transfer: ridge regression and the Lasso shrunk toward the pan-cancer
pool's ridge coefficients."""

import numpy as np
import pandas as pd
import pytest

from tdimpute.errors import TdimputeError
from tdimpute.models import imputer_class, load_model
from tdimpute.models.lasso import BaggedLassoCV
from tdimpute.models.ridge import POOL_RIDGE_DIR, fit_pool_ridge, load_pool_ridge


def _frames(X: np.ndarray, Y: np.ndarray, prefix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    samples = [f"{prefix}{i}" for i in range(len(X))]
    return (
        pd.DataFrame(X, index=samples, columns=[f"cg{j}" for j in range(X.shape[1])]),
        pd.DataFrame(Y, index=samples, columns=[f"g{j}" for j in range(Y.shape[1])]),
    )


def _cohort(coefficients: np.ndarray, n: int, seed: int, noise: float = 0.5, offset: float = 5.0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, coefficients.shape[0]))
    return _frames(X, offset + X @ coefficients + noise * rng.normal(size=(n, coefficients.shape[1])), f"s{seed}-")


@pytest.fixture(scope="module")
def pool_coefficients():
    return np.random.default_rng(0).normal(size=(30, 8)) * 3


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory, pool_coefficients):
    """A pretrained folder holding only the pool's ridge (what ridge-transfer reads of it)."""
    folder = tmp_path_factory.mktemp("pretrained")
    X, Y = _cohort(pool_coefficients, 400, seed=1, noise=0.1)
    fit_pool_ridge(X, Y, np.zeros(len(X))).save(folder / POOL_RIDGE_DIR)
    return str(folder)


def test_zero_weight_on_the_pool_is_the_target_only_ridge(pretrained, pool_coefficients):
    X, Y = _cohort(pool_coefficients[::-1], 40, seed=2)
    transfer = imputer_class("ridge-transfer")(pretrained=pretrained, weight=0.0).fit(X, Y)
    alone = imputer_class("ridge-cv")().fit(X, Y)
    new, _ = _cohort(pool_coefficients, 10, seed=3)
    np.testing.assert_allclose(transfer.predict(new), alone.predict(new), rtol=1e-6, atol=1e-5)
    assert np.array_equal(transfer.alpha_, alone.alpha_)


def test_infinite_strength_gives_the_pool_coefficients(pretrained, pool_coefficients):
    X, Y = _cohort(np.zeros_like(pool_coefficients), 40, seed=4, offset=-2.0)  # expression unrelated to methylation
    transfer = imputer_class("ridge-transfer")(
        pretrained=pretrained, weight=1.0, n_alphas=1, alpha_min=1e12, alpha_max=1e12
    ).fit(X, Y)
    new, _ = _cohort(pool_coefficients, 10, seed=5)
    pool = load_pool_ridge(pretrained)
    # The pool's slopes, the target's own intercepts: every gene's difference is one constant.
    difference = transfer.predict(new).to_numpy() - pool.predict(new).to_numpy()
    np.testing.assert_allclose(difference, np.broadcast_to(difference[0], difference.shape), atol=1e-4)
    assert difference[0] == pytest.approx(Y.mean() - pool.predict(X).mean(), abs=1e-4)


def test_the_pool_weight_follows_how_well_the_pool_predicts_the_target(pretrained, pool_coefficients):
    """Chosen by leave-one-out on the training samples: near 1 for a target that shares the
    pool's coefficients, where it beats ridge-cv on new samples; near 0 for one that does not."""
    new_alike, truth = _cohort(pool_coefficients, 200, seed=6)
    X, Y = _cohort(pool_coefficients, 25, seed=7)
    alike = imputer_class("ridge-transfer")(pretrained=pretrained).fit(X, Y)
    alone = imputer_class("ridge-cv")().fit(X, Y)
    rmse = lambda model: np.sqrt(np.mean((model.predict(new_alike).to_numpy() - truth.to_numpy()) ** 2))  # noqa: E731
    assert alike.prior_weight_.min() > 0.8 and rmse(alike) < 0.8 * rmse(alone)
    unrelated = np.random.default_rng(8).normal(size=pool_coefficients.shape) * 3
    other = imputer_class("ridge-transfer")(pretrained=pretrained).fit(*_cohort(unrelated, 60, seed=9))
    assert other.prior_weight_.max() < 0.2


def test_per_gene_weights_tell_apart_the_genes_the_pool_predicts(pretrained, pool_coefficients):
    mixed = pool_coefficients.copy()
    mixed[:, 4:] = np.random.default_rng(10).normal(size=(30, 4)) * 3
    model = imputer_class("ridge-transfer")(pretrained=pretrained, alpha_per_gene=True).fit(*_cohort(mixed, 60, 11))
    assert model.prior_weight_[:4].min() > 0.7 and model.prior_weight_[4:].max() < 0.3


def test_lasso_with_zero_weight_on_the_pool_is_lasso_cv(pretrained, pool_coefficients):
    X, Y = _cohort(pool_coefficients[::-1], 40, seed=16)
    transfer = imputer_class("lasso-transfer")(pretrained=pretrained, weight=0.0).fit(X, Y)
    alone = imputer_class("lasso-cv")().fit(X, Y)
    new, _ = _cohort(pool_coefficients, 10, seed=17)
    np.testing.assert_allclose(transfer.predict(new), alone.predict(new), rtol=1e-5, atol=1e-4)
    assert transfer.alpha_ == pytest.approx(alone.alpha_, rel=1e-6)


def test_lasso_at_infinite_strength_gives_the_pool_coefficients(pretrained, pool_coefficients):
    """One alpha, the largest (every departure from the pool zero): the pool's slopes and the
    target's own intercepts."""
    X, Y = _cohort(np.zeros_like(pool_coefficients), 40, seed=18, offset=-2.0)
    transfer = imputer_class("lasso-transfer")(pretrained=pretrained, weight=1.0, n_alphas=1).fit(X, Y)
    new, _ = _cohort(pool_coefficients, 10, seed=19)
    pool = load_pool_ridge(pretrained)
    difference = transfer.predict(new).to_numpy() - pool.predict(new).to_numpy()
    np.testing.assert_allclose(difference, np.broadcast_to(difference[0], difference.shape), atol=1e-4)
    np.testing.assert_allclose(difference[0], (Y.to_numpy() - pool.predict(X).to_numpy()).mean(axis=0), atol=1e-4)


def test_lasso_toward_the_pool_beats_lasso_cv_on_a_target_that_follows_the_pool(pretrained, pool_coefficients):
    """A target whose coefficients are the pool's but for one CpG of each gene: the pool's weight
    is ridge-transfer's (near 1), and only the departures cost penalty."""
    departed = pool_coefficients.copy()
    departed[0] += 4.0
    X, Y = _cohort(departed, 25, seed=20)
    transfer = imputer_class("lasso-transfer")(pretrained=pretrained).fit(X, Y)
    assert transfer.prior_weight_ == pytest.approx(
        imputer_class("ridge-transfer")(pretrained=pretrained).fit(X, Y).prior_weight_
    )
    new, truth = _cohort(departed, 200, seed=21)
    rmse = lambda model: np.sqrt(np.mean((model.predict(new).to_numpy() - truth.to_numpy()) ** 2))  # noqa: E731
    assert transfer.prior_weight_.min() > 0.8
    assert rmse(transfer) < 0.8 * rmse(imputer_class("lasso-cv")().fit(X, Y))


@pytest.mark.parametrize("method", ["ridge-transfer", "lasso-transfer"])
def test_a_saved_transfer_model_predicts_alike_without_the_pretrained_folder(
    method, pretrained, pool_coefficients, tmp_path
):
    X, Y = _cohort(pool_coefficients, 30, seed=12)
    model = imputer_class(method)(pretrained=pretrained).fit(X, Y)
    model.save(tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-6)
    assert loaded.describe() == model.describe()


def test_plus_shrinks_its_lasso_toward_the_pool_with_a_pretrained_model(pretrained, pool_coefficients, tmp_path):
    """tdimpute-plus's Lasso is then the bagged Lasso of the expression minus the pool's
    prediction times ridge-transfer's pool weight, as lasso-transfer's."""
    X, Y = _cohort(pool_coefficients, 40, seed=22)
    plus = imputer_class("tdimpute-plus")(pretrained=pretrained, network=False, folds=3).fit(X, Y)
    assert [candidate["name"] for candidate in plus.candidates()] == ["lasso-transfer", "ridge", "ridge-transfer"]
    offset = plus.ridges_["ridge-transfer"].pool_offset(X.to_numpy(np.float32))
    assert plus.ridges_["ridge-transfer"].prior_weight_.min() > 0.5
    alone = BaggedLassoCV(cv=3).fit(X, Y - offset)
    np.testing.assert_allclose(plus.lasso_.coef_.toarray(), alone.coef_.toarray(), atol=1e-6)
    plus.save(tmp_path / "plus")
    np.testing.assert_allclose(load_model(tmp_path / "plus").predict(X), plus.predict(X), rtol=1e-5, atol=1e-5)


def test_the_pool_model_holds_within_cancer_slopes_only(pool_coefficients):
    X, Y = _cohort(pool_coefficients, 200, seed=13, noise=0.1)
    cancers = np.repeat(["A", "B"], 100)
    shifted = Y + np.where(cancers == "A", 0.0, 7.0)[:, None]  # cancer B: every gene 7 higher
    X_shifted = X + np.where(cancers == "A", 0.0, 0.3)[:, None]  # and its methylation too
    plain, within = fit_pool_ridge(X, Y, cancers), fit_pool_ridge(X_shifted, shifted, cancers)
    new, _ = _cohort(pool_coefficients, 5, seed=14)
    slopes = lambda model: model.predict(new).to_numpy() - model.predict(new.iloc[:1]).to_numpy()  # noqa: E731
    np.testing.assert_allclose(slopes(within), slopes(plain), atol=1e-3)


def test_a_pretrained_model_without_the_pool_model_is_refused_with_one_line(tmp_path, pool_coefficients):
    X, Y = _cohort(pool_coefficients, 30, seed=15)
    imputer_class("ridge-cv")().fit(X, Y).save(tmp_path / "old")
    with pytest.raises(TdimputeError, match="holds no pool ridge model .*pretrain it again"):
        imputer_class("ridge-transfer")(pretrained=str(tmp_path / "old")).fit(X, Y)
    for method in ("ridge-transfer", "lasso-transfer"):
        with pytest.raises(ValueError, match=f"method {method} shrinks toward .* give --pretrained"):
            imputer_class(method)().fit(X, Y)


def test_pretrain_saves_the_pool_model_beside_the_network(small_cohort_file, tmp_path, cli):
    cli("pretrain", "--cohort", small_cohort_file, "--out", tmp_path / "pretrained", "--exclude-cancer", "BRCA",
        "--epochs", "1", "--hidden", "8")  # fmt: skip
    pool = load_pool_ridge(tmp_path / "pretrained")
    assert list(pool.genes_) == list(load_model(tmp_path / "pretrained").genes_)
    np.testing.assert_allclose(pool.y_mean_, 0.0, atol=1e-5)  # each pool cancer centred on its own means
