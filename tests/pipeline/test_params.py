"""The run's parameters, checked before any task starts: a bad value stops the run with one line
naming its parameter, and no task runs; values typed as strings, as Nextflow 26.04 and later
hand over every command-line parameter (reproduced here with a params file of YAML strings),
are taken as the booleans and numbers they spell."""

import pytest
import yaml

# Case -> (arguments, the problems the run must report, each on a line of its own).
BAD_PARAMETERS = {
    "values outside their schema": (
        [
            "--missing_rates",
            "1.5",
            "--methods",
            "mean,magic",
            "--impute_method",
            "best",
            "--replicates",
            "0",
            "--reliability_folds",
            "1",
        ],
        [
            "--missing_rates: '1.5' is not valid",
            "--reliability_folds: 0 (off) or at least 2 folds",
            "--methods: unknown method 'magic' (the methods: tdimpute, ",
            "--impute_method: unknown method 'best' (the methods: tdimpute, ",
            "--replicates: must be >= 1, got 0",
        ],
    ),
    "no held-out residuals for impute mode's uncertainty (a warning) or the benchmark's intervals": (
        ["--mode", "impute", "--reliability_folds", "0", "--replicates", "0", "--benchmark_intervals", "true"],
        [
            "--replicates: must be >= 1, got 0",
            "--benchmark_intervals: needs --reliability_folds 2 or more",
            "--reliability_folds 0: no intervals and no multiple imputation",
        ],
    ),
    "a missing input file": (
        ["--simulate", "false", "--cohort", "missing/cohort.h5"],
        ["--cohort: file not found: missing/cohort.h5"],
    ),
    "a cancer type beside a samplesheet": (
        ["--simulate", "false", "--input", "{samplesheets}/samplesheet.csv", "--cancer_type", "LUAD"],
        ["--cancer_type: not used with --input"],
    ),
}
# The test profile's study with every boolean and number spelled as a string (booleans in
# either case), and one cheap method.
STUDY = {
    "simulate": "true",
    "simulate_samples": "240",
    "simulate_cpgs": "200",
    "simulate_genes": "60",
    "simulate_cancers": "3",
    "simulate_missing": "0.1",
    "seed": "42",
    "hidden": "64",
    "learning_rate": "0.001",
    "min_variance": "0.05",
    "replicates": "1",
    "missing_rates": "0.5",
}
AS_STRINGS = {
    "benchmark": {
        **STUDY,
        "methods": "mean",
        "save_models": "true",
        "benchmark_intervals": "TRUE",
        "reliability_folds": "2",
        "interval": "0.8",
    },
    "impute": {
        **STUDY,
        "mode": "impute",
        "impute_method": "mean",
        "reliability_folds": "2",
        "save_models": "True",
        "interval": "0.8",
        "multiple_imputations": "3",
    },
}
SAVED_MODEL = {
    "benchmark": "models/mean/BRCA_rate0.5_rep1_mean_model/model.json",
    "impute": "models/mean/BRCA_mean_model/model.json",
}


def params_file(folder, params: dict) -> str:
    path = folder / "params.yml"
    path.write_text(yaml.safe_dump(params))
    return str(path)


def lines_naming(run, parameter: str) -> list[str]:
    return [line for line in run.output.splitlines() if f"--{parameter}:" in line]


def assert_stopped_before_any_task(run):
    assert run.returncode != 0
    assert run.task_folders() == []
    assert not run.path("cohort").exists()


@pytest.fixture(scope="module", params=list(BAD_PARAMETERS))
def refused(request, pipeline, samplesheets):
    """A run given bad parameters, and the problems it must report."""
    args, problems = BAD_PARAMETERS[request.param]
    run = pipeline("bad-parameters", *(arg.format(samplesheets=samplesheets) for arg in args))
    return run, problems


@pytest.fixture(scope="module", params=list(AS_STRINGS))
def typed_as_strings(request, pipeline, tmp_path_factory):
    """A run whose parameters are all strings, and its mode."""
    params = params_file(tmp_path_factory.mktemp("params"), AS_STRINGS[request.param])
    return pipeline(f"strings-{request.param}", "-params-file", params), request.param


def test_bad_parameters_stop_the_run_before_any_task(refused):
    run, _problems = refused
    assert_stopped_before_any_task(run)


def test_each_bad_parameter_is_reported_on_one_line(refused):
    run, problems = refused
    lines = run.output.splitlines()
    assert {problem: sum(problem in line for line in lines) for problem in problems} == dict.fromkeys(problems, 1)
    assert "Check script" not in run.output


def test_parameters_given_as_strings_are_taken_as_their_types(typed_as_strings):
    run, _mode = typed_as_strings
    assert run.returncode == 0, run.output[-4000:]


def test_save_models_given_as_a_string_publishes_the_models(typed_as_strings):
    run, mode = typed_as_strings
    assert run.json(SAVED_MODEL[mode])["method"] == "mean"


def test_numbers_given_as_strings_size_the_intervals_and_the_multiple_imputations(typed_as_strings):
    run, mode = typed_as_strings
    if mode != "impute":
        pytest.skip("impute mode only")
    assert run.json("completed/BRCA_mean/completed.json")["multiple_imputations"] == 3
    imputed = run.matrix("imputed/mean/BRCA_mean.imputed.tsv.gz")
    narrow = run.matrix("imputed/mean/BRCA_mean.imputed.upper.tsv.gz") - imputed
    assert (narrow.to_numpy() > 0).all()


def test_the_benchmark_s_intervals_are_measured_and_reported_where_asked_for_as_strings(typed_as_strings):
    run, mode = typed_as_strings
    if mode != "benchmark":
        pytest.skip("benchmark mode only")
    split = "BRCA_rate0.5_rep1"
    cohort = run.cohort("cohort/simulated.h5", "BRCA")
    imputed = run.matrix(f"imputed/mean/{split}_mean.imputed.tsv.gz")
    lower, upper = (run.matrix(f"imputed/mean/{split}_mean.imputed.{bound}.tsv.gz") for bound in ("lower", "upper"))
    samples = list(cohort.samples)
    truth = cohort.expression[[samples.index(sample) for sample in imputed.index]]
    inside = (truth >= lower.to_numpy()) & (truth <= upper.to_numpy())
    summary = run.table("summary/benchmark_summary.tsv").iloc[0]
    assert summary["interval_coverage_mean"] == pytest.approx(inside.mean(), abs=1e-6)  # the table keeps 6 digits
    assert 0.6 < summary["interval_coverage_mean"] < 0.95  # 0.8 bounds of the per-gene mean
    shown = run.table("multiqc/tdimpute_report_data/multiqc_accuracy_table_table.txt").iloc[0]
    assert shown["Interval coverage mean"] == pytest.approx(summary["interval_coverage_mean"], rel=1e-9)


def test_benchmark_intervals_without_an_interval_stop_the_run_with_one_line(pipeline, tmp_path_factory):
    """A params file can set --interval to null, which no bounds would follow."""
    params = params_file(tmp_path_factory.mktemp("params"), {"benchmark_intervals": True, "interval": None})
    run = pipeline("intervals-without-interval", "-params-file", params)
    assert_stopped_before_any_task(run)
    assert [line for line in lines_naming(run, "benchmark_intervals") if "needs --interval" in line] != []


def test_a_boolean_spelled_wrong_stops_the_run_with_one_line_naming_it(pipeline, tmp_path_factory):
    params = params_file(tmp_path_factory.mktemp("params"), {"save_models": "yes"})
    run = pipeline("strings-wrong", "-params-file", params)
    assert_stopped_before_any_task(run)
    assert len(lines_naming(run, "save_models")) == 1
