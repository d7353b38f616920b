import numpy as np
from sklearn.linear_model import RidgeCV

from tdimpute.simulate import simulate_cohort


def test_simulate_same_seed_gives_byte_identical_files(tmp_path, cli):
    args = [
        "simulate",
        "--n-samples",
        "60",
        "--n-cpgs",
        "30",
        "--n-genes",
        "10",
        "--n-cancers",
        "2",
        "--missing-fraction",
        "0.2",
        "--seed",
        "3",
    ]
    cli(*args, "--out", tmp_path / "a.h5")
    cli(*args, "--out", tmp_path / "b.h5")
    assert (tmp_path / "a.h5").read_bytes() == (tmp_path / "b.h5").read_bytes()


def test_simulate_different_seeds_differ():
    a = simulate_cohort(n_samples=40, n_cpgs=20, n_genes=5, n_cancers=2, seed=1)
    b = simulate_cohort(n_samples=40, n_cpgs=20, n_genes=5, n_cancers=2, seed=2)
    assert not np.allclose(a.methylation, b.methylation)


def test_simulated_values_are_beta_and_log2_expression(small_cohort):
    assert small_cohort.methylation.min() >= 0 and small_cohort.methylation.max() <= 1
    present = small_cohort.expression[small_cohort.has_expression]
    assert present.min() >= 0
    assert 5 < present.max() < 20
    assert (~small_cohort.has_expression).sum() == round(0.1 * 180)
    assert small_cohort.cancer_types == ["BRCA", "KIRC", "LUAD"]
    assert small_cohort.clinical["os_event"].isin([0, 1]).all()


def test_methylation_to_expression_structure_is_learnable():
    cohort = simulate_cohort(n_samples=400, n_cpgs=150, n_genes=30, n_cancers=2, seed=11)
    X, Y = cohort.methylation, cohort.expression
    train, test = slice(0, 300), slice(300, None)
    ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X[train], Y[train])
    rmse_ridge = np.sqrt(np.mean((ridge.predict(X[test]) - Y[test]) ** 2))
    rmse_mean = np.sqrt(np.mean((Y[train].mean(0) - Y[test]) ** 2))
    assert rmse_ridge < 0.8 * rmse_mean


def test_survival_depends_on_the_recorded_prognostic_genes():
    import pandas as pd
    from lifelines import CoxPHFitter

    cohort = simulate_cohort(n_samples=400, n_cpgs=50, n_genes=40, n_cancers=2, seed=5)
    prognostic = cohort.provenance["prognostic_genes"]
    column = list(cohort.genes).index(prognostic[0])
    frame = pd.DataFrame(
        {"x": cohort.expression[:, column], "T": cohort.clinical["os_time"], "E": cohort.clinical["os_event"]}
    )
    fitted = CoxPHFitter().fit(frame, "T", "E")
    assert fitted.summary.loc["x", "p"] < 1e-4
