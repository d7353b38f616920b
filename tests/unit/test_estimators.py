"""Every method is a scikit-learn estimator: parameters, clone, fitted state."""

import copy

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks

from tdimpute.models import METHODS, imputer_class
from tdimpute.models.network import PretrainedNetwork
from tdimpute.models.ridge import fit_pool_ridge

TINY_NETWORK = {"hidden": [8], "epochs": 2, "batch_size": 8}
CHECKS = [
    "check_parameters_default_constructible",
    "check_no_attributes_set_in_init",
    "check_get_params_invariance",
    "check_set_params",
    "check_estimator_repr",
]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("method", list(METHODS))
def test_scikit_learn_checks_of_parameters(method, check):
    getattr(estimator_checks, check)(method, imputer_class(method)())


@pytest.mark.parametrize("method", list(METHODS))
def test_clone_gives_an_unfitted_copy_with_the_same_parameters(method):
    model = imputer_class(method)(seed=3) if "seed" in imputer_class(method).options() else imputer_class(method)()
    copied = clone(model)
    assert copied is not model and copied.get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        copied.predict(pd.DataFrame(np.zeros((1, 2)), columns=["a", "b"]))


@pytest.fixture(scope="module")
def training(small_cohort):
    rows = np.flatnonzero(small_cohort.has_expression)[:60]
    X = pd.DataFrame(small_cohort.methylation[rows], index=small_cohort.samples[rows], columns=small_cohort.cpgs)
    Y = pd.DataFrame(small_cohort.expression[rows], index=X.index, columns=small_cohort.genes)
    return X, Y


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory, training):
    folder = tmp_path_factory.mktemp("pretrained") / "model"
    network = PretrainedNetwork(**TINY_NETWORK).fit(*training)
    network.pool_ridge_ = fit_pool_ridge(*training, cancers=np.zeros(len(training[0])))
    network.save(folder)
    return str(folder)


def _small(method: str, pretrained: str) -> dict:
    options = imputer_class(method).options()
    small = {
        "pretrained": pretrained,
        **TINY_NETWORK,
        "folds": 3,
        "cv": 3,
        "n_alphas": 3,
        "max_iter": 2,
        "mlp_hidden": (8,),
        "mlp_epochs": 2,
    }
    return {name: value for name, value in small.items() if name in options}


@pytest.mark.parametrize("method", list(METHODS))
def test_fit_sets_learned_attributes_and_leaves_the_parameters_as_given(method, training, pretrained):
    model = imputer_class(method)(**_small(method, pretrained))
    before = copy.deepcopy(model.get_params())
    model.fit(*training)
    assert model.get_params() == before
    assert model.predict(training[0].iloc[:3]).shape == (3, training[1].shape[1])


def test_tdimpute_plus_forwards_every_training_option_to_its_network(training, pretrained, tmp_path, monkeypatch):
    from tdimpute.models import plus

    seen = []
    original = plus.TransferNetwork.fit
    monkeypatch.setattr(
        plus.TransferNetwork, "fit", lambda self, X, Y: seen.append(self.get_params()) or original(self, X, Y)
    )
    options = {
        "pretrained": pretrained,
        "precision": "float32",
        "validation_fraction": 0.25,
        "patience": 1,
        "checkpoint_dir": str(tmp_path),
        "checkpoint_every": 1,
        "learning_rate": 3e-3,
        "batch_size": 4,
        "epochs": 3,
        "seed": 5,
    }
    imputer_class("tdimpute-plus")(folds=3, mlp_hidden=(4,), mlp_epochs=2, **options).fit(*training)
    assert seen and all(params == {**params, **options} for params in seen)
