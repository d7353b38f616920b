"""The benchmark on the test profile's simulated cohort, end to end: every method of
assets/methods.json on every split and the same test samples, accuracy that the files bear out
(RMSE recomputed from the imputed matrices), the report showing the summary's numbers, and the
tasks staging only the cohort they need."""

import numpy as np
import pytest
import yaml

CANCER = "BRCA"
RATES = (0.3, 0.7)  # conf/test.config
POOL = "simulated.h5"
REPORT_SECTIONS = (
    "cohorts",
    "best_method",
    "accuracy_rmse",
    "accuracy_table",
    "downstream_table",
    "downstream_driving_top_overlap",
    "downstream_driving_pr_auc",
    "downstream_prognostic_top_overlap",
    "downstream_prognostic_pr_auc",
    "downstream_cluster_ari",
    "downstream_ridge_cox_cindex_imputed",
    "cluster_survival",
    "plus_stacking",
    "training_loss",
    "software_versions",
    "parameters",
)
IMPUTE_METHOD = "tdimpute-plus"  # --impute_method's default: the report shows its survival curves
# Methods expected to beat the per-gene mean on the simulated cohort at a low missing rate: each
# reads the methylation (lasso's fixed alpha, the paper's, and the networks trained on the
# target cancer alone or not fine-tuned at all are not expected to on so few samples).
BEAT_THE_MEAN = (
    "svd",
    "tobmi",
    "tdimpute",
    "tdimpute-plus",
    "lasso-cv",
    "ridge-cv",
    "ridge-transfer",
    "lasso-transfer",
)


@pytest.fixture(scope="module")
def run(pipeline):
    return pipeline("benchmark").expect_success()


@pytest.fixture(scope="module")
def runs(run):
    return run.table("summary/benchmark_runs.tsv")


@pytest.fixture(scope="module")
def summary(run):
    return run.table("summary/benchmark_summary.tsv")


@pytest.fixture(scope="module")
def cohort(run):
    return run.cohort(f"cohort/{POOL}", CANCER)


def split_name(rate: float) -> str:
    return f"{CANCER}_rate{rate}_rep1"


def test_every_method_runs_once_on_every_split(runs, method_names):
    assert sorted(runs["method"].unique()) == sorted(method_names)
    assert sorted(runs["missing_rate"].unique()) == list(RATES)
    assert not runs.duplicated(["method", "missing_rate"]).any()
    assert len(runs) == len(method_names) * len(RATES)


def test_each_method_of_a_split_is_evaluated_on_the_split_s_test_samples(run, runs):
    for rate, group in runs.groupby("missing_rate"):
        test_samples = run.json(f"splits/{split_name(rate)}.split.json")["test"]
        assert set(group["n_samples"]) == {len(test_samples)}, rate


def test_the_imputed_matrix_holds_the_split_s_test_samples_and_the_cohort_s_genes(run, runs, cohort):
    for rate, method in runs[["missing_rate", "method"]].itertuples(index=False):
        imputed = run.matrix(f"imputed/{method}/{split_name(rate)}_{method}.imputed.tsv.gz")
        test_samples = run.json(f"splits/{split_name(rate)}.split.json")["test"]
        assert sorted(imputed.index) == sorted(test_samples), (rate, method)
        assert list(imputed.columns) == list(cohort.genes), (rate, method)
        assert not imputed.isna().any().any(), (rate, method)


def test_the_summary_s_rmse_is_the_rmse_of_the_imputed_matrix_against_the_true_expression(run, summary, cohort):
    truth = cohort.expression[cohort.has_expression]
    samples = list(cohort.samples[cohort.has_expression])
    for rate, method, rmse in summary[["missing_rate", "method", "rmse_mean"]].itertuples(index=False):
        imputed = run.matrix(f"imputed/{method}/{split_name(rate)}_{method}.imputed.tsv.gz")
        true_rows = truth[[samples.index(sample) for sample in imputed.index]]
        recomputed = np.sqrt(np.mean((imputed.to_numpy() - true_rows) ** 2))
        assert recomputed == pytest.approx(rmse, rel=1e-4), (rate, method)


def test_the_methods_that_read_methylation_beat_the_mean_at_a_low_missing_rate(summary):
    rmse = summary[summary["missing_rate"] == RATES[0]].set_index("method")["rmse_mean"]
    assert {method: rmse[method] for method in BEAT_THE_MEAN if rmse[method] >= rmse["mean"]} == {}


def test_the_downstream_analyses_cover_every_run_and_match_their_files(run, runs):
    downstream = run.table("summary/downstream_runs.tsv")
    assert sorted(zip(downstream["missing_rate"], downstream["method"])) == sorted(
        zip(runs["missing_rate"], runs["method"])
    )
    assert downstream["cluster_ari"].between(-1, 1).all()
    svd = downstream[(downstream["method"] == "svd") & (downstream["missing_rate"] == RATES[0])].iloc[0]
    published = run.json(f"downstream/svd/{split_name(RATES[0])}_svd/downstream.json")
    assert svd["prognostic_top_overlap"] == pytest.approx(published["prognostic_top_overlap"], rel=1e-6)


def test_the_cohort_is_the_test_profile_s_simulated_one(run):
    pool = run.cohort(f"cohort/{POOL}")
    assert pool.summary()["n_samples"] == 240
    assert pool.summary()["n_without_expression"] == 24


def test_the_report_has_its_sections(run):
    html = run.text("multiqc/tdimpute_report.html")
    assert [section for section in REPORT_SECTIONS if f'id="{section}"' not in html] == []


def test_the_report_draws_each_split_s_survival_curves_named_in_words_and_no_image(run):
    html = run.text("multiqc/tdimpute_report.html")
    for rate in RATES:
        split = f"{CANCER}, {rate * 100:g} % missing, replicate 1"
        assert f"Survival of the two expression clusters: {split}, {IMPUTE_METHOD}" in html, rate
        curves = run.table(f"downstream/{IMPUTE_METHOD}/{split_name(rate)}_{IMPUTE_METHOD}/kaplan_meier.tsv")
        assert set(curves["panel"]) == {"true", "imputed"}
    assert "_mqc.png" not in html
    assert list(run.path("summary").glob("*.png")) == list(run.path("downstream").rglob("*.png")) == []


def test_the_report_s_accuracy_table_shows_the_summary_s_numbers(run, summary):
    shown = run.table("multiqc/tdimpute_report_data/multiqc_accuracy_table_table.txt")
    shown = shown.set_index(shown.columns[0])["RMSE mean"]
    assert len(shown) == len(summary)
    for cancer, rate, method, rmse in summary[["cancer", "missing_rate", "method", "rmse_mean"]].itertuples(
        index=False
    ):
        assert shown[f"{cancer} {rate} {method}"] == pytest.approx(rmse, rel=1e-9)


def test_the_report_names_each_rate_s_best_method(run, summary):
    html = run.text("multiqc/tdimpute_report.html")
    best = summary.loc[summary.groupby("missing_rate")["rmse_mean"].idxmin(), "method"]
    assert [method for method in best if f"<strong>{method}</strong>" not in html] == []


def test_the_report_shows_each_tdimpute_plus_fit_s_candidates_blended_convexly(run):
    stacking = run.table("multiqc/tdimpute_report_data/multiqc_plus_stacking_table.txt")
    # With the pretrained network (the pool without the target): the Lasso and a ridge shrunk
    # toward the pool's.
    candidates = {"lasso-transfer", "ridge", "ridge-transfer", "network", "standardised network"}
    assert set(stacking["Candidate"]) == candidates
    assert len(stacking) == len(candidates) * len(RATES)
    assert stacking["Weight"].between(0, 1).all()
    fits = stacking[stacking.columns[0]].str.split(" ").str[0]
    assert stacking.groupby(fits)["Weight"].sum().to_numpy() == pytest.approx(1, abs=1e-6)


def test_the_software_versions_list_every_process_that_ran_and_tensorflow(run):
    versions = yaml.safe_load(run.text("pipeline_info/software_versions.yml"))
    ran = set(run.trace()["name"].str.split(" ").str[0])
    # The report's own tasks come after the versions file, which they show.
    assert set(versions) == {process for process in ran if not process.startswith("TDIMPUTE:REPORT:")}
    assert any("tensorflow" in tools for tools in versions.values())


def test_only_pretrain_and_select_stage_the_pool_the_other_tasks_the_cancer_s_file(run):
    staged = run.staged_cohorts()
    assert staged["PRETRAIN"] == {POOL}
    assert staged["SELECT"] == {POOL}
    for process in ("SPLIT", "FIT", "IMPUTE", "EVALUATE", "DOWNSTREAM"):
        assert staged[process] == {f"{CANCER}.h5"}, process
