"""TCGA cohorts downloaded from UCSC Xena, pooled and imputed, end to end: three cohorts on
the same genes and CpGs (`--tcga_cohorts luad,brca,kirc`) from the local stand-in for the
Xena hubs (tests/with_xena_hub.py), so nothing reaches the internet."""

import subprocess
import sys

import pytest

from .conftest import ROOT

TARGET = "KIRC"
METHOD = "ridge-cv"


@pytest.fixture(scope="module")
def xena_hub():
    """The base URL of the local hubs (BASE/tcga, BASE/pancan), served while the tests run."""
    hub = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "with_xena_hub.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = hub.stdout.readline().strip()
    assert base.startswith("http://"), f"the local Xena hub did not start: {base!r}"
    yield base
    hub.stdin.close()
    hub.wait(timeout=30)


@pytest.fixture(scope="module")
def three_cohorts(pipeline, xena_hub):
    return pipeline(
        "tcga",
        "--simulate",
        "false",
        "--tcga_cohorts",
        "luad,brca,kirc",
        "--xena_tcga_hub",
        f"{xena_hub}/tcga",
        "--xena_pancan_hub",
        f"{xena_hub}/pancan",
        "--mode",
        "impute",
        "--target_cancers",
        TARGET,
        "--impute_method",
        METHOD,
        "--min_variance",
        "0",
        "--reliability_folds",
        "2",
    ).expect_success()


def test_three_cohorts_on_the_same_features_pool_into_one_cohort(three_cohorts):
    summary = three_cohorts.json("cohort/cohort.summary.json")
    assert {key: summary[key] for key in ("n_samples", "n_cpgs", "n_genes", "cancer_types")} == {
        "n_samples": 90,
        "n_cpgs": 49,
        "n_genes": 15,
        "cancer_types": ["BRCA", "KIRC", "LUAD"],
    }
    # KIRC is BRCA's samples under other barcodes: as many of its samples lack RNA-seq.
    lacking = {
        cancer: (~three_cohorts.cohort("cohort/cohort.h5", cancer).has_expression).sum()
        for cancer in summary["cancer_types"]
    }
    assert lacking["KIRC"] == lacking["BRCA"] > 0
    assert summary["n_without_expression"] == sum(lacking.values())


def test_cohorts_with_the_same_genes_pool_without_a_warning(three_cohorts):
    preprocess = next(
        folder
        for folder in three_cohorts.task_folders()
        if "tdimpute preprocess" in (folder / ".command.sh").read_text()
    )
    log = (preprocess / ".command.err").read_text()
    assert "warning" not in log.lower(), log


def test_the_target_cancer_s_samples_without_expression_are_imputed(three_cohorts):
    kirc = three_cohorts.cohort("cohort/cohort.h5", TARGET)
    imputed = three_cohorts.matrix(f"imputed/{METHOD}/{TARGET}_{METHOD}.imputed.tsv.gz")
    assert sorted(imputed.index) == sorted(kirc.samples[~kirc.has_expression])
    assert all(sample.startswith("TCGA-TK-") for sample in imputed.index)
    assert list(imputed.columns) == list(kirc.genes)
