import pandas as pd
import pytest


@pytest.mark.workflow("module summarize")
def test_summarize_module_averages_replicates_per_method(workflow_dir):
    summary = pd.read_csv(workflow_dir / "results/summary/benchmark_summary.tsv", sep="\t").set_index("method")
    assert summary.loc["mean", "rmse_mean"] == pytest.approx(2.1)
    assert summary.loc["tobmi", "rmse_mean"] == pytest.approx(1.6)
    assert summary.loc["tobmi", "rmse_std"] == pytest.approx(0.1414214, rel=1e-5)
    assert summary.loc["mean", "n_replicates"] == 2
    runs = pd.read_csv(workflow_dir / "results/summary/benchmark_runs.tsv", sep="\t")
    assert len(runs) == 4
