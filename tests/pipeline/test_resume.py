"""A resumed run reruns only what a changed parameter touches: the same run again is wholly
cached, and a new --self_epochs reruns the tdimpute-self tasks and the tasks that gather every
run (summaries, report), nothing else."""

import pytest

GATHERING = {"SUMMARIZE", "SUMMARIZE_DOWNSTREAM", "REPORT_DATA", "MULTIQC"}
SELF_RUN = {"FIT", "IMPUTE", "EVALUATE", "DOWNSTREAM"}  # one split: one task of each


@pytest.fixture(scope="module")
def first(pipeline):
    return pipeline("resume", "--methods", "mean,tdimpute-self", "--missing_rates", "0.5").expect_success()


@pytest.fixture(scope="module")
def resumed(first):
    return first.again("-resume", trace_file="resumed.trace.txt").expect_success()


@pytest.fixture(scope="module")
def changed(first, resumed):
    return first.again("-resume", "--self_epochs", "3", trace_file="changed.trace.txt").expect_success()


def test_the_first_run_completes_every_task(first):
    assert set(first.trace()["status"]) == {"COMPLETED"}


def test_the_same_run_resumed_is_wholly_cached(first, resumed):
    tasks = resumed.trace()
    assert set(tasks["status"]) == {"CACHED"}
    assert sorted(tasks["name"]) == sorted(first.trace()["name"])


def test_a_changed_self_epochs_reruns_only_tdimpute_self_and_the_gathering_tasks(changed):
    tasks = changed.trace()
    rerun = tasks[tasks["status"] != "CACHED"]
    assert sorted(rerun["process"]) == sorted(SELF_RUN | GATHERING)
    assert rerun[rerun["process"].isin(SELF_RUN)]["name"].str.contains("tdimpute-self").all()
    assert set(rerun["status"]) == {"COMPLETED"}
