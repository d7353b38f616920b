"""Intervals and multiple imputation from a model's held-out residuals: the intervals cover
as they promise where the noise is known, and the pooled Cox results are Rubin's rules applied
to lifelines' fits of each completed cohort."""

import numpy as np
import pandas as pd
import pytest

from tdimpute.downstream.pooling import pooled_cox
from tdimpute.models.ridge import RidgeCVImputer
from tdimpute.uncertainty import completed_draws, conformal_half_widths, coverage, intervals

TIGHT = {"precision": 1e-12, "r_precision": 1e-14}  # lifelines converged as far as the vectorised Cox


def linear_data(n: int, seed: int, noise: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Expression = methylation x fixed weights + Gaussian noise of a known SD per gene."""
    rng = np.random.default_rng(seed)
    weights = np.random.default_rng(0).normal(size=(30, len(noise)))
    X = rng.uniform(size=(n, 30))
    Y = X @ weights + rng.normal(size=(n, len(noise))) * noise
    samples = [f"S{seed}-{i}" for i in range(n)]
    return (
        pd.DataFrame(X, index=samples, columns=[f"cg{j}" for j in range(30)]),
        pd.DataFrame(Y, index=samples, columns=[f"G{g}" for g in range(len(noise))]),
    )


@pytest.mark.parametrize("level", [0.8, 0.9])
def test_intervals_cover_new_samples_as_promised_where_the_noise_is_known(level):
    noise = np.linspace(0.2, 2.0, 40)
    X, Y = linear_data(300, seed=1, noise=noise)
    model = RidgeCVImputer().fit(X, Y).estimate_reliability(X, Y, folds=5, seed=0)
    X_new, Y_new = linear_data(2000, seed=2, noise=noise)
    lower, upper = intervals(model.predict(X_new), model.residuals_, level)
    assert coverage(Y_new, lower, upper)["interval_coverage"] == pytest.approx(level, abs=0.015)
    # Per gene the width follows its noise: about the 2 z sigma the noise alone needs or more
    # (the fit's own error adds to it; 300 residuals give each quantile some spread), not one width for all.
    from scipy.stats import norm

    widths = (upper - lower).mean().to_numpy()
    assert (widths >= 0.85 * 2 * norm.ppf(0.5 + level / 2) * noise).all()
    assert np.corrcoef(widths, noise)[0, 1] > 0.98


def test_too_few_held_out_samples_for_the_level_is_refused():
    with pytest.raises(ValueError, match="needs at least 19 held-out samples"):
        conformal_half_widths(np.zeros((10, 3)), 0.95)


def test_genes_share_one_factor_of_their_held_out_rmse_and_a_gene_never_missed_gets_zero_width():
    rng = np.random.default_rng(4)
    base = rng.normal(size=(200, 1))
    residuals = np.hstack([base * 0.5, base * 3.0, np.zeros((200, 1))])
    half = conformal_half_widths(residuals, 0.9)
    rmse = np.sqrt((residuals**2).mean(axis=0))
    assert half[2] == 0 and half[1] == pytest.approx(6 * half[0])
    # The factor: the 180th smallest of the 200 samples' scores, each residual over the RMSE of the others.
    others = np.sqrt(((base**2).sum() - base[:, 0] ** 2) / 199)
    assert half[0] / rmse[0] == pytest.approx(np.sort(np.abs(base[:, 0]) / others)[179])


def test_draws_add_whole_residual_rows_of_held_out_samples():
    imputed = pd.DataFrame(np.zeros((50, 3)), columns=list("abc"))
    residuals = np.array([[1.0, 10.0, 100.0], [2.0, 20.0, 200.0]])
    draws = list(completed_draws(imputed, residuals, draws=4, seed=3))
    assert len(draws) == 4
    for drawn in draws:  # each sample takes one held-out sample's residuals across all genes
        assert ((drawn["b"] == 10 * drawn["a"]) & (drawn["c"] == 100 * drawn["a"])).all()
    assert set(np.concatenate([d["a"] for d in draws])) == {1.0, 2.0}


def test_pooled_cox_is_rubins_rules_on_lifelines_fits_of_each_completed_cohort():
    from lifelines import CoxPHFitter
    from scipy import stats

    rng = np.random.default_rng(5)
    n, m = 80, 5
    base = pd.DataFrame(rng.normal(size=(n, 3)), columns=["g1", "g2", "g3"])
    time = rng.exponential(np.exp(-0.7 * base["g1"].to_numpy()))
    event = (rng.uniform(size=n) < 0.8).astype(float)
    imputed_rows = np.arange(30)  # the first 30 samples are imputed: residuals drawn for them
    residuals = rng.normal(scale=0.8, size=(40, 3))
    cohorts = []
    for drawn in completed_draws(base.iloc[imputed_rows], residuals, m, seed=1):
        cohort = base.copy()
        cohort.iloc[imputed_rows] = drawn.to_numpy()
        cohorts.append(cohort)
    pooled = pooled_cox(cohorts, time, event)
    for gene in base.columns:
        fits = [
            CoxPHFitter()
            .fit(pd.DataFrame({"x": c[gene], "T": time, "E": event}), "T", "E", fit_options=TIGHT)
            .summary.loc["x"]
            for c in cohorts
        ]
        q = np.array([f["coef"] for f in fits])
        u = np.array([f["se(coef)"] for f in fits]) ** 2
        b, w = q.var(ddof=1), u.mean()
        t = w + (1 + 1 / m) * b
        lam = (1 + 1 / m) * b / t
        df_old = (m - 1) / lam**2
        df_obs = (n - 1 + 1) / (n - 1 + 3) * (n - 1) * (1 - lam)
        df = 1 / (1 / df_old + 1 / df_obs)
        p = 2 * stats.t.sf(abs(q.mean() / np.sqrt(t)), df)
        r = (1 + 1 / m) * b / w
        row = pooled.loc[gene]
        assert row["coef"] == pytest.approx(q.mean(), rel=1e-6)
        assert row["se"] == pytest.approx(np.sqrt(t), rel=1e-6)
        assert row["df"] == pytest.approx(df, rel=1e-6)
        assert row["p"] == pytest.approx(p, rel=1e-6, abs=1e-12)
        assert row["fmi"] == pytest.approx((r + 2 / (df + 3)) / (r + 1), rel=1e-6)


def test_intervals_and_multiple_imputation_through_the_command_line(small_cohort, small_cohort_file, tmp_path, cli):
    from tdimpute.io import read_expression

    cohort = ("--cohort", small_cohort_file, "--cancer", "KIRC")
    cli("split", *cohort, "--missing-rate", "0.3", "--out", tmp_path / "split.json")
    cli(
        "fit",
        "--method",
        "ridge-cv",
        *cohort,
        "--split",
        tmp_path / "split.json",
        "--reliability-folds",
        "5",
        "--out",
        tmp_path / "model",
    )
    imputed = tmp_path / "test.tsv.gz"
    cli(
        "impute",
        "--model",
        tmp_path / "model",
        *cohort,
        "--split",
        tmp_path / "split.json",
        "--out",
        imputed,
        "--interval",
        "0.9",
    )
    lower, middle, upper = (read_expression(tmp_path / f"test{part}.tsv.gz") for part in (".lower", "", ".upper"))
    assert ((lower < middle) & (middle < upper)).all().all()
    cli(
        "evaluate",
        *cohort[:2],
        "--split",
        tmp_path / "split.json",
        "--imputed",
        imputed,
        "--intervals",
        "--out",
        tmp_path / "metrics.json",
    )
    import json

    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert 0.75 <= metrics["interval_coverage"] <= 1 and metrics["interval_width"] > 0

    cli("fit", "--method", "ridge-cv", *cohort, "--reliability-folds", "5", "--out", tmp_path / "full")
    cli("impute", "--model", tmp_path / "full", *cohort, "--out", tmp_path / "missing.tsv.gz")
    cli(
        "complete",
        *cohort,
        "--imputed",
        tmp_path / "missing.tsv.gz",
        "--model",
        tmp_path / "full",
        "--multiple-imputations",
        "5",
        "--out",
        tmp_path / "done",
    )
    prognosis = pd.read_csv(tmp_path / "done" / "prognosis.tsv", sep="\t", index_col=0)
    assert {"p", "pooled_coef", "pooled_se", "pooled_df", "pooled_p", "fmi"} <= set(prognosis.columns)
    varies = prognosis["se"].notna()
    # The imputed samples' values vary between draws: every gene lacks some information.
    assert (prognosis.loc[varies, "fmi"] > 0).all() and (prognosis.loc[varies, "fmi"] < 1).all()

    refused = cli(
        "complete",
        *cohort,
        "--imputed",
        tmp_path / "missing.tsv.gz",
        "--multiple-imputations",
        "5",
        "--out",
        tmp_path / "none",
        check=False,
    )
    assert refused.returncode == 1 and refused.stderr.startswith("Error: multiple imputation draws")
    assert not (tmp_path / "none").exists()
