"""ridge-cv (closed-form ridge for all genes) and tdimpute-plus (the recommended imputer)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import RidgeCV
from test_baselines import _rmse
from test_baselines import _train_test as _split

from tdimpute.models import imputer_class, load_model
from tdimpute.models.lasso import BaggedLassoCV
from tdimpute.models.plus import MIN_JUDGED, network_weights
from tdimpute.models.stacking import CLEAR_GAIN_SE

NETWORK = {"mlp_hidden": (32,), "mlp_weight_decay": (1e-2,), "mlp_epochs": 20}


@pytest.mark.parametrize("per_gene", [False, True])
def test_ridge_cv_matches_scikit_learn_leave_one_out_ridge(per_gene, small_cohort):
    X, Y, X_test, _ = _split(small_cohort)
    model = imputer_class("ridge-cv")(alpha_per_gene=per_gene).fit(X, Y)
    standardised = (X - X.mean()) / X.std(ddof=0)
    reference = RidgeCV(alphas=model.alphas_, alpha_per_target=per_gene).fit(standardised, Y)
    np.testing.assert_allclose(model.alpha_, np.broadcast_to(reference.alpha_, model.alpha_.shape), rtol=1e-9)
    expected = reference.predict((X_test - X.mean()) / X.std(ddof=0))
    np.testing.assert_allclose(model.predict(X_test).to_numpy(), expected, atol=1e-3)


def test_ridge_cv_chooses_the_alpha_with_the_lowest_leave_one_out_error(small_cohort):
    X, Y, _, _ = _split(small_cohort)
    model = imputer_class("ridge-cv")().fit(X, Y)
    best = model.alphas_[model.loo_mse_.mean(axis=1).argmin()]
    assert np.all(model.alpha_ == best)
    # The leave-one-out error of one alpha, by brute force for the first gene.
    from sklearn.linear_model import Ridge

    Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
    y = Y.to_numpy()[:, 0]
    errors = []
    for i in range(len(Z)):
        keep = np.arange(len(Z)) != i
        fit = Ridge(alpha=best).fit(Z[keep], y[keep])
        errors.append((fit.predict(Z[[i]])[0] - y[i]) ** 2)
    index = int(np.flatnonzero(model.alphas_ == best)[0])
    assert model.loo_mse_[index, 0] == pytest.approx(np.mean(errors), rel=1e-4)


def test_networks_are_kept_only_when_their_cross_fitted_gain_is_clear():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=(6, 50))
    linear = truth + 0.5 * rng.normal(size=truth.shape)
    network_weight = lambda network: network_weights(truth, linear, [network])[0][1]  # noqa: E731
    # Independent errors of the same size: half each, a clear gain on every held-out sample.
    weights, (gain, error) = network_weights(truth, linear, [truth + 0.5 * rng.normal(size=truth.shape)])
    assert 0.4 < weights[1] < 0.6 and weights.sum() == pytest.approx(1.0) and gain > CLEAR_GAIN_SE * error
    # Far worse, its errors partly independent: a least-squares weight fitted on these samples
    # would still be positive, but fitted without each sample it gains nothing clear.
    weights, (gain, error) = network_weights(truth, linear, [truth + 3.0 * rng.normal(size=truth.shape)])
    assert list(weights) == [1.0, 0.0] and gain <= error
    # Far better: nearly all the weight.
    assert network_weight(truth + 0.01 * rng.normal(size=truth.shape)) > 0.99
    # Two networks, one useful and one noise: the noise gets (nearly) nothing.
    weights, _ = network_weights(
        truth, linear, [truth + 0.5 * rng.normal(size=truth.shape), truth + 3.0 * rng.normal(size=truth.shape)]
    )
    assert weights[1] > 0.3 and weights[2] < 0.05
    # One held-out sample has no standard error: never enough to keep a network.
    assert network_weights(truth[:1], linear[:1], [(truth + linear)[:1] / 2])[0][1] == 0.0


def test_plus_linear_path_is_the_average_of_its_fold_models_and_the_full_fit(small_cohort):
    X, Y, X_test, Y_test = _split(small_cohort)
    model = imputer_class("tdimpute-plus")(network=False, folds=3).fit(X, Y)
    linear = model.lasso_
    assert model.networks_ == {} and model.network_weights_ == {}
    assert len(linear.fold_models_) == 3
    # Every fold's held-out rows are disjoint and cover the training samples.
    held_out = np.concatenate([test for _, test, _, _ in linear.fold_models_])
    assert sorted(held_out) == list(range(len(X)))
    assert linear.alpha_ == linear.alphas_[linear.cv_mse_.argmin()]
    mean = imputer_class("mean")().fit(X, Y).predict(X_test)
    assert _rmse(model.predict(X_test), Y_test) < 0.8 * _rmse(mean, Y_test)


def test_bagging_stops_at_bag_below_samples_and_out_of_fold_predictions_come_from_the_fold_models(small_cohort):
    X, Y, X_test, _ = _split(small_cohort)
    single = imputer_class("lasso-cv")(cv=3).fit(X, Y)
    unbagged = BaggedLassoCV(cv=3, bag_below=len(X)).fit(X, Y)
    assert unbagged.fold_models_ == [] and unbagged.alpha_ == single.alpha_
    pd.testing.assert_frame_equal(unbagged.predict(X_test), single.predict(X_test))

    subset = BaggedLassoCV(cv=3, cv_genes=10, bag_below=len(X)).fit(X, Y)
    scored = subset.out_of_fold_prediction(X.to_numpy(), Y.to_numpy())
    every = subset.out_of_fold_prediction(X.to_numpy(), Y.to_numpy(), all_genes=True)
    assert scored.shape == (len(X), 10) and every.shape == Y.shape
    for _train, test, coef, intercept in subset.cv_models_:
        np.testing.assert_allclose(scored[test], (X.to_numpy()[test] @ coef.toarray() + intercept) * subset.scale_)
        # Every gene's fold model is refitted without the fold: it agrees with the scored one.
        np.testing.assert_allclose(every[np.ix_(test, subset.cv_genes_)], scored[test], atol=1e-4)


def test_bagged_out_of_fold_predictions_bag_each_fold_as_the_fit_bags_and_never_see_the_fold(small_cohort):
    from sklearn.linear_model import Lasso

    methylation, expression, _, _ = _split(small_cohort)
    model = BaggedLassoCV(cv=3).fit(methylation, expression)
    X, Y = methylation.to_numpy(dtype=np.float64), expression.to_numpy(dtype=np.float64)
    predicted = model.out_of_fold_prediction(X, Y)
    train, test, coef, intercept = model.cv_models_[0]
    # The first fold: its model averaged with a Lasso on each of its training samples' own 3 folds.
    predictions = [X[test] @ coef.toarray() + intercept]
    for rows, _ in model._folds(X[train]):
        inner = Lasso(alpha=model.alpha_, tol=1e-10, max_iter=100000).fit(X[train][rows], Y[train][rows] / model.scale_)
        predictions.append(inner.predict(X[test]))
    np.testing.assert_allclose(predicted[test], np.mean(predictions, axis=0) * model.scale_, atol=1e-3)
    assert not np.allclose(predicted[test], predictions[0] * model.scale_, atol=1e-3)
    # The held-out targets of a fold never reach its prediction.
    changed = Y.copy()
    changed[test] = changed[test][::-1]
    np.testing.assert_array_equal(model.out_of_fold_prediction(X, changed)[test], predicted[test])


def test_plus_judges_its_networks_on_enough_held_out_samples_and_survives_saving(small_cohort, tmp_path, monkeypatch):
    import tdimpute.models.plus as plus

    # Whether this small network clears the one-standard-error rule is not the point here.
    monkeypatch.setattr(plus, "network_weights", lambda truth, linear, networks: (np.array([0.7, 0.3]), (1.0, 0.1)))
    X, Y, X_test, _ = _split(small_cohort, "KIRC")
    model = imputer_class("tdimpute-plus")(**NETWORK, folds=10).fit(X, Y)
    folds = model._fold_rows()
    networks = model.networks_["standardised network"]
    # As many folds as it takes to hold MIN_JUDGED samples, each network trained without its fold.
    assert len(networks) < len(folds) and model.n_judged_ >= MIN_JUDGED > model.n_judged_ - len(
        folds[len(networks) - 1]
    )
    assert [network.n_training_ for network in networks] == [len(X) - len(fold) for fold in folds[: len(networks)]]
    assert {tuple(network.hidden_) for network in networks} == {(32,)} and model.network_weights_ == {
        "standardised network": 0.3
    }
    linear = model._linear_predict(X_test.to_numpy())
    network = np.mean([n.predict(X_test).to_numpy() for n in networks], axis=0)
    np.testing.assert_allclose(model.predict(X_test).to_numpy(), 0.7 * linear + 0.3 * network, rtol=1e-5)
    model.save(tmp_path / "plus")
    loaded = load_model(tmp_path / "plus")
    pd.testing.assert_frame_equal(loaded.predict(X_test), model.predict(X_test))
    assert len(list((tmp_path / "plus" / "networks" / "standardised-network").iterdir())) == len(networks)
    assert loaded.gain_ == (1.0, 0.1) and loaded.n_judged_ == model.n_judged_
    assert loaded.candidates() == model.candidates() and loaded.stack_.combiner == model.stack_.combiner


def test_the_standardised_network_takes_the_width_and_weight_decay_of_the_lowest_validation_loss(small_cohort):
    from tdimpute.models.network import StandardisedNetwork, fit_best

    X, Y, X_test, _ = _split(small_cohort, "KIRC")
    candidates = [
        StandardisedNetwork(hidden=[width], weight_decay=decay, epochs=15) for width in (8, 64) for decay in (1e-2, 1.0)
    ]
    best = fit_best(candidates, X, Y)
    losses = [min(c.validation_history_) for c in candidates]
    assert min(best.validation_history_) == min(losses) and len(set(losses)) == 4
    # Standardised inputs and outputs: predictions are on expression's scale, near each gene's level.
    predicted = best.predict(X_test)
    assert np.abs(predicted.mean() - Y.mean()).max() < 2 * Y.std().max()


def _linear_cohort(dense: bool, n: int, cpgs: int = 60, genes: int = 20, seed: int = 0):
    """Expression linear in methylation: each gene from every CpG a little (dense), or from
    one CpG (sparse)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, cpgs))
    if dense:
        W = rng.normal(scale=0.6, size=(cpgs, genes))
    else:
        W = np.zeros((cpgs, genes))
        W[rng.choice(cpgs, genes, replace=False), np.arange(genes)] = 6.0
    Y = 8 + (X - 0.5) @ W + rng.normal(scale=0.5, size=(n, genes))
    frame = lambda values, prefix: pd.DataFrame(values, columns=[f"{prefix}{i}" for i in range(values.shape[1])])  # noqa: E731
    return frame(X, "cg"), frame(Y, "G")


@pytest.mark.parametrize("dense, expected", [(True, "ridge"), (False, "lasso")])
def test_plus_chooses_the_linear_model_that_fits_the_signal(dense, expected):
    methylation, expression = _linear_cohort(dense, n=200)
    X, Y, X_test, Y_test = methylation[:120], expression[:120], methylation[120:], expression[120:]
    model = imputer_class("tdimpute-plus")(network=False).fit(X, Y)
    errors = model.stack_.errors
    assert min(errors["lasso"], errors["ridge"]) == errors[expected]
    assert model.stack_.combiner in (expected, "shared blend", "per-gene blend")
    weights = {c["name"]: c["weight"] for c in model.candidates()}
    assert weights[expected] > 0.5 and sum(weights.values()) == pytest.approx(1.0)
    plus, alone = (
        _rmse(m.predict(X_test), Y_test)
        for m in (model, imputer_class("ridge-cv" if dense else "lasso-cv")().fit(X, Y))
    )
    assert plus <= 1.02 * alone


def test_plus_fine_tunes_a_pretrained_network_through_the_cli(small_cohort_file, tmp_path, cli):
    cli(
        "pretrain",
        "--cohort",
        small_cohort_file,
        "--exclude-cancer",
        "BRCA",
        "--hidden",
        "16",
        "--epochs",
        "3",
        "--out",
        tmp_path / "pre",
    )
    cli(
        "split",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "BRCA",
        "--missing-rate",
        "0.5",
        "--out",
        tmp_path / "split.json",
    )
    cli(
        "fit",
        "--method",
        "tdimpute-plus",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "BRCA",
        "--split",
        tmp_path / "split.json",
        "--pretrained",
        tmp_path / "pre",
        "--epochs",
        "3",
        "--folds",
        "3",
        "--mlp-hidden",
        "16",
        "--mlp-hidden",
        "8",
        "--mlp-weight-decay",
        "0.1",
        "--mlp-epochs",
        "4",
        "--out",
        tmp_path / "plus",
    )
    spec = load_model(tmp_path / "plus")
    assert spec.get_params()["pretrained"] == str(tmp_path / "pre")
    assert [spec.get_params()[name] for name in ("folds", "mlp_hidden", "mlp_weight_decay", "mlp_epochs")] == [
        3,
        [16, 8],
        [0.1],
        4,
    ]
    assert set(spec.network_weights_) == {"network", "standardised network"}
    assert 0.0 <= sum(spec.network_weights_.values()) <= 1.0
    cli(
        "impute",
        "--model",
        tmp_path / "plus",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "BRCA",
        "--split",
        tmp_path / "split.json",
        "--out",
        tmp_path / "imputed.tsv.gz",
    )
    imputed = pd.read_csv(tmp_path / "imputed.tsv.gz", sep="\t", index_col=0)
    assert imputed.notna().all().all() and imputed.shape[0] == 40
