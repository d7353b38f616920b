"""Impute mode on the test profile's simulated cohort, end to end: exactly the samples without
RNA-seq are imputed, the completed cohort keeps the measured values and has no gap, every gene
gets a reliability, the report has its impute sections, and --save_models publishes the model."""

import pandas as pd
import pytest

CANCER = "BRCA"
METHOD = "tdimpute-plus"  # --impute_method's default
RUN = f"{CANCER}_{METHOD}"
REPORT_SECTIONS = ("imputed_samples", "completed_prognosis", "training_loss", "reliability_table", "reliability_curve")


@pytest.fixture(scope="module")
def run(pipeline):
    return pipeline("impute", "--mode", "impute", "--save_models", "true").expect_success()


@pytest.fixture(scope="module")
def cohort(run):
    return run.cohort("cohort/simulated.h5", CANCER)


@pytest.fixture(scope="module")
def imputed(run):
    return run.matrix(f"imputed/{METHOD}/{RUN}.imputed.tsv.gz")


@pytest.fixture(scope="module")
def completed(run):
    return run.matrix(f"completed/{RUN}/completed_expression.tsv.gz")


@pytest.fixture(scope="module")
def reliability(run):
    return run.table(f"imputed/{METHOD}/{RUN}.reliability.tsv")


def test_exactly_the_samples_without_expression_are_imputed(cohort, imputed):
    assert sorted(imputed.index) == sorted(cohort.samples[~cohort.has_expression])
    assert list(imputed.columns) == list(cohort.genes)
    assert not imputed.isna().any().any()


def test_the_completed_cohort_has_every_sample_without_a_gap(cohort, completed):
    assert sorted(completed.index) == sorted(cohort.samples)
    assert not completed.isna().any().any()


def test_the_completed_cohort_keeps_the_measured_and_the_imputed_values(cohort, imputed, completed):
    measured = cohort.has_expression
    kept = completed.loc[cohort.samples[measured], list(cohort.genes)].to_numpy()
    assert kept == pytest.approx(cohort.expression[measured], rel=1e-5, abs=1e-5)
    assert completed.loc[imputed.index, imputed.columns].to_numpy() == pytest.approx(imputed.to_numpy(), rel=1e-5)


def test_the_completed_cohort_s_summary_counts_its_samples_and_clusters(run, cohort, imputed):
    summary = run.json(f"completed/{RUN}/completed.json")
    assert summary["n_imputed"] == len(imputed)
    assert summary["n_samples"] == len(cohort.samples)
    assert sum(summary["cluster_sizes"]) == len(cohort.samples)
    assert 0 <= summary["cluster_logrank_p"] <= 1


def test_every_imputed_gene_has_a_reliability_and_most_follow_methylation(reliability, imputed):
    assert list(reliability["gene"]) == list(imputed.columns)
    assert reliability["skill"].median() > 0


def test_the_report_has_the_impute_sections(run):
    html = run.text("multiqc/tdimpute_report.html")
    assert [section for section in REPORT_SECTIONS if f'id="{section}"' not in html] == []
    assert 'id="cluster_survival"' in html
    assert f"Survival of the two expression clusters of the completed {CANCER} cohort" in html
    assert set(run.table(f"completed/{RUN}/kaplan_meier.tsv")["panel"]) == {"completed"}


def test_the_report_s_reliability_table_counts_the_reliable_genes(run, reliability):
    shown = run.table("multiqc/tdimpute_report_data/multiqc_reliability_table_table.txt")
    assert shown.iloc[0, 0] == RUN
    assert shown["Genes with skill >= 0.5"].iloc[0] == (reliability["skill"] >= 0.5).sum()


def test_no_split_is_made(run):
    assert not run.path("splits").exists()


def test_save_models_publishes_the_fitted_model(run):
    model = run.json(f"models/{METHOD}/{RUN}_model/model.json")
    assert model["method"] == METHOD
    assert (
        run.table(f"models/{METHOD}/{RUN}_model/reliability.tsv")["gene"].tolist()
        == run.table(f"imputed/{METHOD}/{RUN}.reliability.tsv")["gene"].tolist()
    )


def test_every_imputed_value_has_bounds_from_the_held_out_residuals(run, imputed, reliability):
    lower = run.matrix(f"imputed/{METHOD}/{RUN}.imputed.lower.tsv.gz")
    upper = run.matrix(f"imputed/{METHOD}/{RUN}.imputed.upper.tsv.gz")
    assert lower.index.equals(imputed.index) and upper.columns.equals(imputed.columns)
    half = (upper - imputed).to_numpy()
    assert half == pytest.approx((imputed - lower).to_numpy(), abs=3e-4)  # symmetric (files keep 4 decimals)
    # One width per gene; a gene imputed less well (higher held-out RMSE) gets wider bounds.
    widths = pd.Series(half[0], index=imputed.columns)
    assert half.std(axis=0).max() < 3e-4
    assert widths.corr(reliability.set_index("gene")["rmse"], method="spearman") > 0.8


def test_the_completed_cohort_s_cox_results_are_also_pooled_over_multiple_imputations(run):
    prognosis = run.table(f"completed/{RUN}/prognosis.tsv")
    summary = run.json(f"completed/{RUN}/completed.json")
    assert summary["multiple_imputations"] == 20
    assert prognosis["pooled_p"].between(0, 1).all() and prognosis["fmi"].between(0, 1).all()
    assert summary["n_prognostic_genes_p05_pooled"] == (prognosis["pooled_p"] <= 0.05).sum()
    # The draws vary the imputed values: every gene lacks some information, the more so where its
    # imputations disagree.
    assert (prognosis["fmi"] > 0).all() and (prognosis["pooled_df"] > 0).all()
