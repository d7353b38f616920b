"""What commands print: summary lines, warnings, --quiet, progress, M-values."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from tdimpute.cohort import read_cohort
from tdimpute.preprocess import beta_to_m


def _matrices(n_samples=24, n_cpgs=50, n_variable=2, lacking=4, seed=0):
    """Betas (samples x CpGs) with `n_variable` CpGs of variance > 0.05, and expression
    (samples x genes) of all but the last `lacking` samples."""
    rng = np.random.default_rng(seed)
    samples = [f"TCGA-AA-{i:04d}-01" for i in range(n_samples)]
    beta = np.clip(0.5 + rng.normal(0, 0.05, (n_samples, n_cpgs)), 0.01, 0.99)
    beta[:, :n_variable] = rng.uniform(0.02, 0.98, (n_samples, n_variable))
    methylation = pd.DataFrame(beta, index=samples, columns=[f"cg{i:08d}" for i in range(n_cpgs)])
    expression = pd.DataFrame(
        rng.uniform(1, 12, (n_samples - lacking, 6)),
        index=samples[: n_samples - lacking],
        columns=[f"GENE{i}" for i in range(6)],
    )
    return methylation, expression


def _write(tmp_path, methylation, expression, name="methylation.csv"):
    methylation.to_csv(tmp_path / name, index_label="id")
    expression.to_csv(tmp_path / "expression.csv", index_label="id")
    return tmp_path / name, tmp_path / "expression.csv"


def _preprocess(cli, methylation, expression, out, *options, check=True):
    return cli(
        "preprocess",
        "--methylation",
        methylation,
        "--expression",
        expression,
        "--cancer-type",
        "LUAD",
        "--out",
        out,
        *options,
        check=check,
    )


def test_preprocess_summary_and_few_variable_cpgs_warning(cli, tmp_path):
    result = _preprocess(cli, *_write(tmp_path, *_matrices()), tmp_path / "c.h5")
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        "warning: the variance filter kept 2 of 50 CpGs (variance >= 0.05, a threshold made for "
        "the 485,000 probes of the 450k array): lower --min-variance (e.g. 0) or keep the most "
        "variable with --top-cpgs N"
    )
    assert lines[1] == (
        f"preprocess: {tmp_path / 'c.h5'}: 24 samples (LUAD 24), 4 without expression; "
        "2 of 50 CpGs kept (2 with variance >= 0.05); 6 of 6 genes kept"
    )
    assert len(lines) == 2


def test_preprocess_names_every_filter_and_warns_when_nothing_is_left_to_impute(cli, tmp_path):
    methylation, expression = _matrices(lacking=0)
    methylation.iloc[0, 5] = np.nan
    result = _preprocess(
        cli, *_write(tmp_path, methylation, expression), tmp_path / "c.h5", "--min-variance", "0", "--top-cpgs", "10"
    )
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        "warning: LUAD: every sample has expression, so there is nothing to impute (a benchmark "
        "split still can); add samples with methylation alone to impute them"
    )
    assert lines[1].endswith(
        "0 without expression; 10 of 50 CpGs kept (49 with NA share <= 0, 49 with "
        "variance >= 0, the 10 most variable of those); 6 of 6 genes kept"
    )


def test_quiet_silences_the_summary_line(cli, tmp_path):
    files = _write(tmp_path, *_matrices())
    result = cli(
        "--quiet",
        "preprocess",
        "--methylation",
        files[0],
        "--expression",
        files[1],
        "--cancer-type",
        "LUAD",
        "--out",
        tmp_path / "c.h5",
        "--min-variance",
        "0",
    )
    assert result.stderr == "" and (tmp_path / "c.h5").is_file()


def test_m_values_give_the_cohort_of_the_betas_they_came_from(cli, tmp_path):
    methylation, expression = _matrices()
    beta_file, expression_file = _write(tmp_path, methylation, expression)
    beta_to_m(methylation).to_csv(tmp_path / "m.csv", index_label="id")
    _preprocess(cli, beta_file, expression_file, tmp_path / "beta.h5", "--min-variance", "0")
    converted = _preprocess(
        cli, tmp_path / "m.csv", expression_file, tmp_path / "m.h5", "--min-variance", "0", "--methylation-values", "m"
    )
    detected = _preprocess(
        cli,
        tmp_path / "m.csv",
        expression_file,
        tmp_path / "auto.h5",
        "--min-variance",
        "0",
        "--methylation-values",
        "auto",
    )
    assert "read as M-values and converted to beta" in converted.stderr
    assert "50 of 50 CpGs kept (50 with variance >= 0), read as M-values" in detected.stderr
    reference = read_cohort(tmp_path / "beta.h5")
    for name in ("m.h5", "auto.h5"):
        cohort = read_cohort(tmp_path / name)
        assert list(cohort.cpgs) == list(reference.cpgs) and list(cohort.samples) == list(reference.samples)
        np.testing.assert_allclose(cohort.methylation, reference.methylation, rtol=2e-7, atol=1e-7)
        np.testing.assert_array_equal(cohort.expression, reference.expression)


def test_auto_takes_betas_as_betas_and_refuses_percentages(cli, tmp_path):
    methylation, expression = _matrices()
    beta_file, expression_file = _write(tmp_path, methylation, expression)
    result = _preprocess(
        cli, beta_file, expression_file, tmp_path / "a.h5", "--min-variance", "0", "--methylation-values", "auto"
    )
    assert "M-values" not in result.stderr
    (methylation * 100).to_csv(tmp_path / "percent.csv", index_label="id")
    refused = _preprocess(
        cli, tmp_path / "percent.csv", expression_file, tmp_path / "p.h5", "--methylation-values", "auto", check=False
    )
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("Error: expected beta values in [0, 1], found ")
    assert "--methylation-values m or auto converts them" in refused.stderr
    wrong = _preprocess(
        cli, beta_file, expression_file, tmp_path / "w.h5", "--methylation-values", "mvalues", check=False
    )
    shown = " ".join(wrong.stderr.replace("│", " ").split())  # typer's error panel wraps its message
    assert wrong.returncode == 2 and "'mvalues' is not one of 'beta', 'm', 'auto'" in shown


def test_m_values_through_a_samplesheet(cli, tmp_path):
    methylation, expression = _matrices()
    beta_to_m(methylation).to_csv(tmp_path / "m.csv", index_label="id")
    expression.to_csv(tmp_path / "expression.csv", index_label="id")
    (tmp_path / "sheet.csv").write_text("cohort,methylation,expression,clinical\nLUAD,m.csv,expression.csv,\n")
    result = cli(
        "preprocess",
        "--samplesheet",
        tmp_path / "sheet.csv",
        "--out",
        tmp_path / "c.h5",
        "--min-variance",
        "0",
        "--methylation-values",
        "m",
    )
    assert "50 of 50 CpGs kept (50 with variance >= 0), read as M-values and converted to beta" in result.stderr
    assert read_cohort(tmp_path / "c.h5").methylation.max() <= 1


def test_pooled_cohorts_warn_of_genes_left_out(cli, tmp_path):
    methylation, expression = _matrices()
    half = len(methylation) // 2
    for name, rows in (("A", slice(None, half)), ("B", slice(half, None))):
        methylation.iloc[rows].to_csv(tmp_path / f"m{name}.csv", index_label="id")
        part = expression.reindex(methylation.index[rows]).dropna()
        (part if name == "A" else part.drop(columns="GENE5")).to_csv(tmp_path / f"e{name}.csv", index_label="id")
    (tmp_path / "sheet.csv").write_text("cohort,methylation,expression,clinical\nA,mA.csv,eA.csv,\nB,mB.csv,eB.csv,\n")
    result = cli(
        "preprocess", "--samplesheet", tmp_path / "sheet.csv", "--out", tmp_path / "c.h5", "--min-variance", "0"
    )
    assert "warning: 1 of 6 genes are absent from some expression file and are left out, e.g. 'GENE5'" in result.stderr
    assert "A 12, B 12" in result.stderr and "5 of 5 genes kept" in result.stderr


def test_fit_impute_evaluate_summary_lines(cli, tmp_path, small_cohort_file):
    split, model, imputed = tmp_path / "s.json", tmp_path / "model", tmp_path / "i.tsv.gz"
    cli("split", "--cohort", small_cohort_file, "--cancer", "LUAD", "--missing-rate", "0.3", "--out", split)
    fitted = cli(
        "fit", "--method", "lasso", "--alpha", "0.01", "--cohort", small_cohort_file, "--split", split, "--out", model
    )
    assert fitted.stderr.startswith(f"fit: {model}: lasso (alpha 0.01), ")
    assert "training samples, " in fitted.stderr and fitted.stderr.rstrip().endswith(" s")
    imputing = cli("impute", "--model", model, "--cohort", small_cohort_file, "--split", split, "--out", imputed)
    n_test = len(__import__("json").loads(split.read_text())["test"])
    assert imputing.stderr == f"impute: {imputed}: {n_test} samples x 40 genes by lasso\n"
    evaluated = cli(
        "evaluate", "--cohort", small_cohort_file, "--split", split, "--imputed", imputed, "--out", tmp_path / "e.json"
    )
    metrics = __import__("json").loads((tmp_path / "e.json").read_text())
    assert evaluated.stderr.startswith(
        f"evaluate: {tmp_path / 'e.json'}: RMSE {metrics['rmse']:.4f}, "
        f"MAE {metrics['mae']:.4f}, R² {metrics['r2']:.4f} per sample"
    )
    assert (
        f"{metrics['gene_r2_mean']:.4f} per gene (mean; median {metrics['gene_r2_median']:.4f}) "
        f"over {n_test} samples x 40 genes"
    ) in evaluated.stderr
    quiet = cli("-q", "impute", "--model", model, "--cohort", small_cohort_file, "--split", split, "--out", imputed)
    assert quiet.stderr == ""


def test_pretrain_reports_itself_without_tensorflow_start_up_lines(cli, tmp_path):
    cli("simulate", "--n-samples", "60", "--n-cpgs", "30", "--n-genes", "10", "--out", tmp_path / "sim.h5")
    result = cli(
        "pretrain", "--cohort", tmp_path / "sim.h5", "--out", tmp_path / "pre", "--epochs", "2", "--hidden", "8"
    )
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        "pretrain: epoch 1/2 loss " + lines[0].rsplit(" ", 1)[1],
        "pretrain: epoch 2/2 loss " + lines[1].rsplit(" ", 1)[1],
    ]
    assert lines[2].startswith(f"pretrain: {tmp_path / 'pre'}: hidden 8, epochs 2, batch size 128, ")
    assert "60 training samples" in lines[2] and len(lines) == 3
    assert not any(word in result.stderr for word in ("absl", "oneDNN", "tdimpute-notf"))


def test_a_network_warns_of_too_few_training_samples():
    from tdimpute.models.network import SelfNetwork

    rng = np.random.default_rng(0)
    methylation = pd.DataFrame(rng.uniform(size=(12, 5)), columns=[f"cg{i}" for i in range(5)])
    expression = pd.DataFrame(rng.uniform(1, 5, size=(12, 3)), columns=["A", "B", "C"])
    with pytest.warns(UserWarning) as warned:
        SelfNetwork(hidden=[4], epochs=1).fit(methylation, expression)
    assert [str(w.message) for w in warned] == [
        "tdimpute-self: only 12 training samples; a network needs about 30 or more to learn more than each "
        "gene's mean: use more samples (a lower --missing-rate) or the method lasso-cv or tdimpute-plus"
    ]


def test_lasso_cv_warns_of_more_folds_than_samples():
    from tdimpute.models.lasso import LassoCVImputer

    rng = np.random.default_rng(0)
    methylation = pd.DataFrame(rng.uniform(size=(6, 5)), columns=[f"cg{i}" for i in range(5)])
    expression = pd.DataFrame(rng.uniform(1, 5, size=(6, 3)), columns=["A", "B", "C"])
    with pytest.warns(UserWarning) as warned:
        LassoCVImputer(cv=10).fit(methylation, expression)
    assert (
        "lasso-cv: 10 cross-validation folds but only 6 training samples: leave-one-out instead, and alpha "
        "chosen on one sample per fold; use more samples (a lower --missing-rate)" in [str(w.message) for w in warned]
    )


def test_the_command_line_shows_a_library_warning_as_one_warning_line(capsys):
    import warnings

    from tdimpute.progress import configure_logging

    with warnings.catch_warnings():
        configure_logging()
        warnings.warn("lasso: 3 gene fits reached max_iter", UserWarning, stacklevel=1)
    assert capsys.readouterr().err == "warning: lasso: 3 gene fits reached max_iter\n"


@pytest.mark.parametrize("line", [True, False])
def test_progress_without_a_terminal_logs_the_lines_asked_for(caplog, line):
    from tdimpute.progress import progress

    with caplog.at_level(logging.INFO, logger="tdimpute"), progress("step", 10) as bar:
        bar.update(3, "3/10 done", line=line)
        with progress("hidden", 5, shown=False) as quiet:
            quiet.update(1, "never shown")
    assert caplog.messages == (["step: 3/10 done"] if line else [])
