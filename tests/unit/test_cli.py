import json

import numpy as np
import pandas as pd
import pytest

from tdimpute import __version__


def test_version_and_help(cli):
    assert cli("--version").stdout.strip() == f"tdimpute {__version__}"
    help_text = cli("--help").stdout
    for command in [
        "simulate",
        "validate",
        "preprocess",
        "split",
        "pretrain",
        "fit",
        "impute",
        "evaluate",
        "summarize",
        "versions",
    ]:
        assert command in help_text


def test_validate_json_summary(small_cohort_file, cli):
    summary = json.loads(cli("validate", small_cohort_file, "--json").stdout)
    assert summary == {
        "n_samples": 180,
        "n_cpgs": 120,
        "n_genes": 40,
        "n_without_expression": 18,
        "cancer_types": ["BRCA", "KIRC", "LUAD"],
    }


def test_validate_summarises_one_cancer_type(small_cohort, small_cohort_file, cli):
    summary = json.loads(cli("validate", small_cohort_file, "--json", "--cancer", "LUAD").stdout)
    luad = small_cohort.select_cancer("LUAD")
    assert summary == {**luad.summary(), "cancer_types": ["LUAD"]}


def test_export_writes_the_measured_expression_of_a_cancer(small_cohort, small_cohort_file, tmp_path, cli):
    from tdimpute.io import read_expression

    cli("export", "--cohort", small_cohort_file, "--cancer", "KIRC", "--out", tmp_path / "kirc.tsv.gz")
    exported = read_expression(tmp_path / "kirc.tsv.gz")
    kirc = small_cohort.select_cancer("KIRC")
    measured = kirc.has_expression
    assert list(exported.index) == list(kirc.samples[measured]) and list(exported.columns) == list(kirc.genes)
    np.testing.assert_allclose(exported.to_numpy(), kirc.expression[measured], rtol=1e-5)
    cli("export", "--cohort", small_cohort_file, "--cancer", "KIRC", "--methylation", "--out", tmp_path / "beta.tsv.gz")
    np.testing.assert_allclose(
        read_expression(tmp_path / "beta.tsv.gz").to_numpy(), kirc.methylation, rtol=1e-5, atol=1e-6
    )


def test_validate_refuses_a_file_that_is_not_a_cohort(tmp_path, cli):
    (tmp_path / "x.h5").write_text("not hdf5")
    result = cli("validate", tmp_path / "x.h5", check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot read cohort file") and result.stderr.count("\n") == 1


def test_baseline_study_through_the_cli(small_cohort_file, tmp_path, cli):
    cli(
        "split",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "KIRC",
        "--missing-rate",
        "0.3",
        "--seed",
        "1",
        "--out",
        tmp_path / "split.json",
    )
    metrics = []
    for method in ["mean", "tobmi", "svd", "lasso", "lasso-cv"]:
        cli(
            "fit",
            "--method",
            method,
            "--cohort",
            small_cohort_file,
            "--split",
            tmp_path / "split.json",
            "--out",
            tmp_path / method,
        )
        cli(
            "impute",
            "--model",
            tmp_path / method,
            "--cohort",
            small_cohort_file,
            "--split",
            tmp_path / "split.json",
            "--out",
            tmp_path / f"{method}.tsv.gz",
        )
        cli(
            "evaluate",
            "--cohort",
            small_cohort_file,
            "--split",
            tmp_path / "split.json",
            "--imputed",
            tmp_path / f"{method}.tsv.gz",
            "--method",
            method,
            "--out",
            tmp_path / f"{method}.json",
        )
        metrics.append(tmp_path / f"{method}.json")
        per_gene = pd.read_csv(tmp_path / f"{method}.genes.tsv", sep="\t")
        assert list(per_gene.columns) == ["gene", "rmse", "mae", "r2", "skill"] and len(per_gene) == 40
    mean, tobmi, *others = (json.loads(p.read_text()) for p in metrics)
    n_test = len(json.loads((tmp_path / "split.json").read_text())["test"])
    assert {m["n_samples"] for m in [mean, tobmi, *others]} == {n_test}
    assert tobmi["rmse"] < mean["rmse"]
    cli("summarize", *metrics, "--out", tmp_path / "summary.tsv", "--runs", tmp_path / "runs.tsv")
    summary = pd.read_csv(tmp_path / "summary.tsv", sep="\t").set_index("method")
    assert summary.loc["tobmi", "rmse_mean"] == pytest.approx(tobmi["rmse"], rel=1e-5)
    assert summary.loc["mean", "n_replicates"] == 1


def test_impute_without_split_fills_the_samples_lacking_expression(small_cohort, small_cohort_file, tmp_path, cli):
    from tdimpute.io import read_expression

    cli("fit", "--method", "mean", "--cohort", small_cohort_file, "--cancer", "LUAD", "--out", tmp_path / "m")
    cli(
        "impute",
        "--model",
        tmp_path / "m",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "LUAD",
        "--out",
        tmp_path / "filled.tsv.gz",
    )
    luad = small_cohort.select_cancer("LUAD")
    assert sorted(read_expression(tmp_path / "filled.tsv.gz").index) == sorted(luad.samples[~luad.has_expression])


def test_fit_rejects_options_that_do_not_apply(small_cohort_file, tmp_path, cli):
    result = cli(
        "fit",
        "--method",
        "mean",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "LUAD",
        "--epochs",
        "3",
        "--out",
        tmp_path / "m",
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: method mean takes no option --epochs"
    assert not (tmp_path / "m").exists()


def test_versions_yaml_names_the_process(cli):
    text = cli("versions", "--process", "TDIMPUTE:FIT").stdout
    assert text.splitlines()[0] == '"TDIMPUTE:FIT":'
    assert f"    tdimpute: {__version__}" in text.splitlines()


def test_complete_fills_missing_samples_and_runs_cox_on_all(small_cohort, small_cohort_file, tmp_path, cli):
    from tdimpute.io import read_expression

    cli("fit", "--method", "tobmi", "--cohort", small_cohort_file, "--cancer", "KIRC", "--out", tmp_path / "m")
    cli(
        "impute",
        "--model",
        tmp_path / "m",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "KIRC",
        "--out",
        tmp_path / "imputed.tsv.gz",
    )
    cli(
        "complete",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "KIRC",
        "--imputed",
        tmp_path / "imputed.tsv.gz",
        "--out",
        tmp_path / "done",
    )
    kirc = small_cohort.select_cancer("KIRC")
    completed = read_expression(tmp_path / "done" / "completed_expression.tsv.gz")
    imputed = read_expression(tmp_path / "imputed.tsv.gz")
    assert sorted(completed.index) == sorted(kirc.samples) and not completed.isna().any().any()
    observed = kirc.samples[kirc.has_expression][0]
    np.testing.assert_allclose(completed.loc[observed], kirc.expression[kirc.has_expression][0], rtol=1e-5)
    lacking = kirc.samples[~kirc.has_expression][0]
    np.testing.assert_allclose(completed.loc[lacking], imputed.loc[lacking], rtol=1e-6)
    summary = json.loads((tmp_path / "done" / "completed.json").read_text())
    assert summary["n_imputed"] == (~kirc.has_expression).sum() and summary["n_samples"] == len(kirc.samples)
    prognosis = pd.read_csv(tmp_path / "done" / "prognosis.tsv", sep="\t", index_col=0)
    assert len(prognosis) == 40 and prognosis["p"].between(0, 1).all()
    clusters = pd.read_csv(tmp_path / "done" / "clusters.tsv", sep="\t").set_index("sample").loc[kirc.samples]
    assert set(clusters["cluster"]) == {0, 1}
    assert (clusters["imputed"].to_numpy() == ~kirc.has_expression).all()
    shares = [clusters.loc[clusters["cluster"] == c, "imputed"].mean() for c in (0, 1)]
    assert summary["cluster_imputed_share"] == pytest.approx(shares)
    assert summary["cluster_sizes"] == [int((clusters["cluster"] == c).sum()) for c in (0, 1)]
    from lifelines.statistics import logrank_test

    a, b = clusters[clusters["cluster"] == 0], clusters[clusters["cluster"] == 1]
    expected = logrank_test(a["os_time"], b["os_time"], a["os_event"], b["os_event"]).p_value
    assert summary["cluster_logrank_p"] == pytest.approx(expected)
    curves = pd.read_csv(tmp_path / "done" / "kaplan_meier.tsv", sep="\t")
    assert set(curves["panel"]) == {"completed"}
    assert curves.groupby("cluster")["n"].first().tolist() == [len(a), len(b)]


def test_reliability_travels_from_fit_through_the_model_to_impute(small_cohort_file, tmp_path, cli):
    cli(
        "fit",
        "--method",
        "ridge-cv",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "LUAD",
        "--reliability-folds",
        "3",
        "--out",
        tmp_path / "m",
    )
    stored = pd.read_csv(tmp_path / "m" / "reliability.tsv", sep="\t")
    assert list(stored.columns) == ["gene", "rmse", "mae", "r2", "skill"] and len(stored) == 40
    cli(
        "impute",
        "--model",
        tmp_path / "m",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "LUAD",
        "--out",
        tmp_path / "imputed.tsv.gz",
        "--reliability",
        tmp_path / "reliability.tsv",
    )
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "reliability.tsv", sep="\t"), stored)

    cli("fit", "--method", "mean", "--cohort", small_cohort_file, "--cancer", "LUAD", "--out", tmp_path / "plain")
    result = cli(
        "impute",
        "--model",
        tmp_path / "plain",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "LUAD",
        "--out",
        tmp_path / "x.tsv.gz",
        "--reliability",
        tmp_path / "x.tsv",
        check=False,
    )
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "has no reliability table: fit it with --reliability-folds" in result.stderr
    assert not (tmp_path / "x.tsv.gz").exists() and not (tmp_path / "x.tsv").exists()


@pytest.mark.parametrize("error", ["memory", "gpu"])
def test_running_out_of_memory_exits_with_the_status_pipelines_retry(monkeypatch, capsys, error):
    from tdimpute import cli as command_line

    if error == "gpu":
        import tensorflow as tf

        exc = tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor with shape[16,4000]\nmore")
    else:
        exc = MemoryError("Unable to allocate 17.2 GiB")

    def run_out():
        raise exc

    monkeypatch.setattr(command_line, "app", run_out)
    with pytest.raises(SystemExit) as stopped:
        command_line.main()
    assert stopped.value.code == 137  # conf/base.config retries 130-145
    assert capsys.readouterr().err.count("\n") == 1


def test_a_cancers_own_file_gives_the_results_of_the_pool(small_cohort_file, tmp_path, cli):
    """What the pipeline's tasks read (select's per-cancer file) changes no byte of what they
    write: split, model predictions, metrics and downstream tables."""
    cli("select", "--cohort", small_cohort_file, "--cancer", "KIRC", "--out", tmp_path / "KIRC.h5")
    outputs = {}
    for name, cohort in (("pool", small_cohort_file), ("own", tmp_path / "KIRC.h5")):
        out = tmp_path / name
        cli(
            "split",
            "--cohort",
            cohort,
            "--cancer",
            "KIRC",
            "--missing-rate",
            "0.5",
            "--seed",
            "3",
            "--out",
            out / "split.json",
        )
        cli("fit", "--method", "lasso-cv", "--cohort", cohort, "--split", out / "split.json", "--out", out / "model")
        cli(
            "impute",
            "--model",
            out / "model",
            "--cohort",
            cohort,
            "--split",
            out / "split.json",
            "--out",
            out / "imputed.tsv.gz",
        )
        cli(
            "evaluate",
            "--cohort",
            cohort,
            "--split",
            out / "split.json",
            "--imputed",
            out / "imputed.tsv.gz",
            "--out",
            out / "metrics.json",
        )
        cli(
            "downstream",
            "--cohort",
            cohort,
            "--split",
            out / "split.json",
            "--imputed",
            out / "imputed.tsv.gz",
            "--top",
            "10",
            "--out",
            out / "downstream",
        )
        outputs[name] = {
            path.relative_to(out): path.read_bytes()
            for path in sorted(out.rglob("*"))
            if path.is_file() and path.suffix not in (".png", ".joblib", ".npz")
        }
    assert outputs["own"] == outputs["pool"] and len(outputs["pool"]) >= 6
