"""Stacking on out-of-fold predictions: non-negative weights, chosen by cross-fitting."""

import numpy as np
import pytest

from tdimpute.models.stacking import CLEAR_GAIN_SE, PER_GENE, SHARED, blend, choose_stack, nonnegative_weights

NAMES = ["a", "b"]


def _folds(n: int, k: int = 5) -> list[np.ndarray]:
    return np.array_split(np.random.default_rng(1).permutation(n), k)


@pytest.fixture
def truth():
    return np.random.default_rng(0).normal(size=(60, 30))


def test_the_better_candidate_alone_when_a_blend_cannot_gain(truth):
    errors = np.random.default_rng(2).normal(scale=0.3, size=truth.shape)
    # b makes the same errors twice as large: no blend beats a.
    stack = choose_stack(truth, np.stack([truth + errors, truth + 2 * errors]), NAMES, _folds(len(truth)))
    assert stack.combiner == "a" and stack.gain <= stack.gain_se
    np.testing.assert_array_equal(stack.weights, [[1.0], [0.0]])
    np.testing.assert_array_equal(stack.out_of_fold, truth + errors)
    assert stack.errors["a"] < stack.errors["b"] and set(stack.errors) == {"a", "b", SHARED, PER_GENE}


def test_the_preferred_candidate_stays_unless_another_is_clearly_better():
    """On few samples the lower error may be chance: the preferred candidate gives way only to a
    clear gain."""
    rng = np.random.default_rng(6)
    truth = rng.normal(size=(15, 30))
    errors = rng.normal(scale=0.5, size=truth.shape)
    steadily = np.stack([truth + errors, truth + 0.97 * errors])  # b a little better on every sample
    assert choose_stack(truth, steadily, NAMES, _folds(15), preferred="a").combiner == "b"
    # b better on average through one sample alone, a little worse on the 14 others: a stays.
    factor = np.r_[0.1, np.full(14, 1.02)][:, None]
    by_chance = np.stack([truth + errors, truth + factor * errors])
    stack = choose_stack(truth, by_chance, NAMES, _folds(15), preferred="a")
    assert stack.errors["b"] < stack.errors["a"] and stack.combiner == "a"
    assert choose_stack(truth, by_chance, NAMES, _folds(15)).combiner == "a"  # the first by default


def test_a_gain_of_one_and_a_half_standard_errors_is_not_clear():
    """b's per-sample gain over a is 0.1 on average with a standard error of 0.067: above one
    standard error, below two (`CLEAR_GAIN_SE`), so a stays."""
    assert CLEAR_GAIN_SE == 2.0
    gains = 0.1 + 0.26 * np.resize([1.0, -1.0], 16)
    truth = np.zeros((16, 5))
    a, b = truth + 1.0, truth + np.sqrt(1.0 - gains)[:, None]  # squared errors 1 and 1 - gain
    mean, se = gains.mean(), gains.std(ddof=1) / 4
    assert se < mean < CLEAR_GAIN_SE * se
    stack = choose_stack(truth, np.stack([a, b]), NAMES, _folds(16), per_gene=False, preferred="a")
    assert stack.combiner == "a"
    assert stack.errors["a"] - stack.errors["b"] == pytest.approx(mean)


def test_a_shared_blend_of_independent_errors_with_cross_fitted_weights(truth):
    rng = np.random.default_rng(3)
    predictions = np.stack([truth + rng.normal(scale=0.5, size=truth.shape) for _ in NAMES])
    folds = _folds(len(truth))
    stack = choose_stack(truth, predictions, NAMES, folds)
    assert stack.combiner == SHARED and stack.gain > CLEAR_GAIN_SE * stack.gain_se
    np.testing.assert_allclose(stack.weights.ravel(), [0.5, 0.5], atol=0.05)
    assert stack.errors[SHARED] < 0.6 * min(stack.errors["a"], stack.errors["b"])  # about half
    # A fold's out-of-fold blend uses weights fitted on the other folds only.
    rows = folds[0]
    others = np.setdiff1d(np.arange(len(truth)), rows)
    weights = nonnegative_weights(truth[others], predictions[:, others], per_gene=False)
    np.testing.assert_allclose(stack.out_of_fold[rows], blend(predictions[:, rows], weights))


def test_per_gene_weights_where_each_candidate_is_good_on_its_own_genes(truth):
    rng = np.random.default_rng(4)
    small, large = rng.normal(scale=0.2, size=truth.shape), rng.normal(scale=1.0, size=truth.shape)
    half = truth.shape[1] // 2
    a = truth + np.hstack([small[:, :half], large[:, half:]])
    b = truth + np.hstack([large[:, :half], small[:, half:]])
    stack = choose_stack(truth, np.stack([a, b]), NAMES, _folds(len(truth)))
    assert stack.combiner == PER_GENE and stack.weights.shape == (2, truth.shape[1])
    assert (stack.weights[0, :half] > 0.8).all() and (stack.weights[1, half:] > 0.8).all()
    # Not offered, per-gene weights are never chosen.
    assert choose_stack(truth, np.stack([a, b]), NAMES, _folds(len(truth)), per_gene=False).combiner != PER_GENE


def test_per_gene_weights_must_beat_the_shared_blend_not_only_the_best_candidate():
    # Few samples; each gene's errors a little larger in one candidate or the other: per-gene
    # weights fitted on 9 samples are a little better out of fold than one shared pair, but
    # by less than the noise of that gain, so the shared blend stays.
    rng = np.random.default_rng(2)
    truth = rng.normal(size=(12, 40))
    scales = rng.uniform(0.3, 0.7, size=40)
    predictions = np.stack(
        [truth + rng.normal(size=truth.shape) * scales, truth + rng.normal(size=truth.shape) * scales[::-1]]
    )
    stack = choose_stack(truth, predictions, NAMES, _folds(len(truth), 4))
    assert stack.errors[PER_GENE] < stack.errors[SHARED] < min(stack.errors["a"], stack.errors["b"])
    assert stack.combiner == SHARED and stack.weights.shape == (2, 1)


def test_weights_are_convex(truth):
    errors = np.random.default_rng(5).normal(scale=0.3, size=truth.shape)
    # The unconstrained optimum is -0.5 on the second: t + (1 + 2w) e.
    predictions = np.stack([truth + errors, truth + 3 * errors])
    for per_gene in (False, True):
        weights = nonnegative_weights(truth, predictions, per_gene)
        assert (weights >= 0).all() and weights[1].max() < 1e-6
        np.testing.assert_allclose(weights.sum(axis=0), 1.0)
    # Two equally good, independent candidates: half each, not shrunk towards 0.
    other = truth + np.random.default_rng(6).normal(scale=0.3, size=truth.shape)
    np.testing.assert_allclose(
        nonnegative_weights(truth, np.stack([truth + errors, other]), False).ravel(), [0.5, 0.5], atol=0.05
    )
