"""Impute mode on the other kinds of input, end to end: a samplesheet of two cohorts of
Xena-like matrices, and an external cohort imputed with networks of a pool after quantile
normalisation onto it (assets/test_data/samplesheet)."""

import numpy as np
import pytest

TARGET = "LUAD"
METHOD = "tdimpute-plus"
RUN = f"{TARGET}_{METHOD}"
# The small files have few genes and CpGs: every feature is kept, two folds judge each gene.
SMALL_INPUT = (
    "--simulate",
    "false",
    "--mode",
    "impute",
    "--target_cancers",
    TARGET,
    "--min_variance",
    "0",
    "--reliability_folds",
    "2",
)


@pytest.fixture(scope="module")
def samplesheet_run(pipeline, samplesheets):
    return pipeline("samplesheet", *SMALL_INPUT, "--input", str(samplesheets / "samplesheet.csv")).expect_success()


@pytest.fixture(scope="module")
def external_run(pipeline, samplesheets):
    return pipeline(
        "external",
        *SMALL_INPUT,
        "--input",
        str(samplesheets / "pool.csv"),
        "--external_input",
        str(samplesheets / "external.csv"),
    ).expect_success()


def test_a_samplesheet_s_cohorts_are_pooled(samplesheet_run):
    assert samplesheet_run.json("cohort/cohort.summary.json") == {
        "n_samples": 60,
        "n_cpgs": 49,
        "n_genes": 15,
        "n_without_expression": 6,
        "cancer_types": ["BRCA", "LUAD"],
    }


def test_a_samplesheet_s_target_cancer_samples_without_expression_are_imputed(samplesheet_run):
    luad = samplesheet_run.cohort("cohort/cohort.h5", TARGET)
    imputed = samplesheet_run.matrix(f"imputed/{METHOD}/{RUN}.imputed.tsv.gz")
    assert sorted(imputed.index) == sorted(luad.samples[~luad.has_expression])
    assert list(imputed.columns) == list(luad.genes)


def test_a_samplesheet_run_reports_a_reliability_for_each_gene(samplesheet_run):
    assert len(samplesheet_run.table(f"imputed/{METHOD}/{RUN}.reliability.tsv")) == 15
    html = samplesheet_run.text("multiqc/tdimpute_report.html")
    assert 'id="imputed_samples"' in html and 'id="reliability_table"' in html


def test_the_external_cohort_takes_the_pool_s_features(external_run):
    pool = external_run.json("cohort/cohort.summary.json")
    external = external_run.json("cohort/external.summary.json")
    assert (pool["n_samples"], pool["cancer_types"]) == (30, ["BRCA"])
    assert (external["n_samples"], external["cancer_types"]) == (30, [TARGET])
    assert (external["n_cpgs"], external["n_genes"]) == (pool["n_cpgs"], pool["n_genes"])


def test_the_pool_s_cpgs_that_the_external_cohort_lacks_are_filled_with_one_warning(external_run):
    """EXTERNAL.methylation.tsv.gz lacks 5 of the pool's 50 CpGs (as an EPIC cohort lacks some
    of the 450K probes): they are filled, the task warns once with the cost measured on
    held-out pool samples, and the report's cohort table says so."""
    external = external_run.json("cohort/external.summary.json")
    cost = external["cpg_filling"]
    assert external["n_cpgs_filled"] == 5 and cost["measured"] > 0 and cost["filled"] > 0
    preprocess = next(
        folder
        for folder in external_run.task_folders()
        if "--quantile-normalise" in (folder / ".command.sh").read_text()
    )
    log = (preprocess / ".command.err").read_text().lower().splitlines()
    warnings = [line for line in log if line.startswith("warning")]
    assert len(warnings) == 1 and "5 of the reference's 50 cpgs (10.0%) are absent here" in warnings[0], warnings
    assert f"{cost['measured']:.3f} becomes {cost['filled']:.3f}" in warnings[0]
    assert "--max-missing-cpgs 0.3" in (preprocess / ".command.sh").read_text()
    assert f"5 (held-out RMSE {cost['measured']:.3f}" in external_run.text("multiqc/tdimpute_report.html")


def test_the_network_is_pretrained_on_the_pool(external_run):
    pretrained = external_run.json("models/pretrained/pan_cancer_pretrained/model.json")
    assert pretrained["cpgs"] == list(external_run.cohort("cohort/cohort.h5").cpgs)


def test_each_external_sample_is_quantile_normalised_onto_the_pool(external_run):
    """Each external sample's sorted values are the pool's mean sorted sample."""
    pool = np.sort(external_run.cohort("cohort/cohort.h5").methylation, axis=1).mean(axis=0)
    external = np.sort(external_run.cohort("cohort/external.h5").methylation, axis=1)
    assert np.abs(external - pool).max() < 1e-4


def test_the_external_samples_without_expression_are_imputed(external_run):
    completed = external_run.json(f"completed/{RUN}/completed.json")
    assert completed["n_imputed"] == external_run.json("cohort/external.summary.json")["n_without_expression"]
    assert 'id="reliability_table"' in external_run.text("multiqc/tdimpute_report.html")
