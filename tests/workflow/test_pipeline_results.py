"""Content checks of the pipeline runs defined in test_pipeline.yml."""

import json
import re

import pandas as pd
import pytest

METHODS = {"tdimpute", "tdimpute-self", "tdimpute-notf", "tdimpute-plus", "mean", "svd", "tobmi", "lasso",
           "lasso-cv", "ridge-cv"}


@pytest.mark.workflow("pipeline benchmark test profile")
def test_every_method_is_evaluated_on_every_split(workflow_dir):
    runs = pd.read_csv(workflow_dir / "results/summary/benchmark_runs.tsv", sep="\t")
    assert set(runs["method"]) == METHODS
    assert sorted(set(runs["missing_rate"])) == [0.3, 0.7]
    assert len(runs) == len(METHODS) * 2
    # Every method of one split was tested on the same samples.
    for rate, group in runs.groupby("missing_rate"):
        split = json.loads((workflow_dir / f"results/splits/BRCA_rate{rate}_rep1.split.json").read_text())
        assert set(group["n_samples"]) == {len(split["test"])}


@pytest.mark.workflow("pipeline benchmark test profile")
def test_only_pretrain_and_select_stage_the_pool(workflow_dir):
    """Every other task stages its cancer's own file (on a cloud executor, a download each)."""
    staged = {}
    for run in (workflow_dir / "work").glob("*/*/.command.run"):
        name = re.search(r"^### name: '(.+)'$", run.read_text(), re.M).group(1)
        process = name.split(" ")[0].split(":")[-1]
        staged.setdefault(process, set()).update(p.name for p in run.parent.glob("*.h5") if p.is_symlink())
    assert staged["PRETRAIN"] == staged["SELECT"] == {"simulated.h5"}
    for process in ("SPLIT", "FIT", "IMPUTE", "EVALUATE", "DOWNSTREAM"):
        assert staged[process] == {"BRCA.h5"}, process


@pytest.mark.workflow("pipeline benchmark test profile")
def test_methods_that_use_methylation_beat_the_mean_at_low_missing_rate(workflow_dir):
    summary = pd.read_csv(workflow_dir / "results/summary/benchmark_summary.tsv", sep="\t")
    at_30 = summary[summary["missing_rate"] == 0.3].set_index("method")["rmse_mean"]
    for method in ["svd", "tobmi", "tdimpute", "tdimpute-plus", "lasso-cv", "ridge-cv"]:
        assert at_30[method] < at_30["mean"], (method, at_30.to_dict())


@pytest.mark.workflow("pipeline benchmark test profile")
def test_published_imputations_cover_the_test_samples(workflow_dir):
    from tdimpute.io import read_expression

    split = json.loads((workflow_dir / "results/splits/BRCA_rate0.3_rep1.split.json").read_text())
    imputed = read_expression(workflow_dir / "results/imputed/tdimpute/BRCA_rate0.3_rep1_tdimpute.imputed.tsv.gz")
    assert sorted(imputed.index) == sorted(split["test"])
    assert imputed.shape[1] == 60


@pytest.mark.workflow("pipeline benchmark test profile")
def test_downstream_summary_covers_every_method_and_split(workflow_dir):
    runs = pd.read_csv(workflow_dir / "results/summary/downstream_runs.tsv", sep="\t")
    assert set(runs["method"]) == METHODS and len(runs) == len(METHODS) * 2
    assert runs["cluster_ari"].between(-1, 1).all()
    detail = json.loads((workflow_dir / "results/downstream/svd/BRCA_rate0.3_rep1_svd/downstream.json").read_text())
    row = runs[(runs["method"] == "svd") & (runs["missing_rate"] == 0.3)].iloc[0]
    assert row["prognostic_top_overlap"] == pytest.approx(detail["prognostic_top_overlap"])


def _trace(workflow_dir, run):
    traces = sorted((workflow_dir / "results/pipeline_info").glob("execution_trace_*.txt"))
    assert len(traces) == 3
    table = pd.read_csv(traces[run], sep="\t")
    # "TDIMPUTE:FIT (BRCA_rate0.5_rep1_mean)" -> "FIT"
    table["process"] = table["name"].str.split(" ").str[0].str.split(":").str[-1]
    return table


@pytest.mark.workflow("pipeline resumes without rerunning finished tasks")
def test_resume_reruns_nothing_then_only_what_a_changed_parameter_touches(workflow_dir):
    first, second, third = (_trace(workflow_dir, i) for i in range(3))
    assert (first["status"] == "COMPLETED").all()
    assert (second["status"] == "CACHED").all() and len(second) == len(first)
    rerun = third[third["status"] != "CACHED"]
    # The tdimpute-self run, then the summaries and the report that gather every run.
    gathering = {"SUMMARIZE", "SUMMARIZE_DOWNSTREAM", "REPORT_DATA", "MULTIQC"}
    assert all("tdimpute-self" in name or process in gathering
               for name, process in zip(rerun["name"], rerun["process"])), rerun["name"].tolist()
    assert sorted(rerun["process"]) == ["DOWNSTREAM", "EVALUATE", "FIT", "IMPUTE", "MULTIQC", "REPORT_DATA",
                                        "SUMMARIZE", "SUMMARIZE_DOWNSTREAM"]


@pytest.mark.workflow("pipeline impute mode test profile")
def test_impute_mode_fills_exactly_the_samples_without_expression(workflow_dir):
    from tdimpute.cohort import read_cohort
    from tdimpute.io import read_expression

    brca = read_cohort(workflow_dir / "results/cohort/simulated.h5").select_cancer("BRCA")
    imputed = read_expression(workflow_dir / "results/imputed/tdimpute-plus/BRCA_tdimpute-plus.imputed.tsv.gz")
    assert sorted(imputed.index) == sorted(brca.samples[~brca.has_expression])
    completed = read_expression(workflow_dir / "results/completed/BRCA_tdimpute-plus/completed_expression.tsv.gz")
    assert sorted(completed.index) == sorted(brca.samples) and not completed.isna().any().any()
    summary = json.loads((workflow_dir / "results/completed/BRCA_tdimpute-plus/completed.json").read_text())
    assert summary["n_imputed"] == len(imputed) and summary["n_samples"] == len(brca.samples)
    assert sum(summary["cluster_sizes"]) == len(brca.samples) and 0 <= summary["cluster_logrank_p"] <= 1


@pytest.mark.workflow("pipeline impute mode test profile")
def test_impute_mode_reports_the_reliability_of_every_gene(workflow_dir):
    import pandas as pd

    results = workflow_dir / "results"
    from tdimpute.io import read_expression

    published = pd.read_csv(results / "imputed/tdimpute-plus/BRCA_tdimpute-plus.reliability.tsv", sep="\t")
    imputed = read_expression(results / "imputed/tdimpute-plus/BRCA_tdimpute-plus.imputed.tsv.gz")
    assert published["gene"].tolist() == imputed.columns.tolist()
    assert published["skill"].median() > 0  # the simulated genes follow methylation
    report = (results / "multiqc/tdimpute_report_data/multiqc_reliability_table_table.txt").read_text().splitlines()
    header, row = report[0].split("\t"), report[1].split("\t")
    assert row[0] == "BRCA_tdimpute-plus"
    assert int(float(row[header.index("Genes with skill >= 0.5")])) == int((published["skill"] >= 0.5).sum())


@pytest.mark.workflow("pipeline benchmark test profile")
def test_report_shows_the_numbers_of_the_summary_tables(workflow_dir):
    summary = pd.read_csv(workflow_dir / "results/summary/benchmark_summary.tsv", sep="\t")
    shown = pd.read_csv(workflow_dir / "results/multiqc/tdimpute_report_data/multiqc_accuracy_table_table.txt",
                        sep="\t", index_col=0)
    assert len(shown) == len(summary)
    for row in summary.itertuples():
        assert shown.loc[f"{row.cancer} {row.missing_rate:g} {row.method}", "RMSE mean"] == pytest.approx(row.rmse_mean)
    html = (workflow_dir / "results/multiqc/tdimpute_report.html").read_text()
    for section in ["cohorts", "best_method", "accuracy_rmse", "accuracy_table", "downstream_table",
                    "plus_stacking", "training_loss", "software_versions", "parameters"]:
        assert f'id="{section}"' in html, section
    stacking = pd.read_csv(workflow_dir / "results/multiqc/tdimpute_report_data/multiqc_plus_stacking_table.txt",
                           sep="\t", index_col=0)  # one row per tdimpute-plus fit
    assert len(stacking) == summary.loc[summary.method == "tdimpute-plus", "n_replicates"].sum()
    assert stacking["Network weight"].between(0, 1).all()
    assert ((stacking["Network weight"] > 0) == (stacking["Network used"] == "yes")).all()
    assert ((stacking["Network used"] == "no") | (stacking["Network gain"] > stacking["Gain SE"])).all()
    best = summary.loc[summary.groupby("missing_rate")["rmse_mean"].idxmin()]
    for method in best["method"]:
        assert f"<strong>{method}</strong>" in html


@pytest.mark.workflow("pipeline impute mode on an external cohort")
def test_the_external_cohort_takes_the_pools_features_and_distributions(workflow_dir):
    import numpy as np

    from tdimpute.cohort import read_cohort
    from tdimpute.preprocess import quantile_target

    pool = read_cohort(workflow_dir / "results/cohort/cohort.h5")
    external = read_cohort(workflow_dir / "results/cohort/external.h5")
    assert list(external.cpgs) == list(pool.cpgs) and list(external.genes) == list(pool.genes)
    target = quantile_target(pool.methylation)
    np.testing.assert_allclose(np.sort(external.methylation, axis=1), np.tile(target, (len(external.samples), 1)),
                               rtol=1e-5, atol=1e-6)
    spec = json.loads((workflow_dir / "results/models/pretrained/pan_cancer_pretrained/model.json").read_text())
    assert spec["cpgs"] == list(pool.cpgs)
